/**
 * Proximal Policy Optimisation, following CleanRL's `ppo.py` and
 * `ppo_continuous_action.py` (Huang et al., "The 37 Implementation Details of
 * PPO"): vectorised rollouts, GAE, per-minibatch advantage normalisation,
 * clipped surrogate, clipped value loss, entropy bonus, minibatch epochs,
 * global gradient-norm clipping, Adam with eps 1e-5, linear learning-rate
 * annealing, orthogonal initialisation, separate actor and critic MLPs.
 *
 * Reads top to bottom like CleanRL: the args record, env setup, layerInit, the
 * Agent, then the loop (anneal, rollout, GAE, minibatch epochs, logging).
 *
 * tfjs specifics (why this is not a line-by-line port):
 * - All parameters live in ONE flat tf.Variable; layers are slices of it. The
 *   gradient is then one tensor, so global-norm clipping and Adam are a handful
 *   of ops per minibatch instead of dozens (tfjs ops cost 5–40 µs each).
 * - Rollout action selection runs a Float32Array forward pass of the MLPs in
 *   plain JS, weights read once per iteration with one dataSync: per-step tfjs
 *   calls on batch 1–4 would cost more than the env. A test checks parity with
 *   the tfjs forward used by the update.
 * - Adam is written out (PyTorch's update rule, eps outside the bias-corrected
 *   sqrt) on the flat vector: it makes the per-iteration learning rate and the
 *   moment checkpoints plain data, which tf.train.adam does not.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../core/backend.js';
import { ConfigError, DataError, RunStateError, show } from '../core/errors.js';
import { replaceDirAtomic, writeFileAtomic, writeJsonAtomic } from '../core/io.js';
import { Rng } from '../core/rng.js';
import type { Env, Info } from './env.js';
import { envGetState, envSetState, findWrapper } from './env.js';
import { orthogonal } from './init.js';
import { make } from './registry.js';
import type { Space } from './spaces.js';
import { Box, Dict, Discrete, MultiDiscrete, Tuple } from './spaces.js';
import { SyncVectorEnv } from './vector.js';
import type { EpisodeStats } from './wrappers.js';
import { ClipAction, NormalizeObservation, NormalizeReward, RecordEpisodeStatistics, TransformObservation, TransformReward, clipArray } from './wrappers.js';

// ---------------------------------------------------------------------------
// Args
// ---------------------------------------------------------------------------

export interface PpoArgs {
  /** the id of the environment (ignored when an env factory is passed) */
  env_id: string;
  /** total timesteps of the experiment */
  total_timesteps: number;
  /** the learning rate of the optimizer */
  learning_rate: number;
  /** the number of parallel game environments */
  num_envs: number;
  /** the number of steps to run in each environment per policy rollout */
  num_steps: number;
  /** toggle learning rate annealing for policy and value networks */
  anneal_lr: boolean;
  /** the discount factor gamma */
  gamma: number;
  /** the lambda for the general advantage estimation */
  gae_lambda: number;
  /** the number of mini-batches */
  num_minibatches: number;
  /** the K epochs to update the policy */
  update_epochs: number;
  /** toggles advantages normalization */
  norm_adv: boolean;
  /** the surrogate clipping coefficient */
  clip_coef: number;
  /** toggles whether or not to use a clipped loss for the value function, as per the paper */
  clip_vloss: boolean;
  /** coefficient of the entropy */
  ent_coef: number;
  /** coefficient of the value function */
  vf_coef: number;
  /** the maximum norm for the gradient clipping */
  max_grad_norm: number;
  /** the target KL divergence threshold (null: no early stop) */
  target_kl: number | null;
  /** Adam epsilon (CleanRL: 1e-5 instead of PyTorch's 1e-8) */
  adam_eps: number;
  /** hidden layer widths of both the actor and the critic MLPs */
  hidden_sizes: number[];
  /** initial value of the state-independent Gaussian log-std (with use_sde: of every entry of the log-std matrix) */
  init_logstd: number;
  /**
   * generalised state-dependent exploration (gSDE; Raffin et al. 2022, SB3's `use_sde`): the Gaussian
   * noise is latent·ε, ε ~ N(0, exp(log_std)²) a [last hidden, action] matrix per env, so the
   * noise is a smooth function of the state between resamplings
   */
  use_sde: boolean;
  /** resample gSDE's ε every this many rollout steps (≤ 0: once per rollout, as SB3's -1) */
  sde_sample_freq: number;
  /**
   * on a truncated (time-limit) step add γ·V(final observation) to the reward, as SB3 does; CleanRL
   * (false) treats truncation like termination, which biases V near the limit when the time left is
   * not in the observation
   */
  bootstrap_truncated: boolean;
  /** wrap envs in NormalizeObservation + clip to ±obs_clip (CleanRL continuous) */
  norm_obs: boolean;
  /** wrap envs in NormalizeReward(gamma) + clip to ±reward_clip (CleanRL continuous) */
  norm_reward: boolean;
  /** wrap envs in ClipAction (CleanRL continuous) */
  clip_action: boolean;
  /** clip range of normalised observations */
  obs_clip: number;
  /** clip range of normalised rewards */
  reward_clip: number;
  /** episode limit override (null: the env's registered limit) */
  max_episode_steps: number | null;
}

/** One-line help per hyperparameter (CLI `--help`, docs). */
export const PPO_ARGS_HELP: Record<keyof PpoArgs, string> = {
  env_id: 'the id of the environment',
  total_timesteps: 'total timesteps of the experiment',
  learning_rate: 'the learning rate of the optimizer',
  num_envs: 'the number of parallel game environments',
  num_steps: 'the number of steps to run in each environment per policy rollout',
  anneal_lr: 'toggle learning rate annealing for policy and value networks',
  gamma: 'the discount factor gamma',
  gae_lambda: 'the lambda for the general advantage estimation',
  num_minibatches: 'the number of mini-batches',
  update_epochs: 'the K epochs to update the policy',
  norm_adv: 'toggles advantages normalization',
  clip_coef: 'the surrogate clipping coefficient',
  clip_vloss: 'toggles whether or not to use a clipped loss for the value function',
  ent_coef: 'coefficient of the entropy',
  vf_coef: 'coefficient of the value function',
  max_grad_norm: 'the maximum norm for the gradient clipping',
  target_kl: 'the target KL divergence threshold (null: off)',
  adam_eps: 'Adam epsilon',
  hidden_sizes: 'hidden layer widths of the actor and critic MLPs',
  init_logstd: 'initial Gaussian log-std',
  use_sde: 'gSDE: state-dependent exploration noise latent·ε (SB3 use_sde)',
  sde_sample_freq: "resample gSDE's noise matrix every n steps (<= 0: once per rollout)",
  bootstrap_truncated: 'bootstrap V(final obs) on time-limit truncation (SB3) instead of cutting (CleanRL)',
  norm_obs: 'NormalizeObservation + clip',
  norm_reward: 'NormalizeReward + clip',
  clip_action: 'ClipAction wrapper',
  obs_clip: 'clip range of normalised observations',
  reward_clip: 'clip range of normalised rewards',
  max_episode_steps: "episode limit override (null: the env's own)",
};

/** CleanRL `ppo.py` defaults (CartPole-v1). */
export const PPO_DISCRETE_DEFAULTS: PpoArgs = {
  env_id: 'CartPole-v1',
  total_timesteps: 500_000,
  learning_rate: 2.5e-4,
  num_envs: 4,
  num_steps: 128,
  anneal_lr: true,
  gamma: 0.99,
  gae_lambda: 0.95,
  num_minibatches: 4,
  update_epochs: 4,
  norm_adv: true,
  clip_coef: 0.2,
  clip_vloss: true,
  ent_coef: 0.01,
  vf_coef: 0.5,
  max_grad_norm: 0.5,
  target_kl: null,
  adam_eps: 1e-5,
  hidden_sizes: [64, 64],
  init_logstd: 0,
  use_sde: false,
  sde_sample_freq: -1,
  bootstrap_truncated: false,
  norm_obs: false,
  norm_reward: false,
  clip_action: false,
  obs_clip: 10,
  reward_clip: 10,
  max_episode_steps: null,
};

/** CleanRL `ppo_continuous_action.py` defaults. */
export const PPO_CONTINUOUS_DEFAULTS: PpoArgs = {
  ...PPO_DISCRETE_DEFAULTS,
  env_id: 'Pendulum-v1',
  total_timesteps: 1_000_000,
  learning_rate: 3e-4,
  num_envs: 1,
  num_steps: 2048,
  num_minibatches: 32,
  update_epochs: 10,
  ent_coef: 0.0,
  norm_obs: true,
  norm_reward: true,
  clip_action: true,
};

/** Sizes computed at run time (CleanRL's "to be filled in runtime"). */
export interface PpoSizes {
  batch_size: number;
  minibatch_size: number;
  num_iterations: number;
}

export function ppoSizes(args: PpoArgs): PpoSizes {
  const batch_size = args.num_envs * args.num_steps;
  const minibatch_size = Math.floor(batch_size / args.num_minibatches);
  const num_iterations = Math.floor(args.total_timesteps / batch_size);
  if (minibatch_size < 2) throw new ConfigError(`rl.ppo.num_minibatches=${args.num_minibatches}: minibatch size ${minibatch_size} < 2; expected num_envs·num_steps ≥ 2·num_minibatches`);
  if (num_iterations < 1) throw new ConfigError(`rl.ppo.total_timesteps=${args.total_timesteps}: less than one batch (${batch_size}); expected at least num_envs·num_steps`);
  return { batch_size, minibatch_size, num_iterations };
}

// ---------------------------------------------------------------------------
// Env setup (CleanRL make_env)
// ---------------------------------------------------------------------------

export type EnvFactory = (idx: number) => Env;

/** CleanRL's make_env: RecordEpisodeStatistics, then (continuous) ClipAction, NormalizeObservation + clip, NormalizeReward + clip. */
export function wrapEnv(env: Env, args: PpoArgs): Env {
  let e: Env = new RecordEpisodeStatistics(env);
  if (args.clip_action) e = new ClipAction(e as Env<unknown, Float32Array>) as Env;
  if (args.norm_obs) {
    e = new NormalizeObservation(e as Env<Float32Array, unknown>) as Env;
    e = new TransformObservation(e as Env<Float32Array, unknown>, clipArray(-args.obs_clip, args.obs_clip)) as Env;
  }
  if (args.norm_reward) {
    e = new NormalizeReward(e, args.gamma);
    const c = args.reward_clip;
    e = new TransformReward(e, (r) => Math.min(Math.max(r, -c), c));
  }
  return e;
}

export function makeEnvFactory(args: PpoArgs, base?: EnvFactory): EnvFactory {
  return (idx) => wrapEnv(base ? base(idx) : make(args.env_id, { maxEpisodeSteps: args.max_episode_steps ?? undefined }), args);
}

// ---------------------------------------------------------------------------
// Action distribution: categorical parts, Gaussian parts, or a mix (Dict/Tuple)
// ---------------------------------------------------------------------------

export type ActionPart = { kind: 'categorical'; n: number } | { kind: 'gaussian'; dim: number };

/**
 * The policy head's layout for an action space. Discrete → one categorical;
 * MultiDiscrete → one per entry; Box → one diagonal Gaussian; Dict/Tuple →
 * their parts in flat order. The log-probability of an action is the sum over
 * parts (the parts are independent given the observation).
 */
export class ActionLayout {
  readonly parts: ActionPart[] = [];
  /** Width of the actor's output: Σ n (logits) + Σ dim (means). */
  readonly headDim: number;
  /** Number of Gaussian dimensions (= log-std parameters). */
  readonly gaussDim: number;
  /** Number of categorical parts. */
  readonly catCount: number;
  /** Σ n over categorical parts (width of the one-hot block). */
  readonly catWidth: number;
  /** Length of a stored action vector: one index per categorical part, then the Gaussian values. */
  readonly actDim: number;

  constructor(readonly space: Space) {
    this.collect(space);
    this.catCount = this.parts.filter((p) => p.kind === 'categorical').length;
    this.catWidth = this.parts.reduce((a, p) => a + (p.kind === 'categorical' ? p.n : 0), 0);
    this.gaussDim = this.parts.reduce((a, p) => a + (p.kind === 'gaussian' ? p.dim : 0), 0);
    this.headDim = this.catWidth + this.gaussDim;
    this.actDim = this.catCount + this.gaussDim;
  }

  private collect(s: Space): void {
    if (s instanceof Discrete) this.parts.push({ kind: 'categorical', n: s.n });
    else if (s instanceof MultiDiscrete) s.nvec.forEach((n) => this.parts.push({ kind: 'categorical', n }));
    else if (s instanceof Box) this.parts.push({ kind: 'gaussian', dim: s.flatDim });
    else if (s instanceof Dict) s.keys.forEach((k) => this.collect(s.spaces[k]));
    else if (s instanceof Tuple) s.spaces.forEach((x) => this.collect(x));
    else throw new ConfigError(`PPO: action space ${show(s.toJSON())} is not supported; expected Discrete, MultiDiscrete, Box, or a Dict/Tuple of them`);
  }

  /**
   * Converts a stored action vector (categorical indices first, in part order,
   * then Gaussian values) to the env's action value. Head layout is logits of
   * all categorical parts, then means of all Gaussian parts, each in part order.
   */
  toEnvAction(vec: ArrayLike<number>): unknown {
    const cur = { cat: 0, gauss: this.catCount };
    return this.build(this.space, vec, cur);
  }

  private build(s: Space, vec: ArrayLike<number>, cur: { cat: number; gauss: number }): unknown {
    if (s instanceof Discrete) return s.start + vec[cur.cat++];
    if (s instanceof MultiDiscrete) return Int32Array.from(s.nvec, () => vec[cur.cat++]);
    if (s instanceof Box) {
      const out = new Float32Array(s.flatDim);
      for (let i = 0; i < s.flatDim; i++) out[i] = vec[cur.gauss++];
      return out;
    }
    if (s instanceof Dict) return Object.fromEntries(s.keys.map((k) => [k, this.build(s.spaces[k], vec, cur)]));
    if (s instanceof Tuple) return s.spaces.map((x) => this.build(x, vec, cur));
    throw new ConfigError(`PPO: unsupported action space ${show(s.toJSON())}`);
  }
}

// ---------------------------------------------------------------------------
// layerInit and the flat parameter vector
// ---------------------------------------------------------------------------

interface Block {
  name: string;
  offset: number;
  shape: number[];
  size: number;
}

interface Dense {
  w: Block;
  b: Block;
  inDim: number;
  outDim: number;
}

/** CleanRL's layer_init: orthogonal weight with gain `std`, constant bias. Writes into the flat vector. */
export function layerInit(params: Float32Array, layer: Dense, rng: Rng, std = Math.SQRT2, biasConst = 0): void {
  params.set(orthogonal(rng, layer.inDim, layer.outDim, std), layer.w.offset);
  params.fill(biasConst, layer.b.offset, layer.b.offset + layer.b.size);
}

// ---------------------------------------------------------------------------
// Agent
// ---------------------------------------------------------------------------

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** A frozen policy for evaluation: flat parameters and the observation normaliser's statistics (null: none). */
export interface PolicySnapshot {
  params: Float32Array;
  obsRms: { mean: number[]; var: number[]; count: number } | null;
}

/** What the policy picked for a batch of observations during a rollout. */
export interface ActResult {
  /** [n, actDim] stored action vectors. */
  actions: Float32Array;
  logprobs: Float64Array;
  values: Float64Array;
}

/** gSDE's variance floor (SB3's StateDependentNoiseDistribution epsilon). */
const SDE_EPS = 1e-6;

/** Identity whose gradient is zero (torch's `.detach()`): tfjs has no stop-gradient op. */
const detach = tf.customGrad(((x: tf.Tensor) => ({ value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as unknown as Parameters<typeof tf.customGrad>[0]);

/**
 * Separate actor and critic MLPs (tanh hidden layers) over the flattened
 * observation; the actor outputs categorical logits and Gaussian means, plus a
 * state-independent log-std parameter, or with `sde` a [last hidden, gaussDim]
 * log-std matrix for gSDE: σ_j(s) = sqrt(Σ_i h_i(s)² exp(2·logstd_ij) + 1e-6),
 * h the actor's last hidden layer (detached, SB3's default learn_features=False).
 */
export class Agent {
  readonly blocks: Block[] = [];
  readonly critic: Dense[] = [];
  readonly actor: Dense[] = [];
  readonly logstd: Block | null;
  readonly numParams: number;
  readonly theta: tf.Variable;
  /** Host copy of theta for the lean forward; refreshed by syncHost(). */
  host: Float32Array;
  /** Width of the actor's last hidden layer (gSDE's latent). */
  readonly latentDim: number;
  /** gSDE noise matrices ε, one [latentDim, gaussDim] per env (row-major); set by resetNoise(). */
  private sdeNoise: Float64Array[] = [];

  constructor(
    readonly obsDim: number,
    readonly layout: ActionLayout,
    readonly hiddenSizes: number[],
    rng: Rng,
    initLogstd = 0,
    readonly sde = false,
  ) {
    let offset = 0;
    const block = (name: string, shape: number[]): Block => {
      const size = shape.reduce((a, b) => a * b, 1);
      const b = { name, offset, shape, size };
      offset += size;
      this.blocks.push(b);
      return b;
    };
    const mlp = (prefix: string, outDim: number): Dense[] => {
      const dims = [obsDim, ...hiddenSizes, outDim];
      return dims.slice(1).map((out, i) => ({
        w: block(`${prefix}.${i}.weight`, [dims[i], out]),
        b: block(`${prefix}.${i}.bias`, [out]),
        inDim: dims[i],
        outDim: out,
      }));
    };
    this.critic.push(...mlp('critic', 1));
    this.actor.push(...mlp('actor', layout.headDim));
    this.latentDim = hiddenSizes[hiddenSizes.length - 1];
    this.logstd = layout.gaussDim > 0 ? block('actor_logstd', sde ? [this.latentDim, layout.gaussDim] : [layout.gaussDim]) : null;
    this.numParams = offset;

    const p = new Float32Array(offset);
    const initRng = rng.fork('layer_init');
    this.critic.forEach((l, i) => layerInit(p, l, initRng, i === this.critic.length - 1 ? 1.0 : Math.SQRT2));
    this.actor.forEach((l, i) => layerInit(p, l, initRng, i === this.actor.length - 1 ? 0.01 : Math.SQRT2));
    if (this.logstd) p.fill(initLogstd, this.logstd.offset, this.logstd.offset + this.logstd.size);
    this.theta = tf.tidy(() => tf.variable(tf.tensor1d(p), true, undefined, 'float32')); // tidy frees the initial tensor (the variable keeps its data)
    this.host = p;
  }

  /** Reads the parameters to the host once (one dataSync), for the lean rollout forward. */
  syncHost(): void {
    this.host = this.theta.dataSync() as Float32Array;
  }

  setParams(p: Float32Array): void {
    if (p.length !== this.numParams) throw new DataError(`Agent.setParams: got ${p.length} values; expected ${this.numParams}`);
    tf.tidy(() => this.theta.assign(tf.tensor1d(p)));
    this.host = Float32Array.from(p);
  }

  // --- tfjs forward (update) ---------------------------------------------

  private slice(b: Block): tf.Tensor {
    return this.theta.slice([b.offset], [b.size]).reshape(b.shape);
  }

  /** MLP output and its last hidden layer. */
  private mlpForward(layers: Dense[], x: tf.Tensor2D): { out: tf.Tensor2D; latent: tf.Tensor2D } {
    let h: tf.Tensor2D = x;
    let latent: tf.Tensor2D = x;
    layers.forEach((l, i) => {
      const z = tf.add(tf.matMul(h, this.slice(l.w) as tf.Tensor2D), this.slice(l.b)) as tf.Tensor2D;
      if (i < layers.length - 1) latent = h = tf.tanh(z);
      else h = z;
    });
    return { out: h, latent };
  }

  /** V(s) for a batch, shape [B]. */
  getValue(obs: tf.Tensor2D): tf.Tensor1D {
    return this.mlpForward(this.critic, obs).out.reshape([-1]) as tf.Tensor1D;
  }

  /** Actor head output [B, headDim] (logits then means). */
  actorHead(obs: tf.Tensor2D): tf.Tensor2D {
    return this.mlpForward(this.actor, obs).out;
  }

  /**
   * CleanRL's get_action_and_value with given actions: log-prob (sum over
   * parts), entropy (sum over parts) and value. `catOneHot` is [B, catWidth]
   * (one-hot of the categorical indices: gather has awkward gradients on
   * some backends, a masked sum does not); `gauss` is [B, gaussDim].
   */
  evaluateActions(obs: tf.Tensor2D, catOneHot: tf.Tensor2D | null, gauss: tf.Tensor2D | null): { logprob: tf.Tensor1D; entropy: tf.Tensor1D; value: tf.Tensor1D } {
    const { out: head, latent } = this.mlpForward(this.actor, obs);
    const B = obs.shape[0];
    const lps: tf.Tensor[] = [];
    const ents: tf.Tensor[] = [];
    let off = 0;
    for (const part of this.layout.parts) {
      if (part.kind !== 'categorical') continue;
      const logits = head.slice([0, off], [B, part.n]);
      const logp = tf.logSoftmax(logits);
      lps.push(tf.sum(tf.mul(logp, catOneHot!.slice([0, off], [B, part.n])), 1));
      ents.push(tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)));
      off += part.n;
    }
    if (this.layout.gaussDim > 0) {
      const G = this.layout.gaussDim;
      const mean = head.slice([0, off], [B, G]);
      const logstd = this.slice(this.logstd!);
      if (this.sde) {
        // gSDE: per-row σ from the detached latent; log N and H as below with log σ per row.
        const variance = tf.matMul(tf.square(detach(latent) as tf.Tensor2D), tf.exp(tf.mul(2, logstd)) as tf.Tensor2D);
        const logSigma = tf.mul(0.5, tf.log(tf.add(variance, SDE_EPS)));
        const z = tf.div(tf.sub(gauss!, mean), tf.exp(logSigma));
        lps.push(tf.sub(tf.sum(tf.sub(tf.mul(-0.5, tf.square(z)), logSigma), 1), G * LOG_SQRT_2PI));
        ents.push(tf.add(tf.sum(logSigma, 1), G * (0.5 + LOG_SQRT_2PI)));
      } else {
        const z = tf.div(tf.sub(gauss!, mean), tf.exp(logstd));
        // log N(a; μ, σ) = -½ z² - log σ - ½ log 2π, summed over dims.
        lps.push(tf.sub(tf.sum(tf.mul(-0.5, tf.square(z)), 1), tf.add(tf.sum(logstd), G * LOG_SQRT_2PI)));
        // H = Σ (½ + ½ log 2π + log σ), the same for every row.
        ents.push(tf.mul(tf.ones([B]), tf.add(tf.sum(logstd), G * (0.5 + LOG_SQRT_2PI))));
      }
    }
    const logprob = (lps.length === 1 ? lps[0] : tf.addN(lps)) as tf.Tensor1D;
    const entropy = (ents.length === 1 ? ents[0] : tf.addN(ents)) as tf.Tensor1D;
    return { logprob, entropy, value: this.getValue(obs) };
  }

  // --- lean forward (rollouts, evaluation) -------------------------------

  private hostMlp(layers: Dense[], x: Float64Array, latentOut?: { h: Float64Array }): Float64Array {
    const p = this.host;
    let h = x;
    layers.forEach((l, li) => {
      if (latentOut && li === layers.length - 1) latentOut.h = h;
      const out = new Float64Array(l.outDim);
      const w = l.w.offset;
      for (let o = 0; o < l.outDim; o++) out[o] = p[l.b.offset + o];
      for (let i = 0; i < l.inDim; i++) {
        const xi = h[i];
        if (xi === 0) continue;
        const row = w + i * l.outDim;
        for (let o = 0; o < l.outDim; o++) out[o] += xi * p[row + o];
      }
      if (li < layers.length - 1) for (let o = 0; o < l.outDim; o++) out[o] = Math.tanh(out[o]);
      h = out;
    });
    return h;
  }

  /** Host forward of the critic for one observation. */
  hostValue(obs: ArrayLike<number>): number {
    return this.hostMlp(this.critic, Float64Array.from(obs))[0];
  }

  /** Host forward of the actor head for one observation (logits then means). */
  hostHead(obs: ArrayLike<number>): Float64Array {
    return this.hostMlp(this.actor, Float64Array.from(obs));
  }

  /** Draws gSDE's noise matrices for n envs: ε_ij ~ N(0, exp(logstd_ij)²) (no-op without gSDE). */
  resetNoise(n: number, rng: Rng): void {
    if (!this.sde || !this.logstd) return;
    const ls = this.host.subarray(this.logstd.offset, this.logstd.offset + this.logstd.size);
    this.sdeNoise = Array.from({ length: n }, () => Float64Array.from(ls, (l) => Math.exp(l) * rng.normal()));
  }

  /**
   * Picks actions for n observations ([n, obsDim], flat) with the host
   * weights: samples from the policy (rng) or, with `deterministic`, takes the
   * argmax / mean. Returns stored action vectors, their log-probs and V(s).
   */
  act(obs: Float32Array, n: number, rng: Rng | null, deterministic = false, withValue = true): ActResult {
    const { layout, obsDim } = this;
    const actions = new Float32Array(n * layout.actDim);
    const logprobs = new Float64Array(n);
    const values = new Float64Array(n);
    const logstd = this.logstd ? this.host.subarray(this.logstd.offset, this.logstd.offset + this.logstd.size) : null;
    const G = layout.gaussDim;
    const sampling = !(deterministic || !rng);
    if (this.sde && G > 0 && sampling && this.sdeNoise.length < n) throw new RunStateError(`Agent.act: gSDE noise drawn for ${this.sdeNoise.length} envs, asked to act for ${n}; call resetNoise(n, rng) first`);
    const lat = { h: new Float64Array(0) };
    for (let e = 0; e < n; e++) {
      const x = obs.subarray(e * obsDim, (e + 1) * obsDim);
      const head = this.hostMlp(this.actor, Float64Array.from(x), lat);
      if (withValue) values[e] = this.hostValue(x);
      let lp = 0;
      let off = 0;
      let ci = 0;
      const a = e * layout.actDim;
      for (const part of layout.parts) {
        if (part.kind !== 'categorical') continue;
        let mx = -Infinity;
        for (let k = 0; k < part.n; k++) mx = Math.max(mx, head[off + k]);
        const probs = new Float64Array(part.n);
        let z = 0;
        for (let k = 0; k < part.n; k++) z += probs[k] = Math.exp(head[off + k] - mx);
        let idx: number;
        if (deterministic || !rng) {
          idx = 0;
          for (let k = 1; k < part.n; k++) if (probs[k] > probs[idx]) idx = k;
        } else idx = rng.categorical(probs);
        actions[a + ci] = idx;
        lp += head[off + idx] - mx - Math.log(z);
        off += part.n;
        ci++;
      }
      for (let g = 0; g < G; g++) {
        const mean = head[off + g];
        let ls: number;
        let v: number;
        if (this.sde) {
          // σ_g = sqrt(Σ_i h_i² e^{2 logstd_ig} + eps); noise_g = Σ_i h_i ε_ig.
          const h = lat.h;
          let variance = SDE_EPS;
          let noise = 0;
          const eps = sampling ? this.sdeNoise[e] : null;
          for (let i = 0; i < h.length; i++) {
            variance += h[i] * h[i] * Math.exp(2 * logstd![i * G + g]);
            if (eps) noise += h[i] * eps[i * G + g];
          }
          ls = 0.5 * Math.log(variance);
          v = mean + noise;
        } else {
          ls = logstd![g];
          v = sampling ? mean + Math.exp(ls) * rng!.normal() : mean;
        }
        const stored = Math.fround(v);
        actions[a + layout.catCount + g] = stored;
        const zz = (stored - mean) / Math.exp(ls);
        lp += -0.5 * zz * zz - ls - LOG_SQRT_2PI;
      }
      logprobs[e] = lp;
    }
    return { actions, logprobs, values };
  }

  dispose(): void {
    this.theta.dispose();
  }
}

// ---------------------------------------------------------------------------
// Adam on the flat vector (PyTorch semantics)
// ---------------------------------------------------------------------------

export class FlatAdam {
  m: tf.Variable;
  v: tf.Variable;
  step = 0;
  constructor(
    n: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-5,
  ) {
    this.m = tf.tidy(() => tf.variable(tf.zeros([n]), false));
    this.v = tf.tidy(() => tf.variable(tf.zeros([n]), false));
  }
  /** theta ← theta − lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps), as torch.optim.Adam. */
  apply(theta: tf.Variable, grad: tf.Tensor, lr: number): void {
    this.step += 1;
    const bc1 = 1 - this.beta1 ** this.step;
    const bc2 = 1 - this.beta2 ** this.step;
    tf.tidy(() => {
      const m = tf.add(tf.mul(this.m, this.beta1), tf.mul(grad, 1 - this.beta1));
      const v = tf.add(tf.mul(this.v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2));
      const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), this.eps);
      theta.assign(tf.sub(theta, tf.mul(tf.div(m, denom), lr / bc1)));
      this.m.assign(m);
      this.v.assign(v);
    });
  }
  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}

// ---------------------------------------------------------------------------
// The loop
// ---------------------------------------------------------------------------

/** What is logged after each update (CleanRL's `charts/*` and `losses/*` scalars). */
export interface PpoUpdateLog {
  iteration: number;
  global_step: number;
  /** Mean over episodes that ended during this iteration's rollout (null if none ended). */
  'charts/episodic_return': number | null;
  'charts/episodic_length': number | null;
  'charts/episodes': number;
  'charts/learning_rate': number;
  'losses/value_loss': number;
  'losses/policy_loss': number;
  'losses/entropy': number;
  'losses/old_approx_kl': number;
  'losses/approx_kl': number;
  'losses/clipfrac': number;
  'losses/explained_variance': number | null;
  'charts/SPS': number;
}

export interface PpoOptions {
  rng: Rng;
  /** Builds env idx (unwrapped by PPO's wrappers); default: make(args.env_id). */
  envFactory?: EnvFactory;
  /** Seed for the envs' resets (env i gets seed + i); default: drawn from rng. */
  envSeed?: number;
}

interface Buffers {
  obs: Float32Array;
  actions: Float32Array;
  logprobs: Float32Array;
  rewards: Float32Array;
  dones: Float32Array;
  values: Float32Array;
}

export class Ppo {
  readonly args: PpoArgs;
  readonly sizes: PpoSizes;
  readonly envs: SyncVectorEnv;
  readonly agent: Agent;
  readonly optimizer: FlatAdam;
  readonly layout: ActionLayout;
  readonly obsSpace: Space;
  readonly obsDim: number;
  rng: Rng;
  globalStep = 0;
  /** Iterations completed. */
  iteration = 0;
  private nextObs: Float32Array;
  private nextDone: Float32Array;
  private readonly buf: Buffers;
  private readonly makeEnvFn: EnvFactory;
  /** The caller's env factory (before PPO's wrappers), reused for evaluation envs. */
  private readonly baseEnvFactory: EnvFactory | undefined;
  private startTime = performance.now();
  private startStep = 0;

  constructor(args: PpoArgs, opts: PpoOptions) {
    this.args = { ...args };
    this.sizes = ppoSizes(this.args);
    this.rng = opts.rng;
    // env setup
    this.baseEnvFactory = opts.envFactory;
    this.makeEnvFn = makeEnvFactory(this.args, opts.envFactory);
    this.envs = new SyncVectorEnv(Array.from({ length: this.args.num_envs }, (_, i) => () => this.makeEnvFn(i)));
    this.obsSpace = this.envs.singleObservationSpace;
    this.obsDim = this.obsSpace.flatDim;
    this.layout = new ActionLayout(this.envs.singleActionSpace);
    this.agent = new Agent(this.obsDim, this.layout, this.args.hidden_sizes, this.rng, this.args.init_logstd, this.args.use_sde);
    this.optimizer = new FlatAdam(this.agent.numParams, 0.9, 0.999, this.args.adam_eps);

    // ALGO Logic: storage setup
    const { num_steps: T, num_envs: N } = this.args;
    this.buf = {
      obs: new Float32Array(T * N * this.obsDim),
      actions: new Float32Array(T * N * this.layout.actDim),
      logprobs: new Float32Array(T * N),
      rewards: new Float32Array(T * N),
      dones: new Float32Array(T * N),
      values: new Float32Array(T * N),
    };

    // start the game
    const envSeed = opts.envSeed ?? this.rng.int(2 ** 31);
    const r = this.envs.reset({ seed: envSeed });
    this.nextObs = this.flattenObs(r.obs);
    this.nextDone = new Float32Array(N);
  }

  private flattenObs(obs: unknown[]): Float32Array {
    const out = new Float32Array(obs.length * this.obsDim);
    obs.forEach((o, i) => this.obsSpace.flattenInto(o, out, i * this.obsDim));
    return out;
  }

  /** One PPO iteration: anneal, rollout, GAE, minibatch epochs. Returns the logged scalars. */
  iterate(): PpoUpdateLog {
    const { args, sizes, agent, buf, layout } = this;
    const T = args.num_steps;
    const N = args.num_envs;
    const D = this.obsDim;
    const A = layout.actDim;
    const iteration = this.iteration + 1;

    // Annealing the rate if instructed to do so.
    const frac = args.anneal_lr ? 1.0 - (iteration - 1.0) / sizes.num_iterations : 1.0;
    const lrnow = frac * args.learning_rate;

    // Rollout with the host copy of the weights.
    agent.syncHost();
    const epReturns: number[] = [];
    const epLengths: number[] = [];
    for (let step = 0; step < T; step++) {
      if (args.use_sde && (step === 0 || (args.sde_sample_freq > 0 && step % args.sde_sample_freq === 0))) agent.resetNoise(N, this.rng);
      this.globalStep += N;
      buf.obs.set(this.nextObs, step * N * D);
      buf.dones.set(this.nextDone, step * N);
      const { actions, logprobs, values } = agent.act(this.nextObs, N, this.rng);
      buf.actions.set(actions, step * N * A);
      for (let e = 0; e < N; e++) {
        buf.logprobs[step * N + e] = logprobs[e];
        buf.values[step * N + e] = values[e];
      }
      const envActions = Array.from({ length: N }, (_, e) => layout.toEnvAction(actions.subarray(e * A, (e + 1) * A)));
      const r = this.envs.step(envActions);
      for (let e = 0; e < N; e++) {
        buf.rewards[step * N + e] = r.rewards[e];
        if (args.bootstrap_truncated && r.truncated[e] && !r.terminated[e]) {
          // SB3's timeout handling: the episode was cut, not ended, so its tail is worth γ·V(s_final).
          const fin = new Float32Array(D);
          this.obsSpace.flattenInto(r.info.final_obs[e], fin, 0);
          buf.rewards[step * N + e] += args.gamma * agent.hostValue(fin);
        }
        this.nextDone[e] = r.terminated[e] || r.truncated[e] ? 1 : 0;
        const fi = r.info.final_info[e] as (Info & { episode?: EpisodeStats }) | null;
        if (fi?.episode) {
          epReturns.push(fi.episode.r);
          epLengths.push(fi.episode.l);
        }
      }
      this.nextObs = this.flattenObs(r.obs);
    }

    // Bootstrap value if not done; GAE (CleanRL: a done, terminated or truncated, cuts the bootstrap).
    const nextValue = new Float64Array(N);
    for (let e = 0; e < N; e++) nextValue[e] = agent.hostValue(this.nextObs.subarray(e * D, (e + 1) * D));
    const { advantages, returns } = computeGae(buf.rewards, buf.values, buf.dones, nextValue, this.nextDone, T, N, args.gamma, args.gae_lambda);

    // Optimizing the policy and value network.
    const B = sizes.batch_size;
    const M = sizes.minibatch_size;
    const bInds = Array.from({ length: B }, (_, i) => i);
    const stats: tf.Tensor[] = [];
    let lastStats: tf.Tensor | null = null;
    const nMb = Math.floor(B / M);
    for (let epoch = 0; epoch < args.update_epochs; epoch++) {
      this.rng.shuffle(bInds);
      for (let k = 0; k < nMb; k++) {
        const mb = bInds.slice(k * M, (k + 1) * M);
        lastStats = this.updateMinibatch(mb, advantages, returns, lrnow);
        stats.push(lastStats);
      }
      if (args.target_kl !== null && lastStats && lastStats.dataSync()[4] > args.target_kl) break;
    }
    // One read-back for the whole update: [pg, v, ent, old_kl, kl, clipfrac] per minibatch.
    const stacked = tf.stack(stats);
    const all = stacked.dataSync();
    const nS = stats.length;
    tf.dispose([stacked, ...stats]);
    const last = all.subarray((nS - 1) * 6, nS * 6);
    let clipfrac = 0;
    for (let i = 0; i < nS; i++) clipfrac += all[i * 6 + 5];
    clipfrac /= nS;

    const explainedVar = explainedVariance(buf.values, returns);
    this.iteration = iteration;
    const elapsed = (performance.now() - this.startTime) / 1000;
    const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    return {
      iteration,
      global_step: this.globalStep,
      'charts/episodic_return': mean(epReturns),
      'charts/episodic_length': mean(epLengths),
      'charts/episodes': epReturns.length,
      'charts/learning_rate': lrnow,
      'losses/value_loss': last[1],
      'losses/policy_loss': last[0],
      'losses/entropy': last[2],
      'losses/old_approx_kl': last[3],
      'losses/approx_kl': last[4],
      'losses/clipfrac': clipfrac,
      'losses/explained_variance': explainedVar,
      'charts/SPS': Math.round((this.globalStep - this.startStep) / Math.max(elapsed, 1e-9)),
    };
  }

  /**
   * One gradient step on minibatch indices `mb` of the stored rollout; returns the (kept) stats
   * tensor, which the caller disposes. Public so benchmarks time exactly the path `iterate()` uses.
   */
  updateMinibatch(mb: number[], advantages: Float64Array, returns: Float64Array, lr: number): tf.Tensor {
    const { args, buf, layout, agent } = this;
    const D = this.obsDim;
    const A = layout.actDim;
    const M = mb.length;
    const obs = new Float32Array(M * D);
    const oneHot = layout.catWidth ? new Float32Array(M * layout.catWidth) : null;
    const gauss = layout.gaussDim ? new Float32Array(M * layout.gaussDim) : null;
    const oldLogp = new Float32Array(M);
    const adv = new Float32Array(M);
    const ret = new Float32Array(M);
    const oldV = new Float32Array(M);
    let advMean = 0;
    for (let j = 0; j < M; j++) advMean += advantages[mb[j]];
    advMean /= M;
    let advVar = 0;
    for (let j = 0; j < M; j++) advVar += (advantages[mb[j]] - advMean) ** 2;
    // torch's .std() is the unbiased (n − 1) estimate.
    const advStd = Math.sqrt(advVar / (M - 1));
    for (let j = 0; j < M; j++) {
      const i = mb[j];
      obs.set(buf.obs.subarray(i * D, (i + 1) * D), j * D);
      let c = 0;
      let off = 0;
      for (const part of layout.parts) {
        if (part.kind !== 'categorical') continue;
        oneHot![j * layout.catWidth + off + buf.actions[i * A + c]] = 1;
        off += part.n;
        c++;
      }
      if (gauss) gauss.set(buf.actions.subarray(i * A + layout.catCount, (i + 1) * A), j * layout.gaussDim);
      oldLogp[j] = buf.logprobs[i];
      adv[j] = args.norm_adv ? (advantages[i] - advMean) / (advStd + 1e-8) : advantages[i];
      ret[j] = returns[i];
      oldV[j] = buf.values[i];
    }
    let kept!: tf.Tensor;
    tf.tidy(() => {
      const tObs = tf.tensor2d(obs, [M, D]);
      const tOneHot = oneHot ? tf.tensor2d(oneHot, [M, layout.catWidth]) : null;
      const tGauss = gauss ? tf.tensor2d(gauss, [M, layout.gaussDim]) : null;
      const tOldLogp = tf.tensor1d(oldLogp);
      const tAdv = tf.tensor1d(adv);
      const tRet = tf.tensor1d(ret);
      const tOldV = tf.tensor1d(oldV);
      const { grads } = tf.variableGrads(() => {
        const { loss, stats } = ppoLoss(agent, args, tObs, tOneHot, tGauss, tOldLogp, tAdv, tRet, tOldV);
        kept = tf.keep(stats);
        return loss;
      }, [agent.theta]);
      const g = grads[agent.theta.name];
      // Global gradient-norm clipping (torch.nn.utils.clip_grad_norm_).
      const norm = tf.norm(g);
      const coef = tf.minimum(tf.div(args.max_grad_norm, tf.add(norm, 1e-6)), 1);
      this.optimizer.apply(agent.theta, tf.mul(g, coef), lr);
    });
    return kept;
  }

  /** Trains to `total_timesteps`, calling onUpdate after each iteration; stops early when `signal` aborts. */
  train(opts: { onUpdate?: (log: PpoUpdateLog) => void; signal?: AbortSignal; untilIteration?: number } = {}): PpoUpdateLog[] {
    const logs: PpoUpdateLog[] = [];
    const until = Math.min(opts.untilIteration ?? this.sizes.num_iterations, this.sizes.num_iterations);
    this.startTime = performance.now();
    this.startStep = this.globalStep;
    while (this.iteration < until) {
      if (opts.signal?.aborted) break;
      const log = this.iterate();
      logs.push(log);
      opts.onUpdate?.(log);
    }
    return logs;
  }

  /** The training env's observation normaliser (if any), e.g. to copy into an evaluation env. */
  obsNormalizer(idx = 0): NormalizeObservation<unknown> | undefined {
    return findWrapper(this.envs.envs[idx], NormalizeObservation) as NormalizeObservation<unknown> | undefined;
  }

  /**
   * Runs `episodes` evaluation episodes with the deterministic policy
   * (argmax / mean) on fresh envs built like the training ones, with the
   * observation statistics of training env 0 copied in and frozen. Returns
   * the undiscounted episode returns (raw env reward, recorded before any
   * reward normalisation).
   */
  evaluate(episodes: number, opts: { seed?: number; deterministic?: boolean; rng?: Rng; snapshot?: PolicySnapshot } = {}): { returns: number[]; lengths: number[] } {
    const deterministic = opts.deterministic ?? true;
    const evalArgs: PpoArgs = { ...this.args, norm_reward: false };
    const env = makeEnvFactory(evalArgs, this.baseEnvFactory)(0);
    const stats = opts.snapshot ? opts.snapshot.obsRms : this.obsNormalizer()?.rms.toJSON();
    const dst = findWrapper(env, NormalizeObservation) as NormalizeObservation<unknown> | undefined;
    if (stats && dst) {
      dst.rms.load(stats);
      dst.updateRunningMean = false;
    }
    const live = this.agent.host;
    if (opts.snapshot) this.agent.host = opts.snapshot.params;
    else this.agent.syncHost();
    try {
      return this.runEpisodes(env, episodes, deterministic, opts);
    } finally {
      this.agent.host = live;
    }
  }

  /** The policy as it acts now: host weights and the observation statistics evaluation uses. */
  snapshot(): PolicySnapshot {
    this.agent.syncHost();
    return { params: Float32Array.from(this.agent.host), obsRms: this.obsNormalizer()?.rms.toJSON() ?? null };
  }

  private runEpisodes(env: Env, episodes: number, deterministic: boolean, opts: { seed?: number; rng?: Rng }): { returns: number[]; lengths: number[] } {
    const returns: number[] = [];
    const lengths: number[] = [];
    const seed = opts.seed ?? 10_000;
    const rng = opts.rng ?? this.rng.fork('evaluate');
    let obs = env.reset({ seed }).obs;
    const flat = new Float32Array(this.obsDim);
    if (!deterministic) this.agent.resetNoise(1, rng);
    while (returns.length < episodes) {
      this.obsSpace.flattenInto(obs, flat, 0);
      const { actions } = this.agent.act(flat, 1, rng, deterministic, false);
      const r = env.step(this.layout.toEnvAction(actions));
      obs = r.obs;
      if (r.terminated || r.truncated) {
        const ep = r.info.episode as EpisodeStats;
        returns.push(ep.r);
        lengths.push(ep.l);
        obs = env.reset().obs;
        if (!deterministic) this.agent.resetNoise(1, rng);
      }
    }
    return { returns, lengths };
  }

  // --- checkpoints -------------------------------------------------------

  /**
   * Saves everything a resume needs to continue identically: weights, Adam
   * moments and step, RNG state, global step, iteration, env states (physics,
   * wrappers' statistics, generators), the pending observation and done flags,
   * and the args. Written to `${dir}.tmp-*` and renamed, so `dir` is either the
   * old checkpoint or the new one.
   */
  save(dir: string): void {
    const n = this.agent.numParams;
    const weights = new Float32Array(3 * n);
    weights.set(this.agent.theta.dataSync() as Float32Array, 0);
    weights.set(this.optimizer.m.dataSync() as Float32Array, n);
    weights.set(this.optimizer.v.dataSync() as Float32Array, 2 * n);
    const meta = {
      format: 'affectlab.ppo.v1',
      args: this.args,
      num_params: n,
      blocks: this.agent.blocks.map((b) => ({ name: b.name, shape: b.shape })),
      global_step: this.globalStep,
      iteration: this.iteration,
      adam_step: this.optimizer.step,
      rng: this.rng.state(),
      envs: this.envs.envs.map((e) => envGetState(e)),
      next_obs: Array.from(this.nextObs),
      next_done: Array.from(this.nextDone),
      observation_space: this.obsSpace.toJSON(),
      action_space: this.layout.space.toJSON(),
    };
    replaceDirAtomic(dir, (tmp) => {
      // weights.bin: theta, Adam m, Adam v, each num_params float32 little-endian.
      writeFileAtomic(join(tmp, 'weights.bin'), new Uint8Array(weights.buffer));
      writeJsonAtomic(join(tmp, 'checkpoint.json'), meta);
    });
  }

  /** Rebuilds a trainer from a checkpoint folder; pass the same env factory used for training (if any). */
  static load(dir: string, opts: { envFactory?: EnvFactory } = {}): Ppo {
    const metaPath = join(dir, 'checkpoint.json');
    if (!existsSync(metaPath)) throw new RunStateError(`${dir}: no checkpoint.json; expected a folder written by Ppo.save`);
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    if (meta.format !== 'affectlab.ppo.v1') throw new DataError(`${metaPath}: format=${show(meta.format)}; expected "affectlab.ppo.v1"`);
    const rng = Rng.fromState(meta.rng);
    const ppo = new Ppo(meta.args, { rng: new Rng('checkpoint-load'), envFactory: opts.envFactory, envSeed: 0 });
    if (ppo.agent.numParams !== meta.num_params) {
      ppo.dispose();
      throw new DataError(`${metaPath}: num_params=${meta.num_params}; the env's spaces give ${ppo.agent.numParams} (different env or args?)`);
    }
    const raw = readFileSync(join(dir, 'weights.bin'));
    const n = meta.num_params as number;
    if (raw.byteLength !== 12 * n) throw new DataError(`${join(dir, 'weights.bin')}: ${raw.byteLength} bytes; expected ${12 * n} (3 × ${n} float32)`);
    const w = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    ppo.agent.setParams(w.subarray(0, n));
    tf.tidy(() => {
      ppo.optimizer.m.assign(tf.tensor1d(w.subarray(n, 2 * n)));
      ppo.optimizer.v.assign(tf.tensor1d(w.subarray(2 * n, 3 * n)));
    });
    ppo.optimizer.step = meta.adam_step;
    ppo.rng = rng;
    ppo.globalStep = meta.global_step;
    ppo.iteration = meta.iteration;
    ppo.envs.envs.forEach((e, i) => envSetState(e, meta.envs[i]));
    ppo.nextObs = Float32Array.from(meta.next_obs);
    ppo.nextDone = Float32Array.from(meta.next_done);
    return ppo;
  }

  dispose(): void {
    this.agent.dispose();
    this.optimizer.dispose();
    this.envs.close();
  }
}

/** The PPO loss of CleanRL for one minibatch; `stats` = [pg_loss, v_loss, entropy, old_approx_kl, approx_kl, clipfrac]. */
export function ppoLoss(
  agent: Agent,
  args: Pick<PpoArgs, 'clip_coef' | 'clip_vloss' | 'ent_coef' | 'vf_coef'>,
  obs: tf.Tensor2D,
  catOneHot: tf.Tensor2D | null,
  gauss: tf.Tensor2D | null,
  oldLogp: tf.Tensor1D,
  adv: tf.Tensor1D,
  ret: tf.Tensor1D,
  oldV: tf.Tensor1D,
): { loss: tf.Scalar; stats: tf.Tensor1D } {
  const c = args.clip_coef;
  const { logprob, entropy, value } = agent.evaluateActions(obs, catOneHot, gauss);
  const logratio = tf.sub(logprob, oldLogp);
  const ratio = tf.exp(logratio);
  // approx_kl: http://joschu.net/blog/kl-approx.html
  const oldApproxKl = tf.mean(tf.neg(logratio));
  const approxKl = tf.mean(tf.sub(tf.sub(ratio, 1), logratio));
  const clipfrac = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), c), 'float32'));
  // Policy loss
  const pg1 = tf.mul(tf.neg(adv), ratio);
  const pg2 = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - c, 1 + c));
  const pgLoss = tf.mean(tf.maximum(pg1, pg2));
  // Value loss
  let vLoss: tf.Scalar;
  if (args.clip_vloss) {
    const unclipped = tf.square(tf.sub(value, ret));
    const vClipped = tf.add(oldV, tf.clipByValue(tf.sub(value, oldV), -c, c));
    const clipped = tf.square(tf.sub(vClipped, ret));
    vLoss = tf.mul(0.5, tf.mean(tf.maximum(unclipped, clipped)));
  } else vLoss = tf.mul(0.5, tf.mean(tf.square(tf.sub(value, ret))));
  const entropyLoss = tf.mean(entropy);
  const loss = tf.add(tf.sub(pgLoss, tf.mul(args.ent_coef, entropyLoss)), tf.mul(vLoss, args.vf_coef)) as tf.Scalar;
  const stats = tf.stack([pgLoss, vLoss, entropyLoss, oldApproxKl, approxKl, clipfrac]) as tf.Tensor1D;
  return { loss, stats };
}

/**
 * Generalised advantage estimation over a [T, N] rollout, as CleanRL: dones[t]
 * flags that obs[t] starts a new episode, so the bootstrap from t to t+1 is
 * cut by 1 − dones[t+1] (and by 1 − nextDone at the end).
 */
export function computeGae(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  dones: ArrayLike<number>,
  nextValue: ArrayLike<number>,
  nextDone: ArrayLike<number>,
  T: number,
  N: number,
  gamma: number,
  lambda: number,
): { advantages: Float64Array; returns: Float64Array } {
  const advantages = new Float64Array(T * N);
  const returns = new Float64Array(T * N);
  for (let e = 0; e < N; e++) {
    let lastgaelam = 0;
    for (let t = T - 1; t >= 0; t--) {
      const nextnonterminal = t === T - 1 ? 1.0 - nextDone[e] : 1.0 - dones[(t + 1) * N + e];
      const nextvalues = t === T - 1 ? nextValue[e] : values[(t + 1) * N + e];
      const i = t * N + e;
      const delta = rewards[i] + gamma * nextvalues * nextnonterminal - values[i];
      lastgaelam = delta + gamma * lambda * nextnonterminal * lastgaelam;
      advantages[i] = lastgaelam;
      returns[i] = lastgaelam + values[i];
    }
  }
  return { advantages, returns };
}

/** 1 − Var(y − ŷ) / Var(y) (population variances, as numpy); null when Var(y) = 0. */
export function explainedVariance(yPred: ArrayLike<number>, yTrue: ArrayLike<number>): number | null {
  const n = yTrue.length;
  let mt = 0;
  let md = 0;
  for (let i = 0; i < n; i++) {
    mt += yTrue[i];
    md += yTrue[i] - yPred[i];
  }
  mt /= n;
  md /= n;
  let vt = 0;
  let vd = 0;
  for (let i = 0; i < n; i++) {
    vt += (yTrue[i] - mt) ** 2;
    vd += (yTrue[i] - yPred[i] - md) ** 2;
  }
  return vt === 0 ? null : 1 - vd / vt;
}

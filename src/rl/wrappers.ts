import { DataError, show } from '../core/errors.js';
import type { Env, ResetOptions, ResetResult, StepResult } from './env.js';
import { Wrapper } from './env.js';
import type { Space } from './spaces.js';
import { Box } from './spaces.js';

/** Ends an episode with `truncated = true` after `maxEpisodeSteps` steps (Gymnasium's TimeLimit). */
export class TimeLimit<O, A> extends Wrapper<O, A> {
  private elapsed = 0;
  constructor(
    env: Env<O, A>,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new DataError(`TimeLimit: maxEpisodeSteps=${show(maxEpisodeSteps)}; expected a positive integer`);
    }
  }
  protected override ownState(): unknown {
    return { elapsed: this.elapsed };
  }
  protected override loadOwnState(s: unknown): void {
    this.elapsed = (s as { elapsed: number }).elapsed;
  }
  override reset(opts?: ResetOptions): ResetResult<O> {
    this.elapsed = 0;
    return this.env.reset(opts);
  }
  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.elapsed += 1;
    if (this.elapsed >= this.maxEpisodeSteps) r.truncated = true;
    return r;
  }
}

/** What RecordEpisodeStatistics puts in `info.episode` at the end of an episode. */
export interface EpisodeStats {
  /** Undiscounted return. */
  r: number;
  /** Length in steps. */
  l: number;
  /** Wall-clock seconds since the episode started. */
  t: number;
}

/** Adds `info.episode = { r, l, t }` when an episode ends (Gymnasium's RecordEpisodeStatistics). */
export class RecordEpisodeStatistics<O, A> extends Wrapper<O, A> {
  private ret = 0;
  private len = 0;
  private t0 = performance.now();
  protected override ownState(): unknown {
    return { ret: this.ret, len: this.len };
  }
  protected override loadOwnState(s: unknown): void {
    ({ ret: this.ret, len: this.len } = s as { ret: number; len: number });
  }
  override reset(opts?: ResetOptions): ResetResult<O> {
    this.ret = 0;
    this.len = 0;
    this.t0 = performance.now();
    return this.env.reset(opts);
  }
  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.ret += r.reward;
    this.len += 1;
    if (r.terminated || r.truncated) {
      const episode: EpisodeStats = { r: this.ret, l: this.len, t: (performance.now() - this.t0) / 1000 };
      r.info = { ...r.info, episode };
    }
    return r;
  }
}

/** Running mean and variance with Chan et al.'s parallel update (Gymnasium's RunningMeanStd, same epsilon start). */
export class RunningMeanStd {
  mean: Float64Array;
  var: Float64Array;
  count: number;
  constructor(
    readonly dim: number,
    epsilon = 1e-4,
  ) {
    this.mean = new Float64Array(dim);
    this.var = new Float64Array(dim).fill(1);
    this.count = epsilon;
  }
  /** Updates with one sample (batch of 1: batch variance 0). */
  update(x: ArrayLike<number>): void {
    const tot = this.count + 1;
    for (let i = 0; i < this.dim; i++) {
      const delta = x[i] - this.mean[i];
      const m2 = this.var[i] * this.count + (delta * delta * this.count) / tot;
      this.mean[i] += delta / tot;
      this.var[i] = m2 / tot;
    }
    this.count = tot;
  }
  toJSON(): { mean: number[]; var: number[]; count: number } {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }
  load(s: { mean: number[]; var: number[]; count: number }): void {
    if (s.mean.length !== this.dim || s.var.length !== this.dim) {
      throw new DataError(`RunningMeanStd.load: state has ${s.mean.length} dims; expected ${this.dim}`);
    }
    this.mean = Float64Array.from(s.mean);
    this.var = Float64Array.from(s.var);
    this.count = s.count;
  }
}

function requireBox(space: Space, who: string, what: string): Box {
  if (!(space instanceof Box)) throw new DataError(`${who}: ${what} space is ${show(space.toJSON())}; expected a Box`);
  return space;
}

/**
 * Normalises Box observations to zero mean, unit variance with running
 * statistics updated on every reset and step (Gymnasium's NormalizeObservation).
 * Set `updateRunningMean = false` to freeze the statistics for evaluation.
 */
export class NormalizeObservation<A> extends Wrapper<Float32Array, A> {
  readonly rms: RunningMeanStd;
  updateRunningMean = true;
  private readonly space: Box;
  constructor(
    env: Env<Float32Array, A>,
    readonly epsilon = 1e-8,
  ) {
    super(env);
    const box = requireBox(env.observationSpace, 'NormalizeObservation', 'observation');
    this.rms = new RunningMeanStd(box.flatDim);
    this.space = new Box(-Infinity, Infinity, box.shape);
  }
  override get observationSpace(): Space<Float32Array> {
    return this.space;
  }
  protected override ownState(): unknown {
    return this.rms.toJSON();
  }
  protected override loadOwnState(s: unknown): void {
    this.rms.load(s as ReturnType<RunningMeanStd['toJSON']>);
  }
  normalize(obs: Float32Array): Float32Array {
    if (this.updateRunningMean) this.rms.update(obs);
    const out = new Float32Array(obs.length);
    for (let i = 0; i < obs.length; i++) out[i] = (obs[i] - this.rms.mean[i]) / Math.sqrt(this.rms.var[i] + this.epsilon);
    return out;
  }
  override reset(opts?: ResetOptions): ResetResult<Float32Array> {
    const r = this.env.reset(opts);
    return { obs: this.normalize(r.obs), info: r.info };
  }
  override step(action: A): StepResult<Float32Array> {
    const r = this.env.step(action);
    r.obs = this.normalize(r.obs);
    return r;
  }
}

/**
 * Scales rewards so the discounted return has roughly unit variance
 * (Gymnasium's NormalizeReward: divides by the std of the running discounted
 * reward; the mean is not subtracted, see openai/baselines#538).
 */
export class NormalizeReward<O, A> extends Wrapper<O, A> {
  readonly returnRms = new RunningMeanStd(1);
  updateRunningMean = true;
  private discountedReward = 0;
  constructor(
    env: Env<O, A>,
    readonly gamma = 0.99,
    readonly epsilon = 1e-8,
  ) {
    super(env);
  }
  protected override ownState(): unknown {
    return { rms: this.returnRms.toJSON(), discountedReward: this.discountedReward };
  }
  protected override loadOwnState(s: unknown): void {
    const st = s as { rms: ReturnType<RunningMeanStd['toJSON']>; discountedReward: number };
    this.returnRms.load(st.rms);
    this.discountedReward = st.discountedReward;
  }
  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.discountedReward = this.discountedReward * this.gamma * (r.terminated ? 0 : 1) + r.reward;
    if (this.updateRunningMean) this.returnRms.update([this.discountedReward]);
    r.reward = r.reward / Math.sqrt(this.returnRms.var[0] + this.epsilon);
    return r;
  }
}

/** Clips Box actions into the action space before the inner env sees them (Gymnasium's ClipAction); the outer space is unbounded. */
export class ClipAction<O> extends Wrapper<O, Float32Array> {
  private readonly inner: Box;
  private readonly outer: Box;
  constructor(env: Env<O, Float32Array>) {
    super(env);
    this.inner = requireBox(env.actionSpace, 'ClipAction', 'action');
    this.outer = new Box(-Infinity, Infinity, this.inner.shape);
  }
  override get actionSpace(): Space<Float32Array> {
    return this.outer;
  }
  override step(action: Float32Array): StepResult<O> {
    return this.env.step(this.inner.clip(action));
  }
}

/** Applies a function to each observation (CleanRL clips normalised observations to ±10 with it). */
export class TransformObservation<O, A, IO = O> extends Wrapper<O, A, IO, A> {
  constructor(
    env: Env<IO, A>,
    private readonly fn: (obs: IO) => O,
    private readonly space?: Space<O>,
  ) {
    super(env);
  }
  override get observationSpace(): Space<O> {
    return this.space ?? (this.env.observationSpace as unknown as Space<O>);
  }
  override reset(opts?: ResetOptions): ResetResult<O> {
    const r = this.env.reset(opts);
    return { obs: this.fn(r.obs), info: r.info };
  }
  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    return { ...r, obs: this.fn(r.obs) };
  }
}

/** Applies a function to each reward (CleanRL clips normalised rewards to ±10 with it). */
export class TransformReward<O, A> extends Wrapper<O, A> {
  constructor(
    env: Env<O, A>,
    private readonly fn: (reward: number) => number,
  ) {
    super(env);
  }
  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    r.reward = this.fn(r.reward);
    return r;
  }
}

/** Clips every element of a Float32Array to [lo, hi] (new array). */
export function clipArray(lo: number, hi: number): (x: Float32Array) => Float32Array {
  return (x) => x.map((v) => Math.min(Math.max(v, lo), hi));
}

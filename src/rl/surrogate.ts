// Is the surrogate a faithful fast stand-in for the generator? This module
// measures it (how the two hooks rank control settings, state by state) and
// fixes it (fits the surrogate's response surface to the generator's replies).
import { join } from 'node:path';
import { ConfigError, DataError, show } from '../core/errors.js';
import { readJson, writeJsonAtomic } from '../core/io.js';
import type { Logger } from '../core/log.js';
import type { Rng } from '../core/rng.js';
import { TONES, type Controls, type Tone } from '../generation/types.js';
import type { Intent } from '../reasoning/types.js';
import type { InterventionAction, InterventionEnvOptions } from './envs/intervention.js';
import { InterventionEnv } from './envs/intervention.js';
import type { RlSection } from './config.js';
import { interventionOptions } from './intervention_eval.js';
import { CALIBRATION_FORMAT, CalibratedSurrogate, SURROGATE_FEATURES, parseCalibration, surrogateFeatures, type SurrogateCalibration } from './users/calibrated.js';
import type { Generated, GenerationHook } from './users/hooks.js';
import { SurrogateGenerator, alignment, kendallTau } from './users/hooks.js';
import { ENGAGEMENT_GAIN, RECEPTION_WEIGHTS } from './users/persona.js';

/**
 * What the env takes from a reply (envs/intervention.ts step): its alignment
 * (reward term w1 and, times quality, the text's share of the persona's
 * reception) and its quality. `reward` is the part of the immediate reward
 * that depends on the reply: w1·a + w3·ENGAGEMENT_GAIN·RECEPTION_WEIGHTS.text·a·q
 * (engagement moves by ENGAGEMENT_GAIN per unit of reception, away from the
 * clamps); tone and temperature fit enter the reward the same way whichever
 * hook writes the reply, so they are left out.
 */
export const HOOK_METRICS = ['alignment', 'quality', 'reward'] as const;
export type HookMetric = (typeof HOOK_METRICS)[number];

export interface RewardWeights {
  alignment: number;
  continuity: number;
  engagement: number;
}

/** The control grid: every tone × temperature × emotion weight. */
export function controlGrid(temperatures: readonly number[], emotionWeights: readonly number[], tones: readonly Tone[] = TONES): Controls[] {
  if (temperatures.length === 0 || emotionWeights.length === 0 || tones.length === 0) throw new ConfigError('controlGrid: empty axis; expected at least one tone, temperature and emotion weight');
  const out: Controls[] = [];
  for (const tone of tones) for (const temperature of temperatures) for (const emotionWeight of emotionWeights) out.push({ tone, temperature, emotionWeight });
  return out;
}

/**
 * States the env's own distributions produce: intents formed (emit → perceive
 * → reason) on the non-crisis turns of conversations with its personas, under
 * a uniformly random policy, with the closed-form surrogate writing replies (so
 * drawing states costs no decoding). Episodes run until 3n intents are
 * collected, then n are drawn at random, so later turns are represented too.
 */
export function sampleEnvIntents(envOpts: InterventionEnvOptions, n: number, rng: Rng): Intent[] {
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`sampleEnvIntents: n=${show(n)}; expected a positive integer`);
  const pool: Intent[] = [];
  const inner = new SurrogateGenerator();
  const spy: GenerationHook = {
    kind: 'surrogate',
    generate(intent, controls): Generated {
      pool.push(structuredClone(intent));
      return inner.generate(intent, controls);
    },
  };
  const env = new InterventionEnv({ ...envOpts, generator: spy });
  const act = rng.fork('actions');
  const seeds = rng.fork('episodes');
  for (let ep = 0; pool.length < 3 * n; ep++) {
    if (ep > 1000 * n) throw new DataError(`sampleEnvIntents: ${pool.length} generated turns after ${ep} episodes; expected ${3 * n} (every turn a crisis?)`);
    env.reset({ seed: seeds.int32() });
    for (;;) {
      const r = env.step(env.actionSpace.sample(act) as InterventionAction);
      if (r.terminated || r.truncated) break;
    }
  }
  return rng.fork('pick').shuffle(pool).slice(0, n);
}

export interface CompareOptions {
  rng: Rng;
  /** Replies drawn per (state, control) from each hook, averaged (a sampling decoder is noisy). Default 1. */
  samples?: number;
  /** The env's reward weights (rl.intervention.reward); default the env's. */
  rewardWeights?: RewardWeights;
}

/** Each metric per state per control, averaged over the draws. */
export type HookScores = Record<HookMetric, number[][]>;

export interface MetricSummary {
  mean: number;
  std: number;
  /** States where τ > 0. */
  positive: number;
}

export interface HookComparison {
  states: number;
  controls: number;
  samples: number;
  /** Kendall τ-b per state between the two hooks' scores over the control grid. */
  perState: Record<HookMetric, number[]>;
  tau: Record<HookMetric, MetricSummary>;
  /** States where the surrogate's best control (by `reward`) is the full generator's best. */
  topAgreement: number;
  /** Mean over states of (full's best reward − full's reward at the surrogate's best) / full's reward range. */
  meanRegret: number;
  scores: { surrogate: HookScores; full: HookScores };
}

/** Scores one hook on every state × control (draws seeded per state, control and draw, the same for any hook). */
export function scoreHook(hook: GenerationHook, states: readonly Intent[], grid: readonly Controls[], opts: CompareOptions): HookScores {
  const samples = opts.samples ?? 1;
  if (!Number.isInteger(samples) || samples < 1) throw new ConfigError(`samples=${show(samples)}; expected a positive integer`);
  const w = opts.rewardWeights ?? { alignment: 1, continuity: 0.5, engagement: 0.5 };
  const textGain = w.engagement * ENGAGEMENT_GAIN * RECEPTION_WEIGHTS.text;
  const out: HookScores = { alignment: [], quality: [], reward: [] };
  states.forEach((intent, s) => {
    const rows = { alignment: [] as number[], quality: [] as number[], reward: [] as number[] };
    grid.forEach((c, g) => {
      let a = 0;
      let q = 0;
      let r = 0;
      for (let k = 0; k < samples; k++) {
        const gen = hook.generate(intent, c, opts.rng.fork(`${s}/${g}/${k}`));
        const al = alignment(gen.intervention, intent);
        a += al / samples;
        q += gen.quality / samples;
        r += (w.alignment * al + textGain * al * gen.quality) / samples;
      }
      rows.alignment.push(a);
      rows.quality.push(q);
      rows.reward.push(r);
    });
    for (const m of HOOK_METRICS) out[m].push(rows[m]);
  });
  return out;
}

const argmax = (xs: readonly number[]): number => xs.reduce((b, x, i) => (x > xs[b] ? i : b), 0);

function summarise(xs: readonly number[]): MetricSummary {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length), positive: xs.filter((x) => x > 0).length };
}

/** Compares two sets of scores on the same states and grid. */
export function compareScores(sur: HookScores, full: HookScores, samples = 1): HookComparison {
  const S = full.alignment.length;
  if (S === 0) throw new DataError('compareGenerationHooks: no states; expected at least one');
  const perState = Object.fromEntries(HOOK_METRICS.map((m) => [m, full[m].map((row, s) => kendallTau(sur[m][s], row))])) as Record<HookMetric, number[]>;
  let top = 0;
  let regret = 0;
  for (let s = 0; s < S; s++) {
    const f = full.reward[s];
    const best = argmax(f);
    const pick = argmax(sur.reward[s]);
    if (pick === best) top++;
    const range = f[best] - Math.min(...f);
    regret += range > 0 ? (f[best] - f[pick]) / range : 0;
  }
  return {
    states: S,
    controls: full.alignment[0].length,
    samples,
    perState,
    tau: Object.fromEntries(HOOK_METRICS.map((m) => [m, summarise(perState[m])])) as Record<HookMetric, MetricSummary>,
    topAgreement: top,
    meanRegret: regret / S,
    scores: { surrogate: sur, full },
  };
}

/**
 * How the surrogate ranks the control grid against the full generator, per
 * state: Kendall τ-b of each metric in HOOK_METRICS, plus whether the best
 * control (by the reply's share of the reward) is the same and, when not, how
 * much reward the surrogate's pick loses under the generator.
 */
export function compareGenerationHooks(surrogate: GenerationHook, full: GenerationHook, states: readonly Intent[], grid: readonly Controls[], opts: CompareOptions): HookComparison {
  const fullScores = scoreHook(full, states, grid, opts);
  const surScores = scoreHook(surrogate, states, grid, opts);
  return compareScores(surScores, fullScores, opts.samples ?? 1);
}

/**
 * The null distribution of the mean τ of `metric` when the two rankings are
 * unrelated: the generator's scores are shuffled over the grid within each
 * state, `rounds` times. A surrogate that ranks like the generator has a mean τ
 * far in the upper tail.
 */
export function permutationNull(cmp: HookComparison, metric: HookMetric, rounds: number, rng: Rng): number[] {
  const out: number[] = [];
  const sur = cmp.scores.surrogate[metric];
  for (let r = 0; r < rounds; r++) {
    let sum = 0;
    cmp.scores.full[metric].forEach((row, s) => (sum += kendallTau(sur[s], rng.shuffle([...row]))));
    out.push(sum / cmp.states);
  }
  return out;
}

// --- calibration ------------------------------------------------------------

/**
 * Solves (XᵀX + ridge·D) β = Xᵀy, D the identity without the intercept, by
 * Cholesky. Hand-written: the system is ~25 × 25, and the only maintained
 * linear-algebra package in reach (mathjs) costs ~2 s per process to import,
 * which is why the project dropped it.
 */
export function ridgeLeastSquares(X: readonly (readonly number[])[], y: readonly number[], ridge: number): number[] {
  const p = X[0]?.length ?? 0;
  if (X.length !== y.length || X.length === 0) throw new DataError(`ridgeLeastSquares: ${X.length} rows and ${y.length} targets; expected the same positive number`);
  const A = Array.from({ length: p }, () => new Float64Array(p));
  const b = new Float64Array(p);
  X.forEach((x, n) => {
    for (let i = 0; i < p; i++) {
      b[i] += x[i] * y[n];
      for (let j = 0; j <= i; j++) A[i][j] += x[i] * x[j];
    }
  });
  for (let i = 1; i < p; i++) A[i][i] += ridge;
  // Cholesky A = L Lᵀ in place (lower triangle).
  for (let j = 0; j < p; j++) {
    let d = A[j][j];
    for (let k = 0; k < j; k++) d -= A[j][k] * A[j][k];
    // Relative to the column's own scale: what is left after rounding of an exactly dependent column is noise.
    if (!(d > 1e-10 * A[j][j])) throw new DataError(`ridgeLeastSquares: normal matrix not positive definite at column ${j}; expected informative features (raise the ridge or vary the grid)`);
    A[j][j] = Math.sqrt(d);
    for (let i = j + 1; i < p; i++) {
      let s = A[i][j];
      for (let k = 0; k < j; k++) s -= A[i][k] * A[j][k];
      A[i][j] = s / A[j][j];
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= A[i][k] * z[k];
    z[i] = s / A[i][i];
  }
  const beta = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= A[k][i] * beta[k];
    beta[i] = s / A[i][i];
  }
  return beta;
}

export interface CalibrateOptions extends CompareOptions {
  /** Ridge penalty on every coefficient but the intercept. Default 1e-3. */
  ridge?: number;
  /** Names the generator in the saved calibration (e.g. its weights hash). */
  generator?: string;
}

/**
 * Fits the surrogate's response surface to the full generator: the generator
 * writes replies for every state × control (`samples` draws each), and the
 * reply's alignment and quality are regressed on surrogateFeatures by ridge
 * least squares. Fit on states disjoint from those a ranking check uses.
 */
export function calibrateSurrogate(full: GenerationHook, states: readonly Intent[], grid: readonly Controls[], opts: CalibrateOptions): SurrogateCalibration {
  const ridge = opts.ridge ?? 1e-3;
  if (!(ridge >= 0)) throw new ConfigError(`calibrateSurrogate: ridge=${show(ridge)}; expected a number >= 0`);
  const scores = scoreHook(full, states, grid, opts);
  const X: number[][] = [];
  const ya: number[] = [];
  const yq: number[] = [];
  states.forEach((intent, s) =>
    grid.forEach((c, g) => {
      X.push(surrogateFeatures(intent, c));
      ya.push(scores.alignment[s][g]);
      yq.push(scores.quality[s][g]);
    }),
  );
  const ba = ridgeLeastSquares(X, ya, ridge);
  const bq = ridgeLeastSquares(X, yq, ridge);
  const fit = (beta: number[], y: number[]): { r2: number; rmse: number } => {
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    let ss = 0;
    let st = 0;
    X.forEach((x, n) => {
      const e = y[n] - x.reduce((a, v, i) => a + v * beta[i], 0);
      ss += e * e;
      st += (y[n] - mean) ** 2;
    });
    return { r2: st > 0 ? 1 - ss / st : 1, rmse: Math.sqrt(ss / y.length) };
  };
  const fa = fit(ba, ya);
  const fq = fit(bq, yq);
  return {
    format: CALIBRATION_FORMAT,
    features: [...SURROGATE_FEATURES],
    alignment: ba,
    quality: bq,
    fit: { n: X.length, r2: { alignment: fa.r2, quality: fq.r2 }, rmse: { alignment: fa.rmse, quality: fq.rmse } },
    source: {
      generator: opts.generator ?? full.kind,
      states: states.length,
      samples: opts.samples ?? 1,
      grid: { tones: [...new Set(grid.map((c) => c.tone))], temperature: [...new Set(grid.map((c) => c.temperature))], emotionWeight: [...new Set(grid.map((c) => c.emotionWeight))] },
      ridge,
    },
  };
}

// --- the surrogate a job runs with ------------------------------------------

export interface SurrogateChoice {
  hook: GenerationHook;
  /** Set when the surrogate is calibrated (fitted here or loaded). */
  calibration: SurrogateCalibration | null;
  /** Where a calibration fitted here was written. */
  path: string | null;
  /** One line for the run's notes: which surrogate ran and why. */
  note: string;
}

/**
 * The surrogate for `rl.generator=surrogate`, from `rl.surrogate`: a saved
 * calibration when `calibration` names one; else, with `calibrate` and a
 * trained generator at hand (`full`), one fitted now on `states` env states
 * and checked on `check_states` others (the check is stored in the
 * calibration, which is written to `<saveDir>/surrogate_calibration.json`);
 * else the closed-form surrogate, with a warning when calibration was asked
 * for but impossible.
 */
export function surrogateFor(
  section: RlSection,
  opts: { rng: Rng; full?: GenerationHook; generatorName?: string; saveDir?: string; log?: Logger },
): SurrogateChoice {
  const sc = section.surrogate;
  if (sc.calibration) {
    const where = `rl.surrogate.calibration=${sc.calibration}`;
    let raw: unknown;
    try {
      raw = readJson(sc.calibration);
    } catch (err) {
      throw new ConfigError(`${where}: cannot read it (${(err as Error).message}); expected a surrogate_calibration.json written by a pipeline run`);
    }
    const cal = parseCalibration(raw, sc.calibration);
    const tau = cal.check ? `, held-out reward τ ${cal.check.tau.reward?.mean.toFixed(3)}` : '';
    return { hook: new CalibratedSurrogate(cal), calibration: cal, path: null, note: `surrogate: calibrated, loaded from ${sc.calibration} (generator ${cal.source.generator}${tau})` };
  }
  if (!sc.calibrate) return { hook: new SurrogateGenerator(), calibration: null, path: null, note: 'surrogate: closed form (rl.surrogate.calibrate=false)' };
  if (!opts.full) {
    const msg =
      'rl.surrogate.calibrate=true but this job trains no generator to fit it to: using the closed-form surrogate, whose control ranking is not checked ' +
      'against a generator (set rl.surrogate.calibration to a pipeline run’s surrogate_calibration.json)';
    opts.log?.warn(msg);
    return { hook: new SurrogateGenerator(), calibration: null, path: null, note: `surrogate: closed form; ${msg}` };
  }
  const t0 = performance.now();
  const states = sampleEnvIntents(interventionOptions(section.intervention, new SurrogateGenerator()), sc.states + sc.check_states, opts.rng.fork('states'));
  const grid = controlGrid(sc.temperature, sc.emotion_weight);
  const cmpOpts = { samples: sc.samples, rewardWeights: { ...section.intervention.reward } };
  const cal = calibrateSurrogate(opts.full, states.slice(0, sc.states), grid, { ...cmpOpts, rng: opts.rng.fork('fit'), ridge: sc.ridge, generator: opts.generatorName });
  const hook = new CalibratedSurrogate(cal);
  let check = '';
  if (sc.check_states > 0) {
    const c = compareGenerationHooks(hook, opts.full, states.slice(sc.states), grid, { ...cmpOpts, rng: opts.rng.fork('check') });
    cal.check = { states: c.states, tau: c.tau, topAgreement: c.topAgreement, meanRegret: c.meanRegret };
    check = `; held-out ranking vs the generator over ${c.states} states × ${c.controls} controls: ${HOOK_METRICS.map((m) => `${m} τ ${c.tau[m].mean.toFixed(3)} ± ${c.tau[m].std.toFixed(3)}`).join(', ')}, regret ${c.meanRegret.toFixed(3)}`;
  }
  const path = opts.saveDir ? join(opts.saveDir, 'surrogate_calibration.json') : null;
  if (path) writeJsonAtomic(path, cal);
  const note = `surrogate: calibrated on the trained generator (${sc.states} states × ${grid.length} controls, R² alignment ${cal.fit.r2.alignment.toFixed(3)}, quality ${cal.fit.r2.quality.toFixed(3)}, ${((performance.now() - t0) / 1000).toFixed(1)} s)${check}`;
  opts.log?.info(note);
  return { hook, calibration: cal, path, note };
}

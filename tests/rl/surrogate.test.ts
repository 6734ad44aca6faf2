import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../../src/core/errors.js';
import { Logger } from '../../src/core/log.js';
import { parseRlSection } from '../../src/rl/config.js';
import { Rng } from '../../src/core/rng.js';
import { cosine } from '../../src/core/vector.js';
import type { Intent } from '../../src/reasoning/types.js';
import { CALIBRATION_FORMAT, CalibratedSurrogate, SURROGATE_FEATURES, distributionWithCosine, parseCalibration, surrogateFeatures, type SurrogateCalibration } from '../../src/rl/users/calibrated.js';
import { SurrogateGenerator, alignment } from '../../src/rl/users/hooks.js';
import { compareScores, controlGrid, permutationNull, ridgeLeastSquares, sampleEnvIntents, scoreHook, surrogateFor, type HookScores } from '../../src/rl/surrogate.js';
import { TONES } from '../../src/generation/types.js';

const intent: Intent = { emotion: 'sad', emotionIndex: 2, target: [0.4, 0, 0.6, 0, 0], intensity: 0.7, polarity: -0.6, context: [0, 0] };

describe('ridge least squares (hand-derived)', () => {
  const X = [
    [1, 0],
    [1, 1],
    [1, 2],
  ];
  it('recovers an exact line without a ridge', () => {
    const b = ridgeLeastSquares(X, [1, 3, 5], 0);
    expect(b[0]).toBeCloseTo(1, 12);
    expect(b[1]).toBeCloseTo(2, 12);
  });
  it('shrinks the slope, not the intercept: (XᵀX + diag(0,1)) β = Xᵀy gives β = (5/3, 4/3)', () => {
    // XᵀX = [[3, 3], [3, 5]], Xᵀy = [9, 13]; with the ridge [[3, 3], [3, 6]] β = [9, 13].
    const b = ridgeLeastSquares(X, [1, 3, 5], 1);
    expect(b[0]).toBeCloseTo(5 / 3, 12);
    expect(b[1]).toBeCloseTo(4 / 3, 12);
  });
  it('a collinear design without a ridge is a clear error', () => {
    expect(() => ridgeLeastSquares([[1, 2], [1, 2]], [1, 1], 0)).toThrow(/not positive definite at column 1/);
  });
});

describe('calibrated surrogate', () => {
  it('emits a distribution whose cosine with the target is the requested one', () => {
    for (const a of [0.3, 0.7, 0.95, 1]) {
      const p = distributionWithCosine(intent.target, a);
      expect(cosine(p, intent.target)).toBeCloseTo(a, 9);
      expect(p.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
      for (const x of p) expect(x).toBeGreaterThanOrEqual(0);
    }
    // Below the least aligned point (the class the target weights least: index 1, cosine 0) it is that class.
    expect(distributionWithCosine([0.5, 0.2, 0.3], 0)).toEqual([0, 1, 0]);
    expect(() => distributionWithCosine([0, 0, 0], 0.5)).toThrow(/intent.target=\[0,0,0\]; expected non-negative weights with a positive sum/);
  });

  it('features: tone dummies against warm, controls and their products (hand-computed)', () => {
    const x = surrogateFeatures(intent, { tone: 'calm', temperature: 0.5, emotionWeight: 2 });
    expect(x.length).toBe(SURROGATE_FEATURES.length);
    const f = (name: string): number => x[SURROGATE_FEATURES.indexOf(name as (typeof SURROGATE_FEATURES)[number])];
    expect(f('intercept')).toBe(1);
    expect(f('tone=calm')).toBe(1);
    expect(f('tone=direct')).toBe(0);
    expect(f('temperature^2')).toBeCloseTo(0.25, 12);
    expect(f('temperature*emotion_weight')).toBeCloseTo(1, 12);
    expect(f('target_max')).toBeCloseTo(0.6, 12);
    // −(0.4 ln 0.4 + 0.6 ln 0.6) / ln 5
    expect(f('target_entropy')).toBeCloseTo(0.6730116670092565 / Math.log(5), 12);
    expect(f('tone=calm*emotion_weight')).toBe(2);
    expect(() => surrogateFeatures(intent, { tone: 'loud' as never, temperature: 1, emotionWeight: 1 })).toThrow(/controls.tone="loud"; expected one of warm/);
  });

  it('the env reads the predicted alignment and quality back unchanged', () => {
    const n = SURROGATE_FEATURES.length;
    const coef = (pairs: Record<string, number>): number[] => SURROGATE_FEATURES.map((f) => pairs[f] ?? 0);
    const cal: SurrogateCalibration = {
      format: CALIBRATION_FORMAT,
      features: [...SURROGATE_FEATURES],
      alignment: coef({ intercept: 0.3, emotion_weight: 0.25 }),
      quality: coef({ intercept: 0.9, temperature: -0.2 }),
      fit: { n: 1, r2: { alignment: 1, quality: 1 }, rmse: { alignment: 0, quality: 0 } },
      source: { generator: 'hand', states: 1, samples: 1, grid: { tones: [...TONES], temperature: [1], emotionWeight: [1] }, ridge: 0 },
    };
    const s = new CalibratedSurrogate(cal);
    const g = s.generate(intent, { tone: 'warm', temperature: 1, emotionWeight: 2 });
    expect(alignment(g.intervention, intent)).toBeCloseTo(0.8, 9);
    expect(g.quality).toBeCloseTo(0.7, 12);
    // Predictions outside [0, 1] are clipped.
    expect(s.predict(intent, { tone: 'warm', temperature: 1, emotionWeight: 4 }).alignment).toBe(1);
    expect(parseCalibration(JSON.parse(JSON.stringify(cal)), 'x.json')).toEqual(cal);
    expect(() => parseCalibration({ ...cal, format: 'v0' }, 'x.json')).toThrow(/x.json: format "v0"; expected "affectlab.surrogate_calibration\/1"/);
    expect(() => parseCalibration({ ...cal, quality: new Array(n - 1).fill(0) }, 'x.json')).toThrow(/x.json: quality=.*expected 21 finite coefficients/);
    expect(() => parseCalibration({ ...cal, features: ['a'] }, 'x.json')).toThrow(DataError);
  });
});

describe('comparing two hooks', () => {
  it('per-state tau, top-choice agreement and regret (hand-computed)', () => {
    const mk = (rows: number[][]): HookScores => ({ alignment: rows, quality: rows, reward: rows });
    // State 0: same order → τ 1, same pick, regret 0. State 1: reversed → τ −1; the surrogate picks index 0,
    // where the generator scores 1 against its best 3 over a range of 2 → regret 1.
    const c = compareScores(mk([[1, 2, 3], [3, 2, 1]]), mk([[1, 2, 3], [1, 2, 3]]));
    expect(c.perState.reward).toEqual([1, -1]);
    expect(c.tau.alignment).toEqual({ mean: 0, std: 1, positive: 1 });
    expect(c.topAgreement).toBe(1);
    expect(c.meanRegret).toBeCloseTo(0.5, 12);
    // The permutation null of unrelated rankings: every round's mean τ lies in [−1, 1]; seeded.
    const nul = permutationNull(c, 'reward', 20, new Rng(1));
    expect(nul).toEqual(permutationNull(c, 'reward', 20, new Rng(1)));
    for (const x of nul) expect(Math.abs(x)).toBeLessThanOrEqual(1);
  });

  it('scores the part of the reward a reply controls: w1·a + w3·0.5·0.25·a·q', () => {
    const hook = new CalibratedSurrogate({
      format: CALIBRATION_FORMAT,
      features: [...SURROGATE_FEATURES],
      alignment: SURROGATE_FEATURES.map((f) => (f === 'intercept' ? 0.6 : 0)),
      quality: SURROGATE_FEATURES.map((f) => (f === 'intercept' ? 0.5 : 0)),
      fit: { n: 1, r2: { alignment: 1, quality: 1 }, rmse: { alignment: 0, quality: 0 } },
      source: { generator: 'hand', states: 1, samples: 1, grid: { tones: ['warm'], temperature: [1], emotionWeight: [1] }, ridge: 0 },
    });
    const s = scoreHook(hook, [intent], controlGrid([1], [1], ['warm']), { rng: new Rng(1), rewardWeights: { alignment: 2, continuity: 9, engagement: 4 } });
    expect(s.alignment[0][0]).toBeCloseTo(0.6, 9);
    expect(s.reward[0][0]).toBeCloseTo(2 * 0.6 + 4 * 0.5 * 0.25 * 0.6 * 0.5, 9);
    expect(controlGrid([0.5, 1], [0, 1, 2]).length).toBe(TONES.length * 6);
  });

  it('draws non-crisis states from the env, seeded', () => {
    const a = sampleEnvIntents({ numPersonas: 16 }, 10, new Rng(3));
    expect(a.length).toBe(10);
    expect(sampleEnvIntents({ numPersonas: 16 }, 10, new Rng(3))).toEqual(a);
    for (const i of a) {
      expect(i.crisis).toBeUndefined();
      expect(i.target.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
    }
    expect(() => sampleEnvIntents({}, 0, new Rng(1))).toThrow(/n=0; expected a positive integer/);
  });
});

describe('surrogateFor (rl.surrogate)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'affectlab-surrogate-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const coef = (intercept: number): number[] => SURROGATE_FEATURES.map((f) => (f === 'intercept' ? intercept : 0));
  const cal: SurrogateCalibration = {
    format: CALIBRATION_FORMAT,
    features: [...SURROGATE_FEATURES],
    alignment: coef(0.5),
    quality: coef(0.8),
    fit: { n: 1, r2: { alignment: 1, quality: 1 }, rmse: { alignment: 0, quality: 0 } },
    source: { generator: 'abc123', states: 1, samples: 1, grid: { tones: ['warm'], temperature: [1], emotionWeight: [1] }, ridge: 0 },
  };

  it('loads a saved calibration; a missing or malformed file is a ConfigError/DataError naming it', () => {
    const path = join(tmp, 'surrogate_calibration.json');
    writeFileSync(path, JSON.stringify(cal));
    const got = surrogateFor(parseRlSection({ surrogate: { calibration: path } }), { rng: new Rng(1) });
    expect(got.hook).toBeInstanceOf(CalibratedSurrogate);
    expect(got.note).toMatch(/calibrated, loaded from .*generator abc123/);
    expect(got.hook.generate(intent, { tone: 'warm', temperature: 1, emotionWeight: 1 }, new Rng(1)).quality).toBeCloseTo(0.8, 12);
    expect(() => surrogateFor(parseRlSection({ surrogate: { calibration: join(tmp, 'none.json') } }), { rng: new Rng(1) })).toThrow(ConfigError);
    writeFileSync(path, JSON.stringify({ ...cal, alignment: [1] }));
    expect(() => surrogateFor(parseRlSection({ surrogate: { calibration: path } }), { rng: new Rng(1) })).toThrow(/surrogate_calibration.json: alignment=\[1\]; expected 21 finite coefficients/);
  });

  it('without a generator to fit to, warns and runs the closed form; calibrate=false is quiet', () => {
    const warnings: string[] = [];
    const log = new Logger('warn', 'test', null);
    log.warn = (m: string) => void warnings.push(m);
    const got = surrogateFor(parseRlSection({}), { rng: new Rng(1), log });
    expect(got.hook).toBeInstanceOf(SurrogateGenerator);
    expect(got.calibration).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/rl.surrogate.calibrate=true but this job trains no generator/);
    const off = surrogateFor(parseRlSection({ surrogate: { calibrate: false } }), { rng: new Rng(1), log });
    expect(off.note).toMatch(/closed form \(rl.surrogate.calibrate=false\)/);
    expect(warnings).toHaveLength(1);
    expect(() => parseRlSection({ surrogate: { temperature: [1] } })).toThrow(/rl\.surrogate\.temperature/);
  });
});

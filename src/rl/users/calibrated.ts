import { DataError, show } from '../../core/errors.js';
import { cosine } from '../../core/vector.js';
import type { Controls } from '../../generation/types.js';
import { TONES } from '../../generation/types.js';
import type { Intent } from '../../reasoning/types.js';
import type { Generated, GenerationHook } from './hooks.js';

/**
 * `rl.generator: surrogate` calibrated on a trained generator: a response
 * surface (least-squares fit, see rl/surrogate.ts) that predicts, from the
 * intent and the controls, the two numbers the env takes from a reply: its
 * emotional alignment with the intent's target and its quality. It decodes no
 * text. The emitted emotion trend is one distribution whose cosine with the
 * target is the predicted alignment, so the env's own alignment() reads the
 * prediction back unchanged.
 */

export const CALIBRATION_FORMAT = 'affectlab.surrogate_calibration/1';

/** Names of the response-surface features, in order (tone dummies against `warm`). */
export const SURROGATE_FEATURES = [
  'intercept',
  ...TONES.slice(1).map((t) => `tone=${t}`),
  'temperature',
  'temperature^2',
  'emotion_weight',
  'emotion_weight^2',
  'temperature*emotion_weight',
  'intensity',
  '|polarity|',
  'target_max',
  'target_entropy',
  'emotion_weight*intensity',
  'emotion_weight*target_max',
  'temperature*intensity',
  ...TONES.slice(1).map((t) => `tone=${t}*emotion_weight`),
] as const;

/**
 * Features of one (intent, controls) pair: control main effects up to second
 * order, the intent's shape (intensity, polarity, how peaked the target is),
 * and the control × intent interactions a conditional generator plausibly has
 * (emotion conditioning matters more for peaked, intense targets; tone effects
 * may depend on how strongly emotion is conditioned).
 */
export function surrogateFeatures(intent: Pick<Intent, 'target' | 'intensity' | 'polarity'>, c: Controls): number[] {
  const tone = TONES.indexOf(c.tone);
  if (tone < 0) throw new DataError(`surrogate: controls.tone=${show(c.tone)}; expected one of ${TONES.join(', ')}`);
  const s = intent.target.reduce((a, b) => a + b, 0);
  const t = s > 0 ? intent.target.map((x) => x / s) : intent.target.map(() => 1 / intent.target.length);
  const tmax = Math.max(...t);
  const H = -t.reduce((a, p) => a + (p > 0 ? p * Math.log(p) : 0), 0) / Math.log(Math.max(2, t.length));
  const T = c.temperature;
  const w = c.emotionWeight;
  const dummies = TONES.slice(1).map((_, i) => (tone === i + 1 ? 1 : 0));
  return [1, ...dummies, T, T * T, w, w * w, T * w, intent.intensity, Math.abs(intent.polarity), tmax, H, w * intent.intensity, w * tmax, T * intent.intensity, ...dummies.map((d) => d * w)];
}

/** A fitted surrogate, as saved beside a run (`surrogate_calibration.json`). */
export interface SurrogateCalibration {
  format: typeof CALIBRATION_FORMAT;
  features: string[];
  /** Coefficients predicting the reply's alignment (cosine of its emotion with the target). */
  alignment: number[];
  /** Coefficients predicting the reply's quality. */
  quality: number[];
  /** Goodness of fit on the calibration measurements. */
  fit: { n: number; r2: { alignment: number; quality: number }; rmse: { alignment: number; quality: number } };
  /** What it was fitted on: the generator (its version when known), states, grid and draws per cell. */
  source: { generator: string; states: number; samples: number; grid: { tones: string[]; temperature: number[]; emotionWeight: number[] }; ridge: number };
  /** Held-out ranking check against the generator (rl/surrogate.ts compareGenerationHooks), when run. */
  check?: { states: number; tau: Record<string, { mean: number; std: number; positive: number }>; topAgreement: number; meanRegret: number };
}

/** Validates a calibration read from disk; errors name the file and the field. */
export function parseCalibration(raw: unknown, where: string): SurrogateCalibration {
  const r = raw as Partial<SurrogateCalibration> | null;
  if (r?.format !== CALIBRATION_FORMAT) throw new DataError(`${where}: format ${show(r?.format)}; expected ${show(CALIBRATION_FORMAT)}`);
  const names = [...SURROGATE_FEATURES];
  if (!Array.isArray(r.features) || r.features.join('|') !== names.join('|')) {
    throw new DataError(`${where}: features ${show(r.features)}; expected the ${names.length} features of this version (${names.join(', ')})`);
  }
  for (const key of ['alignment', 'quality'] as const) {
    const v = r[key];
    if (!Array.isArray(v) || v.length !== names.length || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new DataError(`${where}: ${key}=${show(v)}; expected ${names.length} finite coefficients`);
    }
  }
  return r as SurrogateCalibration;
}

const clamp01 = (x: number): number => Math.min(Math.max(x, 0), 1);
const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);

/**
 * A distribution p over the target's classes with cos(p, target) = a: p moves
 * along the segment from the class the target weights least (the least aligned
 * distribution) to the target itself, where the cosine rises monotonically
 * (both ends are non-negative, so the angle to the target shrinks along it);
 * bisection on the mixing weight. Below the segment's lower end p is that class.
 */
export function distributionWithCosine(target: readonly number[], a: number): number[] {
  const s = target.reduce((x, y) => x + y, 0);
  if (!(s > 0) || target.some((x) => !(x >= 0))) throw new DataError(`surrogate: intent.target=${show(target)}; expected non-negative weights with a positive sum`);
  const t = target.map((x) => x / s);
  let k = 0;
  t.forEach((x, i) => (x < t[k] ? (k = i) : 0));
  const at = (lam: number): number[] => t.map((x, i) => lam * x + (1 - lam) * (i === k ? 1 : 0));
  if (a <= cosine(at(0), t)) return at(0);
  if (a >= 1) return t;
  let lo = 0;
  let hi = 1;
  for (let it = 0; it < 50; it++) {
    const mid = (lo + hi) / 2;
    if (cosine(at(mid), t) < a) lo = mid;
    else hi = mid;
  }
  return at((lo + hi) / 2);
}

export class CalibratedSurrogate implements GenerationHook {
  readonly kind = 'surrogate' as const;
  constructor(readonly calibration: SurrogateCalibration) {}

  /** The fitted (alignment, quality), clipped to [0, 1]. */
  predict(intent: Intent, controls: Controls): { alignment: number; quality: number } {
    const x = surrogateFeatures(intent, controls);
    return { alignment: clamp01(dot(this.calibration.alignment, x)), quality: clamp01(dot(this.calibration.quality, x)) };
  }

  generate(intent: Intent, controls: Controls): Generated {
    const { alignment, quality } = this.predict(intent, controls);
    const p = distributionWithCosine(intent.target, alignment);
    return {
      intervention: {
        text: '',
        tokens: [],
        emotionTrend: [p],
        controls,
        safety: { verdict: 'ok', needsHuman: false },
        trace: { generator: 'surrogate', calibrated: this.calibration.source.generator, alignment, quality },
      },
      quality,
    };
  }
}

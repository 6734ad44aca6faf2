import { DataError } from '../../core/errors.js';
import type { Intent } from '../../reasoning/types.js';
import { classValences } from '../../reasoning/valence.js';
import type { GeneratorConfig } from '../config.js';
import type { CorpusEntry } from '../types.js';

/** The part of an Intent that conditions generation. */
export type Condition = Pick<Intent, 'target' | 'intensity' | 'polarity' | 'context'>;

/** [target ⊕ intensity ⊕ polarity ⊕ context?]: the generator's condition vector. */
export function conditionVector(c: Condition, cfg: GeneratorConfig, classes: readonly string[], where = 'intent'): number[] {
  if (c.target.length !== classes.length) {
    throw new DataError(`${where}.target: length ${c.target.length}; expected ${classes.length} (generator classes ${classes.join(', ')})`);
  }
  if (!(c.intensity >= 0 && c.intensity <= 1)) throw new DataError(`${where}.intensity: ${c.intensity}; expected a number in [0, 1]`);
  if (!(c.polarity >= -1 && c.polarity <= 1)) throw new DataError(`${where}.polarity: ${c.polarity}; expected a number in [-1, 1]`);
  const v = [...c.target, c.intensity, c.polarity];
  if (cfg.use_context) {
    if (c.context.length !== cfg.context_dim) {
      throw new DataError(`${where}.context: length ${c.context.length}; expected generator.context_dim=${cfg.context_dim}`);
    }
    v.push(...c.context);
  }
  return v;
}

/**
 * The condition a corpus entry was written for: its emotion label smoothed over
 * the classes (ε/C everywhere, 1 − ε + ε/C on the label), its intensity level's
 * value, the class valence as polarity, and a zero context (the corpus has none).
 */
export function entryCondition(e: CorpusEntry, cfg: GeneratorConfig, classes: readonly string[]): Condition {
  const idx = classes.indexOf(e.emotion);
  if (idx < 0) throw new DataError(`corpus entry ${e.id}: emotion ${JSON.stringify(e.emotion)}; expected one of ${classes.join(', ')}`);
  const eps = cfg.target_smoothing;
  const C = classes.length;
  const target = classes.map((_, i) => (i === idx ? 1 - eps + eps / C : eps / C));
  const intensity = cfg.intensity_levels[e.intensity];
  if (intensity === undefined) throw new DataError(`corpus entry ${e.id}: intensity ${JSON.stringify(e.intensity)}; expected low, medium or high`);
  const polarity = classValences([e.emotion], cfg.class_valence, 'generator.class_valence')[0];
  return { target, intensity, polarity, context: new Array<number>(cfg.use_context ? cfg.context_dim : 0).fill(0) };
}

/** The intent a corpus entry stands for (its emotion, the smoothed target, intensity and polarity; no context). */
export function entryIntent(e: CorpusEntry, cfg: GeneratorConfig, classes: readonly string[]): Intent {
  const c = entryCondition(e, cfg, classes);
  return { emotion: e.emotion, emotionIndex: classes.indexOf(e.emotion), target: c.target, intensity: c.intensity, polarity: c.polarity, context: [] };
}

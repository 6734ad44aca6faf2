import { DataError, show } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { ModalityName, Sample } from '../../data/types.js';
import { disposeBatch, makeBatch, type PerceptionItem } from '../../perception/fusion/batch.js';
import type { FusionModel, ModalityDims } from '../../perception/fusion/types.js';
import { predictEmotion } from '../../perception/model.js';
import type { EmotionVector } from '../../perception/types.js';
import { DEFAULT_CLASSES, type PerceptionHook } from './hooks.js';

/**
 * `rl.intervention.perception: trained`: the trained perception model reads
 * each rendered sample exactly as it was trained to, through `featurize`
 * (the training run's own feature extraction, alignment and normalisation,
 * passed in by whoever trained the model, so this hook never re-implements
 * them), then one forward pass.
 *
 * The env's emotion space is its own classes (`envClasses`); the model may
 * know more (SynAffect's ekman7 ⊃ the env's five). Its probabilities are
 * restricted to the env's classes and renormalised: the model's posterior
 * given that the user shows one of the env's emotions, which is what the
 * SynAffect emitter renders. Every env class must be one of the model's.
 */
export interface TrainedPerceptionOptions {
  model: FusionModel;
  /** The model's class names, in its output order. */
  modelClasses: readonly string[];
  /** Sample → standardised features on the model's timeline, or null when no modality the model uses is present. */
  featurize: (sample: Sample) => PerceptionItem | null;
  modalities: readonly ModalityName[];
  dims: ModalityDims;
  /** Timeline steps the model was trained on (longer items are kept whole, as in the RT path). */
  T: number;
  envClasses?: readonly string[];
  log?: Logger;
}

export interface TrainedPerceptionStats {
  perceived: number;
  /** Samples with none of the model's modalities: perceived as the uniform prior (counted, logged once). */
  unreadable: number;
  forwards: number;
}

export class TrainedPerception implements PerceptionHook<Sample> {
  readonly classes: string[];
  readonly stats: TrainedPerceptionStats = { perceived: 0, unreadable: 0, forwards: 0 };
  private readonly index: number[];

  constructor(readonly opts: TrainedPerceptionOptions) {
    this.classes = [...(opts.envClasses ?? DEFAULT_CLASSES)];
    if (opts.modelClasses.length !== opts.model.nClasses) {
      throw new DataError(`TrainedPerception: modelClasses has ${opts.modelClasses.length} names for a model with ${opts.model.nClasses} classes`);
    }
    this.index = this.classes.map((c) => {
      const k = opts.modelClasses.indexOf(c);
      if (k < 0) throw new DataError(`TrainedPerception: env class ${show(c)} is not one of the model's classes [${opts.modelClasses.join(', ')}]; expected the model to know every env class`);
      return k;
    });
  }

  perceive(signal: Sample): EmotionVector {
    return this.perceiveBatch([signal])[0];
  }

  /** One forward pass for all the samples (a vector env's sub-envs, an evaluation batch). */
  perceiveBatch(samples: readonly Sample[]): EmotionVector[] {
    const items: PerceptionItem[] = [];
    const slot: number[] = [];
    for (const s of samples) {
      const it = this.opts.featurize(s);
      if (it) {
        slot.push(items.length);
        items.push(it);
      } else {
        slot.push(-1);
        if (this.stats.unreadable++ === 0) this.opts.log?.warn(`TrainedPerception: sample ${s.id} has none of [${this.opts.modalities}]; perceived as the uniform prior (further ones only counted)`);
      }
    }
    let evs: EmotionVector[] = [];
    if (items.length > 0) {
      const T = Math.max(this.opts.T, ...items.flatMap((it) => Object.values(it.features).map((f) => f!.T)));
      const batch = makeBatch(items, this.opts.modalities, this.opts.dims, T);
      try {
        evs = predictEmotion(this.opts.model, batch, [...this.opts.modelClasses]);
      } finally {
        disposeBatch(batch);
      }
      this.stats.forwards++;
    }
    this.stats.perceived += samples.length;
    return slot.map((k) => (k < 0 ? this.prior() : this.restrict(evs[k])));
  }

  private restrict(ev: EmotionVector): EmotionVector {
    const p = this.index.map((k) => ev.probs[k]);
    const z = p.reduce((a, b) => a + b, 0);
    const clamp = (x: number): number => Math.min(Math.max(x, -1), 1);
    return {
      ...ev,
      classes: [...this.classes],
      probs: z > 0 ? p.map((x) => x / z) : p.map(() => 1 / p.length),
      arousal: clamp(ev.arousal),
      valence: clamp(ev.valence),
    };
  }

  private prior(): EmotionVector {
    const C = this.classes.length;
    return { classes: [...this.classes], probs: new Array<number>(C).fill(1 / C), arousal: 0, valence: 0, embedding: [], modalities: [] };
  }
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Dataset, DatasetInfo, Sample, SampleMeta } from '../types.js';
import { onErrorSchema, Problems, qualities, requirePath } from './common.js';
import { hashConfig } from '../hash.js';
import { isNdArray, unpickle, type NdArray } from './numpy_pickle.js';

/**
 * DEAP (Koelstra et al. 2012), `data_preprocessed_python/sNN.dat`: per subject a
 * pickled dict with `data` (40 trials × 40 channels × 8064 samples at 128 Hz,
 * the first 3 s a pre-trial baseline) and `labels` (40 × 4: valence, arousal,
 * dominance, liking on 1–9).
 */
export const deapSchema = z.strictObject({
  name: z.literal('deap'),
  path: z.string().min(1).nullable().default(null),
  /** Subject numbers to load (1-based); null = every sNN.dat present. */
  subjects: z.array(z.number().int().positive()).nullable().default(null),
  /** The class label: binary high/low valence or arousal, or the four valence × arousal quadrants. */
  target: z.enum(['valence', 'arousal', 'quadrant']).default('valence'),
  /** Ratings above the threshold are "high" (Koelstra et al.: 5 on the 1–9 scale). */
  threshold: z.number().min(1).max(9).default(5),
  sampleRate: z.number().positive().default(128),
  /** Seconds of pre-trial baseline at the start of every trial, dropped unless keepBaseline. */
  baselineS: z.number().min(0).default(3),
  keepBaseline: z.boolean().default(false),
  /** 1-based channel numbers (DEAP: 37 GSR, 39 plethysmograph). */
  gsrChannel: z.number().int().positive().default(37),
  ppgChannel: z.number().int().positive().default(39),
  /** Shape of `data` [trials, channels, samples]; only tests and trimmed copies change it. */
  expectShape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]).default([40, 40, 8064]),
  onError: onErrorSchema,
});
export type DeapConfig = z.infer<typeof deapSchema>;

interface Trial {
  subject: string;
  file: string;
  trial: number;
  ratings: [number, number, number, number];
}

const CLASS_SETS = {
  valence: ['low_valence', 'high_valence'],
  arousal: ['low_arousal', 'high_arousal'],
  quadrant: ['LVLA', 'LVHA', 'HVLA', 'HVHA'],
};

export class DeapDataset implements Dataset {
  readonly info: DatasetInfo;
  readonly size: number;
  private readonly trials: Trial[] = [];
  private loaded: { file: string; data: NdArray } | undefined;

  constructor(
    readonly config: DeapConfig,
    log: Logger,
  ) {
    const root = join(requirePath('deap', config.path), 'data_preprocessed_python');
    if (!existsSync(root)) throw new DataError(`${root}: not found (expected DEAP's data_preprocessed_python/ folder with s01.dat ... s32.dat under dataset.path)`);
    const files = readdirSync(root)
      .filter((f) => /^s\d\d\.dat$/.test(f))
      .sort()
      .filter((f) => config.subjects === null || config.subjects.includes(Number(f.slice(1, 3))));
    if (files.length === 0) throw new DataError(`${root}: no sNN.dat files${config.subjects ? ` for subjects ${config.subjects.join(', ')}` : ''}`);
    const problems = new Problems('deap', config.onError, log);
    // Labels are read up front (one subject in memory at a time) so meta(i) is cheap.
    for (const f of files) {
      try {
        const { labels } = this.parse(join(root, f));
        for (let t = 0; t < labels.shape[0]; t++) {
          const r = Array.from(labels.data.slice(t * 4, t * 4 + 4), Number) as Trial['ratings'];
          r.forEach((v, k) => {
            if (!(v >= 1 && v <= 9)) throw new DataError(`${join(root, f)}: labels[${t}][${k}] = ${v}, expected a rating in [1, 9]`);
          });
          this.trials.push({ subject: f.slice(0, 3), file: join(root, f), trial: t, ratings: r });
        }
      } catch (err) {
        problems.report(err);
      }
    }
    problems.summary(files.length);
    this.size = this.trials.length;
    this.info = { name: 'deap', classes: [...CLASS_SETS[config.target]], modalities: ['physio'], fingerprint: hashConfig({ config, n: this.size }) };
    log.info(`deap: ${this.size} trials from ${files.length - problems.skipped.length} subject(s), target ${config.target}`);
  }

  private parse(file: string): { data: NdArray; labels: NdArray } {
    let obj: unknown;
    try {
      obj = unpickle(readFileSync(file));
    } catch (err) {
      throw new DataError(`${file}: not a readable DEAP pickle (${(err as Error).message})`);
    }
    const o = obj as Record<string, unknown>;
    if (!o || typeof o !== 'object' || !isNdArray(o.data) || !isNdArray(o.labels)) {
      throw new DataError(`${file}: expected a dict with numpy arrays "data" and "labels", found keys ${o && typeof o === 'object' ? Object.keys(o).join(', ') : typeof o}`);
    }
    const [T, C, N] = this.config.expectShape;
    const ds = o.data.shape;
    if (ds.length !== 3 || ds[0] !== T || ds[1] !== C || ds[2] !== N) {
      throw new DataError(`${file}: field "data" has shape [${ds.join(', ')}], expected [${T}, ${C}, ${N}] (trials, channels, samples; set dataset.expectShape for trimmed copies)`);
    }
    const ls = o.labels.shape;
    if (ls.length !== 2 || ls[0] !== T || ls[1] !== 4) throw new DataError(`${file}: field "labels" has shape [${ls.join(', ')}], expected [${T}, 4] (valence, arousal, dominance, liking)`);
    for (const ch of [this.config.gsrChannel, this.config.ppgChannel]) {
      if (ch > C) throw new DataError(`${file}: channel ${ch} (1-based) requested but "data" has ${C} channels`);
    }
    return { data: o.data, labels: o.labels };
  }

  private classOf(r: Trial['ratings']): number {
    const hv = r[0] > this.config.threshold ? 1 : 0;
    const ha = r[1] > this.config.threshold ? 1 : 0;
    if (this.config.target === 'valence') return hv;
    if (this.config.target === 'arousal') return ha;
    return hv * 2 + ha;
  }

  meta(i: number): SampleMeta {
    const t = this.trials[i];
    if (!t) throw new RangeError(`deap: sample index ${i} out of range [0, ${this.size})`);
    return { id: `${t.subject}_t${String(t.trial + 1).padStart(2, '0')}`, classIndex: this.classOf(t.ratings), speaker: t.subject, group: t.subject };
  }

  get(i: number): Sample {
    const t = this.trials[i];
    const m = this.meta(i);
    // One subject's array stays decoded: iterating in order parses each file once.
    if (this.loaded?.file !== t.file) this.loaded = { file: t.file, data: this.parse(t.file).data };
    const { data } = this.loaded;
    const [, C, N] = data.shape;
    const skip = this.config.keepBaseline ? 0 : Math.round(this.config.baselineS * this.config.sampleRate);
    if (skip >= N) throw new DataError(`${t.file}: baseline of ${skip} samples leaves nothing of ${N}-sample trials (check dataset.baselineS)`);
    const channel = (ch1: number) => {
      const off = (t.trial * C + (ch1 - 1)) * N;
      return Float32Array.from(data.data.subarray(off + skip, off + N) as Float64Array);
    };
    const scale = (x: number) => (x - 5) / 4; // 1–9 → [-1, 1], midpoint 5
    const [v, a, d, l] = t.ratings;
    return {
      id: m.id,
      dataset: 'deap',
      speaker: t.subject,
      durationS: (N - skip) / this.config.sampleRate,
      labels: { classIndex: m.classIndex, className: this.info.classes[m.classIndex], arousal: scale(a), valence: scale(v), dominance: scale(d) },
      physio: { sampleRate: this.config.sampleRate, channels: { ppg: channel(this.config.ppgChannel), gsr: channel(this.config.gsrChannel) } },
      quality: qualities({ physio: true }),
      meta: { subject: t.subject, trial: t.trial + 1, valence: v, arousal: a, dominance: d, liking: l },
    };
  }
}

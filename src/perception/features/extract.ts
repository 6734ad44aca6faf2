import { DataError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import type { ModalityName, Sample, VideoFrames } from '../../data/types.js';
import type { SampleFeatures } from '../types.js';
import type { FeaturesSection } from './config.js';
import { faceDescriptorSequence } from './face_descriptor.js';
import { physioFeatures } from './physio.js';
import { speechFeatures, type SpeechConfig } from './speech.js';
import { HashWordTokenizer, textFeatures, type TextTokenizer } from './text.js';
import { sampleAtFps } from './voting.js';

/** Counters a caller can keep across a dataset: nothing is skipped silently. */
export interface FeatureStats {
  samples: number;
  /** Modalities skipped because the sample marks them missing. */
  missing: Record<ModalityName, number>;
  /** Modalities present but yielding no frames (no face in any frame, empty transcript). */
  empty: Record<ModalityName, number>;
  faceFramesExcluded: number;
  faceFramesSubsampledAway: number;
  physioWindowsFilled: number;
}

export function newFeatureStats(): FeatureStats {
  const zero = (): Record<ModalityName, number> => ({ audio: 0, face: 0, physio: 0, text: 0 });
  return { samples: 0, missing: zero(), empty: zero(), faceFramesExcluded: 0, faceFramesSubsampledAway: 0, physioWindowsFilled: 0 };
}

export interface FeatureContext {
  /** The generator's tokenizer (required when `text.tokenizer` is `generator`). */
  tokenizer?: TextTokenizer;
  log?: Logger;
  stats?: FeatureStats;
}

export function speechConfigFrom(cfg: FeaturesSection['audio']): SpeechConfig {
  const { enabled: _enabled, ...rest } = cfg;
  return rest;
}

const hashTokenizers = new Map<string, HashWordTokenizer>();

/**
 * Runs the configured extractors on the modalities the sample has (quality
 * other than `missing`); an absent key in the result means the modality is
 * missing or yielded nothing (counted in `ctx.stats`, logged at debug).
 */
export function extractFeatures(sample: Sample, cfg: FeaturesSection, ctx: FeatureContext = {}): SampleFeatures {
  const log = ctx.log ?? silentLogger;
  const stats = ctx.stats;
  if (stats) stats.samples++;
  const out: SampleFeatures = {};
  const where = `sample ${JSON.stringify(sample.id)}`;
  const present = (m: ModalityName, data: unknown): boolean => {
    if (sample.quality[m] === 'missing') {
      if (stats) stats.missing[m]++;
      return false;
    }
    if (data === undefined) throw new DataError(`${where}: quality.${m} is ${JSON.stringify(sample.quality[m])} but the ${m} data is absent; expected data or quality "missing"`);
    return true;
  };
  const empty = (m: ModalityName, why: string) => {
    if (stats) stats.empty[m]++;
    log.debug(`${where}: ${m} yields no frames (${why}); treated as missing`);
  };

  if (cfg.audio.enabled && present('audio', sample.audio)) {
    out.audio = speechFeatures(sample.audio!, speechConfigFrom(cfg.audio), `${where} audio`);
    if (out.audio.times.length === 0) {
      delete out.audio;
      empty('audio', 'no samples');
    }
  }

  if (cfg.physio.enabled && present('physio', sample.physio)) {
    const { enabled: _e, ...pcfg } = cfg.physio;
    const r = physioFeatures(sample.physio!, pcfg, `${where} physio`, log);
    out.physio = r.features;
    if (stats) stats.physioWindowsFilled += r.windowsFilled;
  }

  if (cfg.face.enabled && present('face', sample.video)) {
    let video: VideoFrames = sample.video!;
    if (cfg.face.sampleFps !== null) {
      const keep = sampleAtFps(video.times, cfg.face.sampleFps);
      if (stats) stats.faceFramesSubsampledAway += video.frames.length - keep.length;
      video = {
        ...video,
        frames: keep.map((i) => video.frames[i]),
        times: Float32Array.from(keep, (i) => video.times[i]),
        facePresent: video.facePresent ? keep.map((i) => video.facePresent![i]) : undefined,
      };
    }
    const r = faceDescriptorSequence(video, { kind: cfg.face.descriptor, size: cfg.face.size, cells: cfg.face.cells, bins: cfg.face.bins }, cfg.face.excludeNoFace, `${where} video`);
    if (stats) stats.faceFramesExcluded += r.excluded;
    if (r.features) out.face = r.features;
    else empty('face', `all ${video.frames.length} frames show no face`);
  }

  if (cfg.text.enabled && present('text', sample.transcript)) {
    let tok: TextTokenizer | undefined;
    if (cfg.text.tokenizer === 'generator') {
      tok = ctx.tokenizer;
      if (!tok) {
        throw new DataError(
          'perception.features.text.tokenizer is "generator" but no tokenizer was passed to extractFeatures; pass the generator\'s tokenizer or set tokenizer: hash',
        );
      }
    } else {
      const key = `${cfg.text.vocabSize}/${cfg.text.lowercase}`;
      tok = hashTokenizers.get(key) ?? new HashWordTokenizer(cfg.text.vocabSize, cfg.text.lowercase);
      hashTokenizers.set(key, tok as HashWordTokenizer);
    }
    const seq = textFeatures(sample.transcript!, sample.durationS, tok, `${where} transcript`);
    if (seq) out.text = seq;
    else empty('text', 'no words');
  }
  return out;
}

/**
 * The plain-data contract between datasets and everything downstream.
 * Conventions (every loader converts to them, keeping native values in `meta`):
 * - arousal and valence lie in [-1, 1] with 0 the scale midpoint (SIM centres there);
 * - audio is mono float PCM in [-1, 1]; video frames are 8-bit grayscale, row-major;
 * - times are seconds from the start of the sample.
 */
export type ModalityName = 'audio' | 'face' | 'physio' | 'text';
export const MODALITIES: readonly ModalityName[] = ['audio', 'face', 'physio', 'text'];

/** Per-sample, per-modality condition; ground truth on SynAffect, `missing` or `clean` on real data. */
export type ModalityQuality = 'clean' | 'degraded' | 'missing';

export interface AudioSignal {
  sampleRate: number;
  pcm: Float32Array;
}

export interface VideoFrames {
  fps: number;
  width: number;
  height: number;
  /** One Uint8Array of width*height grayscale pixels per frame. */
  frames: Uint8Array[];
  /** Frame times in seconds. */
  times: Float32Array;
  /** Ground truth where known (SynAffect): whether each frame shows a face. */
  facePresent?: boolean[];
}

export interface PhysioSignal {
  sampleRate: number;
  /** Named channels: `ecg` or `ppg`, `gsr`; loaders may add others. */
  channels: Record<string, Float32Array>;
}

export interface Labels {
  classIndex: number;
  className: string;
  /** [-1, 1], 0 = scale midpoint. */
  arousal: number;
  /** [-1, 1], 0 = scale midpoint. */
  valence: number;
  dominance?: number;
  /** [0, 1] where the dataset knows it. */
  intensity?: number;
}

/** A monotone map from a modality's own clock to the true emotion timeline, sampled. */
export interface TimeWarp {
  /** Times on the modality's clock (s). */
  t: Float32Array;
  /** Corresponding true-timeline times (s). */
  tau: Float32Array;
}

/** Marker trajectories: `values` is frames × (markers × 3), row-major, in the corpus's units (IEMOCAP: mm). */
export interface MotionCapture {
  fps: number;
  markers: string[];
  times: Float32Array;
  values: Float32Array;
}

/** Ground truth that only a simulator knows. */
export interface SynthTruth {
  /** The true emotion trajectory (onset, apex, offset) on the true timeline. */
  timeline: { t: Float32Array; arousal: Float32Array; valence: Float32Array; intensity: Float32Array };
  warps: Partial<Record<ModalityName, TimeWarp>>;
  speakerBaseline?: Record<string, number>;
}

export interface Sample {
  id: string;
  dataset: string;
  /** Speaker or subject id: the group for leave-one-group-out splits. */
  speaker: string;
  /** Conversation id and turn index where the dataset has dialogues. */
  dialogue?: string;
  turn?: number;
  durationS: number;
  labels: Labels;
  audio?: AudioSignal;
  video?: VideoFrames;
  physio?: PhysioSignal;
  transcript?: string;
  quality: Record<ModalityName, ModalityQuality>;
  truth?: SynthTruth;
  /** Facial motion capture where the corpus has it (IEMOCAP). */
  mocap?: MotionCapture;
  meta?: Record<string, unknown>;
}

/** What splits and caches need, without decoding or rendering the signals. */
export interface SampleMeta {
  id: string;
  classIndex: number;
  speaker: string;
  dialogue?: string;
  /** An optional predefined partition (e.g. MELD train/dev/test). */
  partition?: string;
  /** The natural group for leave-one-group-out splits (IEMOCAP session, DEAP subject, SynAffect speaker); defaults to `speaker`. */
  group?: string;
}

export interface DatasetInfo {
  name: string;
  classes: string[];
  modalities: ModalityName[];
  /** Identifies the content (config, seed, source): equal fingerprints mean equal samples. Feature caches key on it. */
  fingerprint?: string;
}

/** Random access, lazily materialised: `get(i)` builds one sample; nothing holds the whole corpus. */
export interface Dataset {
  readonly info: DatasetInfo;
  readonly size: number;
  meta(i: number): SampleMeta;
  get(i: number): Sample;
}

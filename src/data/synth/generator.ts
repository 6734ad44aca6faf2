import type { Rng } from '../../core/rng.js';
import type { Dataset, DatasetInfo, ModalityName, ModalityQuality, Sample, SampleMeta, TimeWarp } from '../types.js';
import { MODALITIES } from '../types.js';
import type { SynAffectConfig } from './config.js';
import { EMOTIONS, LABEL_PRESETS, type EmotionName } from './presets.js';
import { makeSpeaker, speakerBaseline, type Speaker } from './speaker.js';
import { makeTimeline, makeWarp } from './timeline.js';
import { synthVoice } from './audio.js';
import { synthFace } from './face.js';
import { synthPhysio } from './physio.js';
import { synthTranscript } from './text.js';
import { hashConfig } from '../hash.js';

interface Dialogue {
  speakers: [number, number];
  classes: number[];
}

/**
 * SynAffect: a seeded, lazily generated multimodal corpus with ground truth.
 * Sample i lives in dialogue floor(i / dialogueLength); the dialogue's two
 * speakers and its emotion chain come from the dialogue's own stream (cheap,
 * so `meta(i)` renders nothing), and every signal of sample i comes from
 * `rng.fork(i)`, so a sample never depends on which others were generated.
 */
export class SynAffectDataset implements Dataset {
  readonly info: DatasetInfo;
  readonly size: number;
  readonly classes: EmotionName[];
  private readonly speakers: Speaker[];
  private readonly transition: number[][];
  private readonly stationary: number[];
  private cached: { d: number; dlg: Dialogue } | undefined;

  constructor(
    readonly config: SynAffectConfig,
    private readonly rng: Rng,
  ) {
    this.classes = [...LABEL_PRESETS[config.preset]];
    this.size = config.n;
    this.info = {
      name: 'synaffect',
      classes: [...this.classes],
      modalities: MODALITIES.filter((m) => config.modalities.includes(m)),
      fingerprint: hashConfig({ config, seed: rng.seed }),
    };
    this.speakers = Array.from({ length: config.speakers }, (_, k) => makeSpeaker(rng, k));
    const k = this.classes.length;
    const w = config.classWeights ?? new Array<number>(k).fill(1);
    const tot = w.reduce((a, b) => a + b, 0);
    this.stationary = w.map((x) => x / tot);
    // Stay with probability p, otherwise redraw from the base mix: the base mix is the chain's stationary distribution.
    const p = config.emotionPersistence;
    this.transition = this.classes.map((_, i) => this.stationary.map((s, j) => (1 - p) * s + (i === j ? p : 0)));
  }

  private dialogue(d: number): Dialogue {
    if (this.cached?.d === d) return this.cached.dlg;
    const r = this.rng.fork(`dialogue:${d}`);
    const a = r.int(this.speakers.length);
    let b = r.int(this.speakers.length - 1);
    if (b >= a) b++;
    const classes: number[] = [];
    let c = r.categorical(this.stationary);
    for (let t = 0; t < this.config.dialogueLength; t++) {
      if (t > 0) c = r.categorical(this.transition[c]);
      classes.push(c);
    }
    const dlg: Dialogue = { speakers: [a, b], classes };
    this.cached = { d, dlg };
    return dlg;
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new RangeError(`synaffect: sample index ${i} out of range [0, ${this.size})`);
  }

  meta(i: number): SampleMeta {
    this.check(i);
    const L = this.config.dialogueLength;
    const d = Math.floor(i / L);
    const turn = i % L;
    const dlg = this.dialogue(d);
    const speaker = this.speakers[dlg.speakers[turn % 2]].id;
    return { id: sampleId(i), classIndex: dlg.classes[turn], speaker, dialogue: `dlg${String(d).padStart(5, '0')}`, group: speaker };
  }

  /** The transition matrix of the dialogue emotion chain (rows sum to 1): ground truth for context models and simulated users. */
  transitionMatrix(): number[][] {
    return this.transition.map((r) => [...r]);
  }

  get(i: number): Sample {
    const m = this.meta(i);
    const c = this.config;
    const L = c.dialogueLength;
    const sp = this.speakers[this.dialogue(Math.floor(i / L)).speakers[(i % L) % 2]];
    const r = this.rng.fork(i);
    const name = this.classes[m.classIndex];
    const proto = EMOTIONS[name];
    const durationS = Math.round(r.uniform(c.durationS[0], c.durationS[1]) * 100) / 100;
    const intensity = r.uniform(c.intensity[0], c.intensity[1]);
    const clamp1 = (x: number) => Math.max(-1, Math.min(1, x));
    const arousal = clamp1(intensity * proto.arousal + r.normal(0, c.avNoise));
    const valence = clamp1(intensity * proto.valence + r.normal(0, c.avNoise));
    return renderSample(r, c, sp, {
      id: m.id,
      speaker: m.speaker,
      dialogue: m.dialogue,
      turn: i % L,
      durationS,
      labels: { classIndex: m.classIndex, className: name, arousal, valence, intensity },
    });
  }
}

/** What `renderSample` renders: the sample's identity and labels (its arousal/valence are the timeline's apex). */
export interface RenderSpec {
  id: string;
  speaker: string;
  dialogue?: string;
  turn?: number;
  durationS: number;
  labels: { classIndex: number; className: EmotionName; arousal: number; valence: number; intensity: number };
}

/**
 * Renders every signal of one sample from its labels: the emotion timeline,
 * per-modality quality and time warps, then voice, face frames, physiology and
 * transcript, each from its own fork of `r`. `SynAffectDataset.get` draws the
 * labels and calls this; the RL env's SynAffect emitter calls it with labels
 * derived from a simulated user's hidden state.
 */
export function renderSample(r: Rng, c: SynAffectConfig, sp: Speaker, spec: RenderSpec): Sample {
  const { durationS } = spec;
  const { arousal, valence, intensity, className: name } = spec.labels;
  const proto = EMOTIONS[name];
  const tl = makeTimeline(r.fork('timeline'), durationS, arousal, valence, intensity);
  const qr = r.fork('quality');
  const quality = {} as Record<ModalityName, ModalityQuality>;
  for (const mod of MODALITIES) {
    const u = qr.next();
    quality[mod] = !c.modalities.includes(mod) || u < c.missingRate[mod] ? 'missing' : u < c.missingRate[mod] + c.degradedRate[mod] ? 'degraded' : 'clean';
  }
  const warps: Partial<Record<ModalityName, TimeWarp>> = {};
  for (const mod of ['audio', 'face', 'physio'] as const) {
    // Drawn for every modality (present or not) so that a modality's warp never depends on another's quality.
    const wp = makeWarp(r.fork(`warp:${mod}`), durationS, c.maxOffsetS, c.warpStrength);
    if (quality[mod] !== 'missing') warps[mod] = wp;
  }
  const sample: Sample = {
    id: spec.id,
    dataset: 'synaffect',
    speaker: spec.speaker,
    dialogue: spec.dialogue,
    turn: spec.turn,
    durationS,
    labels: { ...spec.labels },
    quality,
    truth: { timeline: { t: tl.t, arousal: tl.arousal, valence: tl.valence, intensity: tl.intensity }, warps, speakerBaseline: speakerBaseline(sp) },
    meta: { preset: c.preset, onset: tl.onset, apexStart: tl.apexStart, apexEnd: tl.apexEnd, offsetEnd: tl.offsetEnd },
  };
  if (quality.audio !== 'missing') {
    sample.audio = synthVoice(r.fork('audio'), sp, proto, tl, warps.audio!, {
      sampleRate: c.audioRate,
      durationS,
      snrDb: quality.audio === 'degraded' ? c.degradedSnrDb : c.snrDb,
      peakIntensity: intensity,
    });
  }
  if (quality.face !== 'missing') {
    sample.video = synthFace(r.fork('face'), sp, proto, tl, warps.face!, {
      width: c.frameSize[0],
      height: c.frameSize[1],
      fps: c.fps,
      durationS,
      noFaceRate: c.noFaceRate,
      degradedNoFaceRate: c.degradedNoFaceRate,
      degraded: quality.face === 'degraded',
      peakIntensity: intensity,
    });
  }
  if (quality.physio !== 'missing') {
    sample.physio = synthPhysio(r.fork('physio'), sp, tl, warps.physio!, { sampleRate: c.physioRate, durationS, cardiac: c.cardiac, degraded: quality.physio === 'degraded', peakIntensity: intensity });
  }
  if (quality.text !== 'missing') {
    const tr = synthTranscript(r.fork('text'), name, intensity, quality.text === 'degraded' ? c.degradedAsrErrorRate : c.asrErrorRate);
    sample.transcript = tr.text;
    sample.meta!.textCue = tr.cue;
    sample.meta!.asrErrors = tr.asrErrors;
  }
  return sample;
}

export function sampleId(i: number): string {
  return `syn${String(i).padStart(6, '0')}`;
}

import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { ConfigError, DataError, UnavailableError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { Rng } from '../../src/core/rng.js';
import { createDataset, holdoutSplit, type Sample } from '../../src/data/index.js';
import { trainedPerceptionHooks } from '../../src/experiments/jobs/pipeline_rl.js';
import { HashedTokenEmbedding, normalizeItem, parsePerceptionSection, prepareFeatures, prepareSample, splitSets, type PreparedData, type SplitSets } from '../../src/perception/pipeline.js';
import { detectCrisis } from '../../src/generation/safety/crisis.js';
import type { FusionModel } from '../../src/perception/fusion/types.js';
import { createPerceptionModel, parsePerceptionTrainConfig } from '../../src/perception/model.js';
import { trainPerception } from '../../src/perception/train.js';
import { parseRlSection } from '../../src/rl/config.js';
import { InterventionEnv, type InterventionAction } from '../../src/rl/envs/intervention.js';
import { runInterventionExperiment } from '../../src/rl/intervention_eval.js';
import { DEFAULT_CLASSES } from '../../src/rl/users/hooks.js';
import { samplePopulation, type PersonaState } from '../../src/rl/users/persona.js';
import { CRISIS_PHRASES, SynAffectEmitter } from '../../src/rl/users/synaffect_emitter.js';
import { TrainedPerception } from '../../src/rl/users/trained_perception.js';

/** Short utterances keep rendering and feature extraction cheap; everything else is SynAffect's default. */
const DATASET = { name: 'synaffect' as const, n: 70, durationS: [1.5, 2] as [number, number], seed: 7 };
const MODALITIES = ['audio', 'face', 'physio'] as const;
const state = (valence: number, arousal: number, turn = 0): PersonaState => ({ valence, arousal, engagement: 0.8, turn });
const act = (tone: number): InterventionAction => ({ tone, temperature: Float32Array.of(0.8), emotionWeight: Float32Array.of(1) });

describe('SynAffectEmitter', () => {
  const em = new SynAffectEmitter({ dataset: DATASET, seed: 1 });
  const persona = samplePopulation(2, new Rng('pop'));

  it('renders a hidden state on a class prototype as that class, with the state as its labels and timeline apex', () => {
    // SynAffect prototypes (data/synth/presets.ts, [valence, arousal]): happy (0.8, 0.5), sad (-0.7, -0.6),
    // angry (-0.6, 0.8), fearful (-0.7, 0.7). A state at 0.8 × the prototype is that class at intensity 0.8.
    const cases: [string, number, number][] = [
      ['happy', 0.64, 0.4],
      ['sad', -0.56, -0.48],
      ['angry', -0.48, 0.64],
      ['fearful', -0.56, 0.56],
    ];
    for (const [name, v, a] of cases) {
      const s = em.emit({ state: state(v, a), crisis: false, persona: persona[0] }, new Rng(`emit/${name}`));
      expect(s.labels.className).toBe(name);
      expect(DEFAULT_CLASSES[s.labels.classIndex]).toBe(name);
      expect(s.labels.intensity).toBeCloseTo(0.8, 6);
      expect(s.labels.valence).toBeCloseTo(v, 6);
      expect(s.labels.arousal).toBeCloseTo(a, 6);
      // The envelope reaches 1 at the apex: the true timeline peaks at the hidden state.
      const tl = s.truth!.timeline;
      expect(Math.max(...Array.from(tl.valence, Math.abs))).toBeCloseTo(Math.abs(v), 5);
      expect(Math.max(...Array.from(tl.arousal, Math.abs))).toBeCloseTo(Math.abs(a), 5);
      expect(s.durationS).toBeGreaterThanOrEqual(1.5);
      expect(s.durationS).toBeLessThanOrEqual(2);
      // Present modalities carry real signals of the right size (16 kHz audio, 1 fps 48×48 frames, 128 Hz physiology).
      if (s.audio) expect(s.audio.pcm.length).toBeGreaterThanOrEqual(Math.floor(1.5 * 16000));
      if (s.video) expect(s.video.frames[0].length).toBe(48 * 48);
      if (s.physio) expect(s.physio.channels.gsr.length).toBeGreaterThanOrEqual(Math.floor(1.5 * 128));
    }
    // Near the origin every non-neutral segment (intensity ≥ 0.4) is farther than the origin itself.
    const n = em.emit({ state: state(0.05, -0.04), crisis: false, persona: persona[0] }, new Rng('emit/neutral'));
    expect(n.labels.className).toBe('neutral');
    expect(n.labels.intensity).toBeGreaterThanOrEqual(0.4);
    // Beyond the far end of a segment the intensity is clipped to the range's top.
    expect(em.emotionFor(0.95, 0.6, new Rng(0))).toMatchObject({ className: 'happy', intensity: 1 });
  });

  it('is seeded: same stream, same sample; each persona keeps one speaker across turns', () => {
    const a = em.emit({ state: state(-0.5, 0.2, 3), crisis: false, persona: persona[0] }, new Rng(11));
    const b = em.emit({ state: state(-0.5, 0.2, 3), crisis: false, persona: persona[0] }, new Rng(11));
    const c = em.emit({ state: state(-0.5, 0.2, 3), crisis: false, persona: persona[0] }, new Rng(12));
    expect(b).toEqual(a);
    expect(c.durationS === a.durationS && c.truth!.warps.audio?.tau[1] === a.truth!.warps.audio?.tau[1]).toBe(false);
    const later = em.emit({ state: state(0.3, 0.1, 4), crisis: false, persona: persona[0] }, new Rng(13));
    const other = em.emit({ state: state(-0.5, 0.2, 3), crisis: false, persona: persona[1] }, new Rng(11));
    expect(later.truth!.speakerBaseline).toEqual(a.truth!.speakerBaseline);
    expect(other.truth!.speakerBaseline).not.toEqual(a.truth!.speakerBaseline);
    // One draw of the caller's stream per turn: consecutive turns on one stream render different signals.
    const r = new Rng(5);
    const t1 = em.emit({ state: state(0.5, 0.3), crisis: false, persona: persona[0] }, r);
    const t2 = em.emit({ state: state(0.5, 0.3), crisis: false, persona: persona[0] }, r);
    expect(t2.truth!.timeline.t.length === t1.truth!.timeline.t.length && t2.meta!.onset === t1.meta!.onset).toBe(false);
  });

  it('a crisis turn says something the safety rules flag', () => {
    for (const p of CRISIS_PHRASES) expect(detectCrisis(p).risk).not.toBe('none');
    const s = em.emit({ state: state(-0.9, -0.3), crisis: true, persona: persona[0] }, new Rng(3));
    expect(detectCrisis(s.transcript!).risk).not.toBe('none');
    expect(s.meta!.crisis).toBe(true);
    const calm = em.emit({ state: state(-0.9, -0.3), crisis: false, persona: persona[0] }, new Rng(3));
    expect(detectCrisis(calm.transcript ?? '').risk).toBe('none');
  });

  it('posterior choice mostly picks the class a state sits on; bad classes are refused', () => {
    const post = new SynAffectEmitter({ dataset: DATASET, choice: 'posterior' });
    const r = new Rng(9);
    let happy = 0;
    // On happy's prototype at intensity 0.8; the nearest other segment (neutral, the origin) is ~0.75 away, σ = 0.12.
    for (let i = 0; i < 200; i++) if (post.emotionFor(0.64, 0.4, r).className === 'happy') happy++;
    expect(happy).toBeGreaterThanOrEqual(198);
    // Halfway between the neutral origin and happy's segment start, both classes occur.
    const mid = new Set(Array.from({ length: 200 }, () => post.emotionFor(0.16, 0.1, r).className));
    expect(mid.has('happy') && mid.has('neutral')).toBe(true);
    expect(() => new SynAffectEmitter({ classes: ['neutral', 'bored'] })).toThrow(DataError);
    expect(() => new SynAffectEmitter({ classes: ['neutral', 'bored'] })).toThrow(/bored/);
  });
});

describe('trained perception in the intervention env', () => {
  let data: PreparedData;
  let sets: SplitSets;
  let model: FusionModel;
  let classes: string[];
  const perc = parsePerceptionSection({ modalities: [...MODALITIES], steps: 8, align: { method: 'dtw' }, cache: { enabled: false }, alignScoreSamples: 0 });
  perc.features.text.enabled = false;
  const embed = new HashedTokenEmbedding(perc.text.dim, perc.text.seed);
  const hooks = () =>
    trainedPerceptionHooks({
      dataset: DATASET,
      model,
      classes,
      featurize: (s) => {
        const it = prepareSample(s, perc, data.modalities, { embed });
        return it ? normalizeItem(it, sets.norm) : null;
      },
      modalities: data.modalities,
      dims: data.dims,
      T: data.T,
      choice: 'nearest',
      seed: 1,
    });

  beforeAll(async () => {
    await initBackend('wasm');
    const ds = createDataset(DATASET, { rng: new Rng('ds'), log: silentLogger });
    classes = ds.info.classes;
    const split = holdoutSplit(ds, new Rng('split'), { testShare: 0.15, valShare: 0.15 });
    data = prepareFeatures(ds, perc, { cwd: process.cwd(), log: silentLogger });
    sets = splitSets(data, split, { normalize: true, dropEmpty: true, log: silentLogger });
    const cfg = parsePerceptionTrainConfig({ maxEpochs: 3, batchSize: 16, patience: 0, dropout: 0, optimizer: { lr: 0.01 } });
    model = createPerceptionModel({ name: 'early', hidden: 16 }, data.dims, classes.length, new Rng('model'), cfg);
    await trainPerception({ train: sets.train, val: sets.val, model, cfg, rng: new Rng('train') });
    return () => model.dispose();
  }, 120_000);

  it('returns valid EmotionVectors over the env classes; a batch equals the single reads', () => {
    const { emitter, perception } = hooks();
    const pop = samplePopulation(6, new Rng('pop'));
    const r = new Rng(4);
    const samples = pop.map((p, i) => emitter.emit({ state: state(p.baselineValence, p.baselineArousal, i), crisis: false, persona: p }, r) as Sample);
    const batch = perception.perceiveBatch(samples);
    expect(perception.stats.forwards).toBe(1);
    samples.forEach((s, i) => {
      const ev = batch[i];
      expect(ev.classes).toEqual([...DEFAULT_CLASSES]);
      expect(ev.probs).toHaveLength(DEFAULT_CLASSES.length);
      for (const p of ev.probs) expect(p).toBeGreaterThanOrEqual(0);
      expect(ev.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      for (const x of [ev.arousal, ev.valence]) {
        expect(Number.isFinite(x)).toBe(true);
        expect(Math.abs(x)).toBeLessThanOrEqual(1);
      }
      expect(ev.embedding.length).toBeGreaterThan(0);
      const one = perception.perceive(s);
      one.probs.forEach((p, k) => expect(p).toBeCloseTo(ev.probs[k], 4));
    });
  });

  it('restricts the model’s classes to the env’s by name and renormalises; refuses an env class the model lacks', () => {
    const base = hooks().perception;
    const all = new TrainedPerception({ ...base.opts, envClasses: classes });
    const s = hooks().emitter.emit({ state: state(-0.5, -0.5), crisis: false }, new Rng(8)) as Sample;
    const full = all.perceive(s);
    const five = base.perceive(s);
    // Independent of the hook: the five env classes' probabilities from the 7-class output, renormalised.
    const picked = DEFAULT_CLASSES.map((c) => full.probs[classes.indexOf(c)]);
    const z = picked.reduce((a, b) => a + b, 0);
    five.probs.forEach((p, k) => expect(p).toBeCloseTo(picked[k] / z, 5));
    expect(() => new TrainedPerception({ ...base.opts, envClasses: ['neutral', 'bored'] })).toThrow(/bored/);
  });

  it('a sample without any of the model’s modalities reads as the uniform prior and is counted', () => {
    const { emitter, perception } = hooks();
    const s = emitter.emit({ state: state(0.2, 0.2), crisis: false }, new Rng(2)) as Sample;
    const bare: Sample = { ...s, audio: undefined, video: undefined, physio: undefined, quality: { audio: 'missing', face: 'missing', physio: 'missing', text: s.quality.text } };
    const ev = perception.perceive(bare);
    expect(ev.probs).toEqual(new Array(DEFAULT_CLASSES.length).fill(1 / DEFAULT_CLASSES.length));
    expect(perception.stats.unreadable).toBe(1);
  });

  it('runs episodes on SynAffect signals + the trained model with a flat tensor count, deterministically per seed', () => {
    const make = () => new InterventionEnv({ ...hooks(), numPersonas: 8, maxTurns: 4 });
    const run = (env: InterventionEnv, seed: number) => {
      const out: number[] = [];
      let { obs } = env.reset({ seed });
      out.push(...obs);
      let tensors = -1;
      for (let t = 0; t < 4; t++) {
        const r = env.step(act(t % 5));
        if (t === 0) tensors = tf.memory().numTensors;
        else expect(tf.memory().numTensors).toBe(tensors);
        out.push(r.reward, ...r.obs);
        obs = r.obs;
        if (r.terminated || r.truncated) ({ obs } = env.reset({ seed: seed + 100 + t }));
      }
      return out;
    };
    const a = run(make(), 3);
    expect(run(make(), 3)).toEqual(a);
    expect(run(make(), 4)).not.toEqual(a);
    // The observation is perceived, not the hidden state: its class probabilities come from the model.
    const env = make();
    const { obs } = env.reset({ seed: 3 });
    expect(Array.from(obs.slice(0, 5)).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
  });
});

describe('rl.intervention.perception', () => {
  it('validates the key and refuses `trained` where no trained model is given', () => {
    expect(parseRlSection({}).intervention.perception).toBe('prototype');
    expect(() => parseRlSection({ intervention: { perception: 'oracle' } })).toThrow(ConfigError);
    expect(() => parseRlSection({ intervention: { perception: 'oracle' } })).toThrow(/rl\.intervention\.perception.*oracle/);
    const section = parseRlSection({ intervention: { perception: 'trained' }, ppo: { total_timesteps: 64, num_envs: 1, num_steps: 64 } });
    expect(() => runInterventionExperiment(section, new Rng(1))).toThrow(UnavailableError);
  });

  it('the pipeline glue refuses a model not trained on SynAffect', () => {
    expect(() =>
      trainedPerceptionHooks({ dataset: { name: 'iemocap' }, model: {} as FusionModel, classes: [], featurize: () => null, modalities: ['audio'], dims: {}, T: 8, choice: 'nearest', seed: 0 }),
    ).toThrow(/dataset\.name="iemocap"/);
  });
});

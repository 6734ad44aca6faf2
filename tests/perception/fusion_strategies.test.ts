// Every registered fusion strategy: trains on a tiny synthetic task with a planted
// signal and beats chance on held-out data; copes with modality subsets and missing
// modalities; leaks no tensors across training steps or inference calls.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import type { ModalityName } from '../../src/data/types.js';
import { disposeBatch, makeBatch, makeSet } from '../../src/perception/fusion/batch.js';
import { fusions } from '../../src/perception/fusion/registry.js';
import type { FusionOutput } from '../../src/perception/fusion/types.js';
import { createPerceptionModel, parsePerceptionTrainConfig, predictEmotion } from '../../src/perception/model.js';
import { evaluate, trainPerception } from '../../src/perception/train.js';
import { CLASSES, synthItems } from './fusion_synth.js';

const dims = { audio: 5, face: 3, physio: 4 };
const MODS: ModalityName[] = ['audio', 'face', 'physio'];
const T = 6;
/** Small widths so the whole file stays a few seconds of CPU. */
const SMALL: Record<string, Record<string, unknown>> = {
  early: { hidden: 12 },
  attention_gru: { dim: 8, heads: 2, ffn: 16, hidden: 12 },
  late_mean: { hidden: 8 },
  late_dr: { hidden: 8 },
  late_learned: { hidden: 8, fitSteps: 50 },
  dgcnn: { dim: 8, branch: 6, adjDim: 6 },
  cnn: { channels: [12] },
  lstm: { hidden: 12 },
  rnn: { hidden: 12 },
};
const cfg = parsePerceptionTrainConfig({ maxEpochs: 6, batchSize: 12, patience: 0, dropout: 0.1, optimizer: { lr: 0.02 } });
const signal = { audio: 2, face: 1.5 };
const train = makeSet(synthItems({ n: 60, T, dims, signal, pMissing: 0.1, seed: 1 }), MODS, dims, T);
const val = makeSet(synthItems({ n: 30, T, dims, signal, pMissing: 0.1, seed: 2 }), MODS, dims, T);
const test = makeSet(synthItems({ n: 45, T, dims, signal, pMissing: 0.1, seed: 3 }), MODS, dims, T);

const disposeOut = (o: FusionOutput) => tf.dispose([o.logits, o.av, o.embedding, ...(o.parts ?? []).flatMap((p) => [p.logits, p.av, p.mask])]);

beforeAll(async () => {
  await initBackend('auto');
});

it('the registry holds the nine strategies of the issue', () => {
  expect(fusions.names()).toEqual(['attention_gru', 'cnn', 'dgcnn', 'early', 'late_dr', 'late_learned', 'late_mean', 'lstm', 'rnn']);
});

describe.each(fusions.names())('%s', (name) => {
  it('trains above chance on held-out data, with flat tensor counts across steps and inference', async () => {
    const model = createPerceptionModel({ name, ...SMALL[name] }, dims, CLASSES.length, new Rng(5), cfg);
    const before = tf.memory().numTensors;
    const perEpoch: number[] = [];
    const res = await trainPerception({ train, val, model, cfg, rng: new Rng(9), onEpoch: () => perEpoch.push(tf.memory().numTensors) });
    expect(tf.memory().numTensors).toBe(before);
    expect(new Set(perEpoch).size).toBe(1);
    expect(res.history).toHaveLength(cfg.maxEpochs);
    const ev = evaluate(model, test, cfg);
    // 3 balanced classes: chance is 1/3.
    expect(ev.ACC).toBeGreaterThan(0.6);
    expect(ev.UA).toBeGreaterThan(0.6);
    // Arousal/valence head learns the class-conditional centres' direction.
    expect(ev.SIM).toBeGreaterThan(0.2);
    // Inference: repeated predictEmotion calls leave no tensors behind.
    const batch = makeBatch(synthItems({ n: 4, T, dims, signal, seed: 4 }), MODS, dims, T);
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) predictEmotion(model, batch, CLASSES);
    expect(tf.memory().numTensors).toBe(n0);
    disposeBatch(batch);
    model.dispose();
  });

  it('works on a modality subset and with missing modalities (masking, finite outputs)', () => {
    const sub = { audio: dims.audio, face: dims.face };
    const model = createPerceptionModel({ name, ...SMALL[name] }, sub, CLASSES.length, new Rng(6), cfg);
    const items = synthItems({ n: 5, T, dims, signal, seed: 7 });
    // Row 1 lacks face, row 2 lacks audio, row 3 lacks both, row 4 has zero valid steps of face only.
    delete items[1].features.face;
    delete items[2].features.audio;
    delete items[3].features.audio;
    delete items[3].features.face;
    const set = makeSet(items, ['audio', 'face'], sub, T);
    expect(set.ignored.physio).toBe(5); // physio was supplied but is not a model modality: counted, not used
    const batch = makeBatch(items, ['audio', 'face'], sub, T);
    for (const training of [false, true]) {
      const out = model.forward(batch, training);
      for (const t of [out.logits, out.av, out.embedding]) expect(Array.from(t.dataSync()).every(Number.isFinite)).toBe(true);
      disposeOut(out);
    }
    const ev = predictEmotion(model, batch, CLASSES);
    expect(ev.map((e) => e.modalities)).toEqual([['audio', 'face'], ['audio'], ['face'], [], ['audio', 'face']]);
    for (const e of ev) expect(e.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // A missing modality's content is ignored: changing its (masked) values changes nothing.
    const poisoned = makeBatch(items, ['audio', 'face'], sub, T);
    const faceX = poisoned.inputs.face!.x;
    poisoned.inputs.face!.x = tf.add(faceX, 5) as tf.Tensor3D;
    faceX.dispose();
    const a = model.forward(batch, false);
    const b = model.forward(poisoned, false);
    const la = a.logits.arraySync() as number[][];
    const lb = b.logits.arraySync() as number[][];
    for (const row of [1, 3]) la[row].forEach((v, c) => expect(lb[row][c]).toBeCloseTo(v, 4));
    disposeOut(a);
    disposeOut(b);
    disposeBatch(poisoned);
    disposeBatch(batch);
    model.dispose();
  });
});

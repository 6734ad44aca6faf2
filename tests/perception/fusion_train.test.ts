// The shared training loop: epoch records, early stopping, checkpoints and resume.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { DataError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import type { ModalityName } from '../../src/data/types.js';
import { makeSet } from '../../src/perception/fusion/batch.js';
import { createPerceptionModel, loadModel, parsePerceptionTrainConfig, predictEmotion, saveModel } from '../../src/perception/model.js';
import { trainPerception, type EpochRecord } from '../../src/perception/train.js';
import { makeBatch, disposeBatch } from '../../src/perception/fusion/batch.js';
import { CLASSES, synthItems } from './fusion_synth.js';

const dims = { audio: 4, face: 3 };
const MODS: ModalityName[] = ['audio', 'face'];
const T = 5;
const train = makeSet(synthItems({ n: 36, T, dims, signal: { audio: 2 }, pMissing: 0.1, seed: 1 }), MODS, dims, T);
const val = makeSet(synthItems({ n: 18, T, dims, signal: { audio: 2 }, pMissing: 0.1, seed: 2 }), MODS, dims, T);
const FUSION = { name: 'early', hidden: 8 };
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'affectlab-fusion-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  await initBackend('auto');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

it('each epoch reports loss, val_loss, ACC, UA, F1w, SIM, in order', async () => {
  const cfg = parsePerceptionTrainConfig({ maxEpochs: 3, batchSize: 8, patience: 0, dropout: 0.1, optimizer: { lr: 0.02 } });
  const model = createPerceptionModel(FUSION, dims, 3, new Rng(1), cfg);
  const recs: EpochRecord[] = [];
  const res = await trainPerception({ train, val, model, cfg, rng: new Rng(2), onEpoch: (r) => recs.push(r) });
  expect(recs.map((r) => r.epoch)).toEqual([1, 2, 3]);
  for (const r of recs) {
    for (const k of ['loss', 'val_loss', 'ACC', 'UA', 'F1w', 'SIM'] as const) expect(Number.isFinite(r[k]), k).toBe(true);
    expect(r.ACC).toBeGreaterThanOrEqual(0);
    expect(r.ACC).toBeLessThanOrEqual(1);
  }
  // Training lowers the training loss on a learnable task.
  expect(recs[2].loss).toBeLessThan(recs[0].loss);
  expect(res.stopReason).toBe('max_epochs');
  model.dispose();
});

it('early stopping: with lr = 0 nothing improves after epoch 1, so it stops after 1 + patience epochs and keeps epoch 1', async () => {
  const parsed = parsePerceptionTrainConfig({ maxEpochs: 10, patience: 2, monitor: 'val_loss', dropout: 0 });
  // The schema requires lr > 0; a frozen model is the simplest run with no improvement at all.
  const cfg = { ...parsed, optimizer: { ...parsed.optimizer, lr: 0 } };
  const model = createPerceptionModel(FUSION, dims, 3, new Rng(1), cfg);
  const res = await trainPerception({ train, val, model, cfg, rng: new Rng(2) });
  expect(res.history).toHaveLength(3);
  expect(res.stopReason).toBe('early_stop');
  expect(res.bestEpoch).toBe(1);
  model.dispose();
});

describe('checkpoints', () => {
  const cfg = parsePerceptionTrainConfig({ maxEpochs: 4, batchSize: 8, patience: 0, dropout: 0.2, optimizer: { lr: 0.02, weightDecayMode: 'decoupled', weightDecay: 1e-3 } });

  it('a run stopped after epoch 2 and resumed from its checkpoint ends with exactly the weights of an uninterrupted run', async () => {
    const full = createPerceptionModel(FUSION, dims, 3, new Rng(1), cfg);
    const fullRes = await trainPerception({ train, val, model: full, cfg, rng: new Rng(2), checkpointDir: tmp() });

    const dir = tmp();
    const first = createPerceptionModel(FUSION, dims, 3, new Rng(1), cfg);
    const ctl = new AbortController();
    const part = await trainPerception({ train, val, model: first, cfg, rng: new Rng(2), checkpointDir: dir, signal: ctl.signal, onEpoch: (r) => r.epoch === 2 && ctl.abort() });
    expect(part.stopReason).toBe('aborted');
    expect(part.history).toHaveLength(2);
    first.dispose();
    const ck = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
    expect(ck.epoch).toBe(2);
    expect(ck.optimizer.step).toBe(2 * Math.ceil(train.n / cfg.batchSize));
    expect(ck.optimizer.m.length).toBe(ck.weights.length);

    // A fresh process would build a fresh model (different init seed even) and resume.
    const second = createPerceptionModel(FUSION, dims, 3, new Rng(99), cfg);
    const resumed = await trainPerception({ train, val, model: second, cfg, rng: new Rng(2), checkpointDir: dir });
    expect(resumed.resumedFrom).toBe(2);
    expect(resumed.history.map((r) => r.val_loss)).toEqual(fullRes.history.map((r) => r.val_loss));
    const a = full.getWeights();
    const b = second.getWeights();
    a.forEach((w, i) => expect(Array.from(b[i].values)).toEqual(Array.from(w.values)));
    full.dispose();
    second.dispose();
  });

  it('a checkpoint of another strategy is refused with the file named', async () => {
    const dir = tmp();
    const m1 = createPerceptionModel(FUSION, dims, 3, new Rng(1), cfg);
    await trainPerception({ train, val, model: m1, cfg: { ...cfg, maxEpochs: 1 }, rng: new Rng(2), checkpointDir: dir });
    m1.dispose();
    const m2 = createPerceptionModel({ name: 'rnn', hidden: 8 }, dims, 3, new Rng(1), cfg);
    await expect(trainPerception({ train, val, model: m2, cfg, rng: new Rng(2), checkpointDir: dir })).rejects.toThrow(/checkpoint\.json: checkpoint of fusion "early"; this run trains "rnn"/);
    m2.dispose();
    writeFileSync(join(dir, 'checkpoint.json'), '{"format":"something-else"}');
    const m3 = createPerceptionModel(FUSION, dims, 3, new Rng(1), cfg);
    await expect(trainPerception({ train, val, model: m3, cfg, rng: new Rng(2), checkpointDir: dir })).rejects.toThrow(DataError);
    m3.dispose();
  });
});

it('a saved model loads back with identical predictions', async () => {
  const cfg = parsePerceptionTrainConfig({ maxEpochs: 1, dropout: 0 });
  const fusion = { name: 'late_dr', hidden: 6, combine: 'sum' };
  const model = createPerceptionModel(fusion, dims, 3, new Rng(1), cfg);
  await trainPerception({ train, val, model, cfg, rng: new Rng(2) });
  const path = join(tmp(), 'model.json');
  saveModel(path, model, fusion, dims, CLASSES);
  const { model: back, classes } = loadModel(path, new Rng(123));
  expect(classes).toEqual(CLASSES);
  const batch = makeBatch(synthItems({ n: 3, T, dims, signal: { audio: 2 }, seed: 8 }), MODS, dims, T);
  const p1 = predictEmotion(model, batch, CLASSES);
  const p2 = predictEmotion(back, batch, CLASSES);
  expect(p2).toEqual(p1);
  // The fitted DR weights travelled with the model.
  expect(back.getWeights().find((w) => w.name === 'fusion_w')!.values.some((v) => v !== 1)).toBe(true);
  disposeBatch(batch);
  model.dispose();
  back.dispose();
});

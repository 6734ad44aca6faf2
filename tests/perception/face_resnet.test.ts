import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { FaceResNet } from '../../src/perception/features/face_resnet.js';

// The default im2col convolutions train on wasm (no Conv2DBackpropFilter needed).
beforeAll(async () => {
  await initBackend('wasm');
});

const S = 20;
/** Two classes: a bright band in the top or the bottom half, on noise. */
function batch(n: number, rng: Rng): { frames: Uint8Array[]; labels: number[] } {
  const frames: Uint8Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = i % 2;
    const f = new Uint8Array(S * S);
    const row0 = y === 0 ? rng.intBetween(2, 6) : rng.intBetween(12, 16);
    for (let r = 0; r < S; r++) for (let c = 0; c < S; c++) f[r * S + c] = Math.min(255, Math.max(0, (r >= row0 && r < row0 + 3 ? 200 : 60) + rng.normal(0, 25)));
    frames.push(f);
    labels.push(y);
  }
  return { frames, labels };
}

describe('FaceResNet', () => {
  const cfg = { inputSize: 16, channels: [4, 8], blocksPerStage: 1, embeddingDim: 128 };

  it('maps frames to 128-d embeddings, deterministically per seed, without leaking tensors', () => {
    const net = new FaceResNet(cfg, new Rng(1));
    const { frames } = batch(5, new Rng(2));
    const e1 = net.predictEmbedding(frames, S, S);
    expect(e1.length).toBe(5 * 128);
    expect(e1.every(Number.isFinite)).toBe(true);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) net.predictEmbedding(frames, S, S, 2);
    expect(tf.memory().numTensors).toBe(before);
    const same = new FaceResNet(cfg, new Rng(1));
    expect(Array.from(same.predictEmbedding(frames, S, S))).toEqual(Array.from(e1));
    const other = new FaceResNet(cfg, new Rng(9));
    expect(Array.from(other.predictEmbedding(frames, S, S))).not.toEqual(Array.from(e1));
    // Layer types: 3×3 convolutions, batch norm, residual adds, global average pooling, dense embedding.
    const kinds = new Set(net.model.layers.map((l) => l.getClassName()));
    for (const k of ['AffectlabIm2colConv2D', 'BatchNormalization', 'Add', 'GlobalAveragePooling2D', 'Dense', 'ReLU']) expect(kinds.has(k)).toBe(true);
    [net, same, other].forEach((m) => m.dispose());
    expect(() => new FaceResNet({ ...cfg, inputSize: 15 }, new Rng(1))).toThrow(/inputSize is 15/);
  });

  it('saves and reloads through tfjs serialization (the im2col layer is registered)', async () => {
    const net = new FaceResNet(cfg, new Rng(4));
    const { frames } = batch(3, new Rng(5));
    const want = net.predictEmbedding(frames, S, S);
    let saved: tf.io.ModelArtifacts | undefined;
    await net.model.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = net.framesToTensor(frames, S, S);
    const got = loaded.predict(x) as tf.Tensor;
    const g = got.dataSync();
    for (let i = 0; i < want.length; i++) expect(g[i]).toBeCloseTo(want[i], 5);
    tf.dispose([x, got]);
    loaded.dispose();
    net.dispose();
  });

  it('every weight gets a gradient, and a few Adam steps separate two frame classes', () => {
    const rng = new Rng(3);
    const net = new FaceResNet(cfg, rng.fork('net'));
    const head = tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) });
    head.build([null, 128]);
    const opt = tf.train.adam(0.01);
    const { frames, labels } = batch(16, rng.fork('data'));
    const x = net.framesToTensor(frames, S, S);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
    const lossFn = () => tf.losses.softmaxCrossEntropy(y, head.apply(net.apply(x, true)) as tf.Tensor) as tf.Scalar;
    const vars = [...net.trainableWeights.map((w) => w.read() as tf.Variable), ...head.trainableWeights.map((w) => w.read() as tf.Variable)];
    const { value, grads } = tf.variableGrads(lossFn, vars);
    for (const [name, g] of Object.entries(grads)) expect(g.abs().sum().dataSync()[0], name).toBeGreaterThan(0);
    const initial = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    let last = initial;
    let tensorsAfterFirst = -1;
    for (let step = 0; step < 12; step++) {
      const l = opt.minimize(lossFn, true, vars)!;
      last = l.dataSync()[0];
      l.dispose();
      if (step === 0) tensorsAfterFirst = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    expect(last).toBeLessThan(0.3 * initial);
    tf.dispose([x, y]);
    net.dispose();
    head.trainableWeights.forEach((w) => w.dispose());
    opt.dispose();
  });
});

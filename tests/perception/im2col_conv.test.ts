import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { Im2colConv2D } from '../../src/perception/features/im2col_conv.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('Im2colConv2D', () => {
  it('forward equals tf.conv2d with "same" padding (k = 1, 3, 5; stride 1, 2)', () => {
    const rng = new Rng(1);
    for (const k of [1, 3, 5] as const) {
      for (const stride of [1, 2] as const) {
        const layer = new Im2colConv2D({ filters: 4, kernelSize: k, strides: stride, seed: 3 });
        const x = tf.tensor4d(rng.normalArray(2 * 6 * 8 * 3), [2, 6, 8, 3]);
        const y = layer.apply(x) as tf.Tensor;
        const w = tf.reshape(layer.getWeights()[0], [k, k, 3, 4]) as tf.Tensor4D;
        const ref = tf.conv2d(x, w, stride, 'same');
        expect(y.shape).toEqual(ref.shape);
        expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
        tf.dispose([x, y, w, ref]);
        layer.dispose();
      }
    }
  });

  it('gradients match central finite differences', () => {
    const rng = new Rng(2);
    for (const stride of [1, 2] as const) {
      const layer = new Im2colConv2D({ filters: 2, kernelSize: 3, strides: stride, useBias: true, seed: 4 });
      const x = tf.variable(tf.tensor4d(rng.normalArray(1 * 4 * 4 * 2), [1, 4, 4, 2]));
      const target = tf.tensor4d(rng.normalArray((16 / stride / stride) * 2), [1, 4 / stride, 4 / stride, 2]);
      layer.apply(x); // build
      const vars = [x, ...layer.trainableWeights.map((v) => v.read() as tf.Variable)];
      const loss = () => tf.sum(tf.mul(tf.square(tf.sub(layer.apply(x) as tf.Tensor, target)), 0.5)) as tf.Scalar;
      const { grads } = tf.variableGrads(loss, vars);
      const eps = 1e-2;
      for (const v of vars) {
        const g = grads[v.name].dataSync();
        const base = v.dataSync().slice();
        for (let i = 0; i < base.length; i += Math.max(1, Math.floor(base.length / 8))) {
          const bump = (delta: number) => {
            const p = base.slice();
            p[i] += delta;
            v.assign(tf.tensor(p, v.shape));
            return tf.tidy(() => loss().dataSync()[0]);
          };
          const fd = (bump(eps) - bump(-eps)) / (2 * eps);
          v.assign(tf.tensor(base, v.shape));
          expect(Math.abs(g[i] - fd), `${v.name}[${i}] stride ${stride}`).toBeLessThan(1e-2 * Math.max(1, Math.abs(fd)));
        }
      }
      tf.dispose([x, target, ...Object.values(grads)]);
      layer.dispose();
    }
  });
});

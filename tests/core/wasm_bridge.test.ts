import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { bridgeCallCounts, bridgeMissingWasmKernels, missingWasmKernels, setNativeWasmGrads } from '../../src/core/wasm_bridge.js';
import { glorotUniform } from '../../src/core/init.js';
import { withTensorCheck } from '../../src/core/leak.js';
import { Rng } from '../../src/core/rng.js';

type Out = tf.Tensor | tf.Tensor[];

/** Runs `fn` on wasm (bridged) and on cpu; returns the flat values of each output. */
async function onBoth(fn: () => Out): Promise<{ wasm: number[][]; cpu: number[][] }> {
  const run = (): number[][] =>
    tf.tidy(() => {
      const o = fn();
      return (Array.isArray(o) ? o : [o]).map((t) => Array.from(t.dataSync() as ArrayLike<number>));
    });
  await tf.setBackend('wasm');
  const wasm = run();
  await tf.setBackend('cpu');
  const cpu = run();
  await tf.setBackend('wasm');
  return { wasm, cpu };
}

/** |wasm − cpu| ≤ 1e-5 · max(1, max|cpu|) elementwise. */
function expectClose(a: number[][], b: number[][], rtol = 1e-5): void {
  expect(a.length).toBe(b.length);
  for (let k = 0; k < a.length; k++) {
    expect(a[k].length).toBe(b[k].length);
    const scale = Math.max(1, ...b[k].map(Math.abs));
    for (let i = 0; i < a[k].length; i++) {
      if (Math.abs(a[k][i] - b[k][i]) > rtol * scale) {
        throw new Error(`output ${k}[${i}]: wasm ${a[k][i]} vs cpu ${b[k][i]} (scale ${scale})`);
      }
    }
  }
}

function data(seed: string, shape: number[]): tf.Tensor {
  const n = shape.reduce((p, q) => p * q, 1);
  return tf.tensor(new Rng(seed).normalArray(n), shape);
}

let bridged: string[] = [];

beforeAll(async () => {
  const info = await initBackend('wasm');
  expect(info.name).toBe('wasm');
  bridged = info.bridgedKernels ?? [];
});

describe('bridgeMissingWasmKernels', () => {
  it('bridges every training kernel the wasm backend lacks, and nothing is left missing', () => {
    for (const k of [
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'UnsortedSegmentSum',
      'Einsum',
      'FFT',
      'IFFT',
      'Complex',
      'Real',
      'Imag',
      'ComplexAbs',
    ]) {
      expect(bridged).toContain(k);
    }
    // Conv2DBackpropInput is native in wasm: it must not be shadowed by the bridge.
    expect(bridged).not.toContain('Conv2DBackpropInput');
    expect(missingWasmKernels()).toEqual([]);
  });

  it('is idempotent', () => {
    const again = bridgeMissingWasmKernels();
    expect(again).toEqual(bridged);
    expect(new Set(again).size).toBe(again.length);
  });
});

describe('bridged gradients match the cpu backend', () => {
  /** Asserts that `kernel` ran only through the expected path while `fn` ran. */
  async function expectPath(kernel: string, native: boolean, fn: () => Promise<void>): Promise<void> {
    const before = bridgeCallCounts()[kernel] ?? { native: 0, cpu: 0 };
    await fn();
    const after = bridgeCallCounts()[kernel];
    expect(after[native ? 'native' : 'cpu']).toBeGreaterThan(before[native ? 'native' : 'cpu']);
    expect(after[native ? 'cpu' : 'native']).toBe(before[native ? 'cpu' : 'native']);
  }

  for (const native of [true, false]) {
    const mode = native ? 'native wasm composition' : 'cpu implementation';
    it(`Conv2DBackpropFilter via the ${mode}: strided/same, valid, explicit padding`, async () => {
      setNativeWasmGrads(native);
      try {
        let res: { wasm: number[][]; cpu: number[][] } | undefined;
        await expectPath('Conv2DBackpropFilter', native, async () => {
          res = await onBoth(() => {
          const x = data('x', [2, 7, 6, 3]) as tf.Tensor4D;
          const w = data('w', [3, 2, 3, 4]);
          const probe = data('p', [2, 4, 3, 4]);
          const g1 = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, [2, 2], 'same'), probe)))(w);
          const g2 = tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, 1, 'valid'))))(w);
          const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [1, 2], [0, 1], [0, 0]];
          const g3 = tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, [1, 2], pad))))(w);
          return [g1, g2, g3];
          });
        });
        expectClose(res!.wasm, res!.cpu);
      } finally {
        setNativeWasmGrads(true);
      }
    });

    it(`DepthwiseConv2dNativeBackpropFilter via the ${mode}, with strides (tfjs has no gradient for dilation > 1)`, async () => {
      setNativeWasmGrads(native);
      try {
        let res: { wasm: number[][]; cpu: number[][] } | undefined;
        await expectPath('DepthwiseConv2dNativeBackpropFilter', native, async () => {
          res = await onBoth(() => {
          const x = data('x', [2, 9, 8, 3]) as tf.Tensor4D;
          const w = data('w', [3, 2, 3, 2]);
          const g1 = tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(x, f as tf.Tensor4D, 2, 'same'))))(w);
          const g2 = tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(x, f as tf.Tensor4D, [1, 2], 'valid'))))(w);
          return [g1, g2];
          });
        });
        expectClose(res!.wasm, res!.cpu);
      } finally {
        setNativeWasmGrads(true);
      }
    });

    it(`UnsortedSegmentSum via the ${mode}: out-of-range ids dropped, int32 data`, async () => {
      setNativeWasmGrads(native);
      try {
        let res: { wasm: number[][]; cpu: number[][] } | undefined;
        await expectPath('UnsortedSegmentSum', native, async () => {
          res = await onBoth(() => [
          tf.unsortedSegmentSum(data('s', [5, 3]), tf.tensor1d([2, -1, 0, 2, 7], 'int32'), 4),
          tf.unsortedSegmentSum(data('t', [6, 2, 3]), tf.tensor1d([0, 1, 1, 2, 0, 5], 'int32'), 3),
          tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 2),
          ]);
        });
        expect(res!.wasm).toEqual(res!.cpu);
        expect(res!.wasm[2]).toEqual([3, 3]);
      } finally {
        setNativeWasmGrads(true);
      }
    });
  }

  it('Conv2DBackpropFilter: d/dfilter of a conv2d (and a hand-derived case)', async () => {
    const { wasm, cpu } = await onBoth(() => {
      const x = data('x', [2, 7, 6, 3]);
      const w = data('w', [3, 2, 3, 4]);
      const probe = data('p', [2, 4, 3, 4]);
      return tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, [2, 2], 'same'), probe)))(w);
    });
    expectClose(wasm, cpu);
    // d/dw sum(conv2d(x, w, valid)) [i,j,c,o] = Σ_{p,q} x[p+i, q+j, c], independent of o.
    const xv = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 10],
    ];
    const g = tf.tidy(() => {
      const x = tf.tensor4d(xv.flat(), [1, 3, 3, 1]);
      return Array.from(tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 1, 'valid')))(tf.zeros([2, 2, 1, 1])).dataSync());
    });
    expect(g).toEqual([1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 10]);
  });

  it('Conv2DBackpropInput (native wasm kernel): d/dinput of a conv2d', async () => {
    const { wasm, cpu } = await onBoth(() => {
      const x = data('x', [2, 7, 6, 3]);
      const w = data('w', [3, 2, 3, 4]);
      return tf.grad((xx: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xx as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'))))(x);
    });
    expectClose(wasm, cpu);
  });

  it('DepthwiseConv2dNativeBackpropFilter and ...BackpropInput: depthwise conv both ways', async () => {
    const { wasm, cpu } = await onBoth(() => {
      const x = data('x', [2, 6, 5, 3]);
      const w = data('w', [3, 3, 3, 2]);
      const loss = (xx: tf.Tensor, ww: tf.Tensor): tf.Scalar =>
        tf.sum(tf.square(tf.depthwiseConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, 'same')));
      const [gx, gw] = tf.grads(loss)([x, w]);
      return [gx, gw];
    });
    expectClose(wasm, cpu);
  });

  it('UnsortedSegmentSum: gradient of an embedding gather w.r.t. the table', async () => {
    const ids = [0, 3, 3, 1, 0, 4];
    const { wasm, cpu } = await onBoth(() => {
      const table = data('emb', [5, 4]);
      const probe = data('probe', [6, 4]);
      const idx = tf.tensor1d(ids, 'int32');
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx), probe)))(table);
    });
    expectClose(wasm, cpu);
    // Rows never gathered (id 2) get zero gradient; id 3 gets probe rows 1 + 2.
    const probe = Array.from(data('probe', [6, 4]).dataSync());
    expect(wasm[0].slice(8, 12)).toEqual([0, 0, 0, 0]);
    for (let j = 0; j < 4; j++) expect(wasm[0][12 + j]).toBeCloseTo(probe[4 + j] + probe[8 + j], 5);
    // The forward op as well.
    const seg = await onBoth(() => tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([1, 0, 1, 2], 'int32'), 3));
    expect(seg.wasm).toEqual([[2, 4, 4]]);
  });

  it('Einsum: forward and gradients (core/grads.ts) match cpu and the matmul it spells', async () => {
    const { wasm, cpu } = await onBoth(() => {
      const a = data('a', [2, 3, 4]);
      const b = data('b', [2, 4, 5]);
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.einsum('bij,bjk->bik', x, y))))([a, b]);
      return [tf.einsum('bij,bjk->bik', a, b), tf.matMul(a, b), ga, gb];
    });
    expectClose(wasm, cpu);
    expectClose([wasm[0]], [wasm[1]]);
  });

  it('FFT / IFFT / Complex / Real / Imag / ComplexAbs, and rfft/irfft built on them', async () => {
    const { wasm, cpu } = await onBoth(() => {
      const re = data('re', [3, 8]);
      const im = data('im', [3, 8]);
      const c = tf.complex(re, im);
      const f = tf.spectral.fft(c);
      const back = tf.spectral.ifft(f);
      const r = tf.spectral.rfft(re);
      return [tf.real(f), tf.imag(f), tf.real(back), tf.imag(back), tf.abs(f), tf.real(r), tf.imag(r), tf.spectral.irfft(r)];
    });
    expectClose(wasm, cpu);
    // Round trips recover the inputs.
    const re = Array.from(data('re', [3, 8]).dataSync());
    wasm[2].forEach((v, i) => expect(v).toBeCloseTo(re[i], 5));
    wasm[7].forEach((v, i) => expect(v).toBeCloseTo(re[i], 5));
    // Hand-derived: FFT([1,2,3,4]) = [10, -2+2i, -2, -2-2i]; complex values read back interleaved.
    const f = tf.tidy(() => Array.from(tf.spectral.fft(tf.complex([1, 2, 3, 4], [0, 0, 0, 0])).dataSync()));
    expect(f).toEqual([10, 0, -2, 2, -2, 0, -2, -2]);
  });

  it('native wasm kernels given complex64 inputs fall back to cpu (add, mul, concat, zerosLike, reshape; ops the cpu backend refuses for complex, e.g. slice, stay refused)', async () => {
    const { wasm, cpu } = await onBoth(() => {
      const a = tf.complex(data('ar', [2, 6]), data('ai', [2, 6]));
      const b = tf.complex(data('br', [2, 6]), data('bi', [2, 6]));
      const prod = tf.mul(a, b);
      const parts = [tf.add(a, b), prod, tf.concat([a, b], 1), tf.zerosLike(a), tf.reshape(a, [3, 4])];
      return parts.flatMap((p) => [tf.real(p), tf.imag(p)]);
    });
    expectClose(wasm, cpu);
    // (1+2i)(3+4i) = -5+10i, hand-derived.
    const z = tf.tidy(() => Array.from(tf.mul(tf.complex([1], [2]), tf.complex([3], [4])).dataSync()));
    expect(z).toEqual([-5, 10]);
  });

  it('Ragged* and StaticRegexReplace run through the bridge too', async () => {
    const { wasm, cpu } = await onBoth(() => {
      const r = tf.raggedRange(tf.tensor1d([0, 5], 'int32'), tf.tensor1d([3, 7], 'int32'), tf.tensor1d([1, 1], 'int32'));
      const splits = r.rtNestedSplits as tf.Tensor;
      const values = r.rtDenseValues as tf.Tensor;
      // Rows [0,1,2] and [5,6] padded with -1 into a 2×3 matrix.
      const dense = tf.raggedTensorToTensor(tf.tensor1d([2, 3], 'int32'), values, tf.scalar(-1, 'int32'), [splits], ['ROW_SPLITS']);
      const g = tf.raggedGather([splits], values, tf.tensor1d([1, 0], 'int32'), 1);
      return [splits, values, dense, g.outputNestedSplits[0], g.outputDenseValues];
    });
    expect(wasm).toEqual(cpu);
    expect(wasm[1]).toEqual([0, 1, 2, 5, 6]);
    expect(wasm[2]).toEqual([0, 1, 2, 5, 6, -1]);
    expect(wasm[4]).toEqual([5, 6, 0, 1, 2]);
    const s = tf.tidy(() => tf.string.staticRegexReplace(tf.tensor1d(['a-b', 'c--d'], 'string'), '-+', '_').arraySync());
    expect(s).toEqual(['a_b', 'c_d']);
  });
});

describe('training on wasm through the bridge', () => {
  it('a tiny conv + embedding model trains: loss decreases, tensor count flat', async () => {
    await tf.setBackend('wasm');
    const rng = new Rng('train');
    // 32 samples: an 8×8 one-channel "image" plus a token id; the class depends on both.
    const n = 32;
    const imgs = rng.normalArray(n * 64);
    const tok = Int32Array.from({ length: n }, () => rng.int(6));
    const y = Int32Array.from({ length: n }, (_, i) => (imgs[i * 64] > 0 ? 1 : 0) ^ (tok[i] % 2));
    const x = tf.tensor4d(imgs, [n, 8, 8, 1]);
    const ids = tf.tensor1d(tok, 'int32');
    const labels = tf.oneHot(tf.tensor1d(y, 'int32'), 2);
    const convW = tf.variable(glorotUniform([3, 3, 1, 4], rng.fork('conv')));
    const emb = tf.variable(glorotUniform([6, 4], rng.fork('emb')));
    const dense = tf.variable(glorotUniform([4 * 4 * 4 + 4, 2], rng.fork('dense')));
    const opt = tf.train.adam(0.03);
    const losses: number[] = [];
    const step = (): void => {
      const loss = opt.minimize(() => {
        const h = tf.relu(tf.conv2d(x, convW as tf.Tensor4D, 2, 'same')).reshape([n, 64]);
        const e = tf.gather(emb, ids);
        const logits = tf.matMul(tf.concat([h, e], 1), dense);
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      }, true);
      losses.push(loss!.dataSync()[0]);
      loss!.dispose();
    };
    await withTensorCheck(step, { steps: 8, warmup: 1, label: 'train step' });
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.9);
    tf.dispose([x, ids, labels, convW, emb, dense]);
    opt.dispose();
  });
});

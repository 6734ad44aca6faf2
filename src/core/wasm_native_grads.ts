/**
 * Faster wasm implementations of three kernels the wasm backend lacks, used
 * by the bridge in preference to the cpu implementation:
 *
 * - Conv2DBackpropFilter and DepthwiseConv2dNativeBackpropFilter, composed
 *   from native wasm kernels (PadV2, StridedSlice, BatchMatMul / Multiply +
 *   Sum, Concat): one strided slice of the padded input per filter tap, then
 *   one matmul (or multiply-and-sum) with dy. The cpu versions are scalar JS
 *   loops through TensorBuffer.get, ~10–100× slower than XNNPACK's matmul.
 * - UnsortedSegmentSum (the gradient of gather, i.e. of every embedding
 *   lookup): one O(n·d) JS pass. The cpu version loops over *segments*,
 *   running five kernels over the whole input for each one — O(vocab·n·d),
 *   seconds per step for a 5000-word vocabulary.
 *
 * Each returns undefined for attributes it does not handle (NCHW data),
 * and the bridge then runs the cpu implementation. Tests compare both paths
 * with the cpu backend.
 */
import tf from './tfjs.cjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Info = tf.TensorInfo;

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.TypedArray): Info;
  disposeData(dataId: object): boolean;
  readSync(dataId: object): tf.backend_util.BackendValues;
}

/** Runs a registered wasm kernel from inside another wasm kernel. */
function run(backend: BackendWasm, name: string, inputs: Record<string, Info> | Info[], attrs: Record<string, unknown> = {}): Info {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm_native_grads: wasm kernel ${name} is not registered`);
  return k.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

interface Taps {
  /** One [batch·outH·outW, inChannels] slice of the padded input per filter tap (row-major over kh, kw). */
  slices: Info[];
  n: number;
  dispose(): void;
}

/** The input patch matrix for each filter tap, via pad + strided slice (no im2col buffer). */
function tapSlices(backend: BackendWasm, x: Info, conv: tf.backend_util.Conv2DInfo): Taps {
  const be = backend as unknown as WasmBackendLike;
  const owned: Info[] = [];
  const { top, bottom, left, right } = conv.padInfo;
  let xp = x;
  if (top || bottom || left || right) {
    xp = run(backend, 'PadV2', { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
    owned.push(xp);
  }
  const { batchSize: b, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = conv;
  const n = b * oh * ow;
  const slices: Info[] = [];
  for (let kh = 0; kh < conv.filterHeight; kh++) {
    for (let kw = 0; kw < conv.filterWidth; kw++) {
      const r0 = kh * dh;
      const c0 = kw * dw;
      const s = run(backend, 'StridedSlice', { x: xp }, {
        begin: [0, r0, c0, 0],
        end: [b, r0 + (oh - 1) * sh + 1, c0 + (ow - 1) * sw + 1, conv.inChannels],
        strides: [1, sh, sw, 1],
        beginMask: 0,
        endMask: 0,
        ellipsisMask: 0,
        newAxisMask: 0,
        shrinkAxisMask: 0,
      });
      owned.push(s);
      const flat = run(backend, 'Reshape', { x: s }, { shape: [n, conv.inChannels] });
      owned.push(flat);
      slices.push(flat);
    }
  }
  return { slices, n, dispose: () => owned.forEach((t) => be.disposeData(t.dataId)) };
}

function concatReshape(backend: BackendWasm, parts: Info[], shape: number[]): Info {
  const be = backend as unknown as WasmBackendLike;
  const cat = parts.length === 1 ? parts[0] : run(backend, 'Concat', parts, { axis: 0 });
  const out = run(backend, 'Reshape', { x: cat }, { shape });
  if (cat !== parts[0]) be.disposeData(cat.dataId);
  return out;
}

/** dW[kh,kw,ci,co] = Σ_{b,oh,ow} xpad[b, oh·sh + kh, ow·sw + kw, ci] · dy[b,oh,ow,co]. */
export function conv2dBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap }): Info | undefined {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if ((a.dataFormat ?? 'NHWC') !== 'NHWC' || x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const backend = args.backend;
  const be = backend as unknown as WasmBackendLike;
  const conv = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const taps = tapSlices(backend, x, conv);
  const dy3 = run(backend, 'Reshape', { x: dy }, { shape: [1, taps.n, conv.outChannels] });
  const parts: Info[] = [];
  try {
    for (const s of taps.slices) {
      const s3 = run(backend, 'Reshape', { x: s }, { shape: [1, taps.n, conv.inChannels] });
      parts.push(run(backend, 'BatchMatMul', { a: s3, b: dy3 }, { transposeA: true, transposeB: false }));
      be.disposeData(s3.dataId);
    }
    return concatReshape(backend, parts, [conv.filterHeight, conv.filterWidth, conv.inChannels, conv.outChannels]);
  } finally {
    parts.forEach((p) => be.disposeData(p.dataId));
    be.disposeData(dy3.dataId);
    taps.dispose();
  }
}

/** dW[kh,kw,ci,m] = Σ_{b,oh,ow} xpad[b, oh·sh + kh·dh, ow·sw + kw·dw, ci] · dy[b,oh,ow,ci·M + m]. */
export function depthwiseBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap }): Info | undefined {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const a = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const backend = args.backend;
  const be = backend as unknown as WasmBackendLike;
  const conv = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
    'channelsLast',
  );
  const m = a.filterShape[3];
  const taps = tapSlices(backend, x, conv);
  const dy3 = run(backend, 'Reshape', { x: dy }, { shape: [taps.n, conv.inChannels, m] });
  const parts: Info[] = [];
  try {
    for (const s of taps.slices) {
      const s3 = run(backend, 'Reshape', { x: s }, { shape: [taps.n, conv.inChannels, 1] });
      const prod = run(backend, 'Multiply', { a: s3, b: dy3 });
      parts.push(run(backend, 'Sum', { x: prod }, { axis: [0], keepDims: false }));
      be.disposeData(prod.dataId);
      be.disposeData(s3.dataId);
    }
    return concatReshape(backend, parts, [conv.filterHeight, conv.filterWidth, conv.inChannels, m]);
  } finally {
    parts.forEach((p) => be.disposeData(p.dataId));
    be.disposeData(dy3.dataId);
    taps.dispose();
  }
}

/**
 * out[s, ...] = Σ_{i: segmentIds[i] = s} x[i, ...]; ids outside [0, numSegments) are
 * dropped, as TensorFlow does. segmentIds may have any shape that prefixes x's.
 */
export function unsortedSegmentSumWasm(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap }): Info | undefined {
  const { x, segmentIds } = args.inputs as { x: Info; segmentIds: Info };
  const numSegments = (args.attrs as unknown as tf.UnsortedSegmentSumAttrs).numSegments;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return undefined;
  const be = args.backend as unknown as WasmBackendLike;
  const xv = be.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = be.readSync(segmentIds.dataId) as Int32Array;
  const inner = ids.length === 0 ? 0 : xv.length / ids.length;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j] += xv[src + j];
  }
  return be.makeOutput(outShape, x.dtype, undefined, out);
}

export const NATIVE_IMPLEMENTATIONS: Partial<Record<string, typeof unsortedSegmentSumWasm>> = {
  Conv2DBackpropFilter: conv2dBackpropFilterWasm,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterWasm,
  UnsortedSegmentSum: unsortedSegmentSumWasm,
};

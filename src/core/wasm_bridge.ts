/**
 * Runs kernels that the tfjs wasm backend lacks on the pure-JS cpu
 * implementation, so that training (conv filter gradients, depthwise conv
 * gradients, embedding/gather gradients via UnsortedSegmentSum, einsum, FFT)
 * works with backend=wasm.
 *
 * How: for every kernel registered for `cpu` but not for `wasm` (enumerated
 * with `getKernelsForBackend` at call time, so a tfjs upgrade that adds wasm
 * kernels shrinks the bridge automatically), a `wasm` kernel is registered
 * that copies its inputs off the wasm heap, runs the registered cpu
 * `kernelFunc` on a private `MathBackendCPU`, and copies the outputs back
 * with `BackendWasm.makeOutput`. Gradients need nothing extra: tfjs gradients
 * are defined in terms of kernels, and the engine records the bridged kernel
 * like any other.
 *
 * Complex numbers: the wasm backend stores complex64 data as interleaved
 * (re, im) float32 pairs (8 bytes/element, as `util.bytesPerElement` says)
 * but its `readSync` rejects the dtype. The bridge teaches the wasm backend
 * instance to read complex64 as an interleaved Float32Array (the same layout
 * the cpu backend returns), and bridges Complex/Real/Imag/ComplexAbs/FFT/IFFT,
 * so `tf.spectral.fft/ifft/rfft/irfft`, `tf.complex`, `tf.real`, `tf.imag`
 * and `tf.abs` of a complex tensor work. The native wasm kernels (add,
 * slice, concat, ...) do not understand complex64 inputs, so every wasm
 * kernel the cpu backend also has is wrapped: when any input is complex64
 * the call goes through the bridge, otherwise straight to the native kernel
 * (one dtype check per input per call).
 *
 * Cost: each bridged call copies its inputs and outputs once (no dataSync
 * inside the kernel loop; one heap copy per tensor), plus the cpu kernel's
 * own single-threaded JS time. For the three kernels where that time is
 * pathological (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter,
 * UnsortedSegmentSum) faster implementations from wasm_native_grads.ts run
 * first; `setNativeWasmGrads(false)` turns them off (tests compare both).
 */
import tf from './tfjs.cjs';
import tfCpu from './tfjs_cpu.cjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { NATIVE_IMPLEMENTATIONS } from './wasm_native_grads.js';

/** Kernels never bridged: `Draw` renders onto an HTML canvas and has no meaning in Node. */
const NOT_BRIDGED = new Set(['Draw']);

interface WasmData {
  memoryOffset: number | null;
  shape: number[];
  dtype: tf.DataType;
  stringBytes?: Uint8Array[];
}

interface WasmInternals {
  dataIdMap: { get(dataId: object): WasmData | undefined };
  wasm: { HEAPU8: Uint8Array };
  readSync(dataId: object, start?: number, end?: number): tf.backend_util.BackendValues;
}

const bridged: string[] = [];
const complexRouted = new Set<string>();
let preferNative = true;
const calls: Record<string, { native: number; cpu: number }> = {};

function count(name: string, path: 'native' | 'cpu'): void {
  (calls[name] ??= { native: 0, cpu: 0 })[path]++;
}

/** How often each bridged kernel ran, and by which path (debugging, benchmarks, tests). */
export function bridgeCallCounts(): Record<string, { native: number; cpu: number }> {
  return Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, { ...v }]));
}

/** Whether the faster native-wasm implementations replace the cpu ones where available (default true). */
export function setNativeWasmGrads(enabled: boolean): void {
  preferNative = enabled;
}
let cpuBackend: tfCpu.MathBackendCPU | undefined;
const patchedBackends = new WeakSet<object>();

function cpu(): tfCpu.MathBackendCPU {
  if (!cpuBackend) {
    cpuBackend = new tfCpu.MathBackendCPU();
    // A private instance, invisible to the engine; silence its one-off "install tfjs-node" banner.
    (cpuBackend as unknown as { firstUse: boolean }).firstUse = false;
  }
  return cpuBackend;
}

/** Reads a wasm tensor's values; complex64 comes back as interleaved (re, im) float32 pairs. */
function readWasm(backend: WasmInternals, info: tf.TensorInfo): tf.backend_util.BackendValues {
  if (info.dtype !== 'complex64') return backend.readSync(info.dataId);
  const data = backend.dataIdMap.get(info.dataId);
  if (!data || data.memoryOffset == null) throw new Error(`wasm_bridge: no wasm data for a complex64 tensor of shape [${info.shape}]`);
  const n = tf.util.sizeFromShape(data.shape) * 2;
  const bytes = backend.wasm.HEAPU8.slice(data.memoryOffset, data.memoryOffset + n * 4);
  return new Float32Array(bytes.buffer);
}

/** Lets `dataSync()`/`data()`/`print()` read complex64 tensors that live on wasm. */
function patchComplexRead(backend: WasmInternals): void {
  if (patchedBackends.has(backend)) return;
  const original = backend.readSync.bind(backend);
  backend.readSync = (dataId: object, start?: number, end?: number) => {
    const data = backend.dataIdMap.get(dataId);
    if (data?.dtype === 'complex64') {
      const all = readWasm(backend, { dataId, shape: data.shape, dtype: 'complex64' }) as Float32Array;
      return start == null && end == null ? all : all.slice((start ?? 0) * 2, (end ?? all.length / 2) * 2);
    }
    return original(dataId, start, end);
  };
  patchedBackends.add(backend);
}

/** Copies one wasm input onto the cpu backend (complex64 becomes a cpu complex tensor with real/imag parts). */
function toCpu(c: tfCpu.MathBackendCPU, info: tf.TensorInfo, values: tf.backend_util.BackendValues): tf.TensorInfo {
  if (info.dtype !== 'complex64') return c.makeTensorInfo(info.shape, info.dtype, values);
  const inter = values as Float32Array;
  const n = inter.length / 2;
  const re = new Float32Array(n);
  const im = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    re[i] = inter[2 * i];
    im[i] = inter[2 * i + 1];
  }
  const complexKernel = tf.getKernel('Complex', 'cpu');
  if (!complexKernel) throw new Error('wasm_bridge: the cpu backend has no Complex kernel');
  const reInfo = c.makeTensorInfo(info.shape, 'float32', re);
  const imInfo = c.makeTensorInfo(info.shape, 'float32', im);
  const out = complexKernel.kernelFunc({ inputs: { real: reInfo, imag: imInfo }, backend: c, attrs: {} }) as tf.TensorInfo;
  c.disposeData(reInfo.dataId);
  c.disposeData(imInfo.dataId);
  return out;
}

function makeBridgedKernel(kernelName: string, cpuKernel: tf.KernelConfig): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as unknown as BackendWasm & WasmInternals;
    const c = cpu();
    const owned: object[] = [];
    const convert = (info: tf.TensorInfo): tf.TensorInfo => {
      const cpuInfo = toCpu(c, info, readWasm(wasm, info));
      owned.push(cpuInfo.dataId);
      return cpuInfo;
    };
    try {
      // Inputs are named tensors; some kernels take an array (Einsum) or a named list (RaggedGather,
      // RaggedTensorToTensor): keep the same structure on the cpu side.
      const cpuInputs: Record<string, unknown> | unknown[] = Array.isArray(inputs) ? [] : {};
      for (const [name, value] of Object.entries(inputs as Record<string, tf.TensorInfo | tf.TensorInfo[] | null>)) {
        if (value == null) continue;
        (cpuInputs as Record<string, unknown>)[name] = Array.isArray(value) ? value.map(convert) : convert(value);
      }
      const result = cpuKernel.kernelFunc({ inputs: cpuInputs as tf.NamedTensorInfoMap, backend: c, attrs });
      const outs = (Array.isArray(result) ? result : [result]) as Array<tf.TensorInfo | tf.Tensor>;
      const wasmOuts = outs.map((o) => {
        // A cpu kernel may return an engine Tensor (ComplexAbs uses makeOutput); read and dispose it the same way.
        const values = c.readSync(o.dataId);
        const out = wasm.makeOutput(o.shape, o.dtype, undefined, values as tf.backend_util.TypedArray);
        if (o instanceof tf.Tensor) o.dispose();
        else owned.push(o.dataId);
        return out;
      });
      return Array.isArray(result) ? wasmOuts : wasmOuts[0];
    } catch (err) {
      throw new Error(`wasm_bridge: ${kernelName} (bridged to cpu) failed: ${(err as Error).message}`);
    } finally {
      // Non-forced: a kernel that returns one of its inputs (refcount 2) is released by both entries.
      for (const id of owned) c.disposeData(id);
    }
  };
}

/** Kernel names the cpu backend has and the wasm backend lacks, minus the ones that make no sense in Node. */
export function missingWasmKernels(): string[] {
  const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  return tf
    .getKernelsForBackend('cpu')
    .map((k) => k.kernelName)
    .filter((name) => !wasm.has(name) && !NOT_BRIDGED.has(name))
    .sort();
}

function hasComplexInput(inputs: unknown): boolean {
  for (const v of Object.values(inputs as Record<string, unknown>)) {
    if (Array.isArray(v)) {
      if (v.some((t) => (t as tf.TensorInfo | null)?.dtype === 'complex64')) return true;
    } else if ((v as tf.TensorInfo | null)?.dtype === 'complex64') return true;
  }
  return false;
}

/** Wraps native wasm kernels so complex64 inputs run on the cpu implementation instead of being misread. */
function routeComplexInputs(): void {
  for (const config of tf.getKernelsForBackend('wasm')) {
    const name = config.kernelName;
    if (bridged.includes(name) || complexRouted.has(name)) continue;
    const cpuKernel = tf.getKernel(name, 'cpu');
    if (!cpuKernel) continue;
    const native = config.kernelFunc;
    const viaCpu = makeBridgedKernel(name, cpuKernel);
    tf.unregisterKernel(name, 'wasm');
    // Keep setupFunc/disposeFunc: the wasm backend binds its C++ entry points there.
    tf.registerKernel({ ...config, kernelFunc: (args) => (hasComplexInput(args.inputs) ? viaCpu(args) : native(args)) });
    complexRouted.add(name);
  }
}

/**
 * Registers a cpu-backed wasm kernel for every kernel wasm lacks. Called by
 * `initBackend` once the wasm backend is ready; safe to call again (returns
 * the same list, registers nothing twice).
 */
export function bridgeMissingWasmKernels(): string[] {
  const backend = tf.findBackend('wasm') as unknown as WasmInternals | null;
  if (backend) patchComplexRead(backend);
  for (const name of missingWasmKernels()) {
    const cpuKernel = tf.getKernel(name, 'cpu');
    if (!cpuKernel) continue;
    const viaCpu = makeBridgedKernel(name, cpuKernel);
    const native = NATIVE_IMPLEMENTATIONS[name];
    const kernelFunc: tf.KernelFunc = (args) => {
      const out = native && preferNative ? native(args as Parameters<typeof native>[0]) : undefined;
      if (out) {
        count(name, 'native');
        return out;
      }
      count(name, 'cpu');
      return viaCpu(args);
    };
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
    bridged.push(name);
  }
  routeComplexInputs();
  return [...bridged].sort();
}

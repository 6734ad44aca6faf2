// tfjs and its wasm backend, loaded with require (tfjs.cjs says why).
import tf from './tfjs.cjs';
import { createRequire } from 'node:module';
import { UnavailableError, ConfigError } from './errors.js';
import { bridgeMissingWasmKernels } from './wasm_bridge.js';
import { registerMissingGradients } from './grads.js';

export { tf };

export type BackendName = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** What ran; stored with every result so numbers are never compared across backends unknowingly. */
export interface BackendInfo {
  requested: BackendName;
  /** tfjs backend name: 'tensorflow' | 'wasm' | 'cpu'. */
  name: string;
  /** The npm package that supplied a native backend, when one did. */
  nativePackage?: string;
  tfjsVersion: string;
  simd?: boolean;
  threads?: boolean;
  /** Kernels this process runs through the cpu bridge on wasm. */
  bridgedKernels?: string[];
}

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
let current: BackendInfo | undefined;

async function tryNative(): Promise<string | undefined> {
  const require = createRequire(import.meta.url);
  for (const pkg of NATIVE_PACKAGES) {
    try {
      require.resolve(pkg);
    } catch {
      continue;
    }
    try {
      await import(pkg);
      if (await tf.setBackend('tensorflow')) return pkg;
    } catch {
      // Installed but does not load (missing libtensorflow): fall through to the next option.
    }
  }
  return undefined;
}

/**
 * Chooses the tensor backend once per process. `auto`: native TensorFlow
 * (tfjs-node-gpu, then tfjs-node) when installed and loadable, else wasm
 * (SIMD, single thread in Node), else the pure-JS cpu backend.
 */
export async function initBackend(requested: BackendName = 'auto'): Promise<BackendInfo> {
  if (!BACKENDS.includes(requested)) {
    throw new ConfigError(`backend: unknown value ${JSON.stringify(requested)}; expected one of ${BACKENDS.join(', ')}`);
  }
  if (current && (current.requested === requested || requested === 'auto' || current.name === requested)) return current;
  let name: string | undefined;
  let nativePackage: string | undefined;
  if (requested === 'tensorflow' || requested === 'auto') {
    nativePackage = await tryNative();
    if (nativePackage) name = 'tensorflow';
    else if (requested === 'tensorflow') {
      throw new UnavailableError(
        'backend=tensorflow: neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed and loadable; ' +
          'install one with `npm install @tensorflow/tfjs-node` (it downloads libtensorflow at install time), or use backend=wasm',
      );
    }
  }
  if (!name && (requested === 'wasm' || requested === 'auto')) {
    try {
      if (await tf.setBackend('wasm')) name = 'wasm';
    } catch (err) {
      if (requested === 'wasm') throw new UnavailableError(`backend=wasm failed to initialise: ${(err as Error).message}`);
    }
  }
  if (!name) {
    await tf.setBackend('cpu');
    name = 'cpu';
  }
  await tf.ready();
  // Backend-independent: gradients tfjs lacks (einsum), so models train the same on every backend.
  registerMissingGradients();
  const info: BackendInfo = { requested, name, tfjsVersion: tf.version.tfjs };
  if (nativePackage) info.nativePackage = nativePackage;
  if (name === 'wasm') {
    info.simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    info.threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    info.bridgedKernels = bridgeMissingWasmKernels();
  }
  current = info;
  return info;
}

/** The backend chosen by initBackend, or undefined before it ran. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

export function describeBackend(info: BackendInfo): string {
  const flags = info.name === 'wasm' ? ` simd=${info.simd} threads=${info.threads}` : '';
  return `${info.name}${info.nativePackage ? ` (${info.nativePackage})` : ''}${flags} tfjs=${info.tfjsVersion}`;
}

import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { UnavailableError, ConfigError } from '../../src/core/errors.js';

describe('backend selection', () => {
  it('auto picks wasm here (no native TensorFlow installed) with SIMD and records the tfjs version', async () => {
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.simd).toBe(true);
    expect(info.tfjsVersion).toBe(tf.version.tfjs);
  });

  it('explains how to install tensorflow when it is asked for and absent', async () => {
    await expect(initBackend('tensorflow')).rejects.toThrow(UnavailableError);
    await expect(initBackend('tensorflow')).rejects.toThrow(/npm install @tensorflow\/tfjs-node/);
  });

  it('rejects an unknown backend name', async () => {
    await expect(initBackend('gpu' as never)).rejects.toThrow(ConfigError);
  });
});

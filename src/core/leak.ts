/**
 * Tensor-leak checks for tests and debug runs. tfjs frees memory only on
 * `dispose`/`tidy`; a step that leaks one tensor per call grows without bound
 * over an epoch, so tests assert `tf.memory().numTensors` stays flat.
 */
import { tf } from './backend.js';
import { AffectlabError } from './errors.js';

export class TensorLeakError extends AffectlabError {}

/**
 * Runs `fn` and throws if it leaves more live tensors than before
 * (+ `allowed`, e.g. the tensors it deliberately returns). Returns fn's value.
 */
export async function assertNoLeak<T>(fn: () => T | Promise<T>, label = 'block', allowed = 0): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  const after = tf.memory().numTensors;
  if (after - before > allowed) {
    throw new TensorLeakError(`${label}: leaked ${after - before - allowed} tensor(s) (numTensors ${before} -> ${after}, allowed +${allowed})`);
  }
  return out;
}

/**
 * Runs `step` `steps` times after `warmup` calls (optimisers create their slot
 * variables on the first step) and throws if the live tensor count changes
 * between any two measured steps. Returns the counts after each measured step.
 */
export async function withTensorCheck(
  step: (i: number) => unknown | Promise<unknown>,
  opts: { steps?: number; warmup?: number; label?: string } = {},
): Promise<number[]> {
  const { steps = 3, warmup = 1, label = 'step' } = opts;
  for (let i = 0; i < warmup; i++) await step(i);
  const counts = [tf.memory().numTensors];
  for (let i = 0; i < steps; i++) {
    await step(warmup + i);
    counts.push(tf.memory().numTensors);
  }
  if (counts.some((c) => c !== counts[0])) {
    throw new TensorLeakError(`${label}: live tensor count not flat across ${steps} steps: ${counts.join(' -> ')}`);
  }
  return counts;
}

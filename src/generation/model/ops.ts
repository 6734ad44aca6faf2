import { tf } from '../../core/backend.js';

/**
 * matMul whose gradient uses only non-transposed matmuls. On the wasm backend
 * (tfjs 4.22) a matMul with transposeA/transposeB misses the XNNPACK fast path
 * and runs 10–14× slower (measured: [1280,64]·[64,1000] 11 ms vs 140 ms of CPU),
 * and tfjs's own matMul gradient uses exactly those transposed products. An
 * explicit transpose followed by a plain matMul costs a fraction of that.
 * Works for rank 2 and for rank-3 batches of equal batch size.
 */
const plain = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [tf.matMul(dy as tf.Tensor2D, swapLast(sb) as tf.Tensor2D), tf.matMul(swapLast(sa) as tf.Tensor2D, dy as tf.Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

function swapLast(x: tf.Tensor): tf.Tensor {
  return x.rank === 2 ? x.transpose() : x.transpose([...Array.from({ length: x.rank - 2 }, (_, i) => i), x.rank - 1, x.rank - 2]);
}

export function mm<T extends tf.Tensor>(a: T, b: tf.Tensor, transposeA = false, transposeB = false): T {
  return plain(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b) as T;
}

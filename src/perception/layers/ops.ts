import { tf } from '../../core/backend.js';

/**
 * x·Wᵀ for x [N, in] and W [out, in] (torch layout), with a hand-written
 * gradient made of plain matmuls and explicit transposes.
 *
 * Why: on the wasm backend (tfjs 4.22) a 2-D matMul with transposeA or
 * transposeB takes a slow path — about 10× slower than transposing
 * explicitly and multiplying (measured: [3072,64]·[192,64]ᵀ 56 ms vs 6 ms) —
 * and tfjs's own matMul gradient uses exactly those flags. Here:
 *   y = x · transpose(W),  dx = dy · W,  dW = transpose(dy) · x.
 */
export const linearMatMul: (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, tf.transpose(w as tf.Tensor2D)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, ws), tf.matMul(tf.transpose(dy as tf.Tensor2D), xs)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

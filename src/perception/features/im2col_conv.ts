import { tf } from '../../core/backend.js';

/**
 * A 'same'-padded 2-D convolution computed as im2col + one matMul.
 *
 * Why not tf.layers.conv2d: its filter gradient (Conv2DBackpropFilter) has no
 * wasm kernel, and the cpu backend's is element-by-element (measured ~40 s for
 * one step of a two-stage net on 32 16×16 frames here). Here the k×k shifted
 * views are sliced from the padded input and concatenated along channels, so
 * the forward pass is pad + k² slices + concat + matMul and the backward pass
 * only needs slice, concat and matMul gradients, which every backend has.
 * Stride 2 computes the full-resolution map and keeps every second row and
 * column (a reshape and a slice; `stridedSlice` has no gradient), choosing
 * the same sampling phase as TensorFlow's 'same' padding, so results equal
 * tf.conv2d(x, W, stride, 'same') with W = kernel reshaped to [k, k, C, F]
 * (tested), for even spatial sizes at stride 2.
 */
export interface Im2colConvArgs {
  filters: number;
  kernelSize: 1 | 3 | 5;
  strides?: 1 | 2;
  useBias?: boolean;
  seed?: number;
  name?: string;
}

export class Im2colConv2D extends tf.layers.Layer {
  static className = 'AffectlabIm2colConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly useBias: boolean;
  private readonly seed: number | undefined;
  private kernel: tf.LayerVariable | undefined;
  private bias: tf.LayerVariable | undefined;

  constructor(args: Im2colConvArgs) {
    super({ name: args.name });
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides ?? 1;
    this.useBias = args.useBias ?? false;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const c = s[3] as number;
    const k = this.kernelSize;
    this.kernel = this.addWeight('kernel', [k * k * c, this.filters], 'float32', tf.initializers.heNormal({ seed: this.seed }));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const div = (v: number | null) => (v === null ? null : Math.ceil(v / this.strides));
    return [s[0], div(s[1]), div(s[2]), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [n, h, w, c] = x.shape;
      const k = this.kernelSize;
      const p = (k - 1) / 2;
      const xp = p > 0 ? tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]) : x;
      const views: tf.Tensor4D[] = [];
      for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) views.push(tf.slice(xp, [0, dy, dx, 0], [n, h, w, c]));
      const patches = views.length === 1 ? views[0] : tf.concat(views, 3);
      let y = tf.matMul(tf.reshape(patches, [n * h * w, k * k * c]), this.kernel!.read());
      if (this.bias) y = tf.add(y, this.bias.read());
      let out = tf.reshape(y, [n, h, w, this.filters]) as tf.Tensor4D;
      if (this.strides === 2) {
        if (h % 2 !== 0 || w % 2 !== 0) {
          throw new RangeError(`${this.name}: stride 2 needs even spatial sizes; got ${h}×${w}`);
        }
        // TF 'same' at stride 2 centres output i on input 2i + phase.
        const phase = p - Math.floor(Math.max(k - 2, 0) / 2);
        const r = tf.reshape(out, [n, h / 2, 2, w / 2, 2, this.filters]);
        out = tf.reshape(tf.slice(r, [0, 0, phase, 0, phase, 0], [n, h / 2, 1, w / 2, 1, this.filters]), [n, h / 2, w / 2, this.filters]);
      }
      return out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, useBias: this.useBias, ...(this.seed !== undefined ? { seed: this.seed } : {}) };
  }
}

tf.serialization.registerClass(Im2colConv2D);

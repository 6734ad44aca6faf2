import { tf } from '../../core/backend.js';
import { DataError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { Im2colConv2D } from './im2col_conv.js';

/**
 * A small trainable residual CNN for face frames (He et al. 2016, as paper 000
 * uses ResNet-style facial features): 3×3 convolution stem with batch norm and
 * ReLU; per stage a down-sampling residual block (stride-2 3×3 convolutions,
 * 1×1 projection shortcut) except in the first stage, then identity blocks
 * (conv–BN–ReLU–conv–BN, added to the input, ReLU); global average pooling;
 * a dense layer to the embedding (default 128-d). Inputs are 8-bit grayscale
 * frames scaled to [0, 1] and resized to `inputSize`².
 *
 * Convolutions are Im2colConv2D layers by default (see there: trainable on
 * wasm, where tf.layers.conv2d's filter gradient is missing); the tests check
 * its forward pass against tf.conv2d, its gradients against finite
 * differences, that every weight receives a gradient, and that training lowers
 * the loss. Spatial sizes must stay even at each stride-2 stage.
 */
export interface FaceResNetConfig {
  inputSize: number;
  /** Channels per stage; a new stage halves the resolution. */
  channels: number[];
  /** Identity blocks per stage. */
  blocksPerStage: number;
  embeddingDim: number;
  /**
   * `im2col` (default): convolutions as im2col + matMul (Im2colConv2D), trainable on
   * every backend; `native`: tf.layers.conv2d, faster inference but its filter
   * gradient is missing on wasm and very slow on cpu.
   */
  convImpl: 'im2col' | 'native';
}

export const DEFAULT_FACE_RESNET: FaceResNetConfig = { inputSize: 48, channels: [16, 32, 64], blocksPerStage: 1, embeddingDim: 128, convImpl: 'im2col' };

export class FaceResNet {
  readonly model: tf.LayersModel;
  readonly config: FaceResNetConfig;

  /** `rng` seeds every initialiser: the same seed gives the same weights. */
  constructor(cfg: Partial<FaceResNetConfig>, rng: Rng) {
    const c = { ...DEFAULT_FACE_RESNET, ...cfg };
    if (c.channels.length === 0 || c.channels.some((v) => !Number.isInteger(v) || v < 1)) {
      throw new DataError(`FaceResNet.channels is ${JSON.stringify(c.channels)}; expected a non-empty list of positive integers`);
    }
    const div = 2 ** (c.channels.length - 1);
    if (!Number.isInteger(c.inputSize) || c.inputSize < 2 * div || c.inputSize % div !== 0) {
      throw new DataError(
        `FaceResNet.inputSize is ${c.inputSize}; expected a multiple of ${div} and ≥ ${2 * div} for ${c.channels.length} stages (each stride-2 stage halves it)`,
      );
    }
    this.config = c;
    const init = () => tf.initializers.heNormal({ seed: rng.int32() });
    const conv = (x: tf.SymbolicTensor, filters: number, kernel: 1 | 3, stride: 1 | 2, name: string) =>
      (c.convImpl === 'native'
        ? tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: init(), name })
        : new Im2colConv2D({ filters, kernelSize: kernel, strides: stride, seed: rng.int32(), name })
      ).apply(x) as tf.SymbolicTensor;
    const bn = (x: tf.SymbolicTensor, name: string) => tf.layers.batchNormalization({ name }).apply(x) as tf.SymbolicTensor;
    const relu = (x: tf.SymbolicTensor, name: string) => tf.layers.reLU({ name }).apply(x) as tf.SymbolicTensor;

    const input = tf.input({ shape: [c.inputSize, c.inputSize, 1], name: 'face_frames' });
    let x = relu(bn(conv(input, c.channels[0], 3, 1, 'stem_conv'), 'stem_bn'), 'stem_relu');
    c.channels.forEach((ch, s) => {
      if (s > 0) {
        const p = `s${s}_down`;
        let y = relu(bn(conv(x, ch, 3, 2, `${p}_conv1`), `${p}_bn1`), `${p}_relu1`);
        y = bn(conv(y, ch, 3, 1, `${p}_conv2`), `${p}_bn2`);
        const short = bn(conv(x, ch, 1, 2, `${p}_proj`), `${p}_proj_bn`);
        x = relu(tf.layers.add({ name: `${p}_add` }).apply([y, short]) as tf.SymbolicTensor, `${p}_out`);
      }
      for (let b = 0; b < c.blocksPerStage; b++) {
        const p = `s${s}_id${b}`;
        let y = relu(bn(conv(x, ch, 3, 1, `${p}_conv1`), `${p}_bn1`), `${p}_relu1`);
        y = bn(conv(y, ch, 3, 1, `${p}_conv2`), `${p}_bn2`);
        x = relu(tf.layers.add({ name: `${p}_add` }).apply([y, x]) as tf.SymbolicTensor, `${p}_out`);
      }
    });
    const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
    const emb = tf.layers
      .dense({ units: c.embeddingDim, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.int32() }), name: 'embedding' })
      .apply(pooled) as tf.SymbolicTensor;
    this.model = tf.model({ inputs: input, outputs: emb, name: 'face_resnet' });
  }

  /** Grayscale frames (width×height bytes each) → [N, S, S, 1] in [0, 1], bilinearly resized. */
  framesToTensor(frames: readonly Uint8Array[], width: number, height: number): tf.Tensor4D {
    const n = frames.length;
    const px = width * height;
    const flat = new Float32Array(n * px);
    frames.forEach((f, i) => {
      if (f.length !== px) throw new DataError(`face frame ${i} has ${f.length} pixels; expected width×height = ${width}×${height}`);
      for (let k = 0; k < px; k++) flat[i * px + k] = f[k] / 255;
    });
    const S = this.config.inputSize;
    return tf.tidy(() => {
      const t = tf.tensor4d(flat, [n, height, width, 1]);
      return width === S && height === S ? t : tf.image.resizeBilinear(t, [S, S]);
    });
  }

  /** Forward pass inside a graph the caller owns (training: batch-norm in training mode). */
  apply(x: tf.Tensor4D, training = false): tf.Tensor2D {
    return this.model.apply(x, { training }) as tf.Tensor2D;
  }

  /** Embeddings of grayscale frames, N×embeddingDim row-major; processed in batches. */
  predictEmbedding(frames: readonly Uint8Array[], width: number, height: number, batchSize = 64): Float32Array {
    const d = this.config.embeddingDim;
    const out = new Float32Array(frames.length * d);
    for (let s = 0; s < frames.length; s += batchSize) {
      const part = frames.slice(s, s + batchSize);
      const emb = tf.tidy(() => this.apply(this.framesToTensor(part, width, height), false));
      out.set(emb.dataSync(), s * d);
      emb.dispose();
    }
    return out;
  }

  get trainableWeights(): tf.LayerVariable[] {
    return this.model.trainableWeights;
  }

  dispose(): void {
    this.model.dispose();
  }
}

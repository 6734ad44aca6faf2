import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { tf } from '../../core/backend.js';
import { DataError, UnavailableError } from '../../core/errors.js';
import type { VideoFrames } from '../../data/types.js';

/**
 * Face presence, 7-class expression probabilities and a 128-d face embedding
 * for real photos, from the pretrained networks bundled in
 * `@vladmandic/face-api` (loaded from its `model/` folder on disk; nothing is
 * downloaded). Its `node-wasm` build is loaded through `require`, which
 * resolves `@tensorflow/tfjs` to the same module instance as ours, so it runs
 * on whatever backend `initBackend` chose (checked at load).
 *
 * Pipeline per image: detector (SSD MobileNet v1, or the tiny detector) →
 * 68-point landmarks → expression net and recognition net on the aligned
 * crop. The highest-scoring face is reported; `faces` counts all detections.
 */
export const FACE_API_EXPRESSIONS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;

export interface FaceApiOptions {
  /** Folder holding the *-weights_manifest.json files; default: the package's bundled `model/`. */
  modelDir?: string;
  detector?: 'ssd' | 'tiny';
  /** Detections below this score are ignored. */
  minConfidence?: number;
  /** Images are downscaled so their longer side is at most this (speed; the detector resizes anyway). */
  maxSide?: number;
}

export interface FaceObservation {
  present: boolean;
  /** Detection score of the reported face (0 when none). */
  score: number;
  /** [x, y, width, height] in input pixels, or null. */
  box: [number, number, number, number] | null;
  /** Probabilities in FACE_API_EXPRESSIONS order (zeros when no face). */
  expressions: Float32Array;
  /** 128-d recognition embedding, or null when no face. */
  embedding: Float32Array | null;
  /** Faces detected above minConfidence. */
  faces: number;
}

/** The subset of face-api's API used here. */
interface FaceApiModule {
  tf: { engine(): unknown };
  nets: Record<'ssdMobilenetv1' | 'tinyFaceDetector' | 'faceLandmark68Net' | 'faceExpressionNet' | 'faceRecognitionNet', { loadFromDisk(dir: string): Promise<void> }>;
  SsdMobilenetv1Options: new (o: { minConfidence: number }) => unknown;
  TinyFaceDetectorOptions: new (o: { scoreThreshold: number; inputSize: number }) => unknown;
  detectAllFaces(input: tf.Tensor3D, options: unknown): {
    withFaceLandmarks(): { withFaceExpressions(): { withFaceDescriptors(): Promise<FaceApiResult[]> } };
  };
}
interface FaceApiResult {
  detection: { score: number; box: { x: number; y: number; width: number; height: number } };
  expressions: Record<string, number>;
  descriptor: Float32Array;
}

export class FaceApiExtractor {
  private constructor(
    private readonly api: FaceApiModule,
    private readonly opts: Required<FaceApiOptions>,
  ) {}

  static async load(opts: FaceApiOptions = {}): Promise<FaceApiExtractor> {
    const require = createRequire(import.meta.url);
    let pkgDir: string;
    try {
      pkgDir = dirname(require.resolve('@vladmandic/face-api/package.json'));
    } catch {
      throw new UnavailableError('face extractor "face-api": the @vladmandic/face-api package is not installed');
    }
    const modelDir = opts.modelDir ?? join(pkgDir, 'model');
    const full: Required<FaceApiOptions> = { modelDir, detector: opts.detector ?? 'ssd', minConfidence: opts.minConfidence ?? 0.5, maxSide: opts.maxSide ?? 640 };
    const manifests = [full.detector === 'ssd' ? 'ssd_mobilenetv1_model' : 'tiny_face_detector_model', 'face_landmark_68_model', 'face_expression_model', 'face_recognition_model'];
    for (const m of manifests) {
      const f = join(modelDir, `${m}-weights_manifest.json`);
      if (!existsSync(f)) throw new DataError(`face-api modelDir ${JSON.stringify(modelDir)}: missing ${m}-weights_manifest.json; expected the package's model/ folder`);
    }
    const api = require(join(pkgDir, 'dist', 'face-api.node-wasm.js')) as FaceApiModule;
    if (api.tf.engine() !== tf.engine()) {
      throw new UnavailableError('face-api loaded a different @tensorflow/tfjs instance than affectlab; check for duplicate tfjs installs');
    }
    await (full.detector === 'ssd' ? api.nets.ssdMobilenetv1 : api.nets.tinyFaceDetector).loadFromDisk(modelDir);
    await api.nets.faceLandmark68Net.loadFromDisk(modelDir);
    await api.nets.faceExpressionNet.loadFromDisk(modelDir);
    await api.nets.faceRecognitionNet.loadFromDisk(modelDir);
    return new FaceApiExtractor(api, full);
  }

  /** One image: the highest-scoring face (`channels` 1 gray, 3 RGB or 4 RGBA; row-major bytes). */
  async analyze(data: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Promise<FaceObservation> {
    const all = await this.analyzeAll(data, width, height, channels);
    if (all.length === 0) {
      return { present: false, score: 0, box: null, expressions: new Float32Array(FACE_API_EXPRESSIONS.length), embedding: null, faces: 0 };
    }
    return all[0];
  }

  /** Every detected face, highest score first. */
  async analyzeAll(data: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Promise<FaceObservation[]> {
    if (data.length !== width * height * channels) {
      throw new DataError(`face-api image: ${data.length} bytes; expected width×height×channels = ${width}×${height}×${channels}`);
    }
    const scale = Math.min(1, this.opts.maxSide / Math.max(width, height));
    const img = tf.tidy(() => {
      let t: tf.Tensor3D = tf.tensor3d(data, [height, width, channels], 'int32');
      if (channels === 4) t = tf.slice(t, [0, 0, 0], [height, width, 3]);
      if (channels === 1) t = tf.tile(t, [1, 1, 3]);
      if (scale < 1) t = tf.cast(tf.round(tf.image.resizeBilinear(t, [Math.round(height * scale), Math.round(width * scale)])), 'int32') as tf.Tensor3D;
      return t;
    });
    let results: FaceApiResult[];
    try {
      const options =
        this.opts.detector === 'ssd'
          ? new this.api.SsdMobilenetv1Options({ minConfidence: this.opts.minConfidence })
          : new this.api.TinyFaceDetectorOptions({ scoreThreshold: this.opts.minConfidence, inputSize: 416 });
      results = await this.api.detectAllFaces(img, options).withFaceLandmarks().withFaceExpressions().withFaceDescriptors();
    } finally {
      img.dispose();
    }
    return results
      .sort((a, b) => b.detection.score - a.detection.score)
      .map((r) => {
        const b = r.detection.box;
        return {
          present: true,
          score: r.detection.score,
          box: [b.x / scale, b.y / scale, b.width / scale, b.height / scale] as [number, number, number, number],
          expressions: Float32Array.from(FACE_API_EXPRESSIONS, (e) => r.expressions[e] ?? 0),
          embedding: Float32Array.from(r.descriptor),
          faces: results.length,
        };
      });
  }

  /** Every frame of a grayscale video (see `majorityVote` for per-clip decisions). */
  async analyzeFrames(video: VideoFrames): Promise<FaceObservation[]> {
    const out: FaceObservation[] = [];
    for (const f of video.frames) out.push(await this.analyze(f, video.width, video.height, 1));
    return out;
  }
}

/**
 * Decodes an image file (JPEG, PNG, WebP, …) to RGB bytes with `sharp`
 * (libvips). sharp is installed as a dependency of @huggingface/transformers,
 * not declared by affectlab itself; a missing sharp gives an UnavailableError.
 */
export async function decodeImageFile(path: string): Promise<{ data: Uint8Array; width: number; height: number; channels: 3 }> {
  let sharp: (p: string) => { removeAlpha(): { toColourspace(c: string): { raw(): { toBuffer(o: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }> } } } };
  try {
    sharp = (await import('sharp')).default as unknown as typeof sharp;
  } catch {
    throw new UnavailableError(`decodeImageFile(${JSON.stringify(path)}): the sharp package is not installed; decode the image yourself and call analyze()`);
  }
  if (!existsSync(path)) throw new DataError(`image file ${JSON.stringify(path)} does not exist`);
  const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new DataError(`image file ${JSON.stringify(path)}: decoded to ${info.channels} channels; expected 3`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
}

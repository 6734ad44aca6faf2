import { DataError } from '../../core/errors.js';
import type { VideoFrames } from '../../data/types.js';
import type { FeatureSequence } from '../types.js';

/**
 * A fixed (untrained) per-frame face descriptor, for the align step and for
 * fusion models that do not train the FaceResNet on raw frames.
 * - `hog`: histogram of oriented gradients (Dalal & Triggs 2005): the frame is
 *   area-resized to size², gradients by centred [−1, 0, 1] differences,
 *   unsigned orientation in `bins` bins over [0°, 180°) with linear vote
 *   interpolation between the two nearest bin centres, cells × cells cells;
 *   the whole vector is L2-Hys normalised (L2, clip at 0.2, L2 again) instead
 *   of per-block normalisation: the frames are already face crops of one size,
 *   and the shorter vector suits the alignment projection.
 * - `pixels`: the area-resized frame, z-normalised per frame (removes global
 *   brightness and contrast).
 * Hand-written: no maintained npm package computes HOG on raw buffers without
 * a canvas or OpenCV build.
 */
export interface FaceDescriptorConfig {
  kind: 'hog' | 'pixels';
  /** Side of the resized frame. */
  size: number;
  /** HOG cells per side (size must be a multiple). */
  cells: number;
  /** HOG orientation bins. */
  bins: number;
}

export const DEFAULT_FACE_DESCRIPTOR: FaceDescriptorConfig = { kind: 'hog', size: 32, cells: 4, bins: 9 };

export function descriptorDim(cfg: FaceDescriptorConfig): number {
  return cfg.kind === 'hog' ? cfg.cells * cfg.cells * cfg.bins : cfg.size * cfg.size;
}

/** Area-average resize of an 8-bit grayscale frame to size × size, values in [0, 1]. */
export function resizeArea(frame: Uint8Array, width: number, height: number, size: number): Float64Array {
  const out = new Float64Array(size * size);
  for (let oy = 0; oy < size; oy++) {
    const y0 = (oy * height) / size;
    const y1 = ((oy + 1) * height) / size;
    for (let ox = 0; ox < size; ox++) {
      const x0 = (ox * width) / size;
      const x1 = ((ox + 1) * width) / size;
      let s = 0;
      let wsum = 0;
      // Weight each source pixel by its overlap with the target cell (exact area averaging).
      for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          s += wx * wy * frame[y * width + x];
          wsum += wx * wy;
        }
      }
      out[oy * size + ox] = s / wsum / 255;
    }
  }
  return out;
}

export function hog(img: Float64Array, size: number, cells: number, bins: number): Float32Array {
  const cellPx = size / cells;
  const hist = new Float64Array(cells * cells * bins);
  const binWidth = 180 / bins;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Centred differences; at the border the missing neighbour repeats the pixel.
      const gx = img[y * size + Math.min(size - 1, x + 1)] - img[y * size + Math.max(0, x - 1)];
      const gy = img[Math.min(size - 1, y + 1) * size + x] - img[Math.max(0, y - 1) * size + x];
      const mag = Math.hypot(gx, gy);
      if (mag === 0) continue;
      let ang = (Math.atan2(gy, gx) * 180) / Math.PI;
      if (ang < 0) ang += 180;
      if (ang >= 180) ang -= 180;
      // Bin b is centred at (b + ½)·binWidth; split the vote between the two nearest centres (cyclic).
      const pos = ang / binWidth - 0.5;
      const b0 = Math.floor(pos);
      const f = pos - b0;
      const cell = Math.floor(y / cellPx) * cells + Math.floor(x / cellPx);
      hist[cell * bins + ((b0 + bins) % bins)] += mag * (1 - f);
      hist[cell * bins + ((b0 + 1) % bins)] += mag * f;
    }
  }
  const out = new Float32Array(hist.length);
  let n = 0;
  for (const v of hist) n += v * v;
  n = Math.sqrt(n) + 1e-12;
  let n2 = 0;
  for (let i = 0; i < hist.length; i++) {
    const v = Math.min(0.2, hist[i] / n);
    hist[i] = v;
    n2 += v * v;
  }
  n2 = Math.sqrt(n2) + 1e-12;
  for (let i = 0; i < hist.length; i++) out[i] = hist[i] / n2;
  return out;
}

export function faceDescriptor(frame: Uint8Array, width: number, height: number, cfg: FaceDescriptorConfig = DEFAULT_FACE_DESCRIPTOR): Float32Array {
  const img = resizeArea(frame, width, height, cfg.size);
  if (cfg.kind === 'hog') return hog(img, cfg.size, cfg.cells, cfg.bins);
  let mean = 0;
  for (const v of img) mean += v;
  mean /= img.length;
  let sd = 0;
  for (const v of img) sd += (v - mean) ** 2;
  sd = Math.sqrt(sd / img.length);
  return Float32Array.from(img, (v) => (sd > 1e-9 ? (v - mean) / sd : 0));
}

export interface FaceSequenceResult {
  /** Undefined when no frame is left (the modality then counts as missing). */
  features: FeatureSequence | undefined;
  /** Frames dropped because they show no face. */
  excluded: number;
}

/**
 * Descriptors of every frame that shows a face. Presence comes from
 * `video.facePresent` (SynAffect's ground truth, standing in for a detector on
 * rendered frames; real photos go through FaceApiExtractor); without it every
 * frame is kept.
 */
export function faceDescriptorSequence(video: VideoFrames, cfg: FaceDescriptorConfig = DEFAULT_FACE_DESCRIPTOR, excludeNoFace = true, where = 'video'): FaceSequenceResult {
  const { width, height, frames } = video;
  if (cfg.kind === 'hog' && cfg.size % cfg.cells !== 0) {
    throw new DataError(`perception.features.face: size ${cfg.size} is not a multiple of cells ${cfg.cells}`);
  }
  if (video.times.length !== frames.length) {
    throw new DataError(`${where}.times has ${video.times.length} entries for ${frames.length} frames; expected one time per frame`);
  }
  const keep: number[] = [];
  frames.forEach((f, i) => {
    if (f.length !== width * height) throw new DataError(`${where}.frames[${i}] has ${f.length} pixels; expected ${width}×${height}`);
    if (!excludeNoFace || !video.facePresent || video.facePresent[i]) keep.push(i);
  });
  const excluded = frames.length - keep.length;
  if (keep.length === 0) return { features: undefined, excluded };
  const dim = descriptorDim(cfg);
  const values = new Float32Array(keep.length * dim);
  const times = new Float32Array(keep.length);
  keep.forEach((i, k) => {
    values.set(faceDescriptor(frames[i], width, height, cfg), k * dim);
    times[k] = video.times[i];
  });
  return { features: { times, values, dim }, excluded };
}

import type { Rng } from '../../core/rng.js';
import type { TimeWarp, VideoFrames } from '../types.js';
import type { EmotionPrototype } from './presets.js';
import type { Speaker } from './speaker.js';
import { emotionAt, type Timeline } from './timeline.js';
import { NoiseSource } from './noise.js';

export interface FaceOptions {
  width: number;
  height: number;
  fps: number;
  durationS: number;
  noFaceRate: number;
  degradedNoFaceRate: number;
  /** Degraded: occluders, sensor noise and more faceless frames. */
  degraded: boolean;
  peakIntensity: number;
}

interface FaceParams {
  cx: number;
  cy: number;
  scale: number;
  roll: number;
  light: number;
  gradient: number;
  browRaise: number;
  browSlant: number;
  eyeOpen: number;
  mouthCurve: number;
  mouthOpen: number;
  mouthWidth: number;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Distance from (x, y) to the segment (x0, y0)–(x1, y1). */
function segDist(x: number, y: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const t = clamp(((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy), 0, 1);
  return Math.hypot(x - x0 - t * dx, y - y0 - t * dy);
}

/**
 * Draws one grayscale face from a parametric model (hand-written: the point is
 * a controllable renderer with known ground truth, which no package offers).
 * Coordinates are fractions of the frame; the face is drawn in its own frame
 * (u right, v down, origin between the eyes' midline and the nose) after
 * inverse pose rotation.
 */
function render(sp: Speaker, p: FaceParams, w: number, h: number, rng: NoiseSource, noiseStd: number): Uint8Array {
  const img = new Uint8Array(w * h);
  const cos = Math.cos(p.roll);
  const sin = Math.sin(p.roll);
  const eyeY = -0.06;
  const eyeRx = sp.eyeSize * 1.3;
  const eyeRy = sp.eyeSize * clamp(0.7 + 0.55 * p.eyeOpen, 0.12, 1.5);
  const browY = eyeY - sp.eyeSize * 1.9 - 0.05 * p.browRaise;
  const browSlope = 0.05 * p.browSlant; // inner ends lower when positive (anger), higher when negative (sadness)
  const mw = (sp.mouthW / 2) * (1 + 0.3 * p.mouthWidth);
  const mouthY = 0.2;
  const curve = 0.08 * p.mouthCurve;
  const open = 0.1 * Math.max(0, p.mouthOpen);
  for (let py = 0; py < h; py++) {
    for (let px = 0; px < w; px++) {
      const x0 = (px + 0.5) / w - p.cx;
      const y0 = (py + 0.5) / h - p.cy;
      const u = (cos * x0 + sin * y0) / p.scale;
      const v = (-sin * x0 + cos * y0) / p.scale;
      const light = p.light * (1 + p.gradient * x0 * 2);
      let g = 70 + 40 * ((py + 0.5) / h); // background
      if ((u / sp.faceW) ** 2 + (v / sp.faceH) ** 2 < 1) {
        g = sp.skin;
        const au = Math.abs(u);
        // Eyes.
        if (((au - sp.eyeGap / 2 - eyeRx) / eyeRx) ** 2 + ((v - eyeY) / eyeRy) ** 2 < 1) g = 35;
        // Brows: segments over each eye, inner end shifted by the slant.
        const bIn = sp.eyeGap / 2;
        const bOut = sp.eyeGap / 2 + 2.2 * eyeRx;
        if (segDist(au, v, bIn, browY + browSlope, bOut, browY - browSlope * 0.3) < 0.016) g = 55;
        // Nose shadow.
        if (au < 0.015 && v > 0.02 && v < 0.11) g = sp.skin - 35;
        // Mouth: upper lip curve, lower lip lower by the opening; corners up when curve > 0.
        if (au < mw) {
          const q = (au / mw) ** 2;
          const yu = mouthY - curve * q + 0.5 * curve;
          const yl = yu + open * (1 - q) + 0.012;
          if (v > yu - 0.012 && v < yl + 0.004) g = v > yu + 0.006 && v < yl - 0.006 ? 15 : 60;
        }
      }
      img[py * w + px] = clamp(Math.round(g * light + noiseStd * rng.normal()), 0, 255);
    }
  }
  return img;
}

function renderNoFace(w: number, h: number, rng: Rng, noise: NoiseSource, light: number, noiseStd: number): Uint8Array {
  const img = new Uint8Array(w * h);
  // Clutter: a few soft blobs over the background, so "no face" is not simply "flat".
  const blobs = Array.from({ length: 3 }, () => ({ x: rng.next(), y: rng.next(), r: rng.uniform(0.08, 0.25), g: rng.uniform(40, 200) }));
  for (let py = 0; py < h; py++) {
    for (let px = 0; px < w; px++) {
      const x = (px + 0.5) / w;
      const y = (py + 0.5) / h;
      let g = 70 + 40 * y;
      for (const b of blobs) if ((x - b.x) ** 2 + (y - b.y) ** 2 < b.r * b.r) g = b.g;
      img[py * w + px] = clamp(Math.round(g * light + noiseStd * noise.normal()), 0, 255);
    }
  }
  return img;
}

/** Frames at `fps`, centred in each 1/fps interval, showing the emotion seen through the face warp. */
export function synthFace(rng: Rng, sp: Speaker, proto: EmotionPrototype, tl: Timeline, warp: TimeWarp, o: FaceOptions): VideoFrames {
  const nFrames = Math.max(1, Math.ceil(o.durationS * o.fps - 1e-9));
  const times = new Float32Array(nFrames);
  const frames: Uint8Array[] = [];
  const facePresent: boolean[] = [];
  const base = { cx: 0.5 + rng.uniform(-0.03, 0.03), cy: 0.5 + rng.uniform(-0.03, 0.03), scale: rng.uniform(0.92, 1.08), roll: rng.uniform(-0.12, 0.12), light: rng.uniform(0.75, 1.15), gradient: rng.uniform(-0.3, 0.3) };
  const noFace = o.degraded ? o.degradedNoFaceRate : o.noFaceRate;
  const noiseStd = o.degraded ? 28 : 3;
  const ex = sp.expressiveness;
  const noise = new NoiseSource(rng);
  for (let k = 0; k < nFrames; k++) {
    const t = Math.min(o.durationS, (k + 0.5) / o.fps);
    times[k] = t;
    const present = !rng.bernoulli(noFace);
    facePresent.push(present);
    if (!present) {
      frames.push(renderNoFace(o.width, o.height, rng, noise, base.light, noiseStd));
      continue;
    }
    const e = emotionAt(tl, warp, t, o.peakIntensity);
    const a = e.env * ex;
    const f = proto.face;
    const p: FaceParams = {
      cx: base.cx + rng.normal(0, 0.01),
      cy: base.cy + rng.normal(0, 0.01),
      scale: base.scale,
      roll: base.roll + rng.normal(0, 0.03),
      light: base.light,
      gradient: base.gradient,
      browRaise: f.browRaise * a,
      browSlant: f.browSlant * a,
      eyeOpen: f.eyeOpen * a + 0.2 * e.arousal,
      mouthCurve: f.mouthCurve * a * 0.6 + 0.5 * e.valence,
      mouthOpen: f.mouthOpen * a,
      mouthWidth: f.mouthWidth * a,
    };
    const img = render(sp, p, o.width, o.height, noise, noiseStd);
    if (o.degraded) occlude(img, o.width, o.height, rng);
    frames.push(img);
  }
  return { fps: o.fps, width: o.width, height: o.height, frames, times, facePresent };
}

/** A uniform occluder (hand, scarf, sunglasses) over the eye band or the mouth band. */
function occlude(img: Uint8Array, w: number, h: number, rng: Rng): void {
  const upper = rng.bernoulli(0.5);
  const y0 = Math.floor(h * (upper ? 0.25 : 0.55));
  const y1 = Math.floor(h * (upper ? 0.5 : 0.85));
  const g = rng.intBetween(20, 230);
  for (let y = y0; y < y1; y++) for (let x = Math.floor(w * 0.15); x < Math.ceil(w * 0.85); x++) img[y * w + x] = g;
}

/**
 * Second-order IIR sections (RBJ Audio-EQ-Cookbook Butterworth, Q = 1/√2)
 * and zero-phase forward–backward filtering, as scipy.signal.filtfilt does
 * with odd-reflection padding.
 *
 * Hand-written: no maintained npm package in the installed set designs IIR
 * filters (fili is unmaintained and not installed); the few lines here are
 * the textbook biquad.
 */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** A 2nd-order Butterworth low-pass or high-pass section at `cutoff` Hz. */
export function butter2(kind: 'lowpass' | 'highpass', cutoff: number, sampleRate: number): Biquad {
  const w0 = (2 * Math.PI * cutoff) / sampleRate;
  const cw = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * Math.SQRT1_2);
  const a0 = 1 + alpha;
  const b1 = kind === 'lowpass' ? 1 - cw : -(1 + cw);
  const b0 = kind === 'lowpass' ? (1 - cw) / 2 : (1 + cw) / 2;
  return { b0: b0 / a0, b1: b1 / a0, b2: b0 / a0, a1: (-2 * cw) / a0, a2: (1 - alpha) / a0 };
}

function runBiquad(q: Biquad, x: Float64Array): void {
  // Start from the steady state for the first sample (as lfilter_zi), so a constant input passes unchanged.
  const dc = (q.b0 + q.b1 + q.b2) / (1 + q.a1 + q.a2);
  let x1 = x[0];
  let x2 = x[0];
  let y1 = x[0] * dc;
  let y2 = x[0] * dc;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const y = q.b0 * v + q.b1 * x1 + q.b2 * x2 - q.a1 * y1 - q.a2 * y2;
    x2 = x1;
    x1 = v;
    y2 = y1;
    y1 = y;
    x[i] = y;
  }
}

/** Zero-phase filtering through a cascade of sections (forward then backward), odd-reflection padded. */
export function filtfilt(sections: Biquad[], x: ArrayLike<number>, padlen?: number): Float64Array {
  const n = x.length;
  if (n === 0) return new Float64Array(0);
  const pad = Math.min(padlen ?? 3 * 2 * sections.length * 10, n - 1);
  const buf = new Float64Array(n + 2 * pad);
  for (let i = 0; i < pad; i++) buf[i] = 2 * x[0] - x[pad - i];
  for (let i = 0; i < n; i++) buf[pad + i] = x[i];
  for (let i = 0; i < pad; i++) buf[pad + n + i] = 2 * x[n - 1] - x[n - 2 - i];
  for (const s of sections) runBiquad(s, buf);
  buf.reverse();
  for (const s of sections) runBiquad(s, buf);
  buf.reverse();
  return buf.slice(pad, pad + n);
}

/** Centred moving average over `width` samples (odd; shrinks at the edges). */
export function movingAverage(x: ArrayLike<number>, width: number): Float64Array {
  const n = x.length;
  const half = Math.floor(width / 2);
  const cum = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cum[i + 1] = cum[i] + x[i];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half);
    const b = Math.min(n, i + half + 1);
    out[i] = (cum[b] - cum[a]) / (b - a);
  }
  return out;
}

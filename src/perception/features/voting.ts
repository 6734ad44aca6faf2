import { DataError } from '../../core/errors.js';

/**
 * Per-clip decisions from per-frame face classifications (paper 000): frames
 * are sampled at `fps` (1 frame per second in the paper), frames without a
 * face are excluded before voting, each remaining frame votes for its argmax
 * class, and the clip takes the majority. A tie is broken by the highest mean
 * probability among the tied classes over the voting frames; a further exact
 * tie takes the lowest class index.
 */
export interface FrameClassification {
  present: boolean;
  probs: ArrayLike<number>;
}

export interface ClipVote {
  /** -1 when no sampled frame shows a face. */
  classIndex: number;
  votes: number[];
  /** Mean class probabilities over the voting frames. */
  meanProbs: number[];
  /** Frames that voted. */
  used: number;
  /** Sampled frames excluded for showing no face. */
  excluded: number;
  /** Indices (into the input) of the sampled frames. */
  sampled: number[];
}

/**
 * Indices of the frames nearest to the ticks 0, 1/fps, 2/fps, … within the
 * frames' time span (each frame used at most once). Without `fps` every frame.
 */
export function sampleAtFps(times: ArrayLike<number>, fps?: number): number[] {
  const n = times.length;
  if (fps === undefined || n === 0) return Array.from({ length: n }, (_, i) => i);
  if (!(fps > 0)) throw new DataError(`face voting fps is ${fps}; expected a positive number`);
  const out: number[] = [];
  let j = 0;
  for (let tick = Math.ceil(times[0] * fps - 1e-9) / fps; tick <= times[n - 1] + 1e-9; tick += 1 / fps) {
    while (j + 1 < n && Math.abs(times[j + 1] - tick) <= Math.abs(times[j] - tick)) j++;
    if (out.length === 0 || out[out.length - 1] !== j) out.push(j);
  }
  return out;
}

export function majorityVote(frames: readonly FrameClassification[], opts: { times?: ArrayLike<number>; fps?: number } = {}): ClipVote {
  if (opts.times && opts.times.length !== frames.length) {
    throw new DataError(`majorityVote: ${opts.times.length} times for ${frames.length} frames; expected one time per frame`);
  }
  const sampled = opts.times ? sampleAtFps(opts.times, opts.fps) : frames.map((_, i) => i);
  const k = frames.find((f) => f.present)?.probs.length ?? 0;
  const votes = new Array<number>(k).fill(0);
  const sum = new Array<number>(k).fill(0);
  let used = 0;
  let excluded = 0;
  for (const i of sampled) {
    const f = frames[i];
    if (!f.present) {
      excluded++;
      continue;
    }
    if (f.probs.length !== k) throw new DataError(`majorityVote: frame ${i} has ${f.probs.length} class probabilities; expected ${k}`);
    let arg = 0;
    for (let c = 0; c < k; c++) {
      sum[c] += f.probs[c];
      if (f.probs[c] > f.probs[arg]) arg = c;
    }
    votes[arg]++;
    used++;
  }
  const meanProbs = sum.map((s) => (used > 0 ? s / used : 0));
  if (used === 0) return { classIndex: -1, votes, meanProbs, used, excluded, sampled };
  const top = Math.max(...votes);
  let classIndex = -1;
  for (let c = 0; c < k; c++) if (votes[c] === top && (classIndex < 0 || meanProbs[c] > meanProbs[classIndex])) classIndex = c;
  return { classIndex, votes, meanProbs, used, excluded, sampled };
}

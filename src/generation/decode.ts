import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { DecodingConfig } from './config.js';
import type { FastDecoder, Prepared } from './model/fast.js';

/** Per-call decoding options (config `generator.decoding`, camelCased). */
export interface DecodeOptions {
  strategy: 'greedy' | 'sample';
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  maxNewTokens: number;
  kvCache: boolean;
}

export function decodeOptionsFrom(cfg: DecodingConfig, over: Partial<DecodeOptions> = {}): DecodeOptions {
  const o: DecodeOptions = {
    strategy: cfg.strategy,
    temperature: cfg.temperature,
    topK: cfg.top_k,
    topP: cfg.top_p,
    repetitionPenalty: cfg.repetition_penalty,
    maxNewTokens: cfg.max_new_tokens,
    kvCache: cfg.kv_cache,
    ...over,
  };
  if (!(o.temperature > 0)) throw new ConfigError(`decoding.temperature: ${o.temperature}; expected a number > 0`);
  if (!(o.topP > 0 && o.topP <= 1)) throw new ConfigError(`decoding.top_p: ${o.topP}; expected a number in (0, 1]`);
  if (!(Number.isInteger(o.topK) && o.topK >= 0)) throw new ConfigError(`decoding.top_k: ${o.topK}; expected an integer >= 0`);
  if (!(o.repetitionPenalty >= 1)) throw new ConfigError(`decoding.repetition_penalty: ${o.repetitionPenalty}; expected a number >= 1`);
  if (!(Number.isInteger(o.maxNewTokens) && o.maxNewTokens > 0)) throw new ConfigError(`decoding.max_new_tokens: ${o.maxNewTokens}; expected an integer > 0`);
  return o;
}

/**
 * CTRL repetition penalty (Keskar et al. 2019, as in HF transformers): the
 * logit of every token already generated is divided by `penalty` if positive,
 * multiplied by it if negative. In place.
 */
export function applyRepetitionPenalty(logits: Float32Array | Float64Array, generated: readonly number[], penalty: number): void {
  if (penalty === 1) return;
  for (const t of new Set(generated)) logits[t] = logits[t] > 0 ? logits[t] / penalty : logits[t] * penalty;
}

/**
 * Sampling distribution: logits / temperature, then top-k (keep the k largest),
 * then top-p (keep the smallest set of most probable tokens whose mass reaches
 * p; Holtzman et al. 2020), renormalised. −Infinity logits get probability 0.
 */
export function samplingDistribution(logits: ArrayLike<number>, temperature: number, topK: number, topP: number): Float64Array {
  const n = logits.length;
  const z = new Float64Array(n);
  let mx = -Infinity;
  for (let i = 0; i < n; i++) {
    z[i] = logits[i] / temperature;
    if (z[i] > mx) mx = z[i];
  }
  const p = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    p[i] = Math.exp(z[i] - mx);
    s += p[i];
  }
  for (let i = 0; i < n; i++) p[i] /= s;
  if ((topK > 0 && topK < n) || topP < 1) {
    // The cut needs the probabilities in descending order, not the token order: a native
    // Float64Array sort (no comparator) is ~5× cheaper than sorting indices by p, and this runs
    // once per sampled token (profiled as the largest single cost of a reply). Ties keep the
    // lowest token ids, and the sums run in the same order, so the result is bitwise the same.
    const desc = Float64Array.from(p).sort().reverse();
    let keep = topK > 0 ? Math.min(topK, n) : n;
    if (topP < 1) {
      // renormalise within the top-k before the nucleus cut, as HF applies the warpers in sequence
      let massK = 0;
      for (let r = 0; r < keep; r++) massK += desc[r];
      let cum = 0;
      for (let r = 0; r < keep; r++) {
        cum += desc[r] / massK;
        if (cum >= topP - 1e-12) {
          keep = r + 1;
          break;
        }
      }
    }
    let kept = 0;
    for (let r = 0; r < keep; r++) kept += desc[r];
    // Keep every token above the threshold and, at the threshold, the lowest ids up to `keep`.
    const threshold = desc[keep - 1];
    let ties = 0;
    for (let r = 0; r < keep; r++) if (desc[r] === threshold) ties++;
    for (let i = 0; i < n; i++) {
      if (p[i] > threshold) continue;
      if (p[i] === threshold && ties > 0) {
        ties--;
        continue;
      }
      p[i] = 0;
    }
    for (let i = 0; i < n; i++) p[i] /= kept;
  }
  return p;
}

export interface DecodeResult {
  /** Generated ids, BOS excluded, EOS excluded. */
  ids: number[];
  /** Whether EOS ended the sequence (false: max length). */
  finished: boolean;
  /** Emotion-head distribution of the prefix after BOS and after each generated token (mean of final states so far). */
  emotionTrend: number[][];
  /** Decoding wall time, ms. */
  ms: number;
}

/** Token ids that are never generated: pad, bos and unk (an `<unk>` in a reply is never useful). */
export interface SpecialIds {
  bos: number;
  eos: number;
  pad: number;
  unk: number;
}

/**
 * Autoregressive decoding from BOS. With `kvCache` each step feeds one token
 * and reuses cached keys/values; without, each step recomputes the whole
 * prefix (the reference path): both give the same tokens.
 */
export function decode(model: FastDecoder, prep: Prepared, special: SpecialIds, opts: DecodeOptions, rng?: Rng): DecodeResult {
  if (opts.strategy === 'sample' && !rng) throw new ConfigError('decoding.strategy=sample needs an Rng');
  const t0 = performance.now();
  const maxNew = Math.min(opts.maxNewTokens, model.maxLen - 1);
  const seq = [special.bos];
  const out: number[] = [];
  const trend: number[][] = [];
  const sum = new Float64Array(model.d);
  const cache = opts.kvCache ? model.newCache() : undefined;
  let finished = false;
  let logits: Float32Array;
  let hidden: Float32Array;
  const observe = (h: Float32Array) => {
    for (let i = 0; i < h.length; i++) sum[i] += h[i];
    const mean = new Float32Array(model.d);
    for (let i = 0; i < model.d; i++) mean[i] = sum[i] / seq.length;
    trend.push(Array.from(model.emotion(mean)));
  };
  if (cache) ({ logits, hidden } = model.step(prep, cache, special.bos));
  else ({ logits, hidden } = model.full(prep, seq).last);
  observe(hidden);
  for (let step = 0; step < maxNew; step++) {
    const l = Float64Array.from(logits);
    l[special.pad] = -Infinity;
    l[special.bos] = -Infinity;
    if (special.unk !== special.pad) l[special.unk] = -Infinity;
    applyRepetitionPenalty(l, out, opts.repetitionPenalty);
    let next: number;
    if (opts.strategy === 'greedy') {
      next = 0;
      for (let i = 1; i < l.length; i++) if (l[i] > l[next]) next = i;
    } else next = rng!.categorical(samplingDistribution(l, opts.temperature, opts.topK, opts.topP));
    if (next === special.eos) {
      finished = true;
      break;
    }
    out.push(next);
    seq.push(next);
    if (seq.length >= model.maxLen) break;
    if (cache) ({ logits, hidden } = model.step(prep, cache, next));
    else ({ logits, hidden } = model.full(prep, seq).last);
    observe(hidden);
  }
  return { ids: out, finished, emotionTrend: trend, ms: performance.now() - t0 };
}

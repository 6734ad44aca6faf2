import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../core/errors.js';
import { writeJsonAtomic } from '../../core/io.js';
import type { Rng } from '../../core/rng.js';
import type { Intent } from '../../reasoning/types.js';
import { parseGeneratorConfig, type GeneratorConfig } from '../config.js';
import { decode, decodeOptionsFrom, type DecodeOptions } from '../decode.js';
import { STRATEGIES, TONES, type Controls, type Intervention, type Strategy, type Tokenizer } from '../types.js';
import { conditionVector } from './condition.js';
import { checkConsistency } from './consistency.js';
import { FastDecoder } from './fast.js';
import { ConditionalTransformer } from './transformer.js';

export interface GenerateOptions extends Partial<DecodeOptions> {
  /** Needed for sampling; greedy decoding draws nothing. */
  rng?: Rng;
  strategy?: 'greedy' | 'sample';
  /** Optional strategy conditioning (when the model was trained with use_strategy). */
  replyStrategy?: Strategy;
}

const FORMAT = 'affectlab.generator/1';

/**
 * The generation stage: Intent + Controls → text (paper 001 eq. 2), decoded by
 * the fast Float32 path from a trained ConditionalTransformer, with the emotion
 * trend and the consistency monitor's verdict in the trace.
 */
export class Generator {
  private fast: FastDecoder;
  readonly version: string;

  constructor(
    readonly model: ConditionalTransformer,
    readonly tokenizer: Tokenizer,
  ) {
    if (tokenizer.vocabSize !== model.dims.vocabSize) {
      throw new DataError(`generator: tokenizer vocabSize ${tokenizer.vocabSize}; expected the model's ${model.dims.vocabSize}`);
    }
    this.fast = new FastDecoder(model.cfg, model.dims, model.snapshot());
    this.version = weightsHash(this.fast, model);
  }

  get cfg(): GeneratorConfig {
    return this.model.cfg;
  }

  get classes(): string[] {
    return this.model.dims.classes;
  }

  /** Call after changing the tfjs weights (e.g. further training) so decoding sees them. */
  refresh(): void {
    this.fast = new FastDecoder(this.model.cfg, this.model.dims, this.model.snapshot());
    (this as { version: string }).version = weightsHash(this.fast, this.model);
  }

  get decoder(): FastDecoder {
    return this.fast;
  }

  generate(intent: Intent, controls: Controls, opts: GenerateOptions = {}): Omit<Intervention, 'safety'> {
    const tone = TONES.indexOf(controls.tone);
    if (tone < 0) throw new DataError(`controls.tone: ${JSON.stringify(controls.tone)}; expected one of ${TONES.join(', ')}`);
    if (!(controls.temperature > 0)) throw new DataError(`controls.temperature: ${controls.temperature}; expected a number > 0`);
    if (!(controls.emotionWeight >= 0)) throw new DataError(`controls.emotionWeight: ${controls.emotionWeight}; expected a number >= 0`);
    let strategy: number | undefined;
    if (opts.replyStrategy !== undefined) {
      strategy = STRATEGIES.indexOf(opts.replyStrategy);
      if (strategy < 0) throw new DataError(`replyStrategy: ${JSON.stringify(opts.replyStrategy)}; expected one of ${STRATEGIES.join(', ')}`);
    }
    const { rng, replyStrategy: _rs, ...over } = opts;
    const dopts = decodeOptionsFrom(this.cfg.decoding, { ...over, temperature: controls.temperature });
    const cond = conditionVector(intent, this.cfg, this.classes);
    const prep = this.fast.prepare(cond, tone, strategy, controls.emotionWeight);
    const tk = this.tokenizer;
    const res = decode(this.fast, prep, { bos: tk.bosId, eos: tk.eosId, pad: tk.padId, unk: tk.unkId }, dopts, rng);
    const consistency = checkConsistency(res.emotionTrend, intent.target, this.cfg.monitor);
    return {
      text: tk.decode(res.ids),
      tokens: tk.tokens(res.ids),
      emotionTrend: res.emotionTrend,
      controls: { ...controls },
      trace: {
        model: 'conditional_transformer',
        modelVersion: this.version,
        decoding: { ...dopts, emotionWeight: controls.emotionWeight, replyStrategy: opts.replyStrategy ?? null, seed: rng?.seed ?? null },
        intent: { emotion: intent.emotion, intensity: intent.intensity, polarity: intent.polarity },
        finished: res.finished,
        generatedTokens: res.ids.length,
        decodeMs: res.ms,
        consistency: { final: consistency.final, slope: consistency.slope, drift: consistency.drift, reasons: consistency.reasons },
      },
    };
  }

  /** Saves config, classes, tokenizer and weights (base64 float32) to `<dir>/generator.json`, atomically. */
  save(dir: string): string {
    const weights: Record<string, { shape: number[]; data: string }> = {};
    for (const [k, v] of this.model.params) weights[k] = { shape: v.shape, data: f32Bytes(v.dataSync() as Float32Array).toString('base64') };
    const path = join(dir, 'generator.json');
    writeJsonAtomic(path, { format: FORMAT, version: this.version, config: this.cfg, classes: this.classes, vocabSize: this.model.dims.vocabSize, tokenizer: this.tokenizer.toJSON(), weights });
    return path;
  }

  /** Loads a saved generator; `tokenizer` must be the one it was trained with (checked against the saved copy). */
  static load(dir: string, tokenizer: Tokenizer, rng: Rng): Generator {
    const path = join(dir, 'generator.json');
    let raw: any;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new DataError(`${path}: cannot read a saved generator (${(err as Error).message})`);
    }
    if (raw?.format !== FORMAT) throw new DataError(`${path}: format ${JSON.stringify(raw?.format)}; expected ${JSON.stringify(FORMAT)}`);
    if (JSON.stringify(tokenizer.toJSON()) !== JSON.stringify(raw.tokenizer)) {
      throw new DataError(`${path}: the tokenizer passed in differs from the one the generator was trained with`);
    }
    const cfg = parseGeneratorConfig(raw.config, `${path}: config`);
    const model = new ConditionalTransformer(cfg, { vocabSize: raw.vocabSize, classes: raw.classes }, rng);
    const w = new Map<string, Float32Array>();
    for (const [k, v] of Object.entries(raw.weights as Record<string, { data: string }>)) {
      const b = Buffer.from(v.data, 'base64');
      w.set(k, new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4).slice());
    }
    model.load(w);
    return new Generator(model, tokenizer);
  }

  dispose(): void {
    this.model.dispose();
  }
}

function weightsHash(fast: FastDecoder, model: ConditionalTransformer): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ cfg: fast.cfg, classes: model.dims.classes }));
  for (const [k, v] of model.params) {
    h.update(k);
    h.update(f32Bytes(v.dataSync() as Float32Array));
  }
  return h.digest('hex').slice(0, 12);
}

function f32Bytes(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

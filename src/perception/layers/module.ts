import { tf } from '../../core/backend.js';
import { DataError, show } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';

/** One weight as plain data: a dotted path name, its shape and row-major values. */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

interface Param {
  name: string;
  variable: tf.Variable;
  trainable: boolean;
}

/**
 * A tree of named weights. Layers and fusion models extend it; parameters are
 * tf.Variables registered under dotted paths (`enc.w_ih`), so weights travel as
 * plain `NamedWeight[]` (checkpoints, a future Float32Array inference path)
 * and every model has the same get/set/dispose.
 */
export class Module {
  private readonly params: Param[] = [];
  private readonly children: { name: string; module: Module }[] = [];

  /** Registers a parameter initialised from plain values (initialisers take an Rng, never tfjs's global seed). */
  protected param(name: string, shape: number[], values: Float32Array, trainable = true): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`${name}: ${values.length} values for shape [${shape}]`);
    // Always trainable for tfjs (variableGrads drops non-trainable variables, and
    // fitted fusion weights are optimised by their own fit step); `trainable`
    // here only decides membership of `trainableWeights`.
    const init = tf.tensor(values, shape, 'float32');
    const v = tf.variable(init, true);
    init.dispose(); // the variable holds its own reference to the data

    this.params.push({ name, variable: v, trainable });
    return v;
  }

  protected child<M extends Module>(name: string, module: M): M {
    this.children.push({ name, module });
    return module;
  }

  /** All parameters under this module, depth first, with full dotted names. */
  namedParams(prefix = ''): Param[] {
    const out: Param[] = this.params.map((p) => ({ ...p, name: prefix + p.name }));
    for (const c of this.children) out.push(...c.module.namedParams(`${prefix}${c.name}.`));
    return out;
  }

  get trainableWeights(): tf.Variable[] {
    return this.namedParams()
      .filter((p) => p.trainable)
      .map((p) => p.variable);
  }

  /** Trainable parameters with names, in the same order as `trainableWeights`. */
  namedTrainable(): { name: string; variable: tf.Variable }[] {
    return this.namedParams().filter((p) => p.trainable);
  }

  /** Every weight (trainable or fitted, e.g. late-fusion weights) as plain data. */
  getWeights(): NamedWeight[] {
    return this.namedParams().map((p) => ({ name: p.name, shape: [...p.variable.shape], values: (p.variable.dataSync() as Float32Array).slice() }));
  }

  /** Sets every weight; names and shapes must match exactly (`where` names the source in errors). */
  setWeights(weights: NamedWeight[], where = 'weights'): void {
    const params = this.namedParams();
    const byName = new Map(weights.map((w) => [w.name, w]));
    const missing = params.filter((p) => !byName.has(p.name)).map((p) => p.name);
    if (missing.length > 0) throw new DataError(`${where}: missing weight(s) ${show(missing)}; expected the ${params.length} weights of this model`);
    if (weights.length !== params.length) {
      const known = new Set(params.map((p) => p.name));
      const extra = weights.filter((w) => !known.has(w.name)).map((w) => w.name);
      throw new DataError(`${where}: unexpected weight(s) ${show(extra)} for this model`);
    }
    for (const p of params) {
      const w = byName.get(p.name)!;
      if (w.shape.length !== p.variable.shape.length || w.shape.some((d, i) => d !== p.variable.shape[i])) {
        throw new DataError(`${where}: weight ${p.name} has shape [${w.shape}], expected [${p.variable.shape}]`);
      }
      if (w.values.length !== p.variable.size) throw new DataError(`${where}: weight ${p.name} has ${w.values.length} values, expected ${p.variable.size}`);
      tf.tidy(() => p.variable.assign(tf.tensor(w.values, p.variable.shape, 'float32')));
    }
  }

  /** Number of trainable scalars. */
  countParams(): number {
    return this.trainableWeights.reduce((a, v) => a + v.size, 0);
  }

  dispose(): void {
    for (const p of this.namedParams()) p.variable.dispose();
  }
}

/** Inverted dropout whose mask seed comes from the caller's Rng (reproducible, resumable). */
export function dropout(x: tf.Tensor, rate: number, rng: Rng, training: boolean): tf.Tensor {
  if (!training || rate <= 0) return x;
  return tf.dropout(x, rate, undefined, rng.int32());
}

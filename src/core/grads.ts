/**
 * Gradients tfjs 4.22 does not register, on any backend. Registered once by
 * `registerMissingGradients()` (called from `initBackend`).
 *
 * Einsum: for out = einsum('A,B->C', a, b), dL/da = einsum('C,B->A', dy, b)
 * (and symmetrically for b). Letters of A that appear in neither C nor B
 * were summed over a's axis alone, so the gradient is constant along them:
 * it is computed without those letters and broadcast back. tfjs's einsum
 * has no repeated letters within an operand and no '...', so nothing else
 * can occur. Not covered: FFT/IFFT/RFFT (tfjs has no complex autodiff).
 */
import tf from './tfjs.cjs';

interface ParsedEinsum {
  inputs: string[];
  output: string;
}

/** Splits an einsum equation; an implicit output is the letters used once, sorted (numpy; tfjs itself requires '->'). */
export function parseEinsum(equation: string): ParsedEinsum {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->');
  const inputs = lhs.split(',');
  if (rhs !== undefined) return { inputs, output: rhs };
  const counts = new Map<string, number>();
  for (const ch of inputs.join('')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const output = [...counts.entries()]
    .filter(([, c]) => c === 1)
    .map(([ch]) => ch)
    .sort()
    .join('');
  return { inputs, output };
}

function einsumGrad(equation: string, dy: tf.Tensor, saved: tf.Tensor[]): Record<number, () => tf.Tensor> {
  const { inputs, output } = parseEinsum(equation);
  const ders: Record<number, () => tf.Tensor> = {};
  inputs.forEach((subs, i) => {
    ders[i] = () => {
      let others = inputs.map((s, j) => ({ s, t: saved[j] })).filter((_, j) => j !== i);
      const available = new Set([...output, ...others.map((o) => o.s).join('')]);
      const kept = [...subs].filter((ch) => available.has(ch)).join('');
      // Sum away letters an other operand holds alone (in neither dy nor the result): tfjs 4.22's
      // einsum mis-shapes such contractions (einsum('j,ik->ij') returns shape [i, 1]).
      others = others.map((o) => {
        const elsewhere = new Set([...kept, ...output, ...others.filter((q) => q !== o).map((q) => q.s).join('')]);
        const lone = [...o.s].map((ch, k) => (elsewhere.has(ch) ? -1 : k)).filter((k) => k >= 0);
        if (lone.length === 0) return o;
        return { s: [...o.s].filter((ch) => elsewhere.has(ch)).join(''), t: tf.sum(o.t, lone) };
      });
      const eq = `${[output, ...others.map((o) => o.s)].join(',')}->${kept}`;
      let g = tf.einsum(eq, dy, ...others.map((o) => o.t));
      if (kept.length !== subs.length) {
        // Re-insert the summed-away axes as size 1, then broadcast to the operand's shape.
        const shape = [...subs].map((ch, k) => (available.has(ch) ? saved[i].shape[k] : 1));
        g = tf.broadcastTo(tf.reshape(g, shape), saved[i].shape);
      }
      return g;
    };
  });
  return ders;
}

let registered = false;

/** Registers the gradients above once; returns the kernel names it added. */
export function registerMissingGradients(): string[] {
  if (registered) return ['Einsum'];
  if (!tf.getGradient('Einsum')) {
    tf.registerGradient({
      kernelName: 'Einsum',
      saveAllInputs: true,
      gradFunc: (dy, saved, attrs) => einsumGrad((attrs as unknown as { equation: string }).equation, dy as tf.Tensor, saved),
    });
  }
  registered = true;
  return ['Einsum'];
}

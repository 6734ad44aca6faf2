// Implementations as they were before the optimisation pass, kept so each run measures
// before and after side by side (bench/optimisation.ts) and the tests check parity.

/** samplingDistribution before: sorts an index array by probability with a comparator. */
export function samplingDistributionBefore(logits: ArrayLike<number>, temperature: number, topK: number, topP: number): Float64Array {
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
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b] - p[a] || a - b);
    let keep = topK > 0 ? Math.min(topK, n) : n;
    if (topP < 1) {
      let massK = 0;
      for (let r = 0; r < keep; r++) massK += p[order[r]];
      let cum = 0;
      for (let r = 0; r < keep; r++) {
        cum += p[order[r]] / massK;
        if (cum >= topP - 1e-12) {
          keep = r + 1;
          break;
        }
      }
    }
    let kept = 0;
    for (let r = 0; r < n; r++) {
      if (r < keep) kept += p[order[r]];
      else p[order[r]] = 0;
    }
    for (let i = 0; i < n; i++) p[i] /= kept;
  }
  return p;
}

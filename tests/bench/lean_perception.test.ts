import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { disposeBatch, makeSet, toBatch, type PerceptionItem } from '../../src/perception/fusion/batch.js';
import type { AttentionGruFusion } from '../../src/perception/fusion/attention_gru.js';
import { LeanAttentionGru } from '../../src/perception/fusion/lean.js';
import { createPerceptionModel } from '../../src/perception/model.js';
import type { ModalityName } from '../../src/data/types.js';

const dims: Partial<Record<ModalityName, number>> = { audio: 6, face: 4, physio: 5 };
const T = 7;

function items(rng: Rng): PerceptionItem[] {
  const mk = (drop?: ModalityName, pad = 0): PerceptionItem => ({
    classIndex: 0,
    arousal: 0,
    valence: 0,
    features: Object.fromEntries(
      Object.entries(dims)
        .filter(([m]) => m !== drop)
        .map(([m, d]) => [m, { values: rng.normalArray((T - pad) * d), dim: d, T: T - pad }]),
    ),
  });
  // All modalities; one missing; shorter than T (padded steps).
  return [mk(), mk('face'), mk(undefined, 3)];
}

describe('LeanAttentionGru (Float32Array batch-1 inference)', () => {
  for (const variant of [
    { name: 'default', cfg: {} },
    { name: 'all-token attention, mean merge, pre-norm, 2 blocks, no positions', cfg: { crossOnly: false, merge: 'mean', norm: 'pre', layers: 2, positional: false } },
  ]) {
    it(`matches the tfjs model's forward: ${variant.name}`, async () => {
      await initBackend('cpu');
      const model = createPerceptionModel({ name: 'attention_gru', dim: 8, heads: 2, ffn: 12, hidden: 6, ...variant.cfg }, dims, 3, new Rng(5)) as AttentionGruFusion;
      const lean = LeanAttentionGru.fromModel(model);
      const its = items(new Rng('lean'));
      const set = makeSet(its, ['audio', 'face', 'physio'], dims, T);
      for (let i = 0; i < its.length; i++) {
        const batch = toBatch(set, [i]);
        const out = model.forward(batch, false);
        const probs = tf.tidy(() => tf.softmax(out.logits));
        const [refP, refAv, refE] = [probs.dataSync(), out.av.dataSync(), out.embedding.dataSync()];
        const feats = Object.fromEntries((Object.keys(dims) as ModalityName[]).filter((m) => its[i].features[m]).map((m) => [m, set.x[m]!.subarray(i * T * dims[m]!, (i + 1) * T * dims[m]!)]));
        const timeMask = set.timeMask.subarray(i * T, (i + 1) * T);
        const got = lean.forward({ features: feats, timeMask });
        for (let c = 0; c < 3; c++) expect(got.probs[c]).toBeCloseTo(refP[c], 5);
        for (let c = 0; c < 2; c++) expect(got.av[c]).toBeCloseTo(refAv[c], 5);
        for (let c = 0; c < 6; c++) expect(got.embedding[c]).toBeCloseTo(refE[c], 5);
        tf.dispose([out.logits, out.av, out.embedding, probs]);
        disposeBatch(batch);
      }
      model.dispose();
    });
  }

  it('names a missing weight and a bad feature length', async () => {
    await initBackend('cpu');
    const model = createPerceptionModel({ name: 'attention_gru', dim: 8, heads: 2, ffn: 12, hidden: 6 }, dims, 3, new Rng(5)) as AttentionGruFusion;
    expect(() => new LeanAttentionGru(model.cfg, model.modalities, model.getWeights().filter((w) => w.name !== 'gru.weight_hh'))).toThrow(/gru\.weight_hh is missing/);
    const lean = LeanAttentionGru.fromModel(model);
    expect(() => lean.forward({ features: { audio: new Float32Array(13) } })).toThrow(/features\.audio has 13 values; expected T×6/);
    model.dispose();
  });
});

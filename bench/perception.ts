// 2. Perception training throughput: samples/s of the forward pass alone and of one training
// step (forward + backward + Adam), batch 32, for the default fusion (attention_gru) and
// dgcnn and early, with the shapes of fixtures.ts.
import { tf } from '../src/core/backend.js';
import { disposeBatch, toBatch } from '../src/perception/fusion/batch.js';
import { Adam } from '../src/perception/optim.js';
import { lossOf } from '../src/perception/train.js';
import { PERCEPTION_SHAPE, perceptionModel, perceptionSet } from './fixtures.js';
import { measure, rate, type BenchContext, type Figure, type Section } from './measure.js';

export const PERCEPTION_MODELS = ['attention_gru', 'dgcnn', 'early'];

export async function benchPerception(ctx: BenchContext): Promise<Section> {
  const B = PERCEPTION_SHAPE.batch;
  const set = perceptionSet(B);
  const figures: Figure[] = [];
  const skippedModels: string[] = [];
  for (const name of ctx.quick ? ['attention_gru'] : PERCEPTION_MODELS) {
    let made: ReturnType<typeof perceptionModel>;
    try {
      made = perceptionModel(name);
    } catch (err) {
      skippedModels.push(`${name}: ${(err as Error).message}`);
      ctx.log(`perception ${name} skipped: ${(err as Error).message}`);
      continue;
    }
    const { model, train, fusion } = made;
    const nC = PERCEPTION_SHAPE.classes.length;
    const vars = model.trainableWeights;
    const o = train.optimizer;
    const opt = new Adam(vars, { lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay, weightDecayMode: o.weightDecayMode });
    const batch = toBatch(set);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => lossOf(model.forward(batch, true), batch, train, nC), vars);
      opt.apply(vars.map((v) => grads[v.name]));
      tf.dispose([value, ...Object.values(grads)]);
    };
    const forward = () => {
      const out = model.forward(batch, false);
      out.logits.dataSync(); // wait for the result, as a caller would
      tf.dispose([out.logits, out.av, out.embedding, ...(out.parts ?? []).flatMap((p) => [p.logits, p.av, p.mask])]);
    };
    const config = { fusion, batch: B, T: PERCEPTION_SHAPE.T, dims: PERCEPTION_SHAPE.dims, classes: nC, params: model.countParams() };
    const opts = ctx.quick ? { warmup: 1, calls: 2 } : { warmup: 1, minCalls: 3, calls: 200, minMs: 2000 };
    // The PyTorch twin (bench/reference/perception.py) exists for the default model only.
    const f = fusion as Record<string, unknown>;
    const ref = (what: string) =>
      name === 'attention_gru'
        ? { ref: `perception.${name}.${what}`, unitsPerCall: B, refSpec: { dims: PERCEPTION_SHAPE.dims, batch: B, T: PERCEPTION_SHAPE.T, classes: nC, dim: f.dim, heads: f.heads, ffn: f.ffn, hidden: f.hidden, dropout: f.dropout ?? train.dropout } }
        : {};
    const mf = measure(forward, opts);
    figures.push(rate(`perception ${name} forward`, 'samples/s', B * mf.calls, mf, { ...ref('forward'), config }));
    const mt = measure(step, opts);
    figures.push(rate(`perception ${name} train step (fwd+bwd+Adam)`, 'samples/s', B * mt.calls, mt, { ...ref('train'), config }));
    disposeBatch(batch);
    opt.dispose();
    model.dispose();
  }
  return { name: 'perception', title: 'Perception training', figures, config: { skippedModels } };
}

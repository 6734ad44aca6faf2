// Perception fusion throughput: training samples/s (forward + backward + Adam) and
// batch-1 inference latency, per strategy, at a default size
// (T=32; audio 40, face 16, physio 32 features; hidden 64; batch 32).
//   node --import tsx bench/perception_fusion.ts [backend=auto] [strategies=attention_gru,dgcnn]
// Reports wall time and this process's CPU time (on a shared, loaded machine the
// CPU figure is the more stable one).
import { initBackend, describeBackend, tf } from '../src/core/backend.js';
import { Rng } from '../src/core/rng.js';
import { disposeBatch, makeSet, toBatch, type PerceptionItem } from '../src/perception/fusion/batch.js';
import { Adam } from '../src/perception/optim.js';
import { createPerceptionModel, parsePerceptionTrainConfig } from '../src/perception/model.js';
import { lossOf } from '../src/perception/train.js';

const backend = await initBackend((process.argv[2] ?? 'auto') as 'auto');
const names = (process.argv[3] ?? 'attention_gru,dgcnn').split(',');
const T = 32;
const B = 32;
const dims = { audio: 40, face: 16, physio: 32 };
const rng = new Rng('bench');
const items: PerceptionItem[] = Array.from({ length: B }, (_, i) => ({
  classIndex: i % 4,
  arousal: 0,
  valence: 0,
  features: Object.fromEntries(Object.entries(dims).map(([m, d]) => [m, { values: rng.normalArray(T * d), dim: d, T }])),
}));
const set = makeSet(items, ['audio', 'face', 'physio'], dims, T);
const cfg = parsePerceptionTrainConfig({});
const sizes: Record<string, Record<string, unknown>> = { attention_gru: { hidden: 64, dim: 64 }, early: { hidden: 64 }, lstm: { hidden: 64 }, rnn: { hidden: 64 }, late_mean: { hidden: 64 }, late_dr: { hidden: 64 }, late_learned: { hidden: 64 } };

function measure(f: () => void, reps: number): { wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  const c = process.cpuUsage(c0);
  return { wallMs: (performance.now() - t0) / reps, cpuMs: (c.user + c.system) / 1000 / reps };
}

console.log(`backend: ${describeBackend(backend)}`);
for (const name of names) {
  const model = createPerceptionModel({ name, ...sizes[name] }, dims, 4, new Rng(1), cfg);
  const vars = model.trainableWeights;
  const opt = new Adam(vars, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-5, weightDecayMode: 'l2' });
  const batch = toBatch(set);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => lossOf(model.forward(batch, true), batch, cfg, 4), vars);
    opt.apply(vars.map((v) => grads[v.name]));
    tf.dispose([value, ...Object.values(grads)]);
  };
  const one = toBatch(set, [0]);
  step();
  const before = tf.memory().numTensors;
  const tr = measure(step, 5);
  const infer = () => {
    const out = model.forward(one, false);
    out.logits.dataSync();
    tf.dispose([out.logits, out.av, out.embedding, ...(out.parts ?? []).flatMap((p) => [p.logits, p.av, p.mask])]);
  };
  infer();
  const inf = measure(infer, 20);
  console.log(
    JSON.stringify({
      fusion: name,
      backend: backend.name,
      params: model.countParams(),
      train_step_ms: { wall: +tr.wallMs.toFixed(1), cpu: +tr.cpuMs.toFixed(1) },
      train_samples_per_s: { wall: +((B * 1000) / tr.wallMs).toFixed(1), cpu: +((B * 1000) / tr.cpuMs).toFixed(1) },
      infer_batch1_ms: { wall: +inf.wallMs.toFixed(2), cpu: +inf.cpuMs.toFixed(2) },
      leaked_tensors: tf.memory().numTensors - before,
    }),
  );
  disposeBatch(batch);
  disposeBatch(one);
  opt.dispose();
  model.dispose();
}

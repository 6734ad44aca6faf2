// 4. PPO: environment steps/s including the updates (whole iterations: rollout + GAE +
// minibatch epochs) on CartPole-v1 (configs/rl/cartpole.yaml) and on the intervention env
// (configs/rl/intervention.yaml) with the surrogate and with the full generator; plus the
// time of one actor-critic minibatch update, the figure the PyTorch reference repeats.
import { Rng } from '../src/core/rng.js';
import type { Controls } from '../src/generation/types.js';
import type { Generator } from '../src/generation/model/generator.js';
import type { Intent } from '../src/reasoning/types.js';
import { parseRlSection, ppoArgsFrom } from '../src/rl/config.js';
import { InterventionEnv, generatorFor } from '../src/rl/envs/intervention.js';
import { interventionOptions } from '../src/rl/intervention_eval.js';
import { Ppo, type PpoArgs } from '../src/rl/ppo.js';
import { cosine, type GenerationHook, type Generated } from '../src/rl/users/hooks.js';
import { generatorFixture, readConfig } from './fixtures.js';
import { latency, measure, rate, type BenchContext, type Figure, type Section } from './measure.js';

/**
 * The trained generator as the env's `full` hook. Quality here is the consistency monitor's
 * final cosine between the reply's emotion trend and the intent (clipped to [0, 1]); the
 * experiment's own scorer may differ, which does not change the timing.
 */
export function fullGenerationHook(gen: Generator): GenerationHook {
  return {
    kind: 'full',
    generate(intent: Intent, controls: Controls, rng: Rng): Generated {
      const out = gen.generate(intent, controls, { rng });
      const final = out.emotionTrend.length ? cosine(out.emotionTrend[out.emotionTrend.length - 1], intent.target) : 0;
      return { intervention: { ...out, safety: { verdict: 'ok', needsHuman: false } }, quality: Math.min(1, Math.max(0, final)) };
    },
  };
}

function ppoFigures(label: string, ref: string | undefined, ppo: Ppo, iterations: number, figures: Figure[], config: Record<string, unknown>, updateCalls: number): void {
  const steps0 = ppo.globalStep;
  ppo.iterate(); // warm-up iteration (kernels, JIT)
  const before = ppo.globalStep;
  const m = measure(() => ppo.iterate(), { warmup: 0, calls: iterations });
  figures.push(rate(`PPO ${label} env steps (incl. updates)`, 'steps/s', ppo.globalStep - before, m, { config: { ...config, iterations, stepsPerIteration: before - steps0 } }));
  if (updateCalls > 0) {
    // One minibatch gradient step on the stored rollout (same code path as iterate()).
    const B = ppo.sizes.batch_size;
    const M = ppo.sizes.minibatch_size;
    const rng = new Rng('bench/ppo-update');
    const adv = Float64Array.from(rng.normalArray(B));
    const ret = Float64Array.from(rng.normalArray(B));
    const mb = Array.from({ length: M }, (_, i) => i);
    const mu = measure(() => ppo.updateMinibatch(mb, adv, ret, ppo.args.learning_rate).dispose(), { warmup: 2, calls: updateCalls });
    const cats = ppo.layout.parts.flatMap((p) => (p.kind === 'categorical' ? [p.n] : []));
    const refSpec = { obsDim: ppo.obsDim, minibatch: M, hidden_sizes: ppo.args.hidden_sizes, cats, gauss: ppo.layout.gaussDim, ent_coef: ppo.args.ent_coef };
    figures.push(latency(`PPO ${label} actor-critic minibatch update (${M} samples)`, mu, { ref, refSpec, config: { ...config, minibatch: M, obsDim: ppo.obsDim } }));
  }
}

export async function benchPpo(ctx: BenchContext): Promise<Section> {
  const figures: Figure[] = [];
  const iters = ctx.quick ? 1 : 6;
  // CartPole-v1
  {
    const section = parseRlSection(readConfig('rl/cartpole.yaml'));
    const args: PpoArgs = ppoArgsFrom(section);
    const ppo = new Ppo(args, { rng: new Rng('bench/ppo-cartpole'), envSeed: 1 });
    ppoFigures('CartPole-v1', 'ppo.cartpole.update', ppo, iters, figures, { env: args.env_id, num_envs: args.num_envs, num_steps: args.num_steps, update_epochs: args.update_epochs, num_minibatches: args.num_minibatches, hidden_sizes: args.hidden_sizes }, ctx.quick ? 3 : 40);
    ppo.dispose();
  }
  // Intervention env: surrogate, then the full generator.
  const section = parseRlSection(readConfig('rl/intervention.yaml'));
  const fx = ctx.quick ? undefined : generatorFixture();
  for (const kind of ['surrogate', 'full'] as const) {
    if (kind === 'full' && !fx) {
      ctx.log('PPO intervention (full generator) skipped in --quick');
      continue;
    }
    const hook = kind === 'full' ? fullGenerationHook(fx!.generator) : undefined;
    const envOpts = interventionOptions(section.intervention, hook ?? generatorFor('surrogate'));
    // The full generator decodes a reply per step (~60 tokens): fewer steps per iteration keep the run short.
    const args: PpoArgs = { ...ppoArgsFrom(section), max_episode_steps: null, ...(kind === 'full' ? { num_steps: 8 } : {}) };
    const ppo = new Ppo(args, { rng: new Rng(`bench/ppo-${kind}`), envSeed: 1, envFactory: (i) => new InterventionEnv({ ...envOpts, seed: i }) });
    ppoFigures(`intervention (${kind})`, kind === 'surrogate' ? 'ppo.intervention.update' : undefined, ppo, kind === 'full' ? 1 : iters, figures, { env: args.env_id, generator: kind, num_envs: args.num_envs, num_steps: args.num_steps, update_epochs: args.update_epochs, num_minibatches: args.num_minibatches, hidden_sizes: args.hidden_sizes }, kind === 'surrogate' ? (ctx.quick ? 3 : 40) : 0);
    ppo.dispose();
  }
  fx?.generator.dispose();
  return { name: 'ppo', title: 'PPO', figures };
}

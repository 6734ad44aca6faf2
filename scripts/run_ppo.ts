/**
 * Runs a full PPO experiment outside the CLI (CleanRL-style, one seed):
 *   node --import tsx scripts/run_ppo.ts cartpole <seed> [total_timesteps]
 *   node --import tsx scripts/run_ppo.ts pendulum <seed> [total_timesteps]
 * Prints one line per update and a final JSON line with the evaluation.
 */
import { initBackend, describeBackend } from '../src/core/backend.js';
import { Rng } from '../src/core/rng.js';
import { PPO_CONTINUOUS_DEFAULTS, PPO_DISCRETE_DEFAULTS, Ppo } from '../src/rl/ppo.js';
import type { PpoArgs } from '../src/rl/ppo.js';

const [which = 'cartpole', seedStr = '1', stepsStr, ...rest] = process.argv.slice(2);
const seed = Number(seedStr);
const backend = await initBackend((process.env.AFFECTLAB_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm');
const base: PpoArgs = which === 'pendulum' ? { ...PPO_CONTINUOUS_DEFAULTS, total_timesteps: 500_000 } : { ...PPO_DISCRETE_DEFAULTS, total_timesteps: 100_000 };
if (stepsStr) base.total_timesteps = Number(stepsStr);
// key=value overrides of PpoArgs.
for (const kv of rest) {
  const [k, v] = kv.split('=');
  (base as unknown as Record<string, unknown>)[k] = JSON.parse(v);
}
const t0 = performance.now();
const ppo = new Ppo(base, { rng: new Rng(seed), envSeed: seed });
ppo.train({
  onUpdate: (l) => {
    if (l.iteration % 10 === 0 || l.iteration === ppo.sizes.num_iterations) {
      console.error(
        `it=${l.iteration} step=${l.global_step} ret=${l['charts/episodic_return']?.toFixed(1)} len=${l['charts/episodic_length']?.toFixed(0)} ` +
          `vloss=${l['losses/value_loss'].toFixed(3)} ent=${l['losses/entropy'].toFixed(3)} kl=${l['losses/approx_kl'].toFixed(4)} ` +
          `clip=${l['losses/clipfrac'].toFixed(3)} ev=${l['losses/explained_variance']?.toFixed(3)} sps=${l['charts/SPS']}`,
      );
    }
  },
});
const trainS = (performance.now() - t0) / 1000;
const ev = ppo.evaluate(100, { seed: 100_000 + seed });
const mean = ev.returns.reduce((a, b) => a + b, 0) / ev.returns.length;
const std = Math.sqrt(ev.returns.reduce((a, b) => a + (b - mean) ** 2, 0) / ev.returns.length);
console.log(
  JSON.stringify({ env: base.env_id, seed, train_steps: ppo.globalStep, eval_return_mean: mean, eval_return_std: std, train_s: trainS, wall_s: (performance.now() - t0) / 1000, backend: describeBackend(backend) }),
);
ppo.dispose();

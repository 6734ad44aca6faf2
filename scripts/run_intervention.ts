/**
 * PPO on the intervention env vs the best fixed control and a random policy, one seed:
 *   node --import tsx scripts/run_intervention.ts <seed> [total_timesteps]
 * Reads configs/rl/intervention.yaml; prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { describeBackend, initBackend } from '../src/core/backend.js';
import { Rng } from '../src/core/rng.js';
import { parseRlSection } from '../src/rl/config.js';
import { runInterventionExperiment } from '../src/rl/intervention_eval.js';

const [seedStr = '1', steps] = process.argv.slice(2);
const backend = await initBackend('wasm');
const raw = YAML.parse(readFileSync(new URL('../configs/rl/intervention.yaml', import.meta.url), 'utf8'));
if (steps) raw.ppo.total_timesteps = Number(steps);
const section = parseRlSection(raw);
const t0 = performance.now();
const r = runInterventionExperiment(section, new Rng(Number(seedStr)), {
  onUpdate: (l) => {
    if (l.iteration % 10 === 0) console.error(`it=${l.iteration} step=${l.global_step} ret=${l['charts/episodic_return']?.toFixed(2)} ent=${l['losses/entropy'].toFixed(3)} kl=${l['losses/approx_kl'].toFixed(4)} sps=${l['charts/SPS']}`);
  },
});
const modal = (m: Record<string, number>): string => Object.entries(m).sort((a, b) => b[1] - a[1])[0][0];
console.log(
  JSON.stringify({
    seed: Number(seedStr),
    ppo: r.ppo.meanReturn,
    fixed: r.fixed.meanReturn,
    random: r.random.meanReturn,
    fixed_control: r.fixedControl,
    ppo_tone_match: r.ppo.toneMatchRate,
    fixed_tone_match: r.fixed.toneMatchRate,
    ppo_modal_tone: Object.fromEntries(Object.entries(r.ppo.toneByArchetype).map(([a, m]) => [a, modal(m)])),
    ppo_terms: r.ppo.terms,
    train_steps: r.trainSteps,
    train_s: r.trainS,
    wall_s: (performance.now() - t0) / 1000,
    backend: describeBackend(backend),
  }),
);

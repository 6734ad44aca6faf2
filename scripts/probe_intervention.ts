// Quick baselines on the intervention env: random, every fixed control on a grid, and the oracle tone.
import { Rng } from '../src/core/rng.js';
import { InterventionEnv } from '../src/rl/envs/intervention.js';
import { TONES } from '../src/generation/types.js';
import { preferredTemperature } from '../src/rl/users/persona.js';
const env = new InterventionEnv({ seed: 1 });
function run(policy: (env: InterventionEnv, rng: Rng) => { tone: number; temperature: Float32Array; emotionWeight: Float32Array }, eps = 300): number {
  const rng = new Rng('p');
  let tot = 0;
  for (let e = 0; e < eps; e++) {
    env.reset({ seed: 1000 + e });
    let done = false;
    while (!done) {
      const r = env.step(policy(env, rng));
      tot += r.reward;
      done = r.terminated || r.truncated;
    }
  }
  return tot / eps;
}
console.log('random', run((e, r) => e.actionSpace.sample(r)).toFixed(2));
let best = -1e9, bestK = '';
for (let t = 0; t < 5; t++) for (const temp of [0.5, 0.8, 1.1]) for (const ew of [0.5, 1.0, 1.5]) {
  const v = run(() => ({ tone: t, temperature: Float32Array.of(temp), emotionWeight: Float32Array.of(ew) }), 150);
  if (v > best) { best = v; bestK = `${TONES[t]} ${temp} ${ew}`; }
}
console.log('best fixed', best.toFixed(2), bestK);
console.log('oracle', run((e) => ({ tone: TONES.indexOf(e.persona!.preferredTone), temperature: Float32Array.of(preferredTemperature(e.persona!)), emotionWeight: Float32Array.of(1.0) })).toFixed(2));
console.log('archetype tone', run((e) => ({ tone: TONES.indexOf(({ anxious: 'calm', low: 'warm', flat: 'encouraging', frustrated: 'validating', pragmatic: 'direct' } as const)[e.persona!.archetype]), temperature: Float32Array.of(0.9), emotionWeight: Float32Array.of(1.0) })).toFixed(2));

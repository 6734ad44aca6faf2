import { describe, expect, it } from 'vitest';
import { DataError, UnavailableError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import type { Controls } from '../../src/generation/types.js';
import type { Intent } from '../../src/reasoning/types.js';
import { checkEnv } from '../../src/rl/checker.js';
import { InterventionEnv, generatorFor } from '../../src/rl/envs/intervention.js';
import type { InterventionAction } from '../../src/rl/envs/intervention.js';
import type { GenerationHook, Generated } from '../../src/rl/users/hooks.js';
import { PrototypePerception, SurrogateGenerator, kendallTau, trendAlignment } from '../../src/rl/users/hooks.js';
import { ARCHETYPES, crisisHazard, initialState, react, samplePopulation } from '../../src/rl/users/persona.js';
import { evaluatePolicy } from '../../src/rl/intervention_eval.js';

const act = (tone: number, temperature = 0.8, emotionWeight = 1): InterventionAction => ({ tone, temperature: Float32Array.of(temperature), emotionWeight: Float32Array.of(emotionWeight) });

describe('personas', () => {
  it('a seeded population is reproducible, in range, and mostly follows its archetype’s tone', () => {
    const a = samplePopulation(400, new Rng(1));
    expect(samplePopulation(400, new Rng(1))).toEqual(a);
    expect(samplePopulation(400, new Rng(2))).not.toEqual(a);
    let follow = 0;
    for (const p of a) {
      expect(Math.abs(p.baselineValence)).toBeLessThanOrEqual(1);
      expect(p.reactivity).toBeGreaterThan(0);
      expect(p.noveltyTolerance).toBeGreaterThanOrEqual(0);
      expect(p.noveltyTolerance).toBeLessThanOrEqual(1);
      if (p.preferredTone === ARCHETYPES[p.archetype].tone) follow++;
    }
    // toneConsistency 0.8: binomial(400, 0.8) lies in [0.72, 0.88] with overwhelming probability.
    expect(follow / a.length).toBeGreaterThan(0.72);
    expect(follow / a.length).toBeLessThan(0.88);
    expect(() => samplePopulation(0, new Rng(1))).toThrow(/n=0; expected a positive integer/);
  });

  it('the preferred tone lands better than another, with everything else equal', () => {
    const p = samplePopulation(1, new Rng(3))[0];
    const s = initialState(p, new Rng(4));
    const other = p.preferredTone === 'direct' ? 'calm' : 'direct';
    const good = react(p, s, { tone: p.preferredTone, temperature: 0.9, alignment: 0.9, quality: 0.9 }, new Rng(5));
    const bad = react(p, s, { tone: other, temperature: 0.9, alignment: 0.9, quality: 0.9 }, new Rng(5));
    expect(good.reaction.reception).toBeGreaterThan(bad.reaction.reception);
    expect(good.state.valence).toBeGreaterThan(bad.state.valence);
    expect(good.state.engagement).toBeGreaterThan(bad.state.engagement);
    expect(good.state.turn).toBe(1);
  });

  it('crisis hazard grows as valence falls below −0.5 and with the risk level', () => {
    const p = samplePopulation(1, new Rng(3))[0];
    const s = initialState(p, new Rng(4));
    const at = (v: number): number => crisisHazard(p, { ...s, valence: v });
    expect(at(0)).toBeCloseTo(p.risk.baseHazard, 12);
    expect(at(-0.9)).toBeCloseTo(p.risk.baseHazard * (1 + p.risk.valenceSensitivity * 0.4), 12);
    expect(at(-0.9)).toBeGreaterThan(at(-0.6));
  });
});

describe('surrogate generator', () => {
  const intent: Intent = { emotion: 'sad', emotionIndex: 2, target: [0.4, 0.0, 0.6, 0.0, 0.0], intensity: 0.7, polarity: -0.6, context: [0, 0] };
  const gen = new SurrogateGenerator();
  const controls = (tone: Controls['tone'], temperature: number, emotionWeight: number): Controls => ({ tone, temperature, emotionWeight });
  it('more emotion conditioning aligns the reply with the target; quality peaks at moderate temperature', () => {
    const al = [0, 0.5, 1].map((w) => trendAlignment(gen.generate(intent, controls('direct', 0.8, w)).intervention.emotionTrend, intent.target));
    expect(al[1]).toBeGreaterThan(al[0]);
    expect(al[2]).toBeGreaterThan(al[1]);
    const q = (t: number, w = 1): number => gen.generate(intent, controls('warm', t, w)).quality;
    expect(q(0.8)).toBeGreaterThan(q(0.3));
    expect(q(0.8)).toBeGreaterThan(q(1.5));
    expect(q(0.8, 2)).toBeLessThan(q(0.8, 1));
    const iv = gen.generate(intent, controls('calm', 1, 1)).intervention;
    for (const row of iv.emotionTrend) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });
  it("Kendall's tau by hand", () => {
    expect(kendallTau([1, 2, 3], [10, 20, 30])).toBe(1);
    expect(kendallTau([1, 2, 3], [3, 2, 1])).toBe(-1);
    // pairs: (1,2) concordant, (1,3) concordant, (2,3) discordant → (2 − 1)/3.
    expect(kendallTau([1, 2, 3], [1, 3, 2])).toBeCloseTo(1 / 3, 12);
  });
  it('rl.generator=full without a trained generator is a clear error', () => {
    expect(() => generatorFor('full')).toThrow(UnavailableError);
    expect(generatorFor('surrogate').kind).toBe('surrogate');
  });
});

describe('intervention env', () => {
  it('passes the env checker (Dict action, seeding determinism, space membership)', () => {
    const report = checkEnv(new InterventionEnv({ numPersonas: 8 }), { steps: 40 });
    expect(report.stepsRun).toBe(80);
  });

  it('reward is the weighted sum of the logged terms; the hidden state is not observed', () => {
    const env = new InterventionEnv({ numPersonas: 8, rewardWeights: { alignment: 2, continuity: 0.25, engagement: 3 } });
    const { obs } = env.reset({ seed: 3 });
    expect(obs.length).toBe(env.observationSpace.flatDim);
    const r = env.step(act(1));
    const t = r.info.reward_terms as { alignment: number; continuity: number; engagement: number };
    expect(r.reward).toBeCloseTo(2 * t.alignment + 0.25 * t.continuity + 3 * t.engagement, 12);
    expect(t.engagement).toBe(env.state!.engagement);
    // The exact hidden valence/engagement never appear in the observation.
    expect(Array.from(r.obs)).not.toContain(Math.fround(env.state!.valence));
    expect(Array.from(r.obs)).not.toContain(Math.fround(env.state!.engagement));
  });

  it('a crisis turn ends the episode with escalation, no generation and no reward', () => {
    let calls = 0;
    const spy: GenerationHook = {
      kind: 'full',
      generate(intent, controls): Generated {
        calls++;
        return new SurrogateGenerator().generate(intent, controls);
      },
    };
    const env = new InterventionEnv({ numPersonas: 4, generator: spy });
    for (const p of env.population) p.risk.baseHazard = 1;
    env.reset({ seed: 1 });
    const r = env.step(act(0));
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(0);
    expect(r.info.escalated).toBe(true);
    expect(r.info.generated).toBe(false);
    expect(calls).toBe(0);
  });

  it('episodes end by disengagement or at the turn limit', () => {
    const env = new InterventionEnv({ numPersonas: 16, maxTurns: 6 });
    let truncated = 0;
    let disengaged = 0;
    for (let e = 0; e < 40; e++) {
      env.reset({ seed: e });
      for (let t = 1; ; t++) {
        // A tone most personas dislike, at a poor temperature, to see both endings.
        const r = env.step(act(e % 2 === 0 ? 4 : 0, e % 2 === 0 ? 1.5 : 0.8));
        if (r.truncated) {
          expect(t).toBe(6);
          truncated++;
        }
        if (r.terminated && r.info.disengaged) disengaged++;
        if (r.terminated || r.truncated) break;
        expect(t).toBeLessThan(6);
      }
    }
    expect(truncated).toBeGreaterThan(0);
    expect(disengaged).toBeGreaterThan(0);
  });

  it('hooks plug in: a custom perception drives the observation; bad actions are named', () => {
    const fixedEv = new PrototypePerception().perceive({ valence: 0.7, arousal: 0.4, crisisCue: false });
    const env = new InterventionEnv({ numPersonas: 4, perception: { perceive: () => fixedEv } });
    const { obs } = env.reset({ seed: 0 });
    fixedEv.probs.forEach((p, i) => expect(obs[i]).toBeCloseTo(p, 6));
    expect(() => env.step(act(7))).toThrow(DataError);
    expect(() => env.step({ tone: 0, temperature: Float32Array.of(Number.NaN), emotionWeight: Float32Array.of(1) })).toThrow(/action.temperature/);
    expect(env.controlsOf(act(0, 9, -3))).toEqual({ tone: 'warm', temperature: 1.5, emotionWeight: 0 });
    expect(() => env.reset({ options: { persona: 99 } })).toThrow(/options.persona=99/);
  });

  it('an oracle that uses each persona’s preferred tone beats the best single tone', () => {
    const env = new InterventionEnv({ numPersonas: 32 });
    const oracle = evaluatePolicy(env, (_o, e) => act(['warm', 'calm', 'encouraging', 'validating', 'direct'].indexOf(e.persona!.preferredTone), 0.9), 60, 100);
    const warm = evaluatePolicy(env, () => act(0, 0.9), 60, 100);
    expect(oracle.toneMatchRate).toBe(1);
    expect(oracle.meanReturn).toBeGreaterThan(warm.meanReturn);
  });
});

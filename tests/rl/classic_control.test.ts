import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { make } from '../../src/rl/registry.js';
import { CartPoleEnv, PendulumEnv, angleNormalize } from '../../src/rl/envs/classic_control.js';
import { DataError } from '../../src/core/errors.js';

interface Step {
  action: number | number[];
  obs: number[];
  reward: number;
  terminated: boolean;
  truncated: boolean;
}
interface Case {
  env_id: string;
  name: string;
  state: number[];
  steps: Step[];
}
// Produced by scripts/fixtures/gym_trajectories.py against real Gymnasium 1.4.0.
const fixture = JSON.parse(readFileSync(new URL('../fixtures/rl/gym_trajectories.json', import.meta.url), 'utf8')) as {
  meta: { gymnasium: string };
  cases: Case[];
};

describe('classic control envs match Gymnasium trajectories', () => {
  it('fixture came from Gymnasium', () => {
    expect(fixture.meta.gymnasium).toBe('1.4.0');
    expect(fixture.cases.length).toBeGreaterThanOrEqual(7);
  });
  for (const c of fixture.cases) {
    it(`${c.name}: ${c.steps.length} steps`, () => {
      const env = make(c.env_id);
      env.reset({ options: { state: c.state } });
      c.steps.forEach((s, t) => {
        const action = typeof s.action === 'number' ? s.action : Float32Array.from(s.action);
        const r = env.step(action);
        const obs = r.obs as Float32Array;
        // Observations are float32 in both; 1e-6 allows for an ulp of difference between libm's and V8's
        // sin/cos growing along the unstable 500-step balance trajectory.
        for (let i = 0; i < obs.length; i++) expect(Math.abs(obs[i] - s.obs[i]), `${c.name} t=${t} obs[${i}]`).toBeLessThan(1e-6);
        expect(r.reward, `${c.name} t=${t} reward`).toBeCloseTo(s.reward, 6);
        expect(r.terminated, `${c.name} t=${t} terminated`).toBe(s.terminated);
        expect(r.truncated, `${c.name} t=${t} truncated`).toBe(s.truncated);
      });
    });
  }
  it('the balance case reaches the 500-step limit as truncation', () => {
    const c = fixture.cases.find((x) => x.name === 'cartpole_balance')!;
    expect(c.steps.length).toBe(500);
    expect(c.steps[499].truncated).toBe(true);
    expect(c.steps[499].terminated).toBe(false);
  });
});

describe('CartPole-v1', () => {
  it('has Gymnasium constants', () => {
    const env = new CartPoleEnv();
    expect(env.tau).toBe(0.02);
    expect(env.thetaThresholdRadians).toBeCloseTo((12 * Math.PI) / 180, 12);
    expect(env.xThreshold).toBe(2.4);
    expect(env.observationSpace.high[0]).toBeCloseTo(4.8, 6);
  });
  it('one Euler step from rest with a right push, derived by hand', () => {
    // θ=0: temp = F/M = 10/1.1; θacc = -temp / (0.5·(4/3 - 0.1/1.1)); xacc = temp - 0.05·θacc/1.1.
    const env = new CartPoleEnv();
    env.reset({ options: { state: [0, 0, 0, 0] } });
    const r = env.step(1);
    const temp = 10 / 1.1;
    const thetaacc = -temp / (0.5 * (4 / 3 - 0.1 / 1.1));
    const xacc = temp - (0.05 * thetaacc) / 1.1;
    expect(r.obs[0]).toBe(0);
    expect(r.obs[1]).toBeCloseTo(0.02 * xacc, 6);
    expect(r.obs[2]).toBe(0);
    expect(r.obs[3]).toBeCloseTo(0.02 * thetaacc, 6);
    expect(r.reward).toBe(1);
  });
  it('seeded resets are deterministic and inside ±0.05', () => {
    const a = make('CartPole-v1').reset({ seed: 7 }).obs as Float32Array;
    const b = make('CartPole-v1').reset({ seed: 7 }).obs as Float32Array;
    const c = make('CartPole-v1').reset({ seed: 8 }).obs as Float32Array;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    for (const v of a) expect(Math.abs(v)).toBeLessThan(0.05);
  });
  it('rejects bad actions and bad reset states with clear errors', () => {
    const env = new CartPoleEnv();
    expect(() => env.step(1)).toThrow(/before reset/);
    env.reset({ seed: 0 });
    expect(() => env.step(2)).toThrow(DataError);
    expect(() => env.step(2)).toThrow(/action=2; expected 0 or 1/);
    expect(() => env.reset({ options: { state: [1, 2] } })).toThrow(/options.state=\[1,2\]; expected 4 finite numbers/);
  });
});

describe('Pendulum-v1', () => {
  it('angleNormalize wraps into [-π, π)', () => {
    expect(angleNormalize(3 * Math.PI)).toBeCloseTo(-Math.PI, 12);
    expect(angleNormalize(-0.5)).toBeCloseTo(-0.5, 12);
    expect(angleNormalize(2 * Math.PI + 0.25)).toBeCloseTo(0.25, 12);
  });
  it('one step by hand: reward and dynamics', () => {
    const env = new PendulumEnv();
    env.reset({ options: { state: [1, 2] } });
    const r = env.step(Float32Array.of(3)); // clipped to 2
    expect(r.reward).toBeCloseTo(-(1 + 0.1 * 4 + 0.001 * 4), 8);
    const thdot = 2 + (15 * Math.sin(1) + 3 * 2) * 0.05;
    expect(r.obs[2]).toBeCloseTo(thdot, 5);
    expect(r.obs[0]).toBeCloseTo(Math.cos(1 + thdot * 0.05), 6);
    expect(r.terminated).toBe(false);
  });
  it('make() truncates at 200 steps', () => {
    const env = make('Pendulum-v1');
    env.reset({ seed: 1 });
    let t = 0;
    let r;
    do {
      r = env.step(Float32Array.of(0));
      t++;
    } while (!r.truncated && t < 1000);
    expect(t).toBe(200);
  });
});

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { orthogonal } from '../../src/rl/init.js';
import { ActionLayout, Agent, FlatAdam, computeGae, explainedVariance, ppoLoss } from '../../src/rl/ppo.js';
import { Box, Dict, Discrete } from '../../src/rl/spaces.js';

// Independent numpy reference: scripts/fixtures/ppo_reference.py.
const ref = JSON.parse(readFileSync(new URL('../fixtures/rl/ppo_reference.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  await initBackend('wasm');
});

function relClose(actual: number, expected: number, tol: number, label: string): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol * (1 + Math.abs(expected)));
}

/** The fixture's mixed action: a categorical of 3 and a 2-dim Gaussian (Dict keys sort as g, tone). */
function fixtureAgent(): Agent {
  const layout = new ActionLayout(new Dict({ tone: new Discrete(3), g: new Box(-Infinity, Infinity, [2]) }));
  const agent = new Agent(3, layout, ref.loss.hidden, new Rng(0));
  agent.setParams(Float32Array.from(ref.loss.theta));
  return agent;
}

describe('PPO loss against the numpy reference', () => {
  it('log-prob, entropy, value, loss terms and gradient match', () => {
    const L = ref.loss;
    const agent = fixtureAgent();
    expect(agent.numParams).toBe(L.theta.length);
    const B = L.obs.length;
    const oneHot = new Float32Array(B * 3);
    L.cat.forEach((c: number, i: number) => (oneHot[i * 3 + c] = 1));
    tf.tidy(() => {
      const obs = tf.tensor2d(L.obs.flat(), [B, 3]);
      const oh = tf.tensor2d(oneHot, [B, 3]);
      const g = tf.tensor2d(L.gauss.flat(), [B, 2]);
      const ev = agent.evaluateActions(obs, oh, g);
      const lp = ev.logprob.dataSync();
      const en = ev.entropy.dataSync();
      const va = ev.value.dataSync();
      for (let i = 0; i < B; i++) {
        relClose(lp[i], L.logprob[i], 1e-5, `logprob[${i}]`);
        relClose(en[i], L.entropy[i], 1e-5, `entropy[${i}]`);
        relClose(va[i], L.value[i], 1e-5, `value[${i}]`);
      }
      const args = { clip_coef: L.clip_coef, clip_vloss: true, ent_coef: L.ent_coef, vf_coef: L.vf_coef };
      const inputs = [tf.tensor1d(L.old_logp), tf.tensor1d(L.adv), tf.tensor1d(L.ret), tf.tensor1d(L.old_v)] as const;
      let stats!: Float32Array;
      const { value, grads } = tf.variableGrads(() => {
        const r = ppoLoss(agent, args, obs, oh, g, ...inputs);
        stats = r.stats.dataSync() as Float32Array;
        return r.loss;
      }, [agent.theta]);
      relClose(value.dataSync()[0], L.total, 1e-5, 'total loss');
      const names = ['pg_loss', 'v_loss', 'entropy', 'old_approx_kl', 'approx_kl', 'clipfrac'];
      names.forEach((n, i) => relClose(stats[i], L.stats[n], 1e-5, n));
      // The fixture clips some ratios, so both branches of the surrogate are exercised.
      expect(L.stats.clipfrac).toBeGreaterThan(0);
      expect(L.stats.clipfrac).toBeLessThan(1);
      const grad = grads[agent.theta.name].dataSync();
      for (let i = 0; i < grad.length; i++) expect(Math.abs(grad[i] - L.grad[i]), `grad[${i}]`).toBeLessThan(2e-5 + 1e-3 * Math.abs(L.grad[i]));
    });
    agent.dispose();
  });

  it('the host (Float32Array) forward matches the tfjs forward and its log-probs', () => {
    const agent = fixtureAgent();
    const rng = new Rng('parity');
    const B = 16;
    const obs = rng.normalArray(B * 3);
    const { actions, logprobs, values } = agent.act(obs, B, rng);
    const oneHot = new Float32Array(B * 3);
    const gauss = new Float32Array(B * 2);
    for (let i = 0; i < B; i++) {
      oneHot[i * 3 + actions[i * 3]] = 1;
      gauss.set(actions.subarray(i * 3 + 1, i * 3 + 3), i * 2);
    }
    tf.tidy(() => {
      const tObs = tf.tensor2d(obs, [B, 3]);
      const head = agent.actorHead(tObs).dataSync();
      const ev = agent.evaluateActions(tObs, tf.tensor2d(oneHot, [B, 3]), tf.tensor2d(gauss, [B, 2]));
      const lp = ev.logprob.dataSync();
      const va = ev.value.dataSync();
      for (let i = 0; i < B; i++) {
        const h = agent.hostHead(obs.subarray(i * 3, i * 3 + 3));
        for (let k = 0; k < 5; k++) expect(Math.abs(h[k] - head[i * 5 + k])).toBeLessThan(1e-5);
        expect(Math.abs(logprobs[i] - lp[i])).toBeLessThan(1e-4);
        expect(Math.abs(values[i] - va[i])).toBeLessThan(1e-5);
      }
    });
    agent.dispose();
  });

  it('deterministic actions are the argmax and the mean', () => {
    const agent = fixtureAgent();
    const obs = Float32Array.of(0.3, -0.2, 1.1);
    const head = agent.hostHead(obs);
    const { actions } = agent.act(obs, 1, null, true);
    const argmax = [0, 1, 2].reduce((b, k) => (head[k] > head[b] ? k : b), 0);
    expect(actions[0]).toBe(argmax);
    expect(actions[1]).toBeCloseTo(head[3], 5);
    expect(actions[2]).toBeCloseTo(head[4], 5);
    // toEnvAction maps the stored vector back to the Dict's structure.
    const a = agent.layout.toEnvAction(actions) as { tone: number; g: Float32Array };
    expect(a.tone).toBe(argmax);
    expect(a.g).toBeInstanceOf(Float32Array);
    agent.dispose();
  });
});

describe('GAE, Adam, explained variance, orthogonal init', () => {
  it('GAE matches CleanRL’s loop (numpy)', () => {
    const G = ref.gae;
    const { advantages, returns } = computeGae(G.rewards, G.values, G.dones, G.next_value, G.next_done, G.T, G.N, G.gamma, G.lambda);
    G.advantages.forEach((a: number, i: number) => expect(advantages[i]).toBeCloseTo(a, 10));
    G.returns.forEach((r: number, i: number) => expect(returns[i]).toBeCloseTo(r, 10));
  });

  it('GAE by hand: one step, terminal cut', () => {
    // T=1, N=1, next done: A = r - V.
    const { advantages } = computeGae([1], [0.25], [0], [10], [1], 1, 1, 0.9, 0.5);
    expect(advantages[0]).toBeCloseTo(0.75, 12);
    // Not done: A = r + γ V' - V.
    expect(computeGae([1], [0.25], [0], [10], [0], 1, 1, 0.9, 0.5).advantages[0]).toBeCloseTo(9.75, 12);
  });

  it('FlatAdam follows torch.optim.Adam (eps outside the bias-corrected sqrt)', () => {
    const A = ref.adam;
    const theta = tf.variable(tf.tensor1d(A.p0));
    const opt = new FlatAdam(A.p0.length, 0.9, 0.999, A.eps);
    A.grads.forEach((g: number[], k: number) => {
      tf.tidy(() => opt.apply(theta, tf.tensor1d(g), A.lrs[k]));
      const p = theta.dataSync();
      A.trajectory[k].forEach((v: number, i: number) => expect(Math.abs(p[i] - v)).toBeLessThan(1e-6));
    });
    theta.dispose();
    opt.dispose();
  });

  it('explained variance by hand', () => {
    expect(explainedVariance([1, 2, 3], [1, 2, 3])).toBe(1);
    // y = [0, 2], ŷ = [1, 1]: residual [-1, 1], var 1; var(y) = 1 → 0.
    expect(explainedVariance([1, 1], [0, 2])).toBeCloseTo(0, 12);
    expect(explainedVariance([0, 0], [1, 1])).toBeNull();
  });

  it('orthogonal: WᵀW = gain²·I (tall) and WWᵀ = gain²·I (wide); same seed, same matrix', () => {
    const check = (inDim: number, outDim: number, gain: number): void => {
      const w = orthogonal(new Rng(3), inDim, outDim, gain);
      // The smaller side's Gram matrix is gain²·I.
      const small = Math.min(inDim, outDim);
      for (let a = 0; a < small; a++) {
        for (let b = 0; b < small; b++) {
          let s = 0;
          if (inDim <= outDim) for (let o = 0; o < outDim; o++) s += w[a * outDim + o] * w[b * outDim + o];
          else for (let i = 0; i < inDim; i++) s += w[i * outDim + a] * w[i * outDim + b];
          expect(s).toBeCloseTo(a === b ? gain * gain : 0, 5);
        }
      }
    };
    check(4, 64, Math.SQRT2);
    check(64, 2, 0.01);
    check(64, 1, 1);
    expect(Array.from(orthogonal(new Rng(3), 5, 7, 1))).toEqual(Array.from(orthogonal(new Rng(3), 5, 7, 1)));
    expect(Array.from(orthogonal(new Rng(3), 5, 7, 1))).not.toEqual(Array.from(orthogonal(new Rng(4), 5, 7, 1)));
  });
});

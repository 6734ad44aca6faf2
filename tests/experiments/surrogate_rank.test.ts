// Issue 7: the surrogate generator must rank control settings the way the full
// generator does. A small conditional transformer is trained here on the bundled
// corpus (the env's five emotion classes, three strategies), states come from the
// env's own personas and dynamics, and the two hooks score a tone × temperature ×
// emotion-weight grid on each state.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { TrainedGeneratorHook } from '../../src/experiments/jobs/pipeline_rl.js';
import { buildCorpus } from '../../src/generation/corpus/build.js';
import { parseGeneratorConfig } from '../../src/generation/config.js';
import { Generator } from '../../src/generation/model/generator.js';
import { ConditionalTransformer } from '../../src/generation/model/transformer.js';
import { trainTokenizer } from '../../src/generation/tokenizer.js';
import { trainGenerator } from '../../src/generation/train.js';
import type { Controls } from '../../src/generation/types.js';
import type { Intent } from '../../src/reasoning/types.js';
import { HOOK_METRICS, calibrateSurrogate, compareGenerationHooks, compareScores, controlGrid, permutationNull, sampleEnvIntents, scoreHook, type HookComparison, type HookScores } from '../../src/rl/surrogate.js';
import { CalibratedSurrogate, SURROGATE_FEATURES, type SurrogateCalibration } from '../../src/rl/users/calibrated.js';
import { DEFAULT_CLASSES, SurrogateGenerator, kendallTau, meanTrend, type GenerationHook } from '../../src/rl/users/hooks.js';

const CFG = parseGeneratorConfig({ layers: 1, d_model: 32, heads: 4, ff: 64, cond_hidden: 32, max_len: 64, epochs: 8, batch: 32, lr: 5e-3, val_texts: 0, dropout: 0, decoding: { max_new_tokens: 40 } });
// The env's Box ranges are T ∈ [0.3, 1.5] and emotionWeight ∈ [0, 2]: three levels of each span them.
const GRID: Controls[] = controlGrid([0.4, 0.9, 1.4], [0, 1, 2]);
const FIT_STATES = 8;
const CHECK_STATES = 8;

/**
 * The acceptance criterion, per metric: mean τ ≥ 0.4 (a moderate rank
 * correlation: 70% of control pairs ordered alike), τ > 0 on at least 7 of 8
 * held-out states, and the mean τ above every mean of a 200-round permutation
 * null (p < 0.005 against unrelated rankings). Under independence τ over 45
 * controls has sd ≈ 0.10 (√(2(2n+5)/(9n(n−1)))), so 0.4 is 4 sd out on a
 * single state. The surrogate's best control must also lose little reward
 * under the generator (mean regret ≤ 0.2 of the reward's range on the state):
 * exact top-choice agreement is too strict when the generator's best controls
 * are near-ties that sampling noise reorders.
 */
function passes(c: HookComparison, nullMax: Record<string, number>): boolean {
  return HOOK_METRICS.every((m) => c.tau[m].mean >= 0.4 && c.tau[m].positive >= 7 && c.tau[m].mean > nullMax[m]) && c.meanRegret <= 0.2;
}

describe('surrogate vs trained generator: ranking of controls', () => {
  let gen: Generator;
  let full: TrainedGeneratorHook;
  let calibration: SurrogateCalibration;
  let check: Intent[];
  /** The generator's scores on the held-out states, measured once and compared with each surrogate's. */
  let fullCheck: HookScores;
  let calibrated: HookComparison;
  const against = (hook: GenerationHook): HookComparison => compareScores(scoreHook(hook, check, GRID, { rng: rng.fork('check') }), fullCheck);
  const nullMax: Record<string, number> = {};
  const rng = new Rng('surrogate-rank');

  beforeAll(async () => {
    await initBackend('wasm');
    const entries = buildCorpus({ rng: rng.fork('corpus'), perCell: 2, emotions: [...DEFAULT_CLASSES], strategies: ['validation', 'reflection', 'grounding'] });
    const tokenizer = trainTokenizer(entries.filter((e) => e.split === 'train').map((e) => e.text), { vocabSize: 600 });
    const tr = await trainGenerator({ entries, tokenizer, cfg: CFG, rng: rng.fork('generator'), classes: [...DEFAULT_CLASSES] });
    gen = new Generator(tr.model, tokenizer);
    full = new TrainedGeneratorHook(gen);
    const states = sampleEnvIntents({ numPersonas: 64 }, FIT_STATES + CHECK_STATES, rng.fork('states'));
    // Fitted on some states, checked on others: the check is out of sample.
    calibration = calibrateSurrogate(full, states.slice(0, FIT_STATES), GRID, { rng: rng.fork('fit'), generator: gen.version });
    check = states.slice(FIT_STATES);
    fullCheck = scoreHook(full, check, GRID, { rng: rng.fork('check') });
    calibrated = against(new CalibratedSurrogate(calibration));
    for (const m of HOOK_METRICS) nullMax[m] = Math.max(...permutationNull(calibrated, m, 200, rng.fork(`null/${m}`)));
  }, 240_000);

  it('the trained generator responds to the controls (else any ranking test is vacuous)', () => {
    // Emotion conditioning off (weight 0) must cost alignment on average: the FiLM conditioning was learned.
    const mean = (w: number): number => {
      const idx = GRID.flatMap((c, i) => (c.emotionWeight === w ? [i] : []));
      const s = calibrated.scores.full.alignment;
      return s.reduce((a, row) => a + idx.reduce((b, i) => b + row[i], 0) / idx.length, 0) / s.length;
    };
    expect(mean(1)).toBeGreaterThan(mean(0) + 0.1);
    expect(calibration.fit.r2.alignment).toBeGreaterThan(0.5);
  });

  it('the calibrated surrogate ranks controls like the generator on held-out states', () => {
    const line = HOOK_METRICS.map((m) => `${m} τ ${calibrated.tau[m].mean.toFixed(3)} ± ${calibrated.tau[m].std.toFixed(3)} (> 0 on ${calibrated.tau[m].positive}/${calibrated.states}; null max ${nullMax[m].toFixed(3)})`);
    console.info(`calibrated surrogate vs generator: ${line.join('; ')}; top choice ${calibrated.topAgreement}/${calibrated.states}, regret ${calibrated.meanRegret.toFixed(3)}`);
    for (const m of HOOK_METRICS) {
      expect(calibrated.tau[m].mean).toBeGreaterThanOrEqual(0.4);
      expect(calibrated.tau[m].positive).toBeGreaterThanOrEqual(7);
      // The null is centred on 0 and the observed mean lies beyond all of it.
      expect(Math.abs(nullMax[m])).toBeLessThan(0.25);
      expect(calibrated.tau[m].mean).toBeGreaterThan(nullMax[m]);
    }
    expect(calibrated.meanRegret).toBeLessThanOrEqual(0.2);
    expect(passes(calibrated, nullMax)).toBe(true);
  });

  it('fails a mis-specified surrogate: the emotion-weight effect reversed', () => {
    // Evaluate the fitted surface at the mirrored emotion weight (2 − w): more conditioning now predicts less alignment.
    const reversed = new CalibratedSurrogate(calibration);
    const predict = reversed.predict.bind(reversed);
    reversed.predict = (intent, c) => predict(intent, { ...c, emotionWeight: 2 - c.emotionWeight });
    const c = against(reversed);
    console.info(`ew-reversed surrogate: ${HOOK_METRICS.map((m) => `${m} τ ${c.tau[m].mean.toFixed(3)}`).join(', ')}, regret ${c.meanRegret.toFixed(3)}`);
    expect(passes(c, nullMax)).toBe(false);
    expect(c.tau.alignment.mean).toBeLessThan(0);
  });

  it('in this generator the emotion weight drives the reply’s emotion, tone barely does (so a tone-reversed surrogate is not detectable)', () => {
    // Share of the within-state variance of the generator's alignment explained by each control's main effect.
    const share = (key: 'tone' | 'temperature' | 'emotionWeight'): number => {
      let between = 0;
      let total = 0;
      for (const row of fullCheck.alignment) {
        const m = row.reduce((a, b) => a + b, 0) / row.length;
        total += row.reduce((a, y) => a + (y - m) ** 2, 0);
        const groups = new Map<unknown, number[]>();
        GRID.forEach((c, i) => groups.set(c[key], [...(groups.get(c[key]) ?? []), row[i]]));
        for (const g of groups.values()) between += g.length * (g.reduce((a, b) => a + b, 0) / g.length - m) ** 2;
      }
      return between / total;
    };
    const shares = { tone: share('tone'), temperature: share('temperature'), emotionWeight: share('emotionWeight') };
    const mirrored = (f: (c: Controls) => Controls): HookComparison => {
      const s = new CalibratedSurrogate(calibration);
      const predict = s.predict.bind(s);
      s.predict = (intent, c) => predict(intent, f(c));
      return against(s);
    };
    const tones = [...new Set(GRID.map((c) => c.tone))];
    const toneRev = mirrored((c) => ({ ...c, tone: tones[tones.length - 1 - tones.indexOf(c.tone)] }));
    const tempRev = mirrored((c) => ({ ...c, temperature: 1.8 - c.temperature }));
    // τ over tone × temperature within each emotion-weight level: the ranking with the dominant factor held fixed.
    const within = (c: HookComparison): number => {
      const taus: number[] = [];
      for (const w of new Set(GRID.map((g) => g.emotionWeight))) {
        const idx = GRID.flatMap((g, i) => (g.emotionWeight === w ? [i] : []));
        c.scores.full.reward.forEach((row, st) => taus.push(kendallTau(idx.map((i) => c.scores.surrogate.reward[st][i]), idx.map((i) => row[i]))));
      }
      return taus.reduce((a, b) => a + b, 0) / taus.length;
    };
    console.info(
      `variance share of the generator's alignment: ${Object.entries(shares).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}; ` +
        `tone-reversed surrogate reward τ ${toneRev.tau.reward.mean.toFixed(3)}, temperature-reversed ${tempRev.tau.reward.mean.toFixed(3)}; ` +
        `reward τ within an emotion-weight level: calibrated ${within(calibrated).toFixed(3)}, tone-reversed ${within(toneRev).toFixed(3)}, temperature-reversed ${within(tempRev).toFixed(3)}, closed form ${within(against(new SurrogateGenerator())).toFixed(3)}`,
    );
    expect(shares.emotionWeight).toBeGreaterThan(0.5);
    expect(shares.tone).toBeLessThan(0.1);
  });

  it('reports the closed-form (uncalibrated) surrogate’s agreement', () => {
    const c = against(new SurrogateGenerator());
    console.info(`closed-form surrogate: ${HOOK_METRICS.map((m) => `${m} τ ${c.tau[m].mean.toFixed(3)} ± ${c.tau[m].std.toFixed(3)}`).join(', ')}, top ${c.topAgreement}/${c.states}, regret ${c.meanRegret.toFixed(3)}`);
    // Its quality is a fluency bump over temperature, the generator's the consistency monitor's cosine: they
    // disagree, which is why rl.surrogate.calibrate exists. Checked so a change to either shows up here.
    expect(passes(c, nullMax)).toBe(false);
    expect(calibration.features).toEqual([...SURROGATE_FEATURES]);
  });

  it('compareGenerationHooks scores both hooks with the same draws, and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const c = compareGenerationHooks(new CalibratedSurrogate(calibration), full, check.slice(0, 2), GRID.slice(0, 9), { rng: rng.fork('check') });
    expect(tf.memory().numTensors).toBe(before);
    // Draws are seeded per (state, control, draw): the generator's scores are those measured above.
    expect(c.scores.full.reward.map((row) => row.slice(0, 9))).toEqual(fullCheck.reward.slice(0, 2).map((row) => row.slice(0, 9)));
  });
});

describe('TrainedGeneratorHook', () => {
  it('maps the reply’s emotion trend back onto the env’s classes', async () => {
    await initBackend('wasm');
    const tokenizer = trainTokenizer(['you are not alone in this', 'that sounds so hard'], { vocabSize: 300 });
    // A generator whose classes differ from the env's in order and number (no "fearful").
    const classes = ['sad', 'neutral', 'angry', 'happy'];
    const cfg = parseGeneratorConfig({ layers: 1, d_model: 16, heads: 2, ff: 16, cond_hidden: 8, max_len: 8, decoding: { max_new_tokens: 4 } });
    const g = new Generator(new ConditionalTransformer(cfg, { vocabSize: tokenizer.vocabSize, classes }, new Rng(1)), tokenizer);
    const hook = new TrainedGeneratorHook(g);
    const intent: Intent = { emotion: 'sad', emotionIndex: 2, target: [0.4, 0, 0.6, 0, 0], intensity: 0.7, polarity: -0.6, context: [] };
    const c: Controls = { tone: 'warm', temperature: 1, emotionWeight: 1 };
    const out = hook.generate(intent, c, new Rng(2));
    const raw = g.generate({ ...intent, target: [0.6, 0.4, 0, 0], context: [] }, c, { rng: new Rng(2) });
    expect(out.intervention.emotionTrend.length).toBe(raw.emotionTrend.length);
    const env = meanTrend(out.intervention.emotionTrend);
    const gm = meanTrend(raw.emotionTrend);
    // env order: neutral, happy, sad, angry, fearful
    expect(env).toHaveLength(5);
    expect(env[0]).toBeCloseTo(gm[1], 6);
    expect(env[1]).toBeCloseTo(gm[3], 6);
    expect(env[2]).toBeCloseTo(gm[0], 6);
    expect(env[3]).toBeCloseTo(gm[2], 6);
    expect(env[4]).toBe(0);
    g.dispose();
  });
});

// The PPO stage of the `pipeline` job: PPO on the intervention env with the
// reward components logged per update, compared with a random policy and the
// best fixed control setting on the same evaluation users.
import { ConfigError, show } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Rng } from '../../core/rng.js';
import type { Generator } from '../../generation/model/generator.js';
import { filterOutput } from '../../generation/safety/index.js';
import type { Controls } from '../../generation/types.js';
import type { Intent } from '../../reasoning/types.js';
import type { RlSection } from '../../rl/config.js';
import { InterventionEnv, type InterventionAction } from '../../rl/envs/intervention.js';
import type { StepResult } from '../../rl/env.js';
import { runInterventionExperiment, type InterventionResult, type RealPerception } from '../../rl/intervention_eval.js';
import type { PpoUpdateLog } from '../../rl/ppo.js';
import { DEFAULT_CLASSES, type Generated, type GenerationHook } from '../../rl/users/hooks.js';
import { SynAffectEmitter } from '../../rl/users/synaffect_emitter.js';
import { TrainedPerception } from '../../rl/users/trained_perception.js';
import type { FusionModel } from '../../perception/fusion/types.js';
import type { PerceptionItem } from '../../perception/fusion/batch.js';
import type { ModalityDims } from '../../perception/fusion/types.js';
import type { Sample, ModalityName } from '../../data/types.js';

/** Sums each reward term over the generated turns of all envs since the last `drain()`. */
export class RewardTap {
  private sums = { alignment: 0, continuity: 0, engagement: 0 };
  private n = 0;
  add(terms: { alignment: number; continuity: number; engagement: number }): void {
    this.sums.alignment += terms.alignment;
    this.sums.continuity += terms.continuity;
    this.sums.engagement += terms.engagement;
    this.n++;
  }
  /** Mean per generated turn (null when no turn generated), then reset. */
  drain(): { alignment: number | null; continuity: number | null; engagement: number | null } {
    const n = this.n;
    const out = n === 0 ? { alignment: null, continuity: null, engagement: null } : { alignment: this.sums.alignment / n, continuity: this.sums.continuity / n, engagement: this.sums.engagement / n };
    this.sums = { alignment: 0, continuity: 0, engagement: 0 };
    this.n = 0;
    return out;
  }
}

/** The env with a tap on its per-step reward terms (PPO's vector env hides `info` from the loop). */
class TappedInterventionEnv extends InterventionEnv {
  constructor(
    opts: ConstructorParameters<typeof InterventionEnv>[0],
    private readonly tap: RewardTap,
  ) {
    super(opts);
  }
  override step(action: InterventionAction): StepResult<Float32Array> {
    const r = super.step(action);
    const info = r.info as { generated?: boolean; reward_terms?: { alignment: number; continuity: number; engagement: number } };
    if (info.generated && info.reward_terms) this.tap.add(info.reward_terms);
    return r;
  }
}

/**
 * The trained conditional transformer as the env's generation hook
 * (`rl.generator=full`). The env's intent is over its own emotion classes; the
 * target is mapped onto the generator's classes by name. Quality is the
 * consistency monitor's final cosine (emotion head vs target), clipped to
 * [0, 1]; a reply the output filter blocks scores 0. The reply's emotion trend
 * is mapped back onto the env's classes, the ones its alignment is scored on.
 */
export class TrainedGeneratorHook implements GenerationHook {
  readonly kind = 'full' as const;
  constructor(
    private readonly gen: Generator,
    /** The classes of the env's intents (its perception hook's; rl/users/hooks DEFAULT_CLASSES by default). */
    private readonly envClasses: readonly string[] = DEFAULT_CLASSES,
  ) {}
  generate(intent: Intent, controls: Controls, rng: Rng): Generated {
    const classes = this.gen.classes;
    const target = classes.map((c) => {
      const k = this.envClasses.indexOf(c);
      return k >= 0 ? intent.target[k] : 0;
    });
    const s = target.reduce((a, b) => a + b, 0);
    const mapped: Intent = { ...intent, target: s > 0 ? target.map((x) => x / s) : target.map(() => 1 / classes.length), context: [] };
    const out = this.gen.generate(mapped, controls, { rng });
    const verdict = filterOutput(out.text);
    const cons = out.trace.consistency as { final?: number } | undefined;
    const quality = verdict.verdict === 'blocked' ? 0 : Math.min(1, Math.max(0, cons?.final ?? 0.5));
    // The env scores the trend against its own target, so the trend goes back onto the env's classes
    // (a class the generator lacks reads 0; mass on generator-only classes is dropped, as the target has none).
    const back = this.envClasses.map((c) => classes.indexOf(c));
    const emotionTrend = out.emotionTrend.map((row) => back.map((k) => (k >= 0 ? row[k] : 0)));
    return { intervention: { ...out, emotionTrend, text: verdict.replacement ?? out.text, safety: { verdict: verdict.verdict, rule: verdict.rule, needsHuman: verdict.needsHuman } }, quality };
  }
}

/**
 * `rl.intervention.perception: trained`: the SynAffect emitter renders each
 * user turn with the run's own dataset settings (new speakers: the personas'
 * voices and faces are not the training corpus's), and the trained model reads
 * it through the perception stage's own extraction, DTW alignment and
 * train-split z-scoring (the RT path's `alignSample` + `standardize`).
 */
export function trainedPerceptionHooks(args: {
  dataset: Record<string, unknown>;
  model: FusionModel;
  classes: readonly string[];
  /** The sample → model-input path the model was trained with (features, alignment, train-split normalisation). */
  featurize: (sample: Sample) => PerceptionItem | null;
  modalities: readonly ModalityName[];
  dims: ModalityDims;
  T: number;
  choice: 'nearest' | 'posterior';
  seed: number;
  log?: Logger;
}): RealPerception & { perception: TrainedPerception } {
  if (args.dataset.name !== 'synaffect') {
    throw new ConfigError(`rl.intervention.perception=trained: dataset.name=${show(args.dataset.name)}; the env renders users with SynAffect, so the model must be trained on dataset=synaffect (or set rl.intervention.perception=prototype)`);
  }
  return {
    emitter: new SynAffectEmitter({ dataset: args.dataset, choice: args.choice, seed: args.seed }),
    perception: new TrainedPerception({
      model: args.model,
      modelClasses: args.classes,
      featurize: args.featurize,
      modalities: args.modalities,
      dims: args.dims,
      T: args.T,
      log: args.log,
    }),
  };
}

/** The intervention experiment's result plus the number of PPO updates the stage logged. */
export type PpoStageResult = InterventionResult & { updates: number };

/**
 * Trains PPO on the intervention env, logging each update (CleanRL's
 * charts/losses keys plus reward/alignment, reward/continuity,
 * reward/engagement: mean per generated turn during that update's rollout).
 */
export function runPpoStage(
  section: RlSection,
  rng: Rng,
  opts: { full?: GenerationHook; surrogate?: GenerationHook; real?: RealPerception; onUpdate?: (l: PpoUpdateLog & Record<string, number | null>) => void; signal?: AbortSignal; tuneEpisodes: number },
): PpoStageResult {
  const tap = new RewardTap();
  let updates = 0;
  const r = runInterventionExperiment(section, rng, {
    full: opts.full,
    surrogate: opts.surrogate,
    real: opts.real,
    signal: opts.signal,
    tuneEpisodes: opts.tuneEpisodes,
    makeEnv: (envOpts) => new TappedInterventionEnv(envOpts, tap),
    onUpdate: (l) => {
      updates++;
      const t = tap.drain();
      opts.onUpdate?.({ ...l, 'reward/alignment': t.alignment, 'reward/continuity': t.continuity, 'reward/engagement': t.engagement });
    },
  });
  return { ...r, updates };
}

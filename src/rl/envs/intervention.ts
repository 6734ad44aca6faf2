import { DataError, UnavailableError, show } from '../../core/errors.js';
import type { Controls, Tone } from '../../generation/types.js';
import { TONES } from '../../generation/types.js';
import type { EmotionVector } from '../../perception/types.js';
import type { Intent } from '../../reasoning/types.js';
import type { ResetOptions, ResetResult, StepResult } from '../env.js';
import { SeededEnv } from '../env.js';
import { Box, Dict, Discrete } from '../spaces.js';
import type { GenerationHook, PerceptionHook, ReasoningHook, SignalEmitter } from '../users/hooks.js';
import { DEFAULT_CLASSES, NoisySignalEmitter, PrototypePerception, RuleReasoning, SurrogateGenerator, alignment } from '../users/hooks.js';
import type { Persona, PersonaState, PopulationOptions } from '../users/persona.js';
import { crisisHazard, initialState, react, samplePopulation } from '../users/persona.js';
import { Rng as RngClass } from '../../core/rng.js';

/** The intervention action: which tone, how adventurous, how strongly emotion-conditioned. */
export interface InterventionAction {
  tone: number;
  temperature: Float32Array;
  emotionWeight: Float32Array;
}

export interface InterventionEnvOptions {
  /** Seed of the persona population (fixed per env so every env of a vector sees the same users). */
  populationSeed?: number | string;
  numPersonas?: number;
  population?: PopulationOptions;
  maxTurns?: number;
  disengageThreshold?: number;
  /** w1, w2, w3 of reward = w1·alignment + w2·continuity + w3·engagement. */
  rewardWeights?: { alignment: number; continuity: number; engagement: number };
  temperatureRange?: [number, number];
  emotionWeightRange?: [number, number];
  emitter?: SignalEmitter;
  perception?: PerceptionHook;
  reasoning?: ReasoningHook;
  generator?: GenerationHook;
  /** Noise of the default emitter. */
  perceptionNoise?: number;
  seed?: number | string;
}

/** Per-step reward terms, logged separately (`info.reward_terms`). */
export interface RewardTerms {
  alignment: number;
  continuity: number;
  engagement: number;
}

/**
 * Affect-adaptive intervention as an RL environment. Each episode is one
 * conversation with a persona drawn from a seeded population. Each turn: the
 * persona's hidden state emits signals (emitter hook), perception reads them
 * into an EmotionVector, reasoning forms the Intent, the policy picks the
 * controls, the generator writes the reply, the persona reacts. The emitter
 * and perception hooks default to closed-form stand-ins; `SynAffectEmitter` +
 * `TrainedPerception` (rl/users) are the real path (rl.intervention.perception).
 *
 * | Observation (Box)         | dims | range   |
 * |---------------------------|------|---------|
 * | perceived class probs     | C    | [0, 1]  |
 * | perceived valence, arousal| 2    | [-1, 1] |
 * | intent intensity, polarity| 2    | [-1, 1] |
 * | intake valence, arousal   | 2    | [-1, 1] |
 * | turn / maxTurns           | 1    | [0, 1]  |
 * | engagement cue (reply len)| 1    | [0, 1]  |
 * | previous tone one-hot     | 5    | {0, 1}  |
 * | previous temperature, emotionWeight (scaled to [0, 1]) | 2 | [0, 1] |
 *
 * Action: Dict { tone: Discrete(5) over TONES, temperature: Box[1], emotionWeight: Box[1] };
 * Box values outside their range are clipped (the policy's Gaussian is unbounded).
 *
 * Reward = w1·alignment (cosine of the reply's emotion and the intent's target)
 * + w2·continuity (1 if the user stays for another turn) + w3·engagement (after
 * the reply). Termination: the user disengages (engagement < threshold) or a
 * crisis turn (escalated to a human, reward 0, nothing generated). Truncation:
 * the turn limit. The hidden state is never in the observation.
 */
export class InterventionEnv extends SeededEnv<Float32Array, InterventionAction> {
  readonly population: Persona[];
  readonly classes: string[];
  readonly maxTurns: number;
  readonly disengageThreshold: number;
  readonly weights: { alignment: number; continuity: number; engagement: number };
  readonly tempRange: [number, number];
  readonly ewRange: [number, number];
  readonly emitter: SignalEmitter;
  readonly perception: PerceptionHook;
  readonly reasoning: ReasoningHook;
  readonly generator: GenerationHook;
  readonly actionSpace: Dict<{ tone: Discrete; temperature: Box; emotionWeight: Box }>;
  readonly observationSpace: Box;

  persona: Persona | null = null;
  personaIndex = -1;
  state: PersonaState | null = null;
  private intent: Intent | null = null;
  private perceived: EmotionVector | null = null;
  private history: EmotionVector[] = [];
  private prev: { tone: number; temp: number; ew: number } | null = null;

  constructor(opts: InterventionEnvOptions = {}) {
    super(opts.seed);
    this.population = samplePopulation(opts.numPersonas ?? 64, new RngClass(opts.populationSeed ?? 'population'), opts.population);
    this.classes = [...DEFAULT_CLASSES];
    this.maxTurns = opts.maxTurns ?? 12;
    this.disengageThreshold = opts.disengageThreshold ?? 0.15;
    this.weights = opts.rewardWeights ?? { alignment: 1, continuity: 0.5, engagement: 0.5 };
    this.tempRange = opts.temperatureRange ?? [0.3, 1.5];
    this.ewRange = opts.emotionWeightRange ?? [0, 2];
    this.emitter = opts.emitter ?? new NoisySignalEmitter(opts.perceptionNoise ?? 0.1);
    this.perception = opts.perception ?? new PrototypePerception();
    this.reasoning = opts.reasoning ?? new RuleReasoning();
    this.generator = opts.generator ?? new SurrogateGenerator();
    this.actionSpace = new Dict({
      tone: new Discrete(TONES.length),
      temperature: new Box(this.tempRange[0], this.tempRange[1], [1]),
      emotionWeight: new Box(this.ewRange[0], this.ewRange[1], [1]),
    });
    const C = this.classes.length;
    const dim = C + 8 + TONES.length + 2;
    const low = new Float32Array(dim).fill(-1);
    const high = new Float32Array(dim).fill(1);
    for (let i = 0; i < C; i++) low[i] = 0;
    for (let i = C + 6; i < dim; i++) low[i] = 0;
    this.observationSpace = new Box(low, high);
  }

  /** `options.persona` picks a persona by index (per-persona evaluation); otherwise one is drawn. */
  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts);
    const pick = opts?.options?.persona;
    if (pick !== undefined && (typeof pick !== 'number' || !Number.isInteger(pick) || pick < 0 || pick >= this.population.length)) {
      throw new DataError(`Intervention.reset: options.persona=${show(pick)}; expected an integer in [0, ${this.population.length - 1}]`);
    }
    this.personaIndex = (pick as number | undefined) ?? this.npRandom.int(this.population.length);
    this.persona = this.population[this.personaIndex];
    this.state = initialState(this.persona, this.npRandom);
    this.history = [];
    this.perceived = null;
    this.prev = null;
    this.observeUser(this.npRandom.bernoulli(crisisHazard(this.persona, this.state)));
    return { obs: this.obs(), info: { persona: this.persona.id, archetype: this.persona.archetype } };
  }

  /** The user's turn: emit → perceive → reason. */
  private observeUser(crisis: boolean): void {
    const signal = this.emitter.emit({ state: this.state!, crisis, persona: this.persona! }, this.npRandom);
    const ev = this.perception.perceive(signal, this.npRandom);
    if (this.perceived) this.history.push(this.perceived);
    this.intent = this.reasoning.reason(ev, { turn: this.state!.turn, history: this.history, crisisCue: crisis });
    this.perceived = ev;
  }

  private obs(): Float32Array {
    const ev = this.perceived!;
    const it = this.intent!;
    const C = this.classes.length;
    const o = new Float32Array(this.observationSpace.flatDim);
    for (let i = 0; i < C; i++) o[i] = ev.probs[i];
    const clip = (x: number): number => Math.min(Math.max(x, -1), 1);
    o[C] = clip(ev.valence);
    o[C + 1] = clip(ev.arousal);
    o[C + 2] = clip(it.intensity);
    o[C + 3] = clip(it.polarity);
    o[C + 4] = this.persona!.intake[0];
    o[C + 5] = this.persona!.intake[1];
    o[C + 6] = this.state!.turn / this.maxTurns;
    // What the system can see of engagement: how much the user wrote (engagement plus noise).
    o[C + 7] = Math.min(Math.max(this.state!.engagement + this.npRandom.normal(0, 0.1), 0), 1);
    if (this.prev) {
      o[C + 8 + this.prev.tone] = 1;
      o[C + 8 + TONES.length] = (this.prev.temp - this.tempRange[0]) / (this.tempRange[1] - this.tempRange[0]);
      o[C + 9 + TONES.length] = (this.prev.ew - this.ewRange[0]) / (this.ewRange[1] - this.ewRange[0]);
    }
    return o;
  }

  /** The controls an action stands for (Box values clipped to their ranges). */
  controlsOf(action: InterventionAction): Controls {
    if (!this.actionSpace.spaces.tone.contains(action?.tone)) {
      throw new DataError(`Intervention.step: action.tone=${show(action?.tone)}; expected an integer in [0, ${TONES.length - 1}]`);
    }
    const num = (x: unknown, key: string): number => {
      const v = x instanceof Float32Array || Array.isArray(x) ? Number(x[0]) : Number.NaN;
      if (!Number.isFinite(v)) throw new DataError(`Intervention.step: action.${key}=${show(x)}; expected a Float32Array of 1 finite number`);
      return v;
    };
    const t = num(action.temperature, 'temperature');
    const w = num(action.emotionWeight, 'emotionWeight');
    return {
      tone: TONES[action.tone] as Tone,
      temperature: Math.min(Math.max(t, this.tempRange[0]), this.tempRange[1]),
      emotionWeight: Math.min(Math.max(w, this.ewRange[0]), this.ewRange[1]),
    };
  }

  step(action: InterventionAction): StepResult<Float32Array> {
    if (!this.state || !this.persona || !this.intent) throw new DataError('Intervention.step: called before reset(); expected reset() first');
    const controls = this.controlsOf(action);
    const base = { persona: this.persona.id, archetype: this.persona.archetype, tone: controls.tone, temperature: controls.temperature, emotion_weight: controls.emotionWeight };
    if (this.intent.crisis) {
      // Crisis turn: nothing is generated, the conversation goes to a human, no reward either way.
      const terms: RewardTerms = { alignment: 0, continuity: 0, engagement: 0 };
      return { obs: this.obs(), reward: 0, terminated: true, truncated: false, info: { ...base, escalated: true, disengaged: false, generated: false, reward_terms: terms } };
    }
    const gen = this.generator.generate(this.intent, controls, this.npRandom);
    const align = alignment(gen.intervention, this.intent);
    const { state, reaction } = react(this.persona, this.state, { tone: controls.tone, temperature: controls.temperature, alignment: align, quality: gen.quality }, this.npRandom);
    this.state = state;
    this.prev = { tone: TONES.indexOf(controls.tone), temp: controls.temperature, ew: controls.emotionWeight };
    const disengaged = state.engagement < this.disengageThreshold;
    const terms: RewardTerms = { alignment: align, continuity: disengaged ? 0 : 1, engagement: state.engagement };
    const reward = this.weights.alignment * terms.alignment + this.weights.continuity * terms.continuity + this.weights.engagement * terms.engagement;
    const crisisNext = !disengaged && this.npRandom.bernoulli(crisisHazard(this.persona, state));
    this.observeUser(crisisNext);
    const truncated = !disengaged && !crisisNext && state.turn >= this.maxTurns;
    return {
      obs: this.obs(),
      reward,
      terminated: disengaged || crisisNext,
      truncated,
      info: { ...base, escalated: crisisNext, disengaged, generated: true, reception: reaction.reception, tone_match: reaction.toneMatch, quality: gen.quality, reward_terms: terms },
    };
  }

  protected ownState(): Record<string, unknown> {
    return { personaIndex: this.personaIndex, state: this.state, intent: this.intent, perceived: this.perceived, history: this.history, prev: this.prev };
  }
  protected loadOwnState(s: Record<string, unknown>): void {
    this.personaIndex = s.personaIndex as number;
    this.persona = this.personaIndex >= 0 ? this.population[this.personaIndex] : null;
    this.state = s.state as PersonaState | null;
    this.intent = s.intent as Intent | null;
    this.perceived = s.perceived as EmotionVector | null;
    this.history = s.history as EmotionVector[];
    this.prev = s.prev as { tone: number; temp: number; ew: number } | null;
  }
}

/**
 * Chooses the generation hook for `rl.generator`; `full` needs the trained
 * generator passed in; `surrogate` takes a calibrated surrogate when given
 * (rl/surrogate.ts surrogateFor), else the closed form.
 */
export function generatorFor(kind: 'full' | 'surrogate', full?: GenerationHook, surrogate?: GenerationHook): GenerationHook {
  if (kind === 'surrogate') return surrogate ?? new SurrogateGenerator();
  if (!full) throw new UnavailableError('rl.generator=full: no trained generator was provided to the intervention env; pass one (generation stage) or use rl.generator=surrogate');
  return full;
}


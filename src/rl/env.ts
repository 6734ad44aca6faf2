import { RunStateError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { Rng as RngClass } from '../core/rng.js';
import type { Space } from './spaces.js';

/**
 * Gymnasium's environment contract. `reset({ seed, options })` starts an
 * episode; `step(action)` advances it and returns the 5-tuple. `terminated`
 * means the MDP reached a terminal state (do not bootstrap); `truncated` means
 * the episode was cut short (time limit) from a non-terminal state.
 */
export type Info = Record<string, unknown>;

export interface ResetOptions {
  /** Seeds the env's own generator (like Gymnasium's `np_random`); omitted: keep the current stream. */
  seed?: number | string;
  options?: Record<string, unknown>;
}

export interface ResetResult<O> {
  obs: O;
  info: Info;
}

export interface StepResult<O> {
  obs: O;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

export interface Env<O = unknown, A = unknown> {
  readonly observationSpace: Space<O>;
  readonly actionSpace: Space<A>;
  /** Registered id (`CartPole-v1`), when made through the registry. */
  readonly id?: string;
  reset(opts?: ResetOptions): ResetResult<O>;
  step(action: A): StepResult<O>;
  close?(): void;
  /** Plain-data snapshot of everything that drives future steps (state, generator, counters), for checkpoints. */
  getState?(): unknown;
  setState?(state: unknown): void;
}

/** Snapshot of an env for a checkpoint; an env without getState cannot be resumed exactly. */
export function envGetState(env: Env): unknown {
  if (!env.getState) throw new RunStateError(`env ${env.id ?? env.constructor.name} has no getState(); it cannot be checkpointed for an exact resume`);
  return env.getState();
}

export function envSetState(env: Env, state: unknown): void {
  if (!env.setState) throw new RunStateError(`env ${env.id ?? env.constructor.name} has no setState(); it cannot be resumed from a checkpoint`);
  env.setState(state);
}

/**
 * Base for envs that own a seeded generator: `reset({ seed })` re-seeds it, as
 * Gymnasium's `super().reset(seed=seed)` does. Before the first seeded reset
 * the generator is seeded from the constructor's `seed` (default 0) so nothing
 * is ever unseeded.
 */
export abstract class SeededEnv<O, A> implements Env<O, A> {
  abstract readonly observationSpace: Space<O>;
  abstract readonly actionSpace: Space<A>;
  protected npRandom: Rng;
  constructor(seed: number | string = 0) {
    this.npRandom = new RngClass(seed);
  }
  protected seedReset(opts?: ResetOptions): void {
    if (opts?.seed !== undefined) this.npRandom = new RngClass(opts.seed);
  }
  abstract reset(opts?: ResetOptions): ResetResult<O>;
  abstract step(action: A): StepResult<O>;
  /** The subclass's own fields (physical state, counters). */
  protected abstract ownState(): Record<string, unknown>;
  protected abstract loadOwnState(s: Record<string, unknown>): void;
  getState(): unknown {
    return { rng: this.npRandom.state(), own: this.ownState() };
  }
  setState(state: unknown): void {
    const s = state as { rng: Parameters<typeof RngClass.fromState>[0]; own: Record<string, unknown> };
    this.npRandom = RngClass.fromState(s.rng);
    this.loadOwnState(s.own);
  }
}

/** A wrapper forwards everything to the inner env unless it overrides it; wrappers compose by nesting. */
export class Wrapper<O = unknown, A = unknown, IO = O, IA = A> implements Env<O, A> {
  constructor(readonly env: Env<IO, IA>) {}
  get observationSpace(): Space<O> {
    return this.env.observationSpace as unknown as Space<O>;
  }
  get actionSpace(): Space<A> {
    return this.env.actionSpace as unknown as Space<A>;
  }
  get id(): string | undefined {
    return this.env.id;
  }
  reset(opts?: ResetOptions): ResetResult<O> {
    return this.env.reset(opts) as unknown as ResetResult<O>;
  }
  step(action: A): StepResult<O> {
    return this.env.step(action as unknown as IA) as unknown as StepResult<O>;
  }
  close(): void {
    this.env.close?.();
  }
  /** A wrapper's own counters/statistics; wrappers with state override this pair. */
  protected ownState(): unknown {
    return null;
  }
  protected loadOwnState(_s: unknown): void {}
  getState(): unknown {
    return { inner: envGetState(this.env as Env), own: this.ownState() };
  }
  setState(state: unknown): void {
    const s = state as { inner: unknown; own: unknown };
    envSetState(this.env as Env, s.inner);
    this.loadOwnState(s.own);
  }
  /** The innermost env. */
  get unwrapped(): Env {
    let e: Env = this.env as Env;
    while (e instanceof Wrapper) e = e.env as Env;
    return e;
  }
}

/** Finds the first wrapper of a given class in a stack (e.g. to freeze NormalizeObservation for evaluation). */
export function findWrapper<W>(env: Env, cls: abstract new (...args: never[]) => W): W | undefined {
  let e: Env | undefined = env;
  while (e) {
    if (e instanceof cls) return e as W;
    e = e instanceof Wrapper ? (e.env as Env) : undefined;
  }
  return undefined;
}

import { DataError, show } from '../../core/errors.js';
import type { ResetOptions, ResetResult, StepResult } from '../env.js';
import { SeededEnv } from '../env.js';
import { Box, Discrete, describeValue } from '../spaces.js';

/** Reads `options.state` (an exact initial state, for reference trajectories) or returns undefined. */
function stateOption(opts: ResetOptions | undefined, env: string, dim: number): number[] | undefined {
  const s = opts?.options?.state;
  if (s === undefined) return undefined;
  if (!Array.isArray(s) && !(s instanceof Float64Array) && !(s instanceof Float32Array)) {
    throw new DataError(`${env}.reset: options.state=${show(s)}; expected an array of ${dim} numbers`);
  }
  const arr = Array.from(s as ArrayLike<number>);
  if (arr.length !== dim || !arr.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new DataError(`${env}.reset: options.state=${show(arr)}; expected ${dim} finite numbers`);
  }
  return arr;
}

function numberOption(opts: ResetOptions | undefined, env: string, key: string, dflt: number): number {
  const v = opts?.options?.[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(`${env}.reset: options.${key}=${show(v)}; expected a finite number`);
  return v;
}

/**
 * CartPole-v1, Gymnasium's `cartpole.py` (Barto, Sutton & Anderson 1983),
 * same constants, Euler integration and termination rule.
 *
 * | Num | Observation           | Min                 | Max               |
 * |-----|-----------------------|---------------------|-------------------|
 * | 0   | Cart Position         | -4.8                | 4.8               |
 * | 1   | Cart Velocity         | -Inf                | Inf               |
 * | 2   | Pole Angle            | ~ -0.418 rad (-24°) | ~ 0.418 rad (24°) |
 * | 3   | Pole Angular Velocity | -Inf                | Inf               |
 *
 * | Action | Meaning                |
 * |--------|------------------------|
 * | 0      | Push cart to the left  |
 * | 1      | Push cart to the right |
 *
 * Reward +1 every step, including the terminating one. Episode terminates when
 * |x| > 2.4 or |θ| > 12°; the 500-step limit is the TimeLimit wrapper added by
 * `make('CartPole-v1')`. Reset draws each state variable from U(low, high),
 * default (-0.05, 0.05); `options.low`/`options.high` change the bounds and
 * `options.state` sets the state exactly (we cannot reproduce numpy's PCG64
 * stream, so reference trajectories start from a given state). The state is
 * kept in float64, observations are float32, as in Gymnasium.
 */
export class CartPoleEnv extends SeededEnv<Float32Array, number> {
  readonly gravity = 9.8;
  readonly masscart = 1.0;
  readonly masspole = 0.1;
  readonly totalMass = this.masspole + this.masscart;
  /** Actually half the pole's length. */
  readonly length = 0.5;
  readonly polemassLength = this.masspole * this.length;
  readonly forceMag = 10.0;
  /** Seconds between state updates. */
  readonly tau = 0.02;
  readonly kinematicsIntegrator: 'euler' | 'semi-implicit euler' = 'euler';
  /** Angle at which to fail the episode. */
  readonly thetaThresholdRadians = (12 * 2 * Math.PI) / 360;
  readonly xThreshold = 2.4;
  readonly suttonBartoReward: boolean;

  readonly actionSpace = new Discrete(2);
  // Angle limit is 2 × the threshold so a failing observation is still inside the space.
  readonly observationSpace = new Box(
    [-this.xThreshold * 2, -Infinity, -this.thetaThresholdRadians * 2, -Infinity],
    [this.xThreshold * 2, Infinity, this.thetaThresholdRadians * 2, Infinity],
  );

  state: Float64Array | null = null;
  private stepsBeyondTerminated: number | null = null;

  constructor(opts: { suttonBartoReward?: boolean; seed?: number | string } = {}) {
    super(opts.seed);
    this.suttonBartoReward = opts.suttonBartoReward ?? false;
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.actionSpace.contains(action)) throw new DataError(`CartPole-v1.step: action=${describeValue(action)}; expected 0 or 1`);
    if (this.state === null) throw new DataError('CartPole-v1.step: called before reset(); expected reset() first');
    let [x, xDot, theta, thetaDot] = this.state;
    const force = action === 1 ? this.forceMag : -this.forceMag;
    const costheta = Math.cos(theta);
    const sintheta = Math.sin(theta);

    // See https://coneural.org/florian/papers/05_cart_pole.pdf
    // Operation order as in Gymnasium (x² before the product) so float64 rounding matches bit for bit.
    const temp = (force + this.polemassLength * (thetaDot * thetaDot) * sintheta) / this.totalMass;
    const thetaacc =
      (this.gravity * sintheta - costheta * temp) /
      (this.length * (4.0 / 3.0 - (this.masspole * (costheta * costheta)) / this.totalMass));
    const xacc = temp - (this.polemassLength * thetaacc * costheta) / this.totalMass;

    if (this.kinematicsIntegrator === 'euler') {
      x = x + this.tau * xDot;
      xDot = xDot + this.tau * xacc;
      theta = theta + this.tau * thetaDot;
      thetaDot = thetaDot + this.tau * thetaacc;
    } else {
      xDot = xDot + this.tau * xacc;
      x = x + this.tau * xDot;
      thetaDot = thetaDot + this.tau * thetaacc;
      theta = theta + this.tau * thetaDot;
    }
    this.state = Float64Array.of(x, xDot, theta, thetaDot);

    const terminated =
      x < -this.xThreshold || x > this.xThreshold || theta < -this.thetaThresholdRadians || theta > this.thetaThresholdRadians;

    let reward: number;
    if (!terminated) reward = this.suttonBartoReward ? 0.0 : 1.0;
    else if (this.stepsBeyondTerminated === null) {
      // Pole just fell.
      this.stepsBeyondTerminated = 0;
      reward = this.suttonBartoReward ? -1.0 : 1.0;
    } else {
      this.stepsBeyondTerminated += 1;
      reward = this.suttonBartoReward ? -1.0 : 0.0;
    }
    // truncated=false: the time limit is the TimeLimit wrapper's job.
    return { obs: Float32Array.from(this.state), reward, terminated, truncated: false, info: {} };
  }

  protected ownState(): Record<string, unknown> {
    return { state: this.state && Array.from(this.state), stepsBeyondTerminated: this.stepsBeyondTerminated };
  }
  protected loadOwnState(s: Record<string, unknown>): void {
    this.state = s.state ? Float64Array.from(s.state as number[]) : null;
    this.stepsBeyondTerminated = s.stepsBeyondTerminated as number | null;
  }

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts);
    const given = stateOption(opts, 'CartPole-v1', 4);
    if (given) this.state = Float64Array.from(given);
    else {
      const low = numberOption(opts, 'CartPole-v1', 'low', -0.05);
      const high = numberOption(opts, 'CartPole-v1', 'high', 0.05);
      this.state = Float64Array.from({ length: 4 }, () => this.npRandom.uniform(low, high));
    }
    this.stepsBeyondTerminated = null;
    return { obs: Float32Array.from(this.state), info: {} };
  }
}

/** Wraps an angle into [-π, π). */
export function angleNormalize(x: number): number {
  const twoPi = 2 * Math.PI;
  return ((((x + Math.PI) % twoPi) + twoPi) % twoPi) - Math.PI;
}

/**
 * Pendulum-v1, Gymnasium's `pendulum.py`: the inverted pendulum swing-up.
 *
 * | Num | Observation      | Min  | Max |
 * |-----|------------------|------|-----|
 * | 0   | x = cos(theta)   | -1.0 | 1.0 |
 * | 1   | y = sin(theta)   | -1.0 | 1.0 |
 * | 2   | Angular Velocity | -8.0 | 8.0 |
 *
 * | Num | Action | Min  | Max |
 * |-----|--------|------|-----|
 * | 0   | Torque | -2.0 | 2.0 |
 *
 * Reward −(θ² + 0.1·θ̇² + 0.001·u²) with θ normalised to [-π, π]; never
 * terminates; truncated at 200 steps by `make('Pendulum-v1')`'s TimeLimit.
 * Reset draws θ ~ U(-x_init, x_init), θ̇ ~ U(-y_init, y_init) (defaults π, 1);
 * `options.state = [θ, θ̇]` sets the state exactly.
 */
export class PendulumEnv extends SeededEnv<Float32Array, Float32Array> {
  readonly maxSpeed = 8;
  readonly maxTorque = 2.0;
  readonly dt = 0.05;
  readonly g: number;
  readonly m = 1.0;
  readonly l = 1.0;

  readonly actionSpace = new Box(-this.maxTorque, this.maxTorque, [1]);
  readonly observationSpace = new Box([-1, -1, -this.maxSpeed], [1, 1, this.maxSpeed]);

  state: Float64Array | null = null;
  lastU: number | null = null;

  constructor(opts: { g?: number; seed?: number | string } = {}) {
    super(opts.seed);
    this.g = opts.g ?? 10.0;
  }

  step(action: Float32Array): StepResult<Float32Array> {
    if (!(action instanceof Float32Array) || action.length !== 1 || !Number.isFinite(action[0])) {
      throw new DataError(`Pendulum-v1.step: action=${describeValue(action)}; expected a Float32Array of 1 finite torque`);
    }
    if (this.state === null) throw new DataError('Pendulum-v1.step: called before reset(); expected reset() first');
    const [th, thdot] = this.state;
    const { g, m, l, dt } = this;
    // Clipped here as in Gymnasium; the float32 value is what numpy computes with.
    const u = Math.fround(Math.min(Math.max(action[0], -this.maxTorque), this.maxTorque));
    this.lastU = u;

    // numpy (NEP 50) keeps the torque terms in float32 (python float × float32 → float32);
    // Math.fround reproduces that so rewards match Gymnasium to ~1e-12, not ~1e-8.
    const f = Math.fround;
    const costs = angleNormalize(th) ** 2 + 0.1 * thdot ** 2 + f(f(0.001) * f(u * u));

    let newthdot = thdot + ((3 * g) / (2 * l) * Math.sin(th) + f((3.0 / (m * l ** 2)) * u)) * dt;
    newthdot = Math.min(Math.max(newthdot, -this.maxSpeed), this.maxSpeed);
    const newth = th + newthdot * dt;
    this.state = Float64Array.of(newth, newthdot);
    return { obs: this.getObs(), reward: -costs, terminated: false, truncated: false, info: {} };
  }

  protected ownState(): Record<string, unknown> {
    return { state: this.state && Array.from(this.state), lastU: this.lastU };
  }
  protected loadOwnState(s: Record<string, unknown>): void {
    this.state = s.state ? Float64Array.from(s.state as number[]) : null;
    this.lastU = s.lastU as number | null;
  }

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    this.seedReset(opts);
    const given = stateOption(opts, 'Pendulum-v1', 2);
    if (given) this.state = Float64Array.from(given);
    else {
      const hx = numberOption(opts, 'Pendulum-v1', 'x_init', Math.PI);
      const hy = numberOption(opts, 'Pendulum-v1', 'y_init', 1.0);
      // Symmetric limits, as Gymnasium enforces.
      this.state = Float64Array.of(this.npRandom.uniform(-hx, hx), this.npRandom.uniform(-hy, hy));
    }
    this.lastU = null;
    return { obs: this.getObs(), info: {} };
  }

  private getObs(): Float32Array {
    const [theta, thetadot] = this.state!;
    return Float32Array.of(Math.cos(theta), Math.sin(theta), thetadot);
  }
}

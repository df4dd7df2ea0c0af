/**
 * An environment batch for use outside training, in gymnasium's vector-env vocabulary:
 * `reset()` and `step(actions)` on every env at once, arrays in and out. The envs run on the GPU
 * (the same WGSL as training); each call is one dispatch and one readback, so this is for
 * scripts, checks and custom loops, not for throughput (train() never reads back per step).
 * Episodes reset automatically within the step that ends them (as SB3's VecEnv and gymnasium
 * 0.29 do, not gymnasium 1.0's reset on the next step): `observations` after a step are the next
 * episode's first where one ended, and `finalObservations` hold the observation the step reached
 * (with the achieved goal appended for goal envs).
 */
import { EnvBatch, type Sensors } from '../envs/batch.js';
import { getEnv } from '../envs/registry.js';
import { type EnvDefinition, actionDim } from '../envs/types.js';
import { ConfigError, requireInt } from '../errors.js';
import type { Destroyable, GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { runOnce } from '../gpu/recorder.js';
import { Clock } from '../rng/clock.js';

export interface MakeEnvOptions {
  /** Parallel envs; default 1. */
  envs?: number;
  seed?: number;
  sensors?: Sensors;
  obsNoise?: number;
  sysid?: number;
  /** Episode length limit; default the env's horizon. */
  horizon?: number;
}

export interface StepResult {
  /** `[envs x observationSize]`: what to act on next. */
  observations: Float32Array;
  /** `[envs x (observationSize + goal size)]`: the observation each step reached, before any reset. */
  finalObservations: Float32Array;
  rewards: Float32Array;
  /** 1 where the task ended (a terminal state), else 0. */
  terminated: Uint8Array;
  /** 1 where the time limit cut the episode (and it did not terminate), else 0. */
  truncated: Uint8Array;
}

export class VectorEnv {
  private disposed = false;

  private constructor(
    private readonly ctx: GpuContext,
    private readonly batch: EnvBatch,
    private readonly tick: Dispatch,
    private readonly resources: Destroyable[],
  ) {}

  static async create(ctx: GpuContext, cache: PipelineCache, name: string, options: MakeEnvOptions = {}): Promise<VectorEnv> {
    const def = getEnv(name);
    const envs = requireInt('envs', options.envs ?? 1, 1);
    const { value, resources } = await ctx.collect(async () => {
      const clock = new Clock(ctx);
      const batch = await new EnvBatch(ctx, def, {
        envs, seed: options.seed ?? 1, clock, sensors: options.sensors, obsNoise: options.obsNoise, sysid: options.sysid, horizon: options.horizon,
      }).build(cache);
      await runOnce(ctx, [batch.resetDispatch], 'vector env reset');
      return { batch, tick: await clock.tick(cache) };
    });
    return new VectorEnv(ctx, value.batch, value.tick, resources);
  }

  get def(): EnvDefinition {
    return this.batch.def;
  }

  get numEnvs(): number {
    return this.batch.envs;
  }

  get observationSize(): number {
    return this.batch.obsWidth;
  }

  get actionSize(): number {
    return actionDim(this.batch.def);
  }

  get horizon(): number {
    return this.batch.horizon;
  }

  /** Starts a fresh episode in every env; returns the observations ([envs x observationSize]). */
  async reset(): Promise<Float32Array> {
    this.check();
    await runOnce(this.ctx, [this.batch.resetDispatch], 'vector env reset');
    return this.batch.obs.read();
  }

  /** One step of every env with `actions` ([envs x actionSize], in the env's bounds). */
  async step(actions: ArrayLike<number>): Promise<StepResult> {
    this.check();
    const expected = this.numEnvs * this.actionSize;
    if (actions.length !== expected) throw new ConfigError('actions.length', actions.length, `${expected} (envs ${this.numEnvs} x actionSize ${this.actionSize})`);
    this.batch.action.write(actions);
    await runOnce(this.ctx, [this.tick, this.batch.stepDispatch], 'vector env step');
    const [observations, finalObservations, out] = await Promise.all([this.batch.obs.read(), this.batch.nextObs.read(), this.batch.stepOut.read()]);
    const n = this.numEnvs;
    return {
      observations,
      finalObservations,
      rewards: Float32Array.from({ length: n }, (_, e) => out[e * 3]),
      terminated: Uint8Array.from({ length: n }, (_, e) => (out[e * 3 + 1] > 0.5 ? 1 : 0)),
      truncated: Uint8Array.from({ length: n }, (_, e) => (out[e * 3 + 2] > 0.5 ? 1 : 0)),
    };
  }

  private check(): void {
    if (this.disposed) throw new ConfigError('env', 'disposed', 'an env that was not disposed');
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.ctx.sync('dispose');
    for (const r of this.resources) r.destroy();
  }

  /** gymnasium's name for dispose(). */
  close(): Promise<void> {
    return this.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

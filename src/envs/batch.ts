/**
 * EnvBatch: N environments (per agent, for `agents` agents) stepped by one dispatch, with
 * auto-reset, episode statistics kept on the GPU, and rllab's partially observed variants as
 * options (limited sensors, noisy observations, system identification). The policy writes
 * `action`; the step writes `obs` (to act on next), `nextObs` (the state reached, final at an
 * episode end), and `stepOut` (reward, terminated, truncated) per env.
 */
import { ConfigError, requireInt, requireNumber, requireOneOf } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import { environmentShader } from './program.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import { type MatrixView, matrix } from '../gpu/view.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import { type EnvDefinition, actionDim, obsDim, stateDim } from './types.js';

export type Sensors = 'full' | 'positions';
export const SENSORS: readonly Sensors[] = ['full', 'positions'];

/** Floats per env in env_state: state, time, episodes, running return, 4 sysid factors. */
export const recordWidth = (def: EnvDefinition) => stateDim(def) + 7;
/** Per-env statistics: returns, episodes, lengths, NaN actions, successes, and the first episode's return, length and success. */
export const STATS_WIDTH = 8;

export interface EnvBatchOptions {
  /** Parallel environments per agent. */
  envs: number;
  /** Independent agents, each with its own `envs` environments. Default 1. */
  agents?: number;
  seed: number;
  clock: Clock;
  /** 'positions' keeps only position observations (rllab's limited sensors). Default 'full'. */
  sensors?: Sensors;
  /** Standard deviation of Gaussian noise added to observations. Default 0. */
  obsNoise?: number;
  /** System identification: constants scaled by U(1 - r, 1 + r) per episode, hidden. Default 0. */
  sysid?: number;
  /** Episode length limit (truncation). Default: the env's horizon. */
  horizon?: number;
  /** Physical constants overriding the env's defaults. */
  params?: Readonly<Record<string, number>>;
  label?: string;
}

export interface EpisodeStats {
  /** Episodes that ended since the last read. */
  episodes: number;
  /** Mean undiscounted return of those episodes (NaN when none ended). */
  returnMean: number;
  lengthMean: number;
  /** Fraction of ended episodes that ended within goal tolerance (goal envs). */
  successRate: number;
  /** Action components that were NaN (replaced by 0) since the last read. */
  nanActions: number;
}

/** The width of the observations the policy sees: every observation, or only the positions. */
export function observationWidth(def: EnvDefinition, sensors: Sensors): number {
  return (sensors === 'positions' && def.positionObs.length) || obsDim(def);
}

export function resolveParams(def: EnvDefinition, overrides: Readonly<Record<string, number>> = {}, label = def.name): Record<string, number> {
  const out: Record<string, number> = { ...def.params };
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in def.params)) throw new ConfigError(`${label}.params.${k}`, k, `one of ${Object.keys(def.params).join(', ')}`);
    if (!Number.isFinite(v)) throw new ConfigError(`${label}.params.${k}`, v, 'a finite number');
    out[k] = v;
  }
  return out;
}

export function paramsUniform(ctx: GpuContext, def: EnvDefinition, p: Record<string, number>): GPUBuffer {
  const b = uniform();
  for (const name of Object.keys(def.params)) b.f32(p[name]);
  return b.build(ctx, `${def.name} params`);
}

export class EnvBatch {
  readonly agents: number;
  readonly envs: number;
  readonly obsWidth: number;
  readonly actionDim: number;
  readonly horizon: number;
  readonly params: Record<string, number>;
  readonly envState: Tensor<'f32'>;
  readonly obs: Tensor<'f32'>;
  readonly nextObs: Tensor<'f32'>;
  readonly action: Tensor<'f32'>;
  readonly stepOut: Tensor<'f32'>;
  readonly epStats: Tensor<'f32'>;
  readonly stats: Tensor<'f32'>;
  private dispatches: { reset: Dispatch; restart: Dispatch; step: Dispatch; reduce: Dispatch } | null = null;
  /** The observation columns the env reports (--sensors positions), or empty: all. */
  readonly selection: readonly number[];
  /** The driver's settings (uniform binding 1 of its kernels, and of row programs that step the env). */
  readonly driverParams: GPUBuffer;
  /** The env's physical constants (uniform binding 0 of its kernels, and of its goal reward). */
  readonly physicsParams: GPUBuffer;

  constructor(
    readonly ctx: GpuContext,
    readonly def: EnvDefinition,
    readonly options: EnvBatchOptions,
  ) {
    const label = options.label ?? def.name;
    this.agents = requireInt(`${label}.agents`, options.agents ?? 1, 1, ctx.limits.maxComputeWorkgroupsPerDimension);
    const total = (envs: number) => envs * this.agents;
    // The largest per-env buffer bounds N: record + stats floats per env must fit one binding.
    const perEnvBytes = Math.max(recordWidth(def), STATS_WIDTH, obsDim(def) + def.goalDim) * 4;
    const maxEnvs = Math.min(
      Math.floor(ctx.limits.maxStorageBufferBindingSize / perEnvBytes / this.agents),
      ctx.limits.maxComputeWorkgroupsPerDimension * 64,
    );
    this.envs = requireInt(`${label}.envs`, options.envs, 1, maxEnvs);
    requireInt(`${label}.seed`, options.seed, 0, 0xffffffff);
    const sensors = requireOneOf(`${label}.sensors`, options.sensors ?? 'full', SENSORS);
    if (sensors === 'positions' && def.positionObs.length === 0) throw new ConfigError(`${label}.sensors`, sensors, `full: ${def.name} declares no position observations`);
    const obsNoise = requireNumber(`${label}.obsNoise`, options.obsNoise ?? 0, 0, 1e6);
    const sysid = requireNumber(`${label}.sysid`, options.sysid ?? 0, 0, 0.99);
    if (sysid > 0 && def.sysidParams.length === 0) throw new ConfigError(`${label}.sysid`, sysid, `0: ${def.name} has no identifiable constants`);
    this.horizon = requireInt(`${label}.horizon`, options.horizon ?? def.horizon, 1, 2 ** 24);
    this.params = resolveParams(def, options.params, label);
    this.selection = sensors === 'positions' ? [...def.positionObs] : [];
    if (this.selection.length > 16) throw new ConfigError(`${label}.sensors`, sensors, 'at most 16 selected observations');
    this.obsWidth = observationWidth(def, sensors);
    this.actionDim = actionDim(def);
    const n = total(this.envs);
    this.envState = f32(ctx, `${label}.env_state`, [n, recordWidth(def)]);
    this.obs = f32(ctx, `${label}.obs`, [n, this.obsWidth]);
    this.nextObs = f32(ctx, `${label}.next_obs`, [n, this.obsWidth + def.goalDim]);
    this.action = f32(ctx, `${label}.action`, [n, this.actionDim]);
    this.stepOut = f32(ctx, `${label}.step_out`, [n, 3]);
    this.epStats = f32(ctx, `${label}.ep_stats`, [n, STATS_WIDTH]);
    this.stats = f32(ctx, `${label}.stats`, [this.agents, STATS_WIDTH]);
    const select = [...this.selection, ...new Array(16 - this.selection.length).fill(0)];
    const d = uniform()
      .u32(this.envs).u32(this.agents).u32(options.seed).u32(Stream.env)
      .u32(this.horizon).u32(this.obsWidth).u32(this.selection.length).u32(0)
      .f32(obsNoise).f32(sysid).u32(0).u32(0);
    for (const i of select) d.u32(i);
    this.driverParams = d.build(ctx, `${label} driver`);
    this.physicsParams = paramsUniform(ctx, def, this.params);
  }

  /** Compiles the kernels and binds the buffers; call once before using the dispatches. */
  async build(cache: PipelineCache): Promise<this> {
    const shader = environmentShader(this.def.shader, this.def.differentiable);
    const label = this.options.label ?? this.def.name;
    const common = { 0: this.physicsParams, 1: this.driverParams, 2: this.envState, 3: this.obs, 6: this.stepOut, 7: this.epStats, 8: this.options.clock.tensor };
    const groups = [Math.ceil(this.envs / 64), this.agents] as const;
    const { 7: _stats, ...withoutStats } = common;
    const [reset, restart, step, reduce] = await Promise.all([
      makeDispatch(cache, { shader, entryPoint: 'reset' }, common, groups, `${label} reset`),
      makeDispatch(cache, { shader, entryPoint: 'restart' }, withoutStats, groups, `${label} restart`),
      makeDispatch(cache, { shader, entryPoint: 'step' }, { ...common, 4: this.nextObs, 5: this.action }, groups, `${label} step`),
      makeDispatch(cache, { shader, entryPoint: 'reduce_stats' }, { 1: this.driverParams, 7: this.epStats, 9: this.stats }, [this.agents], `${label} stats`),
    ]);
    this.dispatches = { reset, restart, step, reduce };
    return this;
  }

  private get built() {
    if (!this.dispatches) throw new Error(`${this.def.name}: call build(cache) before using the batch`);
    return this.dispatches;
  }

  get resetDispatch(): Dispatch {
    return this.built.reset;
  }

  /** Every env starts a fresh episode; finished episodes' statistics are kept. */
  get restartDispatch(): Dispatch {
    return this.built.restart;
  }

  get stepDispatch(): Dispatch {
    return this.built.step;
  }

  /** `k` steps of every env in one dispatch with the actions held (the env-only throughput benchmark). */
  async stepsDispatch(cache: PipelineCache, k: number): Promise<Dispatch> {
    requireInt('steps per dispatch', k, 1, 1 << 20);
    const shader = environmentShader(this.def.shader, this.def.differentiable);
    const label = this.options.label ?? this.def.name;
    return makeDispatch(cache, { shader, entryPoint: 'step_many', constants: { K_STEPS: k } },
      { 0: this.physicsParams, 1: this.driverParams, 2: this.envState, 3: this.obs, 4: this.nextObs, 5: this.action, 6: this.stepOut, 7: this.epStats, 8: this.options.clock.tensor },
      [Math.ceil(this.envs / 64), this.agents], `${label} ${k} steps`);
  }

  /** Sums the per-env statistics into `stats` and clears them. */
  get reduceDispatch(): Dispatch {
    return this.built.reduce;
  }

  /** Observations to act on, as [agents x envs x obsWidth]. */
  get obsView(): MatrixView {
    return matrix(this.obs, { agents: this.agents, rows: this.envs, cols: this.obsWidth });
  }

  get actionView(): MatrixView {
    return matrix(this.action, { agents: this.agents, rows: this.envs, cols: this.actionDim });
  }

  /** Reads and clears the episode statistics (a readback: call every M iterations, not per step). */
  async readStats(): Promise<EpisodeStats[]> {
    await new Recorder(this.ctx, 'env stats').add(this.reduceDispatch).run(1);
    const s = await this.stats.read();
    return Array.from({ length: this.agents }, (_, a) => {
      const [returns, episodes, lengths, nan, successes] = s.subarray(a * STATS_WIDTH, a * STATS_WIDTH + 5);
      return {
        episodes,
        returnMean: episodes > 0 ? returns / episodes : Number.NaN,
        lengthMean: episodes > 0 ? lengths / episodes : Number.NaN,
        successRate: episodes > 0 ? successes / episodes : Number.NaN,
        nanActions: nan,
      };
    });
  }

  destroy(): void {
    for (const t of [this.envState, this.obs, this.nextObs, this.action, this.stepOut, this.epStats, this.stats]) t.destroy();
  }
}

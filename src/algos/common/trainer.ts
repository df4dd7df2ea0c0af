/**
 * The training loop shared by every algorithm: replays the algorithm's recorded programs many
 * iterations per queue submit, reads statistics back only every `reportEvery` iterations, checks
 * them for divergence, and restores from checkpoints. Report and checkpoint points depend only on
 * the iteration count, so two runs with the same seed on the same adapter report identical numbers
 * and a resumed run continues exactly where the saved one stopped.
 */
import { ConfigError } from '../../errors.js';
import { EnvBatch } from '../../envs/batch.js';
import { envNames, getEnv, goalEnvNames } from '../../envs/registry.js';
import type { GpuContext } from '../../gpu/context.js';
import type { PipelineCache } from '../../gpu/kernel.js';
import { runOnce } from '../../gpu/recorder.js';
import { Clock } from '../../rng/clock.js';
import type { Fusions } from '../ddpg.js';
import { ALGORITHMS, getAlgorithm } from '../registry.js';
import type { Algorithm } from './algorithm.js';
import { type DecodedCheckpoint, encodeCheckpoint, loadTensors } from './checkpoint.js';
import { type OptionValues, resolveOptions } from './options.js';

/** Settings of a training run (the algorithm's own are in its schema). */
export const runSchema = {
  algo: { kind: 'choice', default: 'ddpg', choices: () => ALGORITHMS, help: 'algorithm' },
  env: { kind: 'choice', default: 'pendulum', choices: envNames, help: 'environment' },
  envs: { kind: 'number', default: 4096, min: 1, integer: true, help: 'parallel environments per agent' },
  agents: { kind: 'number', default: 1, min: 1, integer: true, help: 'independent agents (seeds) trained side by side in the same dispatches' },
  seed: { kind: 'number', default: 1, min: 0, max: 0xffffffff, integer: true, help: 'random seed' },
  steps: { kind: 'number', default: 20_000 * 4096, min: 1, integer: true, help: 'env transitions per agent (all envs together) to train for' },
  reportEvery: { kind: 'number', default: 200, min: 1, integer: true, help: 'env steps per env between metric readbacks (and progress updates)' },
  submitEvery: { kind: 'number', default: 50, min: 1, integer: true, help: 'env steps per env recorded into one queue submit' },
  checkpointEvery: { kind: 'number', default: 5000, min: 0, integer: true, help: 'env steps per env between checkpoints (0: only at the end)' },
  evalEpisodes: { kind: 'number', default: 100, min: 0, integer: true, help: 'deterministic evaluation episodes at the end (0: none)' },
  sensors: { kind: 'choice', default: 'full', choices: ['full', 'positions'], help: "observations: full, or positions only (rllab's limited sensors)" },
  obsNoise: { kind: 'number', default: 0, min: 0, help: 'standard deviation of Gaussian observation noise' },
  sysid: { kind: 'number', default: 0, min: 0, max: 0.99, help: 'system identification: physical constants scaled by U(1 - x, 1 + x) per episode' },
} as const;

export type RunConfig = OptionValues<typeof runSchema>;

export function runConfig(given: Readonly<Record<string, unknown>> = {}): RunConfig {
  return resolveOptions(runSchema, given);
}

/** Checks settings that depend on each other (before any GPU work). */
export function checkCombination(run: RunConfig, algo: Record<string, unknown>): void {
  const entry = getAlgorithm(run.algo);
  entry.check(run, getEnv(run.env), entry.config(algo));
  if (algo.her !== undefined && algo.her !== 'none' && getEnv(run.env).goalDim === 0) {
    throw new ConfigError('--her', algo.her, `none for ${run.env}: HER needs a goal environment (${goalEnvNames().join(', ')})`);
  }
}

/** Validated algorithm settings for `algo`. */
export function algoConfig(algo: string, given: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return getAlgorithm(algo).config(given);
}

export interface Report {
  iteration: number;
  env_steps: number;
  wall_s: number;
  episodes: number;
  return_mean: number | null;
  length_mean: number | null;
  success_rate: number | null;
  [metric: string]: number | null | unknown;
}

export class DivergedError extends Error {
  constructor(quantity: string, iteration: number) {
    super(`training diverged: ${quantity} became non-finite by env step ${iteration} (per env)`);
    this.name = 'DivergedError';
  }
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

export class Trainer {
  iteration = 0;
  /** Wall-clock seconds of earlier sessions of this run (restored from a checkpoint). */
  priorSeconds = 0;

  private constructor(
    readonly ctx: GpuContext,
    readonly cache: PipelineCache,
    readonly run: RunConfig,
    readonly algoSettings: Record<string, unknown>,
    readonly algo: Algorithm,
  ) {}

  static async create(ctx: GpuContext, cache: PipelineCache, run: RunConfig, algoSettings: Record<string, unknown>, fusions?: Fusions): Promise<Trainer> {
    checkCombination(run, algoSettings);
    const def = getEnv(run.env);
    const clock = new Clock(ctx);
    const env = await new EnvBatch(ctx, def, {
      envs: run.envs, agents: run.agents, seed: run.seed, clock, sensors: run.sensors as 'full', obsNoise: run.obsNoise, sysid: run.sysid,
    }).build(cache);
    const entry = getAlgorithm(run.algo);
    const algo = await entry.create(ctx, cache, env, clock, entry.config(algoSettings), run.seed, fusions);
    await runOnce(ctx, [env.resetDispatch]);
    return new Trainer(ctx, cache, run, algoSettings, algo);
  }

  /** Env steps per env that `steps` transitions take, rounded up to whole training units. */
  get targetIteration(): number {
    const wanted = Math.ceil(this.run.steps / this.run.envs);
    const w = this.algo.warmupIterations;
    if (wanted <= w) return wanted;
    const u = this.algo.train.iterations;
    return w + Math.ceil((wanted - w) / u) * u;
  }

  /**
   * Runs until `until` env steps per env, reporting every `reportEvery` (and, unless
   * `reportAtEnd` is false, at `until`) and checkpointing every `checkpointEvery`.
   */
  async train(
    until: number,
    onReport: (report: Report) => Promise<void> | void,
    onCheckpoint: (iteration: number) => Promise<void> = async () => {},
    reportAtEnd = true,
  ): Promise<void> {
    const start = performance.now();
    const { reportEvery, submitEvery, checkpointEvery } = this.run;
    const nextMultiple = (k: number) => (k > 0 ? Math.floor(this.iteration / k) * k + k : Number.POSITIVE_INFINITY);
    let nextReport = nextMultiple(reportEvery);
    let nextCheckpoint = nextMultiple(checkpointEvery);
    while (this.iteration < until) {
      const w = this.algo.warmupIterations;
      const limit = Math.min(until, nextReport, this.iteration < w ? w : Number.POSITIVE_INFINITY) - this.iteration;
      if (this.iteration < w) {
        const n = Math.min(submitEvery, limit);
        this.algo.warmup.recorder.submit(n);
        this.iteration += n;
      } else {
        const u = this.algo.train.iterations;
        const repeats = Math.max(1, Math.floor(Math.min(submitEvery, limit) / u));
        this.algo.train.recorder.submit(repeats);
        this.iteration += repeats * u;
      }
      if (this.iteration >= nextReport || (reportAtEnd && this.iteration >= until)) {
        await this.ctx.sync('training');
        await onReport(await this.report(this.priorSeconds + (performance.now() - start) / 1000));
        nextReport = nextMultiple(reportEvery);
      }
      if (this.iteration >= nextCheckpoint) {
        await onCheckpoint(this.iteration);
        nextCheckpoint = nextMultiple(checkpointEvery);
      }
    }
  }

  /** Reads (and clears) the statistics since the last report; throws if learning diverged. */
  async report(wallSeconds: number): Promise<Report> {
    const [stats, metrics] = await Promise.all([this.algo.env.readStats(), this.algo.readMetrics()]);
    for (const [a, m] of metrics.entries()) {
      // A metric counts once its own update count (`<prefix>_updates`) or, without one, any is positive.
      const anyUpdates = Object.entries(m).some(([k, v]) => k.endsWith('updates') && v > 0);
      const counted = (k: string) => {
        const own = m[`${k.split('_')[0]}_updates`];
        return own !== undefined ? own > 0 : anyUpdates;
      };
      for (const [k, v] of Object.entries(m)) {
        if (!Number.isFinite(v) && counted(k)) throw new DivergedError(`${k}${this.run.agents > 1 ? ` of agent ${a}` : ''}`, this.iteration);
      }
    }
    const s = stats[0];
    const report: Report = {
      iteration: this.iteration,
      env_steps: this.iteration * this.run.envs,
      wall_s: Math.round(wallSeconds * 1000) / 1000,
      episodes: s.episodes,
      return_mean: finiteOrNull(s.returnMean),
      length_mean: finiteOrNull(s.lengthMean),
      success_rate: this.algo.env.def.goalDim > 0 ? finiteOrNull(s.successRate) : null,
      ...Object.fromEntries(Object.entries(metrics[0]).map(([k, v]) => [k, finiteOrNull(v)])),
    };
    if (s.nanActions > 0) report.nan_actions = s.nanActions;
    if (this.run.agents > 1) {
      report.per_agent = stats.map((st, a) => ({ return_mean: finiteOrNull(st.returnMean), episodes: st.episodes, ...metrics[a] }));
    }
    return report;
  }

  async checkpoint(wallSeconds: number): Promise<Uint8Array> {
    await this.ctx.sync('checkpoint');
    return encodeCheckpoint(
      { algo: this.algo.name, iteration: this.iteration, wallSeconds, config: { run: this.run, algo: this.algoSettings } },
      this.algo.state,
    );
  }

  restore(decoded: DecodedCheckpoint, where: string): void {
    loadTensors(decoded, this.algo.state, where);
    this.iteration = decoded.header.iteration;
    this.priorSeconds = decoded.header.wallSeconds;
  }
}

/**
 * The training loop shared by every algorithm: replays the algorithm's recorded programs many
 * iterations per queue submit, reads statistics back only every `reportEvery` iterations, checks
 * them for divergence, and restores from checkpoints. Report and checkpoint points depend only on
 * the iteration count, so two runs with the same seed on the same adapter report identical numbers
 * and a resumed run continues exactly where the saved one stopped.
 */
import { EnvBatch } from '../envs/batch.js';
import { getEnv } from '../envs/registry.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import { runOnce } from '../gpu/recorder.js';
import type { GpuTimer } from '../gpu/timer.js';
import { Clock } from '../rng/clock.js';
import type { Algorithm } from '../algos/common/algorithm.js';
import { divergedMetric, readMetricTable } from '../algos/common/metrics.js';
import { getAlgorithm } from '../algos/registry.js';
import { type DecodedCheckpoint, encodeCheckpoint, loadTensors } from './checkpoint.js';
import { type RunConfig, checkCombination } from './config.js';

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
  /** Times every submit on the GPU where set (adapters with timestamp queries): the demo shows it. */
  timer: GpuTimer | null = null;
  /** Env steps per env of the last submit, and whether `timer` measured it. */
  lastSubmit = { steps: 0, timed: false };

  private constructor(
    readonly ctx: GpuContext,
    readonly cache: PipelineCache,
    readonly run: RunConfig,
    readonly algoSettings: Record<string, unknown>,
    readonly algo: Algorithm,
  ) {}

  /**
   * The run's envs and algorithm, built from the registry - or by `build`, for an algorithm
   * constructed with options of its own (e.g. DDPG without its fusions, in benchmarks and tests).
   */
  static async create(
    ctx: GpuContext,
    cache: PipelineCache,
    run: RunConfig,
    algoSettings: Record<string, unknown>,
    build?: (env: EnvBatch, clock: Clock) => Promise<Algorithm>,
  ): Promise<Trainer> {
    checkCombination(run, algoSettings);
    const def = getEnv(run.env);
    const clock = new Clock(ctx);
    const env = await new EnvBatch(ctx, def, {
      envs: run.envs, agents: run.agents, seed: run.seed, clock, sensors: run.sensors as 'full', obsNoise: run.obsNoise, sysid: run.sysid,
    }).build(cache);
    const algo = build ? await build(env, clock) : await getAlgorithm(run.algo).create(ctx, cache, env, clock, algoSettings, run.seed);
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
    // Training time adds up over calls (a run driven in chunks, as the library and the demo do).
    const prior = this.priorSeconds;
    const wall = () => prior + (performance.now() - start) / 1000;
    try {
      while (this.iteration < until) {
        const w = this.algo.warmupIterations;
        const limit = Math.min(until, nextReport, this.iteration < w ? w : Number.POSITIVE_INFINITY) - this.iteration;
        if (this.iteration < w) {
          const n = Math.min(submitEvery, limit);
          this.algo.warmup.recorder.submit(n, this.timer ?? undefined);
          this.iteration += n;
          this.lastSubmit = { steps: n, timed: this.timer !== null };
        } else {
          const u = this.algo.train.iterations;
          const repeats = Math.max(1, Math.floor(Math.min(submitEvery, limit) / u));
          this.algo.train.recorder.submit(repeats, this.timer ?? undefined);
          this.iteration += repeats * u;
          this.lastSubmit = { steps: repeats * u, timed: this.timer !== null };
        }
        if (this.iteration >= nextReport || (reportAtEnd && this.iteration >= until)) {
          await this.ctx.sync('training');
          await onReport(await this.report(wall()));
          nextReport = nextMultiple(reportEvery);
        }
        if (this.iteration >= nextCheckpoint) {
          await onCheckpoint(this.iteration);
          nextCheckpoint = nextMultiple(checkpointEvery);
        }
      }
    } finally {
      this.priorSeconds = wall();
    }
  }

  /** Reads (and clears) the statistics since the last report; throws if learning diverged. */
  async report(wallSeconds: number): Promise<Report> {
    const [stats, metrics] = await Promise.all([this.algo.env.readStats(), readMetricTable(this.algo.metrics, this.run.agents)]);
    for (const [a, m] of metrics.entries()) {
      const k = divergedMetric(this.algo.metrics, m);
      if (k !== undefined) throw new DivergedError(`${k}${this.run.agents > 1 ? ` of agent ${a}` : ''}`, this.iteration);
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

/**
 * A training run of the library API: built from validated options (or a checkpoint to continue),
 * trained report by report as an async iterator, stoppable by an AbortSignal or `stop()`,
 * evaluated at the end, and disposed of with every GPU buffer it created.
 *
 *   const run = await train({ algo: 'ddpg', env: 'pendulum', steps: 100_000 });
 *   for await (const report of run) console.log(report.env_steps, report.return_mean);
 *   const { evaluation } = await run.finish();
 *   await run.dispose();
 */
import type { EnvDefinition } from '../envs/types.js';
import { getEnv } from '../envs/registry.js';
import type { Destroyable, GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import { ConfigError } from '../errors.js';
import { decodeCheckpoint } from '../run/checkpoint.js';
import { type RunConfig, algoConfig, runConfig } from '../run/config.js';
import { type EvalResult, evalEnvOptions, evaluatePolicy } from '../run/evaluate.js';
import { type Report, Trainer } from '../run/trainer.js';
import { type ResolvedOptions, type TrainOptions, resolveTrainOptions } from './options.js';

export interface TrainControl {
  /** Ends training at the next report, as if the budget were reached. */
  signal?: AbortSignal;
  /**
   * A checkpoint (the bytes of checkpoint.bin) to continue exactly where it stopped: its settings
   * are used, and `options` may give only `steps`.
   */
  resume?: Uint8Array;
  /** The resumed checkpoint's name in errors (e.g. its file); default 'resume'. */
  resumeName?: string;
  /** Receives a checkpoint every `checkpointEvery` env steps per env (the CLI writes it to disk). */
  onCheckpoint?: (checkpoint: Uint8Array, iteration: number) => Promise<void> | void;
}

export interface TrainResult {
  /** Every report of this session, in order. */
  reports: Report[];
  /** Deterministic evaluation at the end (`evalEpisodes` episodes), or null when evalEpisodes is 0. */
  evaluation: EvalResult | null;
  /** Training wall time in seconds (earlier sessions of a resumed run included). */
  wallSeconds: number;
}

/** The settings of a checkpoint, with only `steps` allowed to change. */
function resumedOptions(bytes: Uint8Array, name: string, options: TrainOptions): ResolvedOptions {
  const saved = decodeCheckpoint(bytes, name).header.config as { run: RunConfig; algo: Record<string, unknown> };
  const savedValue = (k: string) => (k in saved.run ? (saved.run as Record<string, unknown>)[k] : saved.algo[k]);
  const changed = Object.entries(options).filter(([k, v]) => v !== undefined && k !== 'steps' && k !== 'preset' && String(v) !== String(savedValue(k)));
  if (changed.length > 0) throw new ConfigError('resume', changed.map(([k]) => k).join(', '), "no other settings than steps (a resumed run keeps its checkpoint's settings)");
  const run = runConfig({ ...saved.run, ...(options.steps !== undefined ? { steps: options.steps } : {}) });
  return { run, algo: algoConfig(run.algo, saved.algo), preset: 'checkpoint', tuned: null };
}

export class TrainingRun implements AsyncIterable<Report> {
  /** The reports so far, in order. */
  readonly reports: Report[] = [];
  private stopped = false;
  private disposed = false;
  private lastWall: number;
  /** What the run is doing now (training, evaluating, checkpointing): one thing at a time. */
  private busy: Promise<unknown> | null = null;
  /** A checkpoint due at the last report, handed over once the report was consumed. */
  private pendingCheckpoint: number | null = null;

  private constructor(
    private readonly ctx: GpuContext,
    private readonly cache: PipelineCache,
    /** The trainer underneath (programs, state, metrics) for users who need more than reports. */
    readonly trainer: Trainer,
    /** The validated settings, the preset included: what config.json of the CLI holds. */
    readonly settings: ResolvedOptions,
    private readonly control: TrainControl,
    private readonly resources: Destroyable[],
  ) {
    this.lastWall = trainer.priorSeconds;
  }

  /** Validates everything (throwing a ConfigError naming the option), then builds the run's programs. */
  static async start(ctx: GpuContext, cache: PipelineCache, options: TrainOptions, control: TrainControl = {}): Promise<TrainingRun> {
    control.signal?.throwIfAborted();
    const name = control.resumeName ?? 'resume';
    const settings = control.resume ? resumedOptions(control.resume, name, options) : resolveTrainOptions(options, ctx.isSoftware);
    const { value: trainer, resources } = await ctx.collect(async () => {
      const t = await Trainer.create(ctx, cache, settings.run, settings.algo);
      if (control.resume) t.restore(decodeCheckpoint(control.resume, name), name);
      return t;
    });
    return new TrainingRun(ctx, cache, trainer, settings, control, resources);
  }

  get adapter(): string {
    return this.ctx.adapterName;
  }

  /** Set when the program asked for could not run here and another one does (e.g. row programs refused by the driver). */
  get programNote(): string | undefined {
    return this.trainer.algo.programNote;
  }

  get env(): EnvDefinition {
    return getEnv(this.settings.run.env);
  }

  /** Env transitions so far (per agent). */
  get envSteps(): number {
    return this.trainer.iteration * this.settings.run.envs;
  }

  /** Env transitions the budget asks for, rounded up to whole training units. */
  get targetEnvSteps(): number {
    return this.trainer.targetIteration * this.settings.run.envs;
  }

  get done(): boolean {
    return this.stopped || this.disposed || this.control.signal?.aborted === true || this.trainer.iteration >= this.trainer.targetIteration;
  }

  /** Ends training at the next report (an AbortSignal of `control` does the same). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Trains report by report until the budget is spent or the run is stopped. A checkpoint due at
   * a report (`checkpointEvery`) goes to `onCheckpoint` after the report was consumed, so a
   * consumer's record of a report is never older than the checkpoint that follows it.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Report> {
    try {
      while (!this.done) {
        yield await this.exclusive('train', () => this.advance());
        await this.handOverCheckpoint();
      }
    } finally {
      await this.handOverCheckpoint();
    }
  }

  /** Runs `work` unless the run is disposed or already busy (two loops over one run would interleave). */
  private async exclusive<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (this.disposed) throw new ConfigError('training run', 'disposed', `a run that was not disposed (to ${what})`);
    if (this.busy) throw new ConfigError('training run', 'busy', `one call at a time (to ${what}, wait for the running one)`);
    const running = work();
    this.busy = running;
    try {
      return await running;
    } finally {
      this.busy = null;
    }
  }

  /** Trains up to the next report point (or the end of the budget) and returns that report. */
  private async advance(): Promise<Report> {
    const { reportEvery } = this.settings.run;
    const until = Math.min(this.trainer.targetIteration, (Math.floor(this.trainer.iteration / reportEvery) + 1) * reportEvery);
    let report: Report | undefined;
    await this.trainer.train(
      until,
      (r) => {
        report = r;
        this.reports.push(r);
        this.lastWall = r.wall_s;
      },
      async (iteration) => {
        this.pendingCheckpoint = iteration;
      },
    );
    // `train` reports at `until` itself: one report per call.
    return report!;
  }

  private async handOverCheckpoint(): Promise<void> {
    const iteration = this.pendingCheckpoint;
    this.pendingCheckpoint = null;
    if (iteration !== null && this.control.onCheckpoint && !this.disposed) await this.control.onCheckpoint(await this.checkpoint(), iteration);
  }

  /** Trains what is left (unless stopped), then evaluates: the whole run's outcome. */
  async finish(): Promise<TrainResult> {
    for await (const _ of this);
    const episodes = this.settings.run.evalEpisodes;
    return { reports: this.reports, evaluation: episodes > 0 ? await this.evaluate(episodes) : null, wallSeconds: this.lastWall };
  }

  /** The deterministic policy now, over `episodes` fresh envs (seeded from the run's seed). */
  evaluate(episodes = this.settings.run.evalEpisodes || 100): Promise<EvalResult> {
    const { run } = this.settings;
    return this.exclusive('evaluate', async () => {
      // The evaluation's envs and buffers are its own: released once its numbers are read.
      const { value, resources } = await this.ctx.collect(() =>
        evaluatePolicy(this.ctx, this.cache, this.env, evalEnvOptions(run), episodes, (obs) => this.trainer.algo.evalPolicy(this.cache, obs)),
      );
      for (const r of resources) r.destroy();
      return value;
    });
  }

  /** The run's state as checkpoint bytes (the CLI's checkpoint.bin); `train(_, { resume })` continues it. */
  checkpoint(): Promise<Uint8Array> {
    return this.exclusive('checkpoint', () => this.trainer.checkpoint(this.lastWall));
  }

  /** Releases every GPU buffer the run created; the run cannot train afterwards. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.busy?.catch(() => undefined);
    await this.ctx.sync('dispose');
    for (const r of this.resources) r.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

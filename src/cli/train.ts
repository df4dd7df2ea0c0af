/**
 * `pathwise train`: builds the run from flags (or continues one with --resume), trains with a
 * progress bar, and keeps the run directory current: config.json, metrics.jsonl (one line per
 * report), curve.svg, checkpoint.bin (atomically replaced) and, at the end, envs.svg (a picture
 * of 16 environments) and eval.json.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { CPU_PRESETS } from '../run/presets.js';
import type { PresetName, TaskSettings } from '../run/taskSettings.js';
import { ALGORITHM_ENTRIES, getAlgorithm } from '../algos/registry.js';
import { DivergedError, type Report } from '../run/trainer.js';
import { type RunConfig, algoConfig, runConfig, runSchema } from '../run/config.js';
import { bindApi } from '../api/index.js';
import { type Preset, type TrainOptions, checkPreset, resolveTrainOptions } from '../api/options.js';
import type { GpuContext } from '../gpu/context.js';
import { ConfigError } from '../errors.js';
import { getEnv } from '../envs/registry.js';
import { renderStates, scenesToSvg } from '../envs/render.js';
import { createNodeContext } from '../gpu/node.js';
import { pickOptions } from './flags.js';
import { CHECKPOINT_FILE, readCheckpointBytes, writeAtomic } from './files.js';
import { learningCurveSvg } from '../run/plot.js';

export interface TrainArgs {
  resume?: string;
  out?: string;
  [flag: string]: unknown;
}

interface SavedConfig {
  run: RunConfig;
  algo: Record<string, unknown>;
  /** How the first session filled its settings (kept by every resumed session). */
  settings?: { preset: string; tuned: TaskSettings | null };
}

function resolveRun(args: TrainArgs, cpu: boolean): { run: RunConfig; algo: Record<string, unknown>; dir: string; saved?: SavedConfig } {
  if (args.resume) {
    const dir = args.resume;
    const file = join(dir, 'config.json');
    if (!existsSync(file)) throw new ConfigError('--resume', dir, 'a run directory with config.json and checkpoint.bin');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedConfig;
    const given = pickOptions(runSchema, args);
    const changed = Object.keys(given).filter((k) => k !== 'steps' && String(given[k]) !== String((saved.run as Record<string, unknown>)[k]));
    const algoFlags = ALGORITHM_ENTRIES.flatMap((a) => Object.keys(pickOptions(a.schema, args)));
    if (changed.length > 0 || algoFlags.length > 0) {
      throw new ConfigError('--resume', dir, `no other settings than --steps (the run's settings are in ${file}; got ${[...new Set([...changed, ...algoFlags])].join(', ')})`);
    }
    return { run: runConfig({ ...saved.run, ...(given.steps !== undefined ? { steps: given.steps } : {}) }), algo: algoConfig(saved.run.algo, saved.algo), dir, saved };
  }
  const resolved = resolveTrainOptions(trainOptions(args), cpu);
  return { ...resolved, dir: args.out ?? join('runs', `${resolved.run.algo}-${resolved.run.env}-seed${resolved.run.seed}`) };
}

/** The run's and algorithms' flags that were given, as the library's TrainOptions. */
function trainOptions(args: TrainArgs): TrainOptions {
  return { ...pickOptions(runSchema, args), ...Object.assign({}, ...ALGORITHM_ENTRIES.map((a) => pickOptions(a.schema, args))) };
}

const REPORT_FIELDS = new Set(['iteration', 'env_steps', 'wall_s', 'episodes', 'return_mean', 'length_mean', 'success_rate', 'per_agent', 'nan_actions']);

/** The algorithm's own metrics of a report (losses, Q, ...), without update counts. */
function algorithmMetrics(r: Report): string {
  return Object.entries(r)
    .filter(([k, v]) => !REPORT_FIELDS.has(k) && !k.endsWith('updates') && typeof v === 'number')
    .map(([k, v]) => ` | ${k.replace(/_/g, ' ')} ${fmt(v)}`)
    .join('');
}

const fmt = (x: unknown) => (typeof x === 'number' ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3)) : '-');

/**
 * What train says at start about the settings tuned for the task (src/run/taskSettings.json): the
 * values that apply (those `given` does not set) and their source.
 */
export function tunedLine(algo: string, env: string, preset: PresetName, tuned: TaskSettings | null, given: Readonly<Record<string, unknown>> = {}): string {
  if (tuned) {
    const applied = Object.fromEntries(Object.entries({ ...tuned.run, ...tuned.algo }).filter(([k]) => given[k] === undefined));
    const what = Object.keys(applied).length > 0 ? `apply: ${JSON.stringify(applied)}` : Object.keys({ ...tuned.run, ...tuned.algo }).length > 0 ? 'are all overridden by your flags' : `are the ${preset} preset's own`;
    return `settings tuned for ${algo} on ${env} (${preset} preset) ${what} (${tuned.source})`;
  }
  const fallback = preset === 'cpu' ? "the cpu preset's, tuned on pendulum," : 'the published defaults';
  return `no settings tuned for ${algo} on ${env} with the ${preset} preset: ${fallback} apply (see pathwise settings ${algo} ${env})`;
}

/** How a sweep runs train in its own process: quietly, with each report handed over. */
export interface TrainHooks {
  /** No progress bar, no lines on stdout or stderr. */
  quiet?: boolean;
  onReport?: (report: Report, targetEnvSteps: number) => void;
  /** Stops training at the next report (e.g. a queue's worker lost the run's lock): throws. */
  signal?: AbortSignal;
  /** When this run's start-up began (performance.now(); default the process's start). */
  startedAt?: number;
  /** A resumed run: the env steps per agent its checkpoint had reached. */
  onResume?: (envSteps: number) => void;
}

export async function trainCommand(args: TrainArgs, hooks: TrainHooks = {}): Promise<void> {
  const preset = checkPreset(args.preset);
  resolveRun(args, preset === 'cpu'); // every flag validated before any GPU work
  const resume = args.resume ? readCheckpointBytes(args.resume) : undefined;
  const ctx = await createNodeContext();
  try {
    await trainOn(ctx, args, preset, resume, hooks);
  } finally {
    ctx.destroy(); // a sweep trains many runs in one process
  }
}

async function trainOn(ctx: GpuContext, args: TrainArgs, preset: Preset, resume: { bytes: Uint8Array; path: string } | undefined, hooks: TrainHooks): Promise<void> {
  const say = hooks.quiet ? () => {} : (line: string) => console.error(line);
  const print = hooks.quiet ? () => {} : (line: string) => console.log(line);
  const cpu = preset === 'cpu' || (preset === 'auto' && ctx.isSoftware);
  const { run, algo, dir, saved } = resolveRun(args, cpu);
  const api = bindApi(async () => ctx);
  const metricsFile = join(dir, 'metrics.jsonl');
  const training = await api.train(resume ? { steps: run.steps } : { ...trainOptions(args), preset: cpu ? 'cpu' : 'gpu' }, {
    resume: resume?.bytes,
    resumeName: resume?.path,
    // A run this process was told to stop (a queue gave it to another worker) writes nothing more.
    onCheckpoint: (bytes) => {
      if (!hooks.signal?.aborted) writeAtomic(join(dir, CHECKPOINT_FILE), bytes);
    },
  });
  const { trainer } = training;
  if (resume) hooks.onResume?.(training.envSteps);
  if (cpu && preset === 'auto' && !args.resume) {
    const p = CPU_PRESETS[run.algo];
    say(`pathwise: ${ctx.adapterName} is a CPU adapter: unset flags take --preset cpu (${JSON.stringify({ ...p.run, ...p.algo })}) where the task has no tuned value; --preset gpu uses the published settings`);
  }
  const programNote = trainer.algo.programNote;
  if (programNote) say(`pathwise: ${programNote}`);
  if (!args.resume) say(`pathwise: ${tunedLine(run.algo, run.env, cpu ? 'cpu' : 'gpu', training.settings.tuned, trainOptions(args))}`);
  let reports: Report[] = [];
  if (resume) {
    // Lines written after the checkpoint (a run that crashed later) are replaced by the resumed ones.
    const lines = existsSync(metricsFile) ? readFileSync(metricsFile, 'utf8').split('\n').filter(Boolean) : [];
    reports = lines.map((l) => JSON.parse(l) as Report).filter((r) => r.iteration <= trainer.iteration);
    writeAtomic(metricsFile, reports.map((r) => `${JSON.stringify(r)}\n`).join(''));
  } else {
    writeAtomic(metricsFile, '');
  }
  // Start-up (node, device, kernel compilation, buffers) is part of a user's time to a result:
  // seconds since the process started, in config.json; metrics' wall_s counts training alone.
  const startup = Math.round(performance.now() - (hooks.startedAt ?? 0)) / 1000;
  // A resumed session keeps the record of how the first one filled its settings.
  const settings = saved?.settings ?? { preset: training.settings.preset, tuned: training.settings.tuned };
  writeAtomic(join(dir, 'config.json'), `${JSON.stringify({ run, algo, settings, adapter: ctx.adapterName, startup_s: startup, ...(programNote ? { program_note: programNote } : {}) }, null, 2)}\n`);

  const title = `${run.algo} on ${run.env} (${run.envs} envs, seed ${run.seed})`;
  const tty = process.stdout.isTTY === true && !hooks.quiet;
  const bar = tty ? new cliProgress.SingleBar({ format: '{bar} {percentage}% | {value}/{total} env steps | {sps} steps/s | return {ret}{success}', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  bar?.start(training.targetEnvSteps, training.envSteps, { sps: '-', ret: '-', success: '' });
  say(`pathwise: training ${title} on ${ctx.adapterName}, ${training.targetEnvSteps} env steps -> ${dir}`);
  let lastWall = trainer.priorSeconds;
  let lastSteps = training.envSteps;
  try {
    for await (const r of training) {
      if (hooks.signal?.aborted) throw new Error(`training stopped at env step ${r.env_steps}: ${String(hooks.signal.reason)}`);
      reports.push(r);
      appendFileSync(metricsFile, `${JSON.stringify(r)}\n`);
      hooks.onReport?.(r, training.targetEnvSteps);
      const sps = (r.env_steps - lastSteps) / Math.max(1e-9, r.wall_s - lastWall);
      lastWall = r.wall_s;
      lastSteps = r.env_steps;
      if (bar) bar.update(r.env_steps, { sps: sps.toExponential(2), ret: fmt(r.return_mean), success: r.success_rate !== null ? ` | success ${fmt(r.success_rate)}` : '' });
      else print(`step ${r.env_steps} | ${sps.toExponential(2)} steps/s | return ${fmt(r.return_mean)}${r.success_rate !== null ? ` | success ${fmt(r.success_rate)}` : ''}${algorithmMetrics(r)}`);
      writeAtomic(join(dir, 'curve.svg'), await learningCurveSvg(reports, title));
    }
    if (hooks.signal?.aborted) throw new Error(`training stopped before its last checkpoint: ${String(hooks.signal.reason)}`);
    writeAtomic(join(dir, CHECKPOINT_FILE), await training.checkpoint());
    // A picture of the first 16 environments as training left them.
    const env = trainer.algo.env;
    writeAtomic(join(dir, 'envs.svg'), scenesToSvg(renderStates(env.def, await env.envState.read(), 16, env.params), 8, 120));
  } catch (e) {
    bar?.stop();
    if (e instanceof DivergedError) {
      const where = existsSync(join(dir, CHECKPOINT_FILE)) ? `the last good checkpoint is ${join(dir, CHECKPOINT_FILE)}` : 'no checkpoint was written yet';
      throw new Error(`${e.message}; ${where}`);
    }
    throw e;
  }
  bar?.stop();
  if (run.evalEpisodes > 0) {
    const result = await training.evaluate(run.evalEpisodes);
    writeAtomic(join(dir, 'eval.json'), `${JSON.stringify(result, null, 2)}\n`);
    const success = getEnv(run.env).goalDim > 0 ? { success_rate: result.success_rate } : {};
    print(JSON.stringify({ return_mean: result.return_mean, return_std: result.return_std, episodes: result.episodes, ...success, wall_s: lastWall }));
  }
}

/**
 * `pathwise train`: builds the run from flags (or continues one with --resume), trains with a
 * progress bar, and keeps the run directory current: config.json, metrics.jsonl (one line per
 * report), curve.svg, checkpoint.bin (atomically replaced) and, at the end, envs.svg (a picture
 * of 16 environments) and eval.json.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { evalEnvOptions, evaluatePolicy } from '../run/evaluate.js';
import { CPU_PRESETS } from '../run/presets.js';
import { ALGORITHM_ENTRIES, getAlgorithm } from '../algos/registry.js';
import { DivergedError, type Report, Trainer } from '../run/trainer.js';
import { type RunConfig, algoConfig, checkCombination, runConfig, runSchema } from '../run/config.js';
import { ConfigError } from '../errors.js';
import { getEnv } from '../envs/registry.js';
import { renderStates, scenesToSvg } from '../envs/render.js';
import { PipelineCache } from '../gpu/kernel.js';
import { createNodeContext } from '../gpu/node.js';
import { flagName } from '../algos/common/options.js';
import { pickOptions } from './flags.js';
import { CHECKPOINT_FILE, readCheckpoint, writeAtomic } from './files.js';
import { learningCurveSvg } from '../run/plot.js';

export interface TrainArgs {
  resume?: string;
  out?: string;
  [flag: string]: unknown;
}

interface SavedConfig {
  run: RunConfig;
  algo: Record<string, unknown>;
}

export type Preset = 'auto' | 'gpu' | 'cpu';

function resolveRun(args: TrainArgs, cpu: boolean): { run: RunConfig; algo: Record<string, unknown>; dir: string } {
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
    return { run: runConfig({ ...saved.run, ...(given.steps !== undefined ? { steps: given.steps } : {}) }), algo: algoConfig(saved.run.algo, saved.algo), dir };
  }
  // Flags override the preset, the preset overrides the schema defaults.
  const name = getAlgorithm(String(args.algo ?? runSchema.algo.default)).name;
  const preset = cpu ? CPU_PRESETS[name] : undefined;
  const run = runConfig({ ...preset?.run, ...pickOptions(runSchema, args) });
  const entry = getAlgorithm(run.algo);
  // A flag of another algorithm is a mistake worth naming (e.g. --tau with --algo svg-inf).
  for (const other of ALGORITHM_ENTRIES) {
    for (const key of Object.keys(pickOptions(other.schema, args))) {
      if (!(key in entry.schema)) throw new ConfigError(flagName(key), args[key], `an option of --algo ${run.algo} (${Object.keys(entry.schema).map(flagName).join(', ')})`);
    }
  }
  const algo = algoConfig(run.algo, { ...preset?.algo, ...pickOptions(entry.schema, args) });
  checkCombination(run, algo);
  return { run, algo, dir: args.out ?? join('runs', `${run.algo}-${run.env}-seed${run.seed}`) };
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

export async function trainCommand(args: TrainArgs): Promise<void> {
  const preset = (args.preset ?? 'auto') as Preset;
  if (!['auto', 'gpu', 'cpu'].includes(preset)) throw new ConfigError('--preset', preset, 'one of auto, gpu, cpu');
  resolveRun(args, preset === 'cpu'); // every flag validated before any GPU work
  const checkpoint = args.resume ? readCheckpoint(args.resume) : null;
  const ctx = await createNodeContext();
  const cpu = preset === 'cpu' || (preset === 'auto' && ctx.isSoftware);
  const { run, algo, dir } = resolveRun(args, cpu);
  const cache = new PipelineCache(ctx);
  const trainer = await Trainer.create(ctx, cache, run, algo);
  if (cpu && preset === 'auto' && !args.resume) {
    const p = CPU_PRESETS[run.algo];
    console.error(`pathwise: ${ctx.adapterName} is a CPU adapter: unset flags take --preset cpu (${JSON.stringify({ ...p.run, ...p.algo })}); --preset gpu uses the published settings`);
  }
  const metricsFile = join(dir, 'metrics.jsonl');
  let reports: Report[] = [];
  if (checkpoint) {
    trainer.restore(checkpoint, checkpoint.path);
    // Lines written after the checkpoint (a run that crashed later) are replaced by the resumed ones.
    const lines = existsSync(metricsFile) ? readFileSync(metricsFile, 'utf8').split('\n').filter(Boolean) : [];
    reports = lines.map((l) => JSON.parse(l) as Report).filter((r) => r.iteration <= trainer.iteration);
    writeAtomic(metricsFile, reports.map((r) => `${JSON.stringify(r)}\n`).join(''));
  } else {
    writeAtomic(metricsFile, '');
  }
  // Start-up (node, device, kernel compilation, buffers) is part of a user's time to a result:
  // seconds since the process started, in config.json; metrics' wall_s counts training alone.
  const startup = Math.round(performance.now()) / 1000;
  writeAtomic(join(dir, 'config.json'), `${JSON.stringify({ run, algo, adapter: ctx.adapterName, startup_s: startup }, null, 2)}\n`);

  const target = trainer.targetIteration;
  const title = `${run.algo} on ${run.env} (${run.envs} envs, seed ${run.seed})`;
  const tty = process.stdout.isTTY === true;
  const bar = tty ? new cliProgress.SingleBar({ format: '{bar} {percentage}% | {value}/{total} env steps | {sps} steps/s | return {ret}{success}', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  bar?.start(target * run.envs, trainer.iteration * run.envs, { sps: '-', ret: '-', success: '' });
  console.error(`pathwise: training ${title} on ${ctx.adapterName}, ${target * run.envs} env steps -> ${dir}`);
  let lastWall = trainer.priorSeconds;
  let lastSteps = trainer.iteration * run.envs;
  const saveCheckpoint = async () => writeAtomic(join(dir, CHECKPOINT_FILE), await trainer.checkpoint(lastWall));
  try {
    await trainer.train(
      target,
      async (r) => {
        reports.push(r);
        appendFileSync(metricsFile, `${JSON.stringify(r)}\n`);
        const sps = (r.env_steps - lastSteps) / Math.max(1e-9, r.wall_s - lastWall);
        lastWall = r.wall_s;
        lastSteps = r.env_steps;
        if (bar) bar.update(r.env_steps, { sps: sps.toExponential(2), ret: fmt(r.return_mean), success: r.success_rate !== null ? ` | success ${fmt(r.success_rate)}` : '' });
        else console.log(`step ${r.env_steps} | ${sps.toExponential(2)} steps/s | return ${fmt(r.return_mean)}${r.success_rate !== null ? ` | success ${fmt(r.success_rate)}` : ''}${algorithmMetrics(r)}`);
        writeAtomic(join(dir, 'curve.svg'), await learningCurveSvg(reports, title));
      },
      saveCheckpoint,
    );
    await saveCheckpoint();
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
    const result = await evaluatePolicy(ctx, cache, getEnv(run.env), evalEnvOptions(run), run.evalEpisodes, (obs) => trainer.algo.evalPolicy(cache, obs));
    writeAtomic(join(dir, 'eval.json'), `${JSON.stringify(result, null, 2)}\n`);
    const success = getEnv(run.env).goalDim > 0 ? { success_rate: result.success_rate } : {};
    console.log(JSON.stringify({ return_mean: result.return_mean, return_std: result.return_std, episodes: result.episodes, ...success, wall_s: lastWall }));
  }
}

/**
 * `pathwise sweep SPEC`, `pathwise worker` and `pathwise table SWEEP_DIR`: a spec expanded to runs
 * and validated before anything runs or is queued; the runs trained on this machine (embedded) or
 * across machines through BullMQ on Redis (--queue, workers on each GPU machine sharing --store);
 * the comparison table from the run directories.
 */
import { join, resolve } from 'node:path';
import { ConfigError, requireInt } from '../errors.js';
import { runSweepEmbedded } from './sweep/embedded.js';
import { checkQueueUrl, enqueueAndWait, runWorker } from './sweep/queue.js';
import { type ExpandedSweep, expandSweep, readSweepSpec } from './sweep/spec.js';
import { writeTable } from './sweep/table.js';
import type { SweepResults } from './sweep/record.js';

function positiveInteger(flag: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(flag, value, 'an integer >= 1');
  return n;
}

/** The spec's runs, valid whatever adapter takes them (preset auto: as cpu and as gpu). */
export function expandSpecFile(file: string): ExpandedSweep {
  const spec = readSweepSpec(file);
  const expanded = expandSweep(spec, spec.preset === 'cpu');
  if (spec.preset === 'auto') expandSweep(spec, true);
  return expanded;
}

export interface SweepArgs {
  out?: string;
  parallel?: string;
  queue?: string;
  store?: string;
  pollMs?: string;
  dryRun?: boolean;
}

/** Runs the sweep; returns the exit code (1 when a run failed). */
export async function sweepCommand(file: string, args: SweepArgs): Promise<number> {
  const expanded = expandSpecFile(file);
  const parallel = positiveInteger('--parallel', args.parallel, 1);
  const pollMs = positiveInteger('--poll-ms', args.pollMs, 1000);
  if (args.queue !== undefined) {
    checkQueueUrl(args.queue);
    if (!args.store) throw new ConfigError('--store', args.store, 'a directory every worker sees too (a shared file system path) with --queue');
    if (args.out) throw new ConfigError('--out', args.out, 'nothing with --queue: the sweep is written to STORE/<name>');
    if (args.parallel) throw new ConfigError('--parallel', args.parallel, 'nothing with --queue: each worker takes --concurrency runs at a time');
  } else if (args.store) throw new ConfigError('--store', args.store, 'nothing without --queue (the embedded runner writes to --out)');
  const sweepDir = args.queue ? join(resolve(args.store as string), expanded.spec.name) : resolve(args.out ?? join('sweeps', expanded.spec.name));
  if (args.dryRun) {
    for (const p of expanded.programs) console.log(`${p.id}\t${p.runs.length > 1 ? `seeds ${p.runs.map((r) => r.seed).join(',')} as agents\t` : ''}${JSON.stringify(p.options)}`);
    for (const s of expanded.skipped) console.log(`${s.id}\tskipped: ${s.reason}`);
    console.error(`sweep ${expanded.spec.name}: ${expanded.runs.length} runs in ${expanded.programs.length} programs, ${expanded.skipped.length} skipped -> ${sweepDir}`);
    return 0;
  }
  let results: SweepResults;
  if (args.queue) results = await enqueueAndWait(expanded, { url: args.queue, store: resolve(args.store as string), pollMs });
  else results = await runSweepEmbedded(expanded, sweepDir, { parallel });
  // The random policy's returns are measured on this machine's adapter: in queue mode this machine
  // may have none worth the name (`pathwise table --random-episodes N` measures them where wanted).
  await writeTable(sweepDir, sweepDir, args.queue ? 0 : 100);
  console.error(`sweep ${expanded.spec.name}: table in ${join(sweepDir, 'table.md')}`);
  return results.failed.length > 0 ? 1 : 0;
}

export interface WorkerArgs {
  queue?: string;
  store?: string;
  concurrency?: string;
  lockMs?: string;
}

/** Takes runs until SIGINT or SIGTERM. */
export async function workerCommand(args: WorkerArgs): Promise<void> {
  const url = checkQueueUrl(args.queue);
  if (!args.store) throw new ConfigError('--store', args.store, 'the shared directory the sweeps write to (as their --store)');
  const concurrency = positiveInteger('--concurrency', args.concurrency, 1);
  const lockMs = positiveInteger('--lock-ms', args.lockMs, 30_000);
  if (lockMs < 2000) throw new ConfigError('--lock-ms', args.lockMs, 'an integer >= 2000 (a lock must outlive a kernel compilation)');
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await runWorker({ url, store: resolve(args.store), concurrency, lockMs }, stop.signal);
}

export async function tableCommand(dir: string, args: { out?: string; randomEpisodes?: string }): Promise<void> {
  const randomEpisodes = requireInt('--random-episodes', Number(args.randomEpisodes ?? 100), 0);
  const table = await writeTable(resolve(dir), args.out ? resolve(args.out) : undefined, randomEpisodes);
  console.error(`pathwise: table of sweep ${table.name} (${table.rows.length} tasks x ${table.columns.length} columns) in ${join(args.out ?? dir, 'table.md')}, table.json and curves/`);
}

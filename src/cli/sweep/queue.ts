/**
 * Sweeps across machines through BullMQ on Redis (the only service). `enqueueAndWait` queues
 * every run of a sweep (job id = sweep name + run id, so queueing again never duplicates a run)
 * and follows them to the end; `runWorker` takes runs on a GPU machine and trains them in the
 * shared store, returning each run's summary through the queue.
 *
 * A worker that dies stops renewing its job's lock; after `lockMs` another worker's stalled-job
 * check puts the job back and a worker takes it again: the run's directory then holds its last
 * checkpoint, so it resumes there. A job is completed once, and the sweep keeps one summary per
 * run id. Redis going away makes both sides say so and wait: ioredis reconnects, BullMQ's calls
 * wait for it (maxRetriesPerRequest: null); a job Redis lost (restarted without its data) is
 * queued again, or read from the store when its run had finished.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { DelayedError, Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ConfigError } from '../../errors.js';
import { type RunSummary, runState, runSummaries } from './runDir.js';
import { executeProgram, runDirectory } from './execute.js';
import { writeAtomic } from '../files.js';
import { SweepProgress } from './progress.js';
import { type SweepResults, writeResults, writeSweepRecord } from './record.js';
import type { ExpandedSweep, SweepProgram } from './spec.js';

/** One queue for every sweep: workers need not know a sweep's name. */
export const QUEUE_NAME = 'pathwise-runs';

/** A job: a program (a run, or seeds as agents) and its directory relative to the store (each machine mounts the store where it likes). */
export interface RunJob {
  sweep: string;
  dir: string;
  program: SweepProgram;
}

export interface RunJobResult {
  /** One per run (seed) of the program. */
  summaries: RunSummary[];
  worker: string;
  /** What the directory held when this worker took the run. */
  started: string;
  resumedAt: number;
}

export function checkQueueUrl(url: unknown): string {
  if (typeof url !== 'string' || !/^rediss?:\/\/[^\s]+$/.test(url)) throw new ConfigError('--queue', url, 'a Redis URL such as redis://127.0.0.1:6379');
  return url;
}

/**
 * A connection that reports Redis going away and coming back (once each), and never gives up:
 * commands wait for the reconnection instead of failing.
 */
export function connect(url: string, say: (line: string) => void): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: (times) => Math.min(250 * times, 2000) });
  let down = false;
  redis.on('error', (e: Error & { code?: string }) => {
    if (down) return;
    down = true;
    say(`pathwise: lost Redis at ${url} (${e.code ?? e.message}); waiting for it and retrying - no run is lost`);
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    say(`pathwise: Redis at ${url} is back`);
  });
  return redis;
}

/** The job of a program with these settings: queueing it again is a no-op, a changed one is another job. */
const jobId = (sweep: string, program: SweepProgram) => `${sweep}.${program.id}.${createHash('sha256').update(JSON.stringify(program.options)).digest('hex').slice(0, 12)}`;
const SAFE_NAME = /^(?!\.+$)[A-Za-z0-9._=,-]{1,400}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface QueuedOptions {
  url: string;
  /** The shared store: the sweep's directory is STORE/<name>. */
  store: string;
  /** How often the sweep looks at its jobs (ms; default 1000). */
  pollMs?: number;
  /** Attempts of a run whose training throws (default 3). */
  attempts?: number;
}

/** Queues the sweep's runs and waits for every one to finish or fail; the results as the embedded runner's. */
export async function enqueueAndWait(expanded: ExpandedSweep, options: QueuedOptions): Promise<SweepResults> {
  const { name } = expanded.spec;
  const sweepDir = join(options.store, name);
  writeSweepRecord(sweepDir, expanded);
  const progress = new SweepProgress(name, expanded.programs.length, `(${expanded.runs.length} runs) through ${options.url} -> ${sweepDir}`);
  const connection = connect(options.url, (line) => progress.say(line));
  const queue = new Queue<RunJob, RunJobResult>(QUEUE_NAME, { connection });
  queue.on('error', () => {}); // told once per outage by the connection
  const add = (programs: SweepProgram[]) =>
    queue.addBulk(
      programs.map((program) => ({
        name: program.id,
        data: { sweep: name, dir: join(name, 'runs', program.id), program },
        opts: { jobId: jobId(name, program), attempts: options.attempts ?? 3, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false },
      })),
    );
  try {
    // Queueing again retries what failed, and trains again what completed but whose run
    // directory is gone (a job id is never added twice).
    for (const program of expanded.programs) {
      const job = await Job.fromId<RunJob, RunJobResult>(queue, jobId(name, program));
      if (!job) continue;
      const state = await job.getState();
      if (state === 'failed') await job.retry('failed');
      else if (state === 'completed' && runState(runDirectory(sweepDir, program.id)) !== 'finished') await job.remove();
    }
    await add(expanded.programs);
    const summaries = new Map<string, RunSummary>();
    const failed = new Map<string, string>();
    const ended = new Set<string>();
    const seen = new Set<string>();
    while (ended.size < expanded.programs.length) {
      const lost: SweepProgram[] = [];
      for (const program of expanded.programs) {
        if (ended.has(program.id)) continue;
        const job = await Job.fromId<RunJob, RunJobResult>(queue, jobId(name, program));
        if (!job) {
          const dir = runDirectory(sweepDir, program.id);
          if (runState(dir) === 'finished') {
            const read = runSummaries(dir, program.runs);
            for (const s of read) summaries.set(s.id, s);
            ended.add(program.id);
            progress.finished(program.id, read, ' (from the store: its job was lost)');
          } else lost.push(program);
          continue;
        }
        const state = await job.getState();
        if (state === 'completed' && job.returnvalue) {
          const r = job.returnvalue;
          for (const s of r.summaries) summaries.set(s.id, s);
          ended.add(program.id);
          progress.finished(program.id, r.summaries, ` on ${r.worker}${r.started === 'interrupted' ? ` (resumed at env step ${r.resumedAt})` : ''}`);
        } else if (state === 'failed') {
          const error = `${job.failedReason ?? 'failed'} (after ${job.attemptsMade} attempts)`;
          for (const run of program.runs) failed.set(run.id, error);
          ended.add(program.id);
          progress.failure(program.id, error);
        } else if (state === 'active') {
          if (!seen.has(program.id)) progress.started(program.id);
          seen.add(program.id);
          const p = job.progress as { envSteps?: number; target?: number } | number;
          if (typeof p === 'object' && p.envSteps !== undefined && p.target) progress.progress(program.id, p.envSteps / p.target);
        }
      }
      if (lost.length > 0) {
        progress.say(`pathwise: the queue lost ${lost.length} program(s) (Redis restarted without its data?): queued again`);
        await add(lost);
      }
      writeResults(sweepDir, expanded, summaries, failed);
      if (ended.size < expanded.programs.length) await sleep(options.pollMs ?? 1000);
    }
    progress.stop();
    return writeResults(sweepDir, expanded, summaries, failed);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

const LEASE = 'lease.json';

/**
 * A worker's lease on a run directory (lease.json: owner and expiry, renewed while it trains):
 * true when this worker holds it now. Advisory - two workers reading at the same instant can both
 * take it - it keeps a worker off a run another one is still training.
 */
function claimRun(dir: string, owner: string, ms: number): boolean {
  const file = join(dir, LEASE);
  if (existsSync(file)) {
    try {
      const lease = JSON.parse(readFileSync(file, 'utf8')) as { owner: string; until: number };
      if (lease.owner !== owner && lease.until > Date.now()) return false;
    } catch {
      // a torn or foreign file: take it
    }
  }
  writeAtomic(file, JSON.stringify({ owner, until: Date.now() + ms }));
  return true;
}

function releaseRun(dir: string, owner: string): void {
  const file = join(dir, LEASE);
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as { owner: string }).owner === owner) rmSync(file);
  } catch {
    // gone already
  }
}

export interface WorkerOptions {
  url: string;
  store: string;
  /** Runs trained at once (default 1). */
  concurrency?: number;
  /** A job's lock lifetime: how long a dead worker holds its run (ms; default 30000). */
  lockMs?: number;
  say?: (line: string) => void;
}

/** Takes runs from the queue until `stop` is aborted; resolves when closed. */
export async function runWorker(options: WorkerOptions, stop: AbortSignal): Promise<void> {
  const say = options.say ?? ((line: string) => console.error(line));
  const me = `${hostname()}:${process.pid}`;
  const connection = connect(options.url, say);
  const lockMs = options.lockMs ?? 30_000;
  const worker = new Worker<RunJob, RunJobResult>(
    QUEUE_NAME,
    async (job: Job<RunJob, RunJobResult>, token?: string, signal?: AbortSignal): Promise<RunJobResult> => {
      const { program } = job.data;
      // The directory from the sweep's name and the program's id, both checked: a job cannot
      // point a worker outside its store.
      if (!SAFE_NAME.test(job.data.sweep) || !SAFE_NAME.test(program.id)) throw new Error(`job ${job.id}: a sweep name or program id with characters other than letters, digits, ".", "_", "-", "=" and ","`);
      const dir = runDirectory(join(options.store, job.data.sweep), program.id);
      // Another worker still trains this run (its job came back while it lived: a Redis restart
      // without data, a lock that expired): try again when its lease has run out.
      if (!claimRun(dir, me, lockMs)) {
        say(`worker ${me}: run ${program.id} is still being trained elsewhere; taking it again in ${lockMs} ms`);
        await job.moveToDelayed(Date.now() + lockMs, token);
        throw new DelayedError();
      }
      const state = runState(dir);
      say(`worker ${me}: ${state === 'interrupted' ? 'resuming' : state === 'finished' ? 'reporting the finished' : 'starting'} run ${program.id} of sweep ${job.data.sweep}`);
      let last = 0;
      let executed: Awaited<ReturnType<typeof executeProgram>>;
      try {
        executed = await executeProgram(program, dir, (p) => {
          if (performance.now() - last < 1000) return;
          last = performance.now();
          claimRun(dir, me, lockMs);
          void job.updateProgress(p).catch(() => {});
        }, signal);
      } finally {
        releaseRun(dir, me);
      }
      say(`worker ${me}: finished run ${program.id}${executed.started === 'interrupted' ? ` (resumed at env step ${executed.resumedAt})` : ''}: ${executed.summaries.map((s) => `seed ${s.seed} return ${s.return_mean}`).join(', ')}`);
      return { summaries: executed.summaries, worker: me, started: executed.started, resumedAt: executed.resumedAt };
    },
    { connection, concurrency: options.concurrency ?? 1, lockDuration: lockMs, stalledInterval: Math.max(1000, Math.floor(lockMs / 2)), maxStalledCount: 10, autorun: true },
  );
  worker.on('error', () => {}); // told once per outage by the connection
  worker.on('failed', (job, e) => say(`worker ${me}: run ${job?.data.program.id ?? '?'} failed: ${e.message}`));
  // A lock this worker could not renew belongs to someone else by now: stop training that run.
  worker.on('lockRenewalFailed', (ids: string[]) => {
    for (const id of ids) worker.cancelJob(id, 'this worker lost the run (its lock expired)');
  });
  say(`worker ${me}: taking runs from ${options.url} (queue ${QUEUE_NAME}), store ${options.store}, ${options.concurrency ?? 1} at a time`);
  await new Promise<void>((resolve) => (stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), { once: true })));
  say(`worker ${me}: stopping (runs in progress keep their checkpoints)`);
  await worker.close(true);
  connection.disconnect();
}

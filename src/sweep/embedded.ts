/**
 * The embedded sweep runner: the runs on this machine's adapter, `parallel` at a time in this
 * process (each on a device of its own), each in SWEEP_DIR/runs/<id>. Started again, a sweep skips
 * finished runs and resumes interrupted ones from their checkpoints, so a sweep stopped by SIGINT
 * (or a crash) ends with the same results as one never stopped.
 */
import { type RunSummary } from './runDir.js';
import { executeRun, runDirectory } from './execute.js';
import { SweepProgress } from './progress.js';
import { type SweepResults, writeResults, writeSweepRecord } from './record.js';
import type { ExpandedSweep, SweepRun } from './spec.js';

export interface EmbeddedOptions {
  /** Runs trained at once (default 1). */
  parallel?: number;
}

export async function runSweepEmbedded(expanded: ExpandedSweep, sweepDir: string, options: EmbeddedOptions = {}): Promise<SweepResults> {
  writeSweepRecord(sweepDir, expanded);
  const summaries = new Map<string, RunSummary>();
  const failed = new Map<string, string>();
  const progress = new SweepProgress(expanded.spec.name, expanded.runs.length, `on this machine, ${options.parallel ?? 1} at a time -> ${sweepDir}`);
  const pending = [...expanded.runs];
  const worker = async () => {
    for (let run = pending.shift(); run; run = pending.shift()) await one(run);
  };
  const one = async (run: SweepRun) => {
    progress.started(run.id);
    try {
      const done = await executeRun(run, runDirectory(sweepDir, run.id), (p) => progress.progress(run.id, p.envSteps / p.target));
      summaries.set(run.id, done.summary);
      progress.finished(done.summary, done.started === 'finished' ? ' (finished before)' : done.started === 'interrupted' ? ` (resumed at env step ${done.resumedAt})` : '');
    } catch (e) {
      failed.set(run.id, e instanceof Error ? e.message : String(e));
      progress.failure(run.id, failed.get(run.id) as string);
    }
    writeResults(sweepDir, expanded, summaries, failed);
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 1) }, worker));
  progress.stop();
  return writeResults(sweepDir, expanded, summaries, failed);
}

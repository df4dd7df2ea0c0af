/**
 * The embedded sweep runner: the sweep's programs (a run, or consecutive seeds as one multi-agent
 * program) on this machine's adapter, `parallel` at a time in this process (each on a device of
 * its own), each in SWEEP_DIR/runs/<id>. Started again, a sweep skips
 * finished runs and resumes interrupted ones from their checkpoints, so a sweep stopped by SIGINT
 * (or a crash) ends with the same results as one never stopped.
 */
import { type RunSummary } from './runDir.js';
import { executeProgram, runDirectory } from './execute.js';
import { SweepProgress } from './progress.js';
import { type SweepResults, writeResults, writeSweepRecord } from './record.js';
import type { ExpandedSweep, SweepProgram } from './spec.js';

export interface EmbeddedOptions {
  /** Runs trained at once (default 1). */
  parallel?: number;
}

export async function runSweepEmbedded(expanded: ExpandedSweep, sweepDir: string, options: EmbeddedOptions = {}): Promise<SweepResults> {
  writeSweepRecord(sweepDir, expanded);
  const summaries = new Map<string, RunSummary>();
  const failed = new Map<string, string>();
  const progress = new SweepProgress(expanded.spec.name, expanded.programs.length, `(${expanded.runs.length} runs) on this machine, ${options.parallel ?? 1} at a time -> ${sweepDir}`);
  const pending = [...expanded.programs];
  const worker = async () => {
    for (let program = pending.shift(); program; program = pending.shift()) await one(program);
  };
  const one = async (program: SweepProgram) => {
    progress.started(program.id, program.runs.length > 1 ? ` (${program.runs.length} seeds as agents)` : '');
    try {
      const done = await executeProgram(program, runDirectory(sweepDir, program.id), (p) => progress.progress(program.id, p.envSteps / p.target));
      for (const s of done.summaries) summaries.set(s.id, s);
      progress.finished(program.id, done.summaries, done.started === 'finished' ? ' (finished before)' : done.started === 'interrupted' ? ` (resumed at env step ${done.resumedAt})` : '');
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      for (const run of program.runs) failed.set(run.id, error);
      progress.failure(program.id, error);
    }
    writeResults(sweepDir, expanded, summaries, failed);
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 1) }, worker));
  progress.stop();
  return writeResults(sweepDir, expanded, summaries, failed);
}

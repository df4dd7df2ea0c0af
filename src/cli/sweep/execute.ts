/**
 * Trains one program of a sweep (a run, or consecutive seeds as agents) in this process, in its directory: skipped when finished, resumed
 * from its checkpoint when interrupted (by a SIGINT, a crash or a worker that died), started
 * otherwise. `pathwise train` does the work, quietly, handing over its reports.
 */
import { join } from 'node:path';
import { trainCommand } from '../train.js';
import type { Report } from '../../run/trainer.js';
import { type RunState, type RunSummary, runState, runSummaries } from './runDir.js';
import type { SweepProgram } from './spec.js';

export interface RunProgress {
  /** Env steps per agent so far and the run's target. */
  envSteps: number;
  target: number;
}

export interface ExecutedRun {
  /** One per run of the program (its agents' seeds). */
  summaries: RunSummary[];
  /** What the directory held before: finished (nothing trained), interrupted (resumed) or new. */
  started: RunState;
  /** The env step a resumed run continued from (0 when new). */
  resumedAt: number;
}

/** The directory of program `id` under a sweep directory. */
export const runDirectory = (sweepDir: string, id: string) => join(sweepDir, 'runs', id);

export async function executeProgram(program: SweepProgram, dir: string, onProgress?: (p: RunProgress) => void, signal?: AbortSignal): Promise<ExecutedRun> {
  const startedAt = performance.now();
  const started = runState(dir);
  let resumedAt = 0;
  if (started !== 'finished') {
    const onReport = (r: Report, target: number) => onProgress?.({ envSteps: r.env_steps, target });
    if (started === 'interrupted') await trainCommand({ resume: dir }, { quiet: true, onReport, signal, onResume: (steps) => (resumedAt = steps), startedAt });
    else await trainCommand({ ...program.options, out: dir }, { quiet: true, onReport, signal, startedAt });
  }
  return { summaries: runSummaries(dir, program.runs), started, resumedAt };
}

/**
 * A sweep's own files in its directory: sweep.json (the spec, the runs it expands to and the
 * programs they train in, written before any run starts) and results.json (every finished run's
 * summary, the skipped runs and the failures), both written atomically. `pathwise table` reads them with the run directories.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../files.js';
import { ConfigError } from '../../errors.js';
import type { RunSummary } from './runDir.js';
import type { ExpandedSweep } from './spec.js';

export interface SweepResults {
  name: string;
  summaries: RunSummary[];
  skipped: ExpandedSweep['skipped'];
  failed: { id: string; error: string }[];
}

/**
 * Records the sweep in its directory before any run starts. A directory holding a sweep whose run
 * of the same id has other settings is refused: its finished runs would count for the new spec.
 */
/** JSON with keys sorted: the same settings written in another order compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function writeSweepRecord(sweepDir: string, expanded: ExpandedSweep): void {
  if (existsSync(join(sweepDir, 'sweep.json'))) {
    const before = new Map(readSweepRecord(sweepDir).programs.map((r) => [r.id, canonical(r.options)]));
    for (const program of expanded.programs) {
      const old = before.get(program.id);
      if (old !== undefined && old !== canonical(program.options)) {
        throw new ConfigError('sweep spec', expanded.spec.name, `a sweep whose runs keep their settings: ${sweepDir} holds ${program.id} with ${old}, the spec gives it ${JSON.stringify(program.options)}; give the sweep another name (or --out)`);
      }
    }
  }
  writeAtomic(join(sweepDir, 'sweep.json'), `${JSON.stringify({ spec: expanded.spec, runs: expanded.runs, programs: expanded.programs, skipped: expanded.skipped }, null, 2)}\n`);
}

export function readSweepRecord(sweepDir: string): ExpandedSweep {
  const file = join(sweepDir, 'sweep.json');
  if (!existsSync(file)) throw new Error(`${sweepDir} is not a sweep directory (no sweep.json; pathwise sweep writes one)`);
  return JSON.parse(readFileSync(file, 'utf8')) as ExpandedSweep;
}

/** Summaries in the spec's order of runs (each run once). */
export function writeResults(sweepDir: string, expanded: ExpandedSweep, summaries: ReadonlyMap<string, RunSummary>, failed: ReadonlyMap<string, string>): SweepResults {
  const results: SweepResults = {
    name: expanded.spec.name,
    summaries: expanded.runs.flatMap((r) => (summaries.has(r.id) ? [summaries.get(r.id) as RunSummary] : [])),
    skipped: expanded.skipped,
    failed: [...failed].map(([id, error]) => ({ id, error })),
  };
  writeAtomic(join(sweepDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

/**
 * What a sweep knows of one run from its directory (the files `pathwise train` keeps current):
 * finished (eval.json written after the last checkpoint), interrupted (a checkpoint to resume
 * from) or new, and a finished run's summary. The directory is the only state: a sweep started
 * again, or another worker, picks up where the files say.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_FILE } from '../files.js';
import { getEnv } from '../../envs/registry.js';

export type RunState = 'finished' | 'interrupted' | 'new';

/** One finished run: what the table and the queue's results carry. */
export interface RunSummary {
  id: string;
  algo: string;
  env: string;
  seed: number;
  /** The grid's values of this run. */
  point: Record<string, unknown>;
  return_mean: number;
  return_std: number;
  episodes: number;
  success_rate: number | null;
  /** Env steps per agent trained. */
  env_steps: number;
  /** Seconds of training (metrics' wall_s, summed over resumed sessions). */
  wall_s: number;
  adapter: string;
}

/** Whether `env` is goal-conditioned (a success rate means something); unknown envs (another process's env module): by the file. */
function hasGoals(env: string): boolean {
  try {
    return getEnv(env).goalDim > 0;
  } catch {
    return true;
  }
}

export function runState(dir: string): RunState {
  if (existsSync(join(dir, 'eval.json'))) return 'finished';
  if (existsSync(join(dir, CHECKPOINT_FILE)) && existsSync(join(dir, 'config.json'))) return 'interrupted';
  return 'new';
}

interface EvalFile {
  return_mean: number;
  return_std: number;
  episodes: number;
  success_rate?: number | null;
  per_agent?: { return_mean: number; return_std: number; success_rate?: number }[];
}

/** The last line of metrics.jsonl parsed (null when none). */
function lastReport(dir: string): { env_steps: number; wall_s: number } | null {
  const file = join(dir, 'metrics.jsonl');
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return lines.length > 0 ? (JSON.parse(lines[lines.length - 1]) as { env_steps: number; wall_s: number }) : null;
}

type RunMeta = Pick<RunSummary, 'id' | 'algo' | 'env' | 'seed' | 'point'>;

/**
 * The summaries of the finished program in `dir`, one per run: a single run's, or agent a's of a
 * program whose agents are the seeds of `runs` (runs[a] is agent a).
 */
export function runSummaries(dir: string, runs: readonly RunMeta[]): RunSummary[] {
  const ev = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) as EvalFile;
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { adapter?: string };
  const last = lastReport(dir);
  const shared = { env_steps: last?.env_steps ?? 0, wall_s: last?.wall_s ?? 0, adapter: config.adapter ?? 'unknown' };
  if (runs.length === 1) {
    const meta = runs[0];
    return [{ ...meta, return_mean: ev.return_mean, return_std: ev.return_std, episodes: ev.episodes, success_rate: hasGoals(meta.env) ? (ev.success_rate ?? null) : null, ...shared }];
  }
  const perAgent = ev.per_agent ?? [];
  if (perAgent.length !== runs.length) throw new Error(`${dir}/eval.json has ${perAgent.length} agents, the sweep expects ${runs.length}`);
  return runs.map((meta, a) => ({
    ...meta,
    return_mean: perAgent[a].return_mean,
    return_std: perAgent[a].return_std,
    episodes: ev.episodes / runs.length,
    success_rate: hasGoals(meta.env) ? (perAgent[a].success_rate ?? null) : null,
    ...shared,
  }));
}

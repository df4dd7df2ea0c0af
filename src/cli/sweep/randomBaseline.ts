/**
 * The uniformly random policy's return for each task of a sweep - the baseline every cell of its
 * table must beat - measured on this machine's adapter with the task's observation and
 * system-identification settings (random actions ignore observations, but not the dynamics), and
 * kept in SWEEP_DIR/random.json so a table is measured once per task and episode count.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getEnv } from '../../envs/registry.js';
import { PipelineCache } from '../../gpu/kernel.js';
import { createNodeContext } from '../../gpu/node.js';
import { evaluateRandomPolicy } from '../../run/evaluate.js';
import { writeAtomic } from '../files.js';

export interface RandomBaseline {
  return_mean: number;
  return_std: number;
  episodes: number;
  success_rate: number;
  adapter: string;
}

export interface BaselineTask {
  task: string;
  env: string;
  /** The task's run options (sensors, obsNoise, sysid, ...). */
  point: Record<string, unknown>;
}

/** Seed of the random episodes: fixed, so a table measured again gives the same baselines. */
const SEED = 2024;

const FILE = 'random.json';

function readBaselines(sweepDir: string): Record<string, RandomBaseline> {
  const file = join(sweepDir, FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, RandomBaseline>) : {};
}

/**
 * The random policy's return for every task, from random.json where it holds `episodes` episodes
 * of it, otherwise measured now (one device for all) and added to the file. `episodes` 0: only
 * what the file has.
 */
export async function randomBaselines(sweepDir: string, tasks: readonly BaselineTask[], episodes: number): Promise<Record<string, RandomBaseline>> {
  const known = readBaselines(sweepDir);
  const missing = episodes > 0 ? tasks.filter((t) => known[t.task]?.episodes !== episodes) : [];
  if (missing.length === 0) return known;
  const ctx = await createNodeContext();
  try {
    const cache = new PipelineCache(ctx);
    const adapter = ctx.adapterName;
    for (const t of missing) {
      const p = t.point;
      const result = await evaluateRandomPolicy(ctx, cache, getEnv(t.env), {
        seed: SEED,
        sensors: p.sensors === 'positions' ? 'positions' : 'full',
        obsNoise: typeof p.obsNoise === 'number' ? p.obsNoise : 0,
        sysid: typeof p.sysid === 'number' ? p.sysid : 0,
      }, episodes);
      known[t.task] = { return_mean: result.return_mean, return_std: result.return_std, episodes: result.episodes, success_rate: result.success_rate, adapter };
    }
    await ctx.sync('random baselines');
  } finally {
    ctx.destroy();
  }
  writeAtomic(join(sweepDir, FILE), `${JSON.stringify(known, null, 2)}\n`);
  return known;
}

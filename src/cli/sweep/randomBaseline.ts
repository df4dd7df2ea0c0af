/**
 * The uniformly random policy's return for each task of a sweep - the baseline every cell of its
 * table must beat - measured on this machine's adapter with the task's observation and
 * system-identification settings (random actions ignore observations, but not the dynamics), and
 * kept in SWEEP_DIR/random.json: a task is measured again only when its settings, the episode
 * count, the seed or the adapter differ from what the file holds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getEnv } from '../../envs/registry.js';
import { type GpuContext } from '../../gpu/context.js';
import { PipelineCache } from '../../gpu/kernel.js';
import { createNodeContext } from '../../gpu/node.js';
import { evaluateRandomPolicy } from '../../run/evaluate.js';
import { writeAtomic } from '../files.js';

/** The run settings that change what a random policy meets. */
export interface EnvSettings {
  sensors: 'full' | 'positions';
  obsNoise: number;
  sysid: number;
}

export interface RandomBaseline {
  return_mean: number;
  return_std: number;
  episodes: number;
  success_rate: number;
  adapter: string;
  seed: number;
  settings: EnvSettings;
}

export interface BaselineTask {
  task: string;
  env: string;
  settings: EnvSettings;
}

/** Seed of the random episodes: fixed, so a table measured again gives the same baselines. */
export const RANDOM_SEED = 2024;

const FILE = 'random.json';

/** The settings of a run's options that matter to a random policy (defaults where unset). */
export function envSettings(options: { sensors?: unknown; obsNoise?: unknown; sysid?: unknown } | undefined): EnvSettings {
  return {
    sensors: options?.sensors === 'positions' ? 'positions' : 'full',
    obsNoise: typeof options?.obsNoise === 'number' ? options.obsNoise : 0,
    sysid: typeof options?.sysid === 'number' ? options.sysid : 0,
  };
}

function readBaselines(sweepDir: string): Record<string, RandomBaseline> {
  const file = join(sweepDir, FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, RandomBaseline>) : {};
}

const sameSettings = (a: EnvSettings | undefined, b: EnvSettings) => a !== undefined && a.sensors === b.sensors && a.obsNoise === b.obsNoise && a.sysid === b.sysid;

/**
 * The random policy's return for every task: measured now (one device for all) unless random.json
 * holds it for the same settings, `episodes`, seed and this machine's adapter. `episodes` 0: only
 * what the file has, whatever the adapter. A task that cannot be measured (an environment this
 * process has not loaded, no adapter) is left out with a line on stderr: the table shows '-'.
 */
export async function randomBaselines(sweepDir: string, tasks: readonly BaselineTask[], episodes: number): Promise<Record<string, RandomBaseline>> {
  const known = readBaselines(sweepDir);
  if (episodes === 0 || tasks.length === 0) return known;
  let ctx: GpuContext;
  try {
    ctx = await createNodeContext();
  } catch (e) {
    console.error(`pathwise table: the random policy was not measured (${(e as Error).message}); its column shows what ${FILE} holds`);
    return known;
  }
  let measured = 0;
  try {
    const cache = new PipelineCache(ctx);
    for (const t of tasks) {
      const k = known[t.task];
      if (k && k.episodes === episodes && k.seed === RANDOM_SEED && k.adapter === ctx.adapterName && sameSettings(k.settings, t.settings)) continue;
      try {
        const result = await evaluateRandomPolicy(ctx, cache, getEnv(t.env), { seed: RANDOM_SEED, ...t.settings }, episodes);
        known[t.task] = { return_mean: result.return_mean, return_std: result.return_std, episodes: result.episodes, success_rate: result.success_rate, adapter: ctx.adapterName, seed: RANDOM_SEED, settings: t.settings };
        measured += 1;
      } catch (e) {
        delete known[t.task];
        console.error(`pathwise table: the random policy on ${t.task} was not measured: ${(e as Error).message}`);
      }
    }
    await ctx.sync('random baselines');
  } finally {
    ctx.destroy();
  }
  if (measured > 0) writeAtomic(join(sweepDir, FILE), `${JSON.stringify(known, null, 2)}\n`);
  return known;
}

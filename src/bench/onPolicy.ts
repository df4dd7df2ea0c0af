/**
 * on-policy suite: time per training unit (a segment of T env steps of every env and its update)
 * of the on-policy methods, all row programs: PPO, TNPG, TRPO, RWR, REPS, and REINFORCE with its
 * segment collected by the row program and by one dispatch per layer and step (in one run).
 * Reported per unit and per env step, with the dispatches of a unit.
 */
import { getAlgorithm } from '../algos/registry.js';
import { EnvBatch } from '../envs/batch.js';
import { getEnv } from '../envs/registry.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import { runOnce } from '../gpu/recorder.js';
import { Clock } from '../rng/clock.js';
import { type SuiteResult, markdownTable, timeProgram } from './harness.js';

export async function onPolicySuite(ctx: GpuContext, cache: PipelineCache, quick: boolean): Promise<SuiteResult> {
  // The CPU preset's batch (16 envs x 128 steps) on a CPU adapter; 4096 envs x 16 steps on a GPU.
  const envs = quick ? 16 : 4096;
  const segment = quick ? 128 : 16;
  const cases: [string, Record<string, unknown>][] = [
    ['ppo', {}],
    ['tnpg', {}],
    ['trpo', {}],
    ['rwr', {}],
    ['reps', {}],
    ['reinforce', { program: 'rows', policyHidden: [32, 32] }],
    ['reinforce', { program: 'layers', policyHidden: [32, 32] }],
  ];
  const rows: Record<string, unknown>[] = [];
  for (const [algo, settings] of cases) {
    const clock = new Clock(ctx);
    const env = await new EnvBatch(ctx, getEnv('cartpole'), { envs, seed: 1, clock }).build(cache);
    const built = await getAlgorithm(algo).create(ctx, cache, env, clock, { segment, ...settings }, 1);
    await runOnce(ctx, [env.resetDispatch]);
    const timing = await timeProgram(ctx, built.train.recorder, { iterations: 1, repeats: quick ? 3 : 7 });
    const steps = built.train.iterations * envs;
    rows.push({ algo, ...settings, envs, segment, ms_per_unit: timing.median_us / 1000, env_steps_per_s: steps / (timing.median_us / 1e6), dispatches_per_unit: built.train.recorder.length, timing });
    env.destroy();
  }
  const collect = (program: string) => rows.find((r) => r.algo === 'reinforce' && r.program === program)!;
  const ratio = (collect('layers').ms_per_unit as number) / (collect('rows').ms_per_unit as number);
  const table = markdownTable(
    ['algorithm', 'N envs x T', 'ms per unit', 'env steps / s', 'dispatches per unit', 'timing'],
    rows.map((r) => [`${r.algo}${r.program ? ` (${r.program})` : ''}`, `${r.envs} x ${r.segment}`, (r.ms_per_unit as number).toFixed(1), (r.env_steps_per_s as number).toExponential(2), String(r.dispatches_per_unit), (r.timing as { method: string }).method]),
  );
  return { suite: 'on-policy', rows, table: `${table}\n\nREINFORCE, segment collection by one dispatch per layer and step over the row program: ${ratio.toFixed(2)}x the time per unit.` };
}

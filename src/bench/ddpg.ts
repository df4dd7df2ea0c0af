/**
 * ddpg and agents suites: time per DDPG training iteration (N envs step + replay insert + one
 * critic and one actor update + Polyak) as row programs and as one dispatch per layer, in one
 * run; and K independent agents (their own initial weights, envs, noise and minibatches) trained
 * by one program. Replay capacity is kept small (it does not change the time of an iteration) so
 * 64 agents fit a device's buffer limit.
 */
import { ALL_FUSIONS, Ddpg, type Fusions, NO_FUSIONS, ddpgConfig } from '../algos/ddpg.js';
import { EnvBatch } from '../envs/batch.js';
import { getEnv } from '../envs/registry.js';
import type { GpuContext } from '../gpu/context.js';
import { PipelineCache } from '../gpu/kernel.js';
import { runOnce } from '../gpu/recorder.js';
import { Clock } from '../rng/clock.js';
import { type SuiteResult, cell, markdownTable, method, orRefused, timeProgram } from './harness.js';

export interface DdpgCase {
  envs: number;
  batch: number;
  hidden: number[];
  agents: number;
  /** Row programs or one dispatch per layer (ddpg.ts --program). */
  program: 'rows' | 'layers';
}

async function timeDdpg(ctx: GpuContext, cache: PipelineCache, c: DdpgCase, quick: boolean, fusions: Fusions = ALL_FUSIONS) {
  const clock = new Clock(ctx);
  const env = await new EnvBatch(ctx, getEnv('pendulum'), { envs: c.envs, agents: c.agents, seed: 1, clock }).build(cache);
  const config = ddpgConfig({ actorHidden: c.hidden, criticHidden: c.hidden, batchSize: c.batch, learningStarts: 0, bufferSize: Math.max(c.envs, 50_000), program: c.program });
  const algo = await ctx.discardOnFailure(() => Ddpg.create(ctx, cache, env, clock, config, 1, fusions)).catch((e: unknown) => {
    env.destroy(); // the caller's orRefused may go on to other cases
    throw e;
  });
  await runOnce(ctx, [env.resetDispatch]);
  const program = algo.train.recorder;
  const timing = await timeProgram(ctx, program, { iterations: quick ? 10 : 50, repeats: quick ? 7 : 15 });
  const perIteration = timing.median_us / algo.train.iterations;
  env.destroy();
  return { perIteration, dispatches: program.length / algo.train.iterations, timing, labels: program.labels };
}

/** Hidden widths of the networks a suite times: `widths` (bench --widths), else 64 quick, 256 full. */
export function suiteWidths(quick: boolean, widths?: readonly number[]): number[] {
  return widths && widths.length > 0 ? [...widths] : [quick ? 64 : 256];
}

export async function ddpgSuite(ctx: GpuContext, cache: PipelineCache, quick: boolean, widths?: readonly number[]): Promise<SuiteResult> {
  const shapes = quick
    ? [{ envs: 1, batch: 64 }, { envs: 32, batch: 64 }, { envs: 256, batch: 64 }]
    : [1, 1024, 4096].flatMap((envs) => [256, 4096].map((batch) => ({ envs, batch })));
  const rows: Record<string, unknown>[] = [];
  for (const width of suiteWidths(quick, widths)) {
    const hidden = [width, width];
    for (const shape of shapes) {
      // Both programs of one shape in one run, so their ratio is measured under the same conditions.
      const measured: Record<string, number> = {};
      for (const program of ['rows', 'layers'] as const) {
        const c = { ...shape, hidden, agents: 1, program };
        const r = await orRefused(() => timeDdpg(ctx, cache, c, quick));
        if ('refused' in r) {
          rows.push({ ...c, refused: r.refused });
          continue;
        }
        measured[program] = r.perIteration;
        rows.push({ ...c, us_per_iteration: r.perIteration, dispatches_per_iteration: r.dispatches, timing: r.timing, dispatch_labels: r.labels });
      }
      if (measured.rows && measured.layers) rows.at(-2)!.layers_over_rows = measured.layers / measured.rows;
    }
  }
  const table = markdownTable(
    ['program', 'N envs', 'batch', 'networks', 'us per iteration', 'dispatches per iteration', 'layers / rows', 'timing'],
    rows.map((r) => [String(r.program), String(r.envs), String(r.batch), (r.hidden as number[]).join('-'), cell(r.us_per_iteration, (x) => x.toFixed(1)), String(r.dispatches_per_iteration ?? ''), r.layers_over_rows === undefined ? '' : (r.layers_over_rows as number).toFixed(2), method(r)]),
  );
  const refused = rows.filter((r) => r.refused).map((r) => `${r.program} ${(r.hidden as number[]).join('-')}: ${r.refused}`);
  const listed = rows.filter((r) => r.envs === shapes[0].envs && r.batch === shapes[0].batch && r.dispatch_labels).slice(0, 2);
  const dispatches = [...listed.map((r) => `${r.program}: ${(r.dispatch_labels as string[]).join(', ')}`), ...(refused.length ? [`Not run on this device:\n\n${[...new Set(refused)].join('\n')}`] : [])].join('\n\n');
  return { suite: 'ddpg', rows, table: `${table}\n\nDispatches of one training unit:\n\n${dispatches}` };
}

export async function agentsSuite(ctx: GpuContext, cache: PipelineCache, quick: boolean, widths?: readonly number[]): Promise<SuiteResult> {
  const width = suiteWidths(quick, widths)[0];
  const hidden = [width, width];
  const envs = quick ? 16 : 4096;
  const batch = quick ? 64 : 256;
  const rows: Record<string, unknown>[] = [];
  for (const agents of quick ? [1, 4] : [1, 8, 64]) {
    const r = await orRefused(() => timeDdpg(ctx, cache, { envs, batch, hidden, agents, program: 'rows' }, quick));
    if ('refused' in r) {
      rows.push({ agents, envs, batch, hidden, refused: r.refused });
      continue;
    }
    rows.push({ agents, envs, batch, hidden, us_per_iteration: r.perIteration, agent_steps_per_second: (agents * envs) / (r.perIteration * 1e-6), dispatches_per_iteration: r.dispatches, timing: r.timing });
  }
  const base = rows.find((r) => !r.refused)?.us_per_iteration as number;
  const table = markdownTable(
    ['agents K', 'envs per agent', 'networks', 'us per iteration', 'x one agent', 'agent env-steps/s', 'timing'],
    rows.map((r) => [String(r.agents), String(r.envs), hidden.join('-'), cell(r.us_per_iteration, (x) => x.toFixed(1)), cell((r.us_per_iteration as number) / base, (x) => x.toFixed(2)), cell(r.agent_steps_per_second, (x) => x.toExponential(2)), method(r)]),
  );
  return { suite: 'agents', rows, table };
}

/**
 * fusions suite: the same DDPG iteration with each hot-path fusion off, one at a time, and all
 * on, in one run on one device, so every change is measured before and after.
 */
export async function fusionsSuite(ctx: GpuContext, cache: PipelineCache, quick: boolean): Promise<SuiteResult> {
  // The per-layer program's fusions (row programs fuse everything they can already).
  const c: DdpgCase = quick ? { envs: 64, batch: 64, hidden: [64, 64], agents: 1, program: 'layers' } : { envs: 4096, batch: 256, hidden: [256, 256], agents: 1, program: 'layers' };
  const variants: [string, Fusions][] = [
    ['none', NO_FUSIONS],
    ['fused backward only', { ...NO_FUSIONS, backward: true }],
    ['Adam step count from clock only', { ...NO_FUSIONS, adamFromClock: true }],
    ['Polyak pair only', { ...NO_FUSIONS, polyakPair: true }],
    ['all', ALL_FUSIONS],
  ];
  const rows: Record<string, unknown>[] = [];
  for (const [name, fusions] of variants) {
    const r = await timeDdpg(ctx, cache, c, quick, fusions);
    rows.push({ variant: name, fusions, subgroups: cache.subgroups, ...c, us_per_iteration: r.perIteration, dispatches_per_iteration: r.dispatches, timing: r.timing });
  }
  if (cache.subgroups) {
    // The workgroup reductions (losses, statistics, gradient norm) without subgroup operations.
    const r = await timeDdpg(ctx, new PipelineCache(ctx, { subgroups: false }), c, quick, ALL_FUSIONS);
    rows.push({ variant: 'all, reductions without subgroups', fusions: ALL_FUSIONS, subgroups: false, ...c, us_per_iteration: r.perIteration, dispatches_per_iteration: r.dispatches, timing: r.timing });
  }
  // The other device class's tile shapes (64-invocation tiles on a CPU adapter, 256 on a GPU).
  const other = new PipelineCache(ctx, { softwareTiles: !cache.softwareTiles });
  const t = await timeDdpg(ctx, other, c, quick, ALL_FUSIONS);
  rows.push({ variant: `all, ${other.softwareTiles ? 'CPU-adapter' : 'GPU'} tile shapes`, fusions: ALL_FUSIONS, ...c, us_per_iteration: t.perIteration, dispatches_per_iteration: t.dispatches, timing: t.timing });
  const base = rows[0].us_per_iteration as number;
  const table = markdownTable(
    ['fusions', 'dispatches per iteration', 'us per iteration', 'time vs none', 'timing'],
    rows.map((r) => [String(r.variant), String(r.dispatches_per_iteration), (r.us_per_iteration as number).toFixed(1), ((r.us_per_iteration as number) / base).toFixed(3), (r.timing as { method: string }).method]),
  );
  return { suite: 'fusions', rows, table: `N = ${c.envs} envs, batch ${c.batch}, ${c.hidden.join('-')} networks\n\n${table}` };
}

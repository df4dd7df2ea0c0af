/**
 * svg-inf suite: time per SVG(inf) training unit through the simulator (H env steps of acting
 * and one policy update through H-step rollouts of every env) as row programs and as one
 * dispatch per layer and step, in one run, for several horizons: the dispatches of a unit stay
 * at 5 with row programs whatever H, and grow with H per layer.
 */
import { SvgInf, svgInfConfig } from '../algos/svgInf.js';
import { EnvBatch } from '../envs/batch.js';
import { getEnv } from '../envs/registry.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import { runOnce } from '../gpu/recorder.js';
import { Clock } from '../rng/clock.js';
import { suiteWidths } from './ddpg.js';
import { type SuiteResult, buildOrRefused, cell, markdownTable, method, timeProgram } from './harness.js';

export async function svgInfSuite(ctx: GpuContext, cache: PipelineCache, quick: boolean, widths?: readonly number[]): Promise<SuiteResult> {
  const envs = quick ? 64 : 4096;
  const width = suiteWidths(quick, widths)[0];
  const hidden = [width, width];
  const rows: Record<string, unknown>[] = [];
  for (const horizon of quick ? [10, 50] : [10, 50, 200]) {
    const measured: Record<string, number> = {};
    for (const program of ['rows', 'layers'] as const) {
      const clock = new Clock(ctx);
      const env = await new EnvBatch(ctx, getEnv('pendulum'), { envs, seed: 1, clock }).build(cache);
      const algo = await buildOrRefused(ctx, env, () => SvgInf.create(ctx, cache, env, clock, svgInfConfig({ policyHidden: hidden, horizon, program }), 1));
      if ('refused' in algo) {
        rows.push({ program, envs, horizon, hidden, refused: algo.refused });
        continue;
      }
      await runOnce(ctx, [env.resetDispatch]);
      const timing = await timeProgram(ctx, algo.train.recorder, { iterations: quick ? 2 : 10, repeats: quick ? 5 : 11 });
      measured[program] = timing.median_us;
      rows.push({ program, envs, horizon, hidden, us_per_unit: timing.median_us, us_per_env_step: timing.median_us / horizon, dispatches_per_unit: algo.train.recorder.length, timing, dispatch_labels: horizon === 10 || program === 'rows' ? algo.train.recorder.labels : undefined });
      env.destroy();
    }
    if (measured.rows && measured.layers) rows.at(-2)!.layers_over_rows = measured.layers / measured.rows;
  }
  const table = markdownTable(
    ['program', 'N envs', 'H', 'policy', 'us per unit', 'dispatches per unit', 'layers / rows', 'timing'],
    rows.map((r) => [String(r.program), String(r.envs), String(r.horizon), (r.hidden as number[]).join('-'), cell(r.us_per_unit, (x) => x.toFixed(0)), String(r.dispatches_per_unit ?? ''), r.layers_over_rows === undefined ? '' : (r.layers_over_rows as number).toFixed(2), method(r)]),
  );
  const listed = rows.find((r) => r.program === 'rows' && r.dispatch_labels);
  const refused = [...new Set(rows.filter((r) => r.refused).map((r) => `${r.program} H = ${r.horizon}: ${r.refused}`))];
  const notes = [listed ? `Dispatches of a row-program unit: ${(listed.dispatch_labels as string[]).join(', ')}` : '', refused.length ? `Not run on this device:\n\n${refused.join('\n')}` : ''].filter(Boolean);
  return { suite: 'svg-inf', rows, table: `${table}\n\n${notes.join('\n\n')}` };
}

/**
 * svg0 suite: time per SVG(0) training iteration (N envs step + replay insert + one critic and one
 * policy update + Polyak; with --entropy auto also the temperature's step) as row programs and
 * as one dispatch per layer and graph node, in one run.
 */
import { Svg0, svg0Config } from '../algos/svg0.js';
import { EnvBatch } from '../envs/batch.js';
import { getEnv } from '../envs/registry.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import { runOnce } from '../gpu/recorder.js';
import { Clock } from '../rng/clock.js';
import { suiteWidths } from './ddpg.js';
import { type SuiteResult, buildOrRefused, cell, markdownTable, method, timeProgram } from './harness.js';

export async function svg0Suite(ctx: GpuContext, cache: PipelineCache, quick: boolean, widths?: readonly number[]): Promise<SuiteResult> {
  const width = suiteWidths(quick, widths)[0];
  const hidden = [width, width];
  const shapes = quick
    ? [{ envs: 1, batch: 64, entropy: 'off' }, { envs: 32, batch: 64, entropy: 'off' }, { envs: 32, batch: 64, entropy: 'auto' }, { envs: 256, batch: 64, entropy: 'off' }]
    : [1, 4096].flatMap((envs) => ['off', 'auto'].map((entropy) => ({ envs, batch: 256, entropy })));
  const rows: Record<string, unknown>[] = [];
  for (const shape of shapes) {
    const measured: Record<string, number> = {};
    for (const program of ['rows', 'layers'] as const) {
      const clock = new Clock(ctx);
      const env = await new EnvBatch(ctx, getEnv('pendulum'), { envs: shape.envs, seed: 1, clock }).build(cache);
      const config = svg0Config({ actorHidden: hidden, criticHidden: hidden, batchSize: shape.batch, learningStarts: 0, bufferSize: Math.max(shape.envs, 50_000), entropy: shape.entropy, program });
      const algo = await buildOrRefused(ctx, env, () => Svg0.create(ctx, cache, env, clock, config, 1));
      if ('refused' in algo) {
        rows.push({ program, ...shape, hidden, refused: algo.refused });
        continue;
      }
      await runOnce(ctx, [env.resetDispatch]);
      const timing = await timeProgram(ctx, algo.train.recorder, { iterations: quick ? 10 : 50, repeats: quick ? 7 : 15 });
      measured[program] = timing.median_us;
      rows.push({ program, ...shape, hidden, us_per_iteration: timing.median_us, dispatches_per_iteration: algo.train.recorder.length, timing, dispatch_labels: algo.train.recorder.labels });
      env.destroy();
    }
    if (measured.rows && measured.layers) rows.at(-2)!.layers_over_rows = measured.layers / measured.rows;
  }
  const table = markdownTable(
    ['program', 'N envs', 'batch', 'entropy', 'networks', 'us per iteration', 'dispatches per iteration', 'layers / rows', 'timing'],
    rows.map((r) => [String(r.program), String(r.envs), String(r.batch), String(r.entropy), (r.hidden as number[]).join('-'), cell(r.us_per_iteration, (x) => x.toFixed(1)), String(r.dispatches_per_iteration ?? ''), r.layers_over_rows === undefined ? '' : (r.layers_over_rows as number).toFixed(2), method(r)]),
  );
  const listed = rows.filter((r) => r.envs === shapes[0].envs && r.entropy === 'off' && r.dispatch_labels).slice(0, 2);
  const dispatches = listed.map((r) => `${r.program}: ${(r.dispatch_labels as string[]).join(', ')}`).join('\n\n');
  return { suite: 'svg0', rows, table: `${table}\n\nDispatches of one iteration:\n\n${dispatches}` };
}

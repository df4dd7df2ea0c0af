/**
 * envs suite: environment-only throughput (no learning), env steps per second with one step per
 * dispatch and many dispatches per submit, and with K = 100 steps inside one dispatch (the loop
 * of a row program: the dispatch floor paid once per K steps). Actions are drawn once (U(0, 1),
 * inside every env's range); "with action draw" adds one Philox fill dispatch per step. N is
 * halved until the batch fits the device (lavapipe binds at most 128 MiB per buffer).
 */
import { EnvBatch } from '../envs/batch.js';
import type { EnvDefinition } from '../envs/types.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import { Recorder, runOnce } from '../gpu/recorder.js';
import { Clock } from '../rng/clock.js';
import { rngFill } from '../rng/fill.js';
import { type SuiteResult, markdownTable, timeProgram } from './harness.js';

export async function envsSuite(ctx: GpuContext, cache: PipelineCache, defs: readonly EnvDefinition[], sizes: readonly number[], quick: boolean): Promise<SuiteResult> {
  const rows: Record<string, unknown>[] = [];
  for (const def of defs) {
    for (const wanted of sizes) {
      const clock = new Clock(ctx);
      let envs = wanted;
      let batch: EnvBatch | null = null;
      while (!batch) {
        try {
          batch = await new EnvBatch(ctx, def, { envs, seed: 1, clock }).build(cache);
        } catch (e) {
          if (envs <= 1024) throw e;
          envs = Math.floor(envs / 2);
        }
      }
      const fill = await rngFill(cache, batch.action, 'uniform', { key: [1, 99] });
      await runOnce(ctx, [batch.resetDispatch, fill]);
      const cheap = envs <= 65536;
      const iterations = quick ? (cheap ? 20 : 4) : cheap ? 200 : 50;
      const repeats = quick ? 3 : 10;
      const step = await timeProgram(ctx, new Recorder(ctx, `${def.name} step`).add(batch.stepDispatch), { iterations, repeats });
      const withDraw = await timeProgram(ctx, new Recorder(ctx, `${def.name} draw+step`).add(fill, batch.stepDispatch), { iterations, repeats });
      const K = 100;
      const many = await timeProgram(ctx, new Recorder(ctx, `${def.name} ${K} steps`).add(await batch.stepsDispatch(cache, K)), { iterations: Math.max(1, Math.round(iterations / K)), repeats });
      rows.push({
        env: def.name, envs, requested: wanted,
        steps_per_second: envs / (step.median_us * 1e-6),
        steps_per_second_with_action_draw: envs / (withDraw.median_us * 1e-6),
        steps_per_second_k_per_dispatch: (envs * K) / (many.median_us * 1e-6),
        k_per_dispatch: K,
        step, step_with_action_draw: withDraw, k_steps: many,
      });
      batch.destroy();
    }
  }
  const table = markdownTable(
    ['env', 'N', 'us per step', 'env steps/s', 'with action draw', '100 steps per dispatch', 'timing'],
    rows.map((r) => {
      const s = r.step as { median_us: number; method: string };
      return [String(r.env), String(r.envs), s.median_us.toFixed(1), (r.steps_per_second as number).toExponential(2), (r.steps_per_second_with_action_draw as number).toExponential(2), (r.steps_per_second_k_per_dispatch as number).toExponential(2), s.method];
    }),
  );
  return { suite: 'envs', rows, table };
}

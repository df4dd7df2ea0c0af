/**
 * bench/envs: environment-only throughput (no learning): env steps per second with one step per
 * dispatch, many dispatches per submit, on whatever adapter Dawn finds. Random actions are drawn
 * once (U(0, 1), inside every env's action range); "with action draw" adds one Philox fill
 * dispatch per step. Writes bench/results/envs-<device>.json (or --out) and a markdown table.
 *
 *   node dist/bench-envs.js [--env pendulum,cartpole|all] [--sizes 4096,65536,1048576] [--quick] [--out FILE]
 */
import { parseArgs } from 'node:util';
import { EnvBatch } from '../src/envs/batch.js';
import { envNames, getEnv } from '../src/envs/registry.js';
import { PipelineCache } from '../src/gpu/kernel.js';
import { createNodeContext } from '../src/gpu/node.js';
import { Recorder, runOnce } from '../src/gpu/recorder.js';
import { Clock } from '../src/rng/clock.js';
import { rngFill } from '../src/rng/fill.js';
import { deviceSlug, deviceSummary, markdownTable, timeProgram, writeJson } from './harness.js';

const { values } = parseArgs({
  options: { env: { type: 'string', default: 'pendulum' }, sizes: { type: 'string' }, quick: { type: 'boolean', default: false }, out: { type: 'string' } },
});
const quick = values.quick ?? false;
const names = values.env === 'all' ? envNames() : (values.env ?? 'pendulum').split(',');
const defs = names.map(getEnv); // unknown names fail here, before any GPU work

const ctx = await createNodeContext();
const cache = new PipelineCache(ctx);
const requested = (values.sizes ?? (quick ? '4096,65536' : '4096,65536,1048576')).split(',').map(Number);
const results: Record<string, unknown>[] = [];

for (const def of defs) {
  for (const wanted of requested) {
    const clock = new Clock(ctx);
    // Largest N that fits this device (lavapipe binds at most 128 MiB per buffer).
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
    const stepOnly = await timeProgram(ctx, new Recorder(ctx, `${def.name} step`).add(batch.stepDispatch), { iterations, repeats });
    const withDraw = await timeProgram(ctx, new Recorder(ctx, `${def.name} draw+step`).add(fill, batch.stepDispatch), { iterations, repeats });
    results.push({
      env: def.name,
      envs,
      requested: wanted,
      steps_per_second: envs / (stepOnly.median_us * 1e-6),
      steps_per_second_with_action_draw: envs / (withDraw.median_us * 1e-6),
      step: stepOnly,
      step_with_action_draw: withDraw,
    });
    batch.destroy();
  }
}

const out = values.out ?? `bench/results/envs-${deviceSlug(ctx)}.json`;
writeJson(out, { suite: 'envs', date: new Date().toISOString(), quick, device: deviceSummary(ctx), results });
console.log(`adapter: ${ctx.adapterName}`);
console.log(
  markdownTable(
    ['env', 'N', 'us per step', 'env steps/s', 'with action draw', 'timing'],
    results.map((r) => {
      const step = r.step as { median_us: number; method: string };
      return [String(r.env), String(r.envs), step.median_us.toFixed(1), (r.steps_per_second as number).toExponential(2), (r.steps_per_second_with_action_draw as number).toExponential(2), step.method];
    }),
  ),
);
console.log(`wrote ${out}`);
process.exit(0);

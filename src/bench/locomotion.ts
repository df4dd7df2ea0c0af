/**
 * locomotion suite: env steps per second of the planar robots (swimmer, hopper, walker2d,
 * half-cheetah) on the GPU, one step per dispatch with fresh uniform controls each step and
 * auto-reset, against MuJoCo itself on the CPU (src/bench/mujocoPeer.ts: mujoco-js, one thread)
 * running the same robot file with the same frame skip, controls and resets.
 */
import { EnvBatch } from '../envs/batch.js';
import type { EnvDefinition } from '../envs/types.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import { Recorder, runOnce } from '../gpu/recorder.js';
import { Clock } from '../rng/clock.js';
import { rngFill } from '../rng/fill.js';
import { type SuiteResult, markdownTable, timeProgram } from './harness.js';
import { mujocoTask, uniformControls } from './mujocoPeer.js';

export { loadMujoco } from './mujocoPeer.js';

/** Env steps per second of MuJoCo (one thread) on `def`'s robot with uniform controls, resets as the env's. */
export async function mujocoStepsPerSecond(def: EnvDefinition, seconds: number): Promise<number | null> {
  const peer = await mujocoTask(def, 12345);
  if (!peer) return null;
  const controls = uniformControls(def, 54321);
  peer.reset();
  let steps = 0, t = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (let k = 0; k < 100; k++) {
      const { unhealthy } = peer.step(controls());
      steps++;
      t++;
      if (unhealthy || t >= def.horizon) {
        peer.reset();
        t = 0;
      }
    }
  }
  const rate = steps / ((performance.now() - start) / 1000);
  peer.release();
  return rate;
}

export async function locomotionSuite(ctx: GpuContext, cache: PipelineCache, defs: readonly EnvDefinition[], sizes: readonly number[], quick: boolean): Promise<SuiteResult> {
  const rows: Record<string, unknown>[] = [];
  for (const def of defs) {
    const peer = await mujocoStepsPerSecond(def, quick ? 2 : 5);
    for (const envs of sizes) {
      const batch = await new EnvBatch(ctx, def, { envs, seed: 1, clock: new Clock(ctx) }).build(cache);
      const fill = await rngFill(cache, batch.action, 'uniform', { key: [1, 99] });
      await runOnce(ctx, [batch.resetDispatch, fill]);
      const step = await timeProgram(ctx, new Recorder(ctx, `${def.name} draw+step`).add(fill, batch.stepDispatch), { iterations: quick ? 5 : 20, repeats: 3, warmup: 1 });
      const rate = envs / (step.median_us * 1e-6);
      rows.push({ env: def.name, envs, steps_per_second: rate, mujoco_js_steps_per_second: peer, ratio: peer ? rate / peer : null, step });
      batch.destroy();
    }
  }
  const table = markdownTable(
    ['env', 'N', 'us per step', 'env steps/s (GPU)', 'MuJoCo (mujoco-js, 1 thread)', 'ratio', 'timing'],
    rows.map((r) => {
      const s = r.step as { median_us: number; method: string };
      const peer = r.mujoco_js_steps_per_second as number | null;
      return [String(r.env), String(r.envs), s.median_us.toFixed(1), (r.steps_per_second as number).toExponential(2), peer ? peer.toExponential(2) : 'not run (no mujoco-js)', peer ? (r.ratio as number).toFixed(2) : '-', s.method];
    }),
  );
  return { suite: 'locomotion', rows, table };
}

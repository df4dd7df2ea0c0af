/**
 * locomotion suite: env steps per second of the planar robots (swimmer, hopper, walker2d,
 * half-cheetah) on the GPU, one step per dispatch with fresh uniform controls each step and
 * auto-reset, against MuJoCo itself on the CPU (mujoco-js, MuJoCo compiled to WebAssembly, one
 * thread) running the same robot file with the same frame skip, controls and resets. mujoco-js is
 * a development dependency: without it the peer column says "not run".
 */
import { EnvBatch } from '../envs/batch.js';
import { locomotionTask } from '../envs/locomotion.js';
import type { EnvDefinition } from '../envs/types.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import { Recorder, runOnce } from '../gpu/recorder.js';
import { Clock } from '../rng/clock.js';
import { rngFill } from '../rng/fill.js';
import { type SuiteResult, markdownTable, timeProgram } from './harness.js';

interface MujocoModule {
  FS: { mkdir(path: string): void; writeFile(path: string, data: string): void };
  MjModel: { loadFromXML(path: string): MujocoModel };
  MjData: new (m: MujocoModel) => MujocoData;
  mj_step(m: MujocoModel, d: MujocoData): void;
  mj_resetData(m: MujocoModel, d: MujocoData): void;
  mj_forward(m: MujocoModel, d: MujocoData): void;
}
interface MujocoModel {
  nu: number;
  nq: number;
  delete(): void;
}
interface MujocoData {
  ctrl: Float64Array;
  qpos: Float64Array;
  qvel: Float64Array;
  delete(): void;
}

let mujoco: Promise<MujocoModule | null> | null = null;

/** mujoco-js, loaded once (null when the package is not installed). */
export function loadMujoco(): Promise<MujocoModule | null> {
  mujoco ??= (async () => {
    try {
      const specifier = 'mujoco-js'; // a variable: bundlers leave the optional peer alone
      const mod = (await import(/* @vite-ignore */ specifier)) as { default: () => Promise<MujocoModule> };
      const m = await mod.default();
      m.FS.mkdir('/pathwise');
      return m;
    } catch {
      return null;
    }
  })();
  return mujoco;
}

/** Env steps per second of MuJoCo (one thread) on `def`'s robot with uniform(0, 1) controls, resets as the env's. */
export async function mujocoStepsPerSecond(def: EnvDefinition, seconds: number): Promise<number | null> {
  const mj = await loadMujoco();
  if (!mj) return null;
  const task = locomotionTask(def.name);
  mj.FS.writeFile('/pathwise/robot.xml', task.xml);
  const m = mj.MjModel.loadFromXML('/pathwise/robot.xml');
  const d = new mj.MjData(m);
  const n = m.nq;
  const qpos0 = Array.from(d.qpos);
  const p = def.params;
  let seed = 12345;
  const uniform = () => ((seed = (seed * 1103515245 + 12345) >>> 0) + 0.5) / 4294967296;
  const reset = () => {
    mj.mj_resetData(m, d);
    for (let j = 0; j < n; j++) {
      d.qpos[j] = qpos0[j] + p.reset_noise * (2 * uniform() - 1);
      d.qvel[j] = p.reset_noise * (2 * uniform() - 1);
    }
    mj.mj_forward(m, d);
  };
  reset();
  let steps = 0, t = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (let k = 0; k < 100; k++) {
      for (let i = 0; i < m.nu; i++) d.ctrl[i] = uniform();
      for (let f = 0; f < task.frameSkip; f++) mj.mj_step(m, d);
      steps++;
      t++;
      const q = d.qpos;
      const unhealthy = p.terminate > 0 && !(q[1] > p.z_min && q[1] < p.z_max && q[2] > p.angle_min && q[2] < p.angle_max);
      if (unhealthy || t >= def.horizon) {
        reset();
        t = 0;
      }
    }
  }
  const rate = steps / ((performance.now() - start) / 1000);
  d.delete();
  m.delete();
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

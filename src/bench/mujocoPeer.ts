/**
 * MuJoCo itself as a peer (mujoco-js: MuJoCo compiled to WebAssembly, one thread), running a
 * locomotion env's robot file with the env's task: gymnasium v5's reset noise, frame skip,
 * reward and health, the same as src/envs/locomotion.ts. mujoco-js is a development dependency;
 * without it loadMujoco() gives null and the benchmarks say "not run".
 */
import { locomotionModel, locomotionTask } from '../envs/locomotion.js';
import type { EnvDefinition } from '../envs/types.js';

export interface MujocoModule {
  FS: { mkdir(path: string): void; writeFile(path: string, data: string): void };
  MjModel: { loadFromXML(path: string): MujocoModel };
  MjData: new (m: MujocoModel) => MujocoData;
  mj_step(m: MujocoModel, d: MujocoData): void;
  mj_resetData(m: MujocoModel, d: MujocoData): void;
  mj_forward(m: MujocoModel, d: MujocoData): void;
}
export interface MujocoModel {
  nu: number;
  nq: number;
  delete(): void;
}
export interface MujocoData {
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

export interface MujocoTask {
  /** A fresh episode: the model pose plus the env's reset noise. */
  reset(): void;
  /** One env step under `ctrl`: the env's reward and whether the episode ended unhealthy. */
  step(ctrl: readonly number[]): { reward: number; unhealthy: boolean };
  release(): void;
}

/** The env's task on MuJoCo, with its own uniform stream (seeded), or null without mujoco-js. */
export async function mujocoTask(def: EnvDefinition, seed: number): Promise<MujocoTask | null> {
  const mj = await loadMujoco();
  if (!mj) return null;
  const task = locomotionTask(def.name);
  mj.FS.writeFile('/pathwise/robot.xml', task.xml);
  const m = mj.MjModel.loadFromXML('/pathwise/robot.xml');
  const d = new mj.MjData(m);
  const n = m.nq;
  const qpos0 = Array.from(d.qpos);
  const p = def.params;
  const dt = task.frameSkip * locomotionModel(def.name).timestep;
  let state = seed >>> 0;
  const uniform = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return {
    reset() {
      mj.mj_resetData(m, d);
      for (let j = 0; j < n; j++) {
        d.qpos[j] = qpos0[j] + p.reset_noise * (2 * uniform() - 1);
        d.qvel[j] = task.normalVelocityNoise ? p.reset_noise * normal() : p.reset_noise * (2 * uniform() - 1);
      }
      mj.mj_forward(m, d);
    },
    step(ctrl) {
      let cost = 0;
      for (let i = 0; i < m.nu; i++) {
        d.ctrl[i] = ctrl[i];
        cost += ctrl[i] * ctrl[i];
      }
      const x0 = d.qpos[0];
      for (let f = 0; f < task.frameSkip; f++) mj.mj_step(m, d);
      const q = d.qpos, v = d.qvel;
      let healthy = true;
      if (p.terminate > 0) {
        healthy = q[1] > p.z_min && q[1] < p.z_max && q[2] > p.angle_min && q[2] < p.angle_max;
        for (let i = 2; i < n && healthy; i++) healthy = q[i] > -p.state_max && q[i] < p.state_max;
        for (let i = 0; i < n && healthy; i++) healthy = v[i] > -p.state_max && v[i] < p.state_max;
      }
      const reward = p.forward_weight * ((q[0] - x0) / dt) - p.ctrl_cost * cost + p.healthy_reward * (healthy ? 1 : 0);
      return { reward, unhealthy: !healthy };
    },
    release() {
      d.delete();
      m.delete();
    },
  };
}

/** A uniform stream over each control's range, for the peer's random controls. */
export function uniformControls(def: EnvDefinition, seed: number): () => number[] {
  let state = seed >>> 0;
  const uniform = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
  return () => def.actionLow.map((lo, i) => lo + (def.actionHigh[i] - lo) * uniform());
}

/**
 * swimmer, hopper, walker2d, half-cheetah: gymnasium v5's MuJoCo locomotion tasks on pathwise's
 * planar engine (src/physics), with pathwise's own robot files (robots/*.xml, the published
 * dimensions). Observations, rewards, health, reset noise and frame skips as gymnasium v5; 1000
 * steps. The float64 reference steps the same equations (src/physics/planarDynamics64.ts), which
 * test/physics holds to MuJoCo's own trajectories.
 */
import engineWgsl from '../../shaders/envs/planar_engine.wgsl?raw';
import locomotionWgsl from '../../shaders/envs/locomotion.wgsl?raw';
import cheetahXml from '../../robots/half_cheetah.xml?raw';
import hopperXml from '../../robots/hopper.xml?raw';
import swimmerXml from '../../robots/swimmer.xml?raw';
import walkerXml from '../../robots/walker2d.xml?raw';
import { ConfigError } from '../errors.js';
import { loadMjcf } from '../physics/mjcf.js';
import { kinematics, step as step64, type PlanarState } from '../physics/planarDynamics64.js';
import { compilePlanar, type PlanarModel, type Vec2 } from '../physics/planarModel.js';
import { planarConstants } from '../physics/planarWgsl.js';
import type { EnvDefinition, EnvReference, Primitive } from './types.js';

interface Health {
  zMin: number;
  zMax: number;
  angleMin: number;
  angleMax: number;
  stateMax: number;
}

export interface LocomotionTask {
  name: string;
  origin: string;
  description: string;
  xml: string;
  frameSkip: number;
  /** Leading positions left out of the observation (the root's x; and y for the swimmer). */
  obsSkip: number;
  resetNoise: number;
  /** Velocities reset with noise * N(0, 1) rather than U(-noise, noise) (half-cheetah). */
  normalVelocityNoise: boolean;
  forwardWeight: number;
  ctrlCost: number;
  healthyReward: number;
  health: Health | null;
  /** gymnasium clips the observed velocities of hopper and walker2d to +-10. */
  velocityClip: number;
}

const BIG = 3.0e38;

const tasks: LocomotionTask[] = [
  {
    name: 'swimmer', origin: "gymnasium's Swimmer-v5 (MuJoCo; pathwise's planar engine)",
    description: 'a three-link swimmer in a viscous fluid: swim forward (+x) fast',
    xml: swimmerXml, frameSkip: 4, obsSkip: 2, resetNoise: 0.1, normalVelocityNoise: false,
    forwardWeight: 1, ctrlCost: 1e-4, healthyReward: 0, health: null, velocityClip: BIG,
  },
  {
    name: 'hopper', origin: "gymnasium's Hopper-v5 (MuJoCo; pathwise's planar engine)",
    description: 'a one-legged hopper: hop forward (+x) without falling',
    xml: hopperXml, frameSkip: 4, obsSkip: 1, resetNoise: 5e-3, normalVelocityNoise: false,
    forwardWeight: 1, ctrlCost: 1e-3, healthyReward: 1,
    health: { zMin: 0.7, zMax: BIG, angleMin: -0.2, angleMax: 0.2, stateMax: 100 }, velocityClip: 10,
  },
  {
    name: 'walker2d', origin: "gymnasium's Walker2d-v5 (MuJoCo; pathwise's planar engine)",
    description: 'a planar biped: walk forward (+x) without falling',
    xml: walkerXml, frameSkip: 4, obsSkip: 1, resetNoise: 5e-3, normalVelocityNoise: false,
    forwardWeight: 1, ctrlCost: 1e-3, healthyReward: 1,
    health: { zMin: 0.8, zMax: 2, angleMin: -1, angleMax: 1, stateMax: BIG }, velocityClip: 10,
  },
  {
    name: 'half-cheetah', origin: "gymnasium's HalfCheetah-v5 (MuJoCo; pathwise's planar engine)",
    description: 'a planar cheetah: run forward (+x) fast',
    xml: cheetahXml, frameSkip: 5, obsSkip: 1, resetNoise: 0.1, normalVelocityNoise: true,
    forwardWeight: 1, ctrlCost: 0.1, healthyReward: 0, health: null, velocityClip: BIG,
  },
];

/** Uniforms a reset consumes: one per position, one (uniform) or two (Box-Muller) per velocity, in draws of 4. */
function resetDraws(model: PlanarModel, task: LocomotionTask): number {
  const n = model.dofs.length;
  return Math.max(2, Math.ceil((n + (task.normalVelocityNoise ? 2 : 1) * n) / 4));
}

type P = Readonly<Record<string, number>>;

function reference(model: PlanarModel, task: LocomotionTask): EnvReference {
  const n = model.dofs.length;
  const qpos0 = model.dofs.map((d) => d.ref);
  const healthy = (s: readonly number[], p: P): boolean => {
    if (p.terminate === 0) return true;
    let ok = s[1] > p.z_min && s[1] < p.z_max && s[2] > p.angle_min && s[2] < p.angle_max;
    for (let i = 2; i < s.length; i++) ok = ok && s[i] > -p.state_max && s[i] < p.state_max;
    return ok;
  };
  return {
    reset(u, p) {
      const q = qpos0.map((x, j) => x + p.reset_noise * (2 * u[j] - 1));
      const v = qpos0.map((_, j) =>
        task.normalVelocityNoise
          ? p.reset_noise * Math.sqrt(-2 * Math.log(u[n + 2 * j])) * Math.cos(2 * Math.PI * u[n + 2 * j + 1])
          : p.reset_noise * (2 * u[n + j] - 1),
      );
      return [...q, ...v];
    },
    step(s, a, p) {
      let st: PlanarState = { q: s.slice(0, n), v: s.slice(n, 2 * n) };
      for (let f = 0; f < task.frameSkip; f++) st = step64(model, st, a);
      const next = [...st.q, ...st.v];
      const ok = healthy(next, p);
      const velocity = (next[0] - s[0]) / (model.timestep * task.frameSkip);
      const cost = a.reduce((acc, x) => acc + x * x, 0);
      return { state: next, reward: p.forward_weight * velocity - p.ctrl_cost * cost + p.healthy_reward * (ok ? 1 : 0), terminated: !ok };
    },
    obs(s, p) {
      const clip = (x: number) => Math.min(Math.max(x, -p.velocity_clip), p.velocity_clip);
      return [...s.slice(task.obsSkip, n), ...s.slice(n, 2 * n).map(clip)];
    },
  };
}

/** Screen axes: world x across; world z up (or y, for a robot in the horizontal plane). */
function screen(model: PlanarModel, p: Vec2): [number, number] {
  const w = [0, 1, 2].map((c) => p[0] * model.e1[c] + p[1] * model.e2[c]);
  const upIsY = Math.abs(model.normal[2]) > 0.9;
  return [w[0], upIsY ? w[1] : w[2]];
}

function render(model: PlanarModel) {
  return (s: readonly number[]) => {
    const kin = kinematics(model, s.slice(0, model.dofs.length));
    const prims: Primitive[] = [];
    const rot = (a: number, v: Vec2): Vec2 => [Math.cos(a) * v[0] - Math.sin(a) * v[1], Math.sin(a) * v[0] + Math.cos(a) * v[1]];
    const world = (b: number, local: Vec2): Vec2 => {
      const r = rot(kin.angle[b], local);
      return [kin.origin[b][0] + r[0], kin.origin[b][1] + r[1]];
    };
    const bodyPoints: [number, number][] = [];
    for (const g of model.geoms) {
      const color = `rgb(${g.rgba.slice(0, 3).map((c) => Math.round(255 * c)).join(',')})`;
      if (g.body < 0) {
        if (g.type !== 'plane' || Math.hypot(...g.planeNormal) < 0.5) continue;
        // The ground's trace in the robot's plane.
        const t: Vec2 = [-g.planeNormal[1], g.planeNormal[0]];
        const a = screen(model, [g.pos[0] - 100 * t[0], g.pos[1] - 100 * t[1]]), b = screen(model, [g.pos[0] + 100 * t[0], g.pos[1] + 100 * t[1]]);
        prims.push({ kind: 'line', x1: a[0], y1: a[1], x2: b[0], y2: b[1], width: 0.02, color: '#7f8c8d' });
        continue;
      }
      if (g.type === 'capsule' || g.type === 'cylinder') {
        const a = screen(model, world(g.body, [g.pos[0] + g.halfAxis[0], g.pos[1] + g.halfAxis[1]]));
        const b = screen(model, world(g.body, [g.pos[0] - g.halfAxis[0], g.pos[1] - g.halfAxis[1]]));
        prims.push({ kind: 'line', x1: a[0], y1: a[1], x2: b[0], y2: b[1], width: 2 * g.size[0], color });
        bodyPoints.push(a, b);
      } else {
        const c = screen(model, world(g.body, g.pos));
        prims.push({ kind: 'circle', x: c[0], y: c[1], r: g.size[0], color, fill: true });
        bodyPoints.push(c);
      }
    }
    // A square around the robot (and the ground below it, for the walkers), with a margin.
    const xs = bodyPoints.map((p) => p[0]), ys = bodyPoints.map((p) => p[1]);
    const upIsY = Math.abs(model.normal[2]) > 0.9;
    const low = upIsY ? Math.min(...ys) : Math.min(0, Math.min(...ys));
    const side = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - low) + 0.6;
    const cx = (Math.max(...xs) + Math.min(...xs)) / 2, bottom = low - 0.2;
    return { bounds: [cx - side / 2, bottom, cx + side / 2, bottom + side] as [number, number, number, number], primitives: prims };
  };
}

function locomotionEnv(task: LocomotionTask): EnvDefinition {
  const model = compilePlanar(loadMjcf(task.xml));
  const n = model.dofs.length;
  const draws = resetDraws(model, task);
  const taskConstants = [
    `const LOCO_FRAME_SKIP: u32 = ${task.frameSkip}u;`,
    `const LOCO_OBS_SKIP: u32 = ${task.obsSkip}u;`,
    `const LOCO_RESET_DRAWS: u32 = ${draws}u;`,
    `const LOCO_NORMAL_VELOCITY_NOISE: bool = ${task.normalVelocityNoise};`,
    `const LOCO_QPOS0 = array<f32, ${n}u>(${model.dofs.map((d) => Math.fround(d.ref).toExponential(9)).join(', ')});`,
  ].join('\n');
  const h = task.health;
  const names = model.dofs.map((d) => d.name);
  return {
    name: task.name,
    origin: task.origin,
    description: task.description,
    stateFields: [...names.map((x) => `qpos_${x}`), ...names.map((x) => `qvel_${x}`)],
    obsFields: [...names.slice(task.obsSkip).map((x) => `qpos_${x}`), ...names.map((x) => `qvel_${x}`)],
    positionObs: names.slice(task.obsSkip).map((_, i) => i),
    actionLow: model.motors.map((a) => (a.ctrllimited ? a.ctrlrange[0] : -1)),
    actionHigh: model.motors.map((a) => (a.ctrllimited ? a.ctrlrange[1] : 1)),
    goalDim: 0,
    horizon: 1000,
    discount: 0.99,
    params: {
      forward_weight: task.forwardWeight, ctrl_cost: task.ctrlCost, healthy_reward: task.healthyReward, reset_noise: task.resetNoise,
      z_min: h?.zMin ?? 0, z_max: h?.zMax ?? 0, angle_min: h?.angleMin ?? 0, angle_max: h?.angleMax ?? 0, state_max: h?.stateMax ?? 0,
      velocity_clip: task.velocityClip, terminate: h ? 1 : 0,
    },
    sysidParams: [],
    shader: {
      path: `envs/locomotion.wgsl (${task.name}: after the model's constants and envs/planar_engine.wgsl)`,
      code: `${planarConstants(model)}\n${taskConstants}\n${engineWgsl}\n${locomotionWgsl}`,
    },
    differentiable: false,
    resetUniforms: 4 * draws,
    reference: reference(model, task),
    render: render(model),
  };
}

export const [swimmer, hopper, walker2d, halfCheetah] = tasks.map(locomotionEnv);

export const LOCOMOTION_ENVS: readonly string[] = tasks.map((t) => t.name);

/** A locomotion env's task: its robot file and gymnasium's settings (for tests and benchmarks). */
export function locomotionTask(name: string): Readonly<LocomotionTask> {
  const task = tasks.find((t) => t.name === name);
  if (!task) throw new ConfigError('env', name, `a locomotion environment (${LOCOMOTION_ENVS.join(', ')})`);
  return task;
}

/** The compiled robot of a locomotion env (for tests and benchmarks). */
export function locomotionModel(name: string): PlanarModel {
  return compilePlanar(loadMjcf(locomotionTask(name).xml));
}

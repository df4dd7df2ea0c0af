/**
 * reacher / reacher-sparse: a planar two-link arm reaching a random goal (gym's Reacher task with
 * simple decoupled joint dynamics). Goal-conditioned: the observation ends with the desired goal;
 * the achieved goal is the fingertip. Dense reward -distance - 0.05 |tau|^2, or sparse 0 within
 * 2 cm else -1; 50 steps.
 */
import wgsl from '../../shaders/envs/reacher.wgsl?raw';
import { goalReward } from './goals.js';
import type { EnvDefinition, EnvReference } from './types.js';

const params = { link1: 0.1, link2: 0.11, gain: 20, damping: 2, dt: 0.02, goal_radius: 0.2, tolerance: 0.02, sparse: 0 };

type P = Readonly<Record<string, number>>;
const fingertip = (s: readonly number[], p: P) => [
  p.link1 * Math.cos(s[0]) + p.link2 * Math.cos(s[0] + s[1]),
  p.link1 * Math.sin(s[0]) + p.link2 * Math.sin(s[0] + s[1]),
];
const clip1 = (x: number) => Math.min(Math.max(x, -1), 1);

export const reacherReference: EnvReference = {
  reset(u, p) {
    const r = p.goal_radius * Math.sqrt(u[2]);
    const angle = 2 * Math.PI * u[3];
    return [Math.PI * (2 * u[0] - 1), u[1] - 0.5, 0, 0, r * Math.cos(angle), r * Math.sin(angle)];
  },
  step(s, a, p) {
    const [t1, t2] = [clip1(a[0]), clip1(a[1])];
    const w1 = s[2] + p.dt * (p.gain * t1 - p.damping * s[2]);
    const w2 = s[3] + p.dt * (p.gain * t2 - p.damping * s[3]);
    const next = [s[0] + p.dt * w1, s[1] + p.dt * w2, w1, w2, s[4], s[5]];
    const [x, y] = fingertip(next, p);
    const d = Math.hypot(x - s[4], y - s[5]);
    const reward = p.sparse > 0 ? (d <= p.tolerance ? 0 : -1) : -d - 0.05 * (t1 * t1 + t2 * t2);
    return { state: next, reward, terminated: false };
  },
  obs(s, p) {
    const [x, y] = fingertip(s, p);
    return [Math.cos(s[0]), Math.cos(s[1]), Math.sin(s[0]), Math.sin(s[1]), s[2], s[3], x, y, s[4], s[5]];
  },
  achievedGoal: (s, p) => fingertip(s, p),
  success(s, p) {
    const [x, y] = fingertip(s, p);
    return Math.hypot(x - s[4], y - s[5]) <= p.tolerance;
  },
  goalReward,
};

export const reacher: EnvDefinition = {
  name: 'reacher',
  origin: "gym's Reacher task (planar two-link arm, own dynamics), goal-conditioned",
  description: 'move the fingertip of a two-link arm to a random goal (dense reward)',
  stateFields: ['q1', 'q2', 'w1', 'w2', 'goal_x', 'goal_y'],
  obsFields: ['cos_q1', 'cos_q2', 'sin_q1', 'sin_q2', 'w1', 'w2', 'tip_x', 'tip_y', 'goal_x', 'goal_y'],
  positionObs: [0, 1, 2, 3, 6, 7, 8, 9],
  actionLow: [-1, -1],
  actionHigh: [1, 1],
  goalDim: 2,
  horizon: 50,
  discount: 0.98,
  params,
  sysidParams: ['gain', 'damping'],
  shader: { path: 'envs/reacher.wgsl', code: wgsl },
  differentiable: true,
  reference: reacherReference,
  render(s, p) {
    const x1 = p.link1 * Math.cos(s[0]), y1 = p.link1 * Math.sin(s[0]);
    const [x2, y2] = fingertip(s, p);
    const reach = p.link1 + p.link2 + 0.02;
    return {
      bounds: [-reach, -reach, reach, reach],
      primitives: [
        { kind: 'circle', x: s[4], y: s[5], r: p.tolerance, color: '#27ae60', fill: true },
        { kind: 'line', x1: 0, y1: 0, x2: x1, y2: y1, width: 0.012, color: '#2c3e50' },
        { kind: 'line', x1, y1, x2, y2, width: 0.012, color: '#c0392b' },
        { kind: 'circle', x: 0, y: 0, r: 0.008, color: '#222', fill: true },
      ],
    };
  },
};

export const reacherSparse: EnvDefinition = {
  ...reacher,
  name: 'reacher-sparse',
  description: 'move the fingertip of a two-link arm to a random goal (sparse reward: 0 within 2 cm, else -1)',
  params: { ...params, sparse: 1 },
  sparseReward: true,
};

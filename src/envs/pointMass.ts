/**
 * point-mass / point-mass-sparse: push a point mass to a random goal in a walled square: the
 * simplest goal-conditioned task. Observation [x, y, vx, vy, goal]; achieved goal = position;
 * dense reward -distance, or sparse 0 within 0.1 else -1; 50 steps.
 */
import wgsl from '../../shaders/envs/point_mass.wgsl?raw';
import { goalReward } from './goals.js';
import type { EnvDefinition, EnvReference } from './types.js';

const params = { gain: 2, damping: 1, dt: 0.1, bound: 1, tolerance: 0.1, sparse: 0 };

const clip = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

export const pointMassReference: EnvReference = {
  reset: (u, p) => [0.8 * p.bound * (2 * u[0] - 1), 0.8 * p.bound * (2 * u[1] - 1), 0, 0, 0.8 * p.bound * (2 * u[2] - 1), 0.8 * p.bound * (2 * u[3] - 1)],
  step(s, a, p) {
    const f = [clip(a[0], -1, 1), clip(a[1], -1, 1)];
    const v = [s[2] + p.dt * (p.gain * f[0] - p.damping * s[2]), s[3] + p.dt * (p.gain * f[1] - p.damping * s[3])];
    const x = [clip(s[0] + p.dt * v[0], -p.bound, p.bound), clip(s[1] + p.dt * v[1], -p.bound, p.bound)];
    return { state: [x[0], x[1], v[0], v[1], s[4], s[5]], reward: goalReward(x, [s[4], s[5]], p), terminated: false };
  },
  obs: (s) => [...s],
  achievedGoal: (s) => [s[0], s[1]],
  success: (s, p) => Math.hypot(s[0] - s[4], s[1] - s[5]) <= p.tolerance,
  goalReward,
};

export const pointMass: EnvDefinition = {
  name: 'point-mass',
  origin: 'a 2-D point mass reaching a goal (the simplest multi-goal task)',
  description: 'push a point mass to a random goal (dense reward)',
  stateFields: ['x', 'y', 'vx', 'vy', 'goal_x', 'goal_y'],
  obsFields: ['x', 'y', 'vx', 'vy', 'goal_x', 'goal_y'],
  positionObs: [0, 1, 4, 5],
  actionLow: [-1, -1],
  actionHigh: [1, 1],
  goalDim: 2,
  horizon: 50,
  discount: 0.98,
  params,
  sysidParams: ['gain', 'damping'],
  shader: { path: 'envs/point_mass.wgsl', code: wgsl },
  differentiable: true,
  reference: pointMassReference,
  render: (s, p) => ({
    bounds: [-p.bound, -p.bound, p.bound, p.bound],
    primitives: [
      { kind: 'circle', x: s[4], y: s[5], r: p.tolerance, color: '#27ae60', fill: true },
      { kind: 'circle', x: s[0], y: s[1], r: 0.04, color: '#2c3e50', fill: true },
    ],
  }),
};

export const pointMassSparse: EnvDefinition = {
  ...pointMass,
  name: 'point-mass-sparse',
  description: 'push a point mass to a random goal (sparse reward: 0 within 0.1, else -1)',
  params: { ...params, sparse: 1 },
  sparseReward: true,
};

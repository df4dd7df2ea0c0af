/**
 * point-mass-cue: the point mass of point-mass pushed to a random goal that only the first
 * observation of an episode shows (a cue: [goal, 1] at the reset, zeros after) - a task that needs
 * memory, for recurrent policies (`--recurrent gru|lstm`): a feedforward policy can only head for
 * where goals are on average once the cue is gone. Dense reward -distance; 50 steps. Differentiable
 * (SVG(inf) through the simulator: a rollout of the whole episode sees the cue at its first step).
 */
import wgsl from '../../shaders/envs/point_mass_cue.wgsl?raw';
import { pointMassReference } from './pointMass.js';
import type { EnvDefinition, EnvReference } from './types.js';

const params = { gain: 2, damping: 1, dt: 0.1, bound: 1, tolerance: 0.1 };


export const pointMassCueReference: EnvReference = {
  reset: (u, p) => [0.8 * p.bound * (2 * u[0] - 1), 0.8 * p.bound * (2 * u[1] - 1), 0, 0, 0.8 * p.bound * (2 * u[2] - 1), 0.8 * p.bound * (2 * u[3] - 1), 0],
  // point-mass's physics and dense reward on the first six fields; the step counter after them.
  step(s, a, p) {
    const { state, reward } = pointMassReference.step(s.slice(0, 6), a, { ...p, sparse: 0 });
    return { state: [...state, s[6] + 1], reward, terminated: false };
  },
  obs(s) {
    const first = s[6] === 0;
    return [s[0], s[1], s[2], s[3], first ? s[4] : 0, first ? s[5] : 0, first ? 1 : 0];
  },
  success: (s, p) => Math.hypot(s[0] - s[4], s[1] - s[5]) <= p.tolerance,
};

export const pointMassCue: EnvDefinition = {
  name: 'point-mass-cue',
  origin: 'point-mass with its goal shown only at the first step (a memory task, issue 17)',
  description: 'push a point mass to a goal shown only in the first observation (needs memory)',
  stateFields: ['x', 'y', 'vx', 'vy', 'goal_x', 'goal_y', 't'],
  obsFields: ['x', 'y', 'vx', 'vy', 'cue_goal_x', 'cue_goal_y', 'cue'],
  positionObs: [0, 1, 4, 5, 6],
  actionLow: [-1, -1],
  actionHigh: [1, 1],
  goalDim: 0,
  horizon: 50,
  discount: 0.98,
  params,
  sysidParams: ['gain', 'damping'],
  shader: { path: 'envs/point_mass_cue.wgsl', code: wgsl },
  differentiable: true,
  reference: pointMassCueReference,
  render: (s, p) => ({
    bounds: [-p.bound, -p.bound, p.bound, p.bound],
    primitives: [
      { kind: 'circle', x: s[4], y: s[5], r: p.tolerance, color: s[6] === 0 ? '#27ae60' : '#cfe8d8', fill: true },
      { kind: 'circle', x: s[0], y: s[1], r: 0.04, color: '#2c3e50', fill: true },
    ],
  }),
};

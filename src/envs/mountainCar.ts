/**
 * mountain-car: MountainCarContinuous-v0 (gym; equations of gymnax). Drive an underpowered car up
 * the right hill; force in [-1, 1]; -0.1 a^2 per step, +100 at the goal, which ends the episode;
 * 999 steps.
 */
import wgsl from '../../shaders/envs/mountain_car.wgsl?raw';
import type { EnvDefinition, EnvReference, Primitive } from './types.js';

const params = {
  min_action: -1, max_action: 1, min_position: -1.2, max_position: 0.6, max_speed: 0.07,
  goal_position: 0.45, goal_velocity: 0, power: 0.0015, gravity: 0.0025,
};

const clip = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

export const mountainCarReference: EnvReference = {
  reset: (u) => [-0.6 + 0.2 * u[0], 0],
  step([x0, v0], [a], p) {
    const force = clip(a, p.min_action, p.max_action);
    let v = clip(v0 + force * p.power - Math.cos(3 * x0) * p.gravity, -p.max_speed, p.max_speed);
    const x = clip(x0 + v, p.min_position, p.max_position);
    if (x >= p.goal_position && v < 0) v = 0;
    const reached = x >= p.goal_position && v >= p.goal_velocity;
    return { state: [x, v], reward: -0.1 * a * a + (reached ? 100 : 0), terminated: reached };
  },
  obs: (s) => [s[0], s[1]],
  success: (s, p) => s[0] >= p.goal_position,
};

/** Height of the hill at x (for drawing): sin(3x) as in gym's renderer. */
const height = (x: number) => 0.45 * Math.sin(3 * x) + 0.55;

export const mountainCar: EnvDefinition = {
  name: 'mountain-car',
  origin: 'MountainCarContinuous-v0 (gym; equations of gymnax)',
  description: 'drive an underpowered car up a hill by rocking back and forth',
  stateFields: ['position', 'velocity'],
  obsFields: ['position', 'velocity'],
  positionObs: [0],
  actionLow: [-1],
  actionHigh: [1],
  goalDim: 0,
  horizon: 999,
  discount: 0.99,
  params,
  sysidParams: ['power', 'gravity'],
  shader: { path: 'envs/mountain_car.wgsl', code: wgsl },
  differentiable: false,
  reference: mountainCarReference,
  render([x], p) {
    const primitives: Primitive[] = [];
    for (let i = 0; i < 40; i++) {
      const a = p.min_position + ((p.max_position - p.min_position) * i) / 40;
      const b = p.min_position + ((p.max_position - p.min_position) * (i + 1)) / 40;
      primitives.push({ kind: 'line', x1: a, y1: height(a), x2: b, y2: height(b), width: 0.01, color: '#555' });
    }
    primitives.push({ kind: 'line', x1: p.goal_position, y1: height(p.goal_position), x2: p.goal_position, y2: height(p.goal_position) + 0.12, width: 0.01, color: '#27ae60' });
    primitives.push({ kind: 'circle', x, y: height(x) + 0.04, r: 0.04, color: '#2c3e50', fill: true });
    return { bounds: [p.min_position, 0, p.max_position, 1.2], primitives };
  },
};

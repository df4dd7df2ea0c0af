/**
 * double-pendulum: balance two poles stacked on a cart (the task of rllab's Double Inverted
 * Pendulum, with our own Lagrangian point-mass model: see shaders/envs/double_pendulum.wgsl).
 * Reward about 10 per step while balanced (gym InvertedDoublePendulum's shape); ends when the tip
 * falls below 80% of its height or the cart leaves the track; 500 steps.
 */
import wgsl from '../../shaders/envs/double_pendulum.wgsl?raw';
import solveSym3Wgsl from '../../shaders/envs/solve_sym3.wgsl?raw';
import { solveSym3 } from './solveSym3.js';
import type { EnvDefinition, EnvReference } from './types.js';

const params = { gravity: 9.8, masscart: 1, mass1: 0.5, mass2: 0.5, length1: 0.6, length2: 0.6, force_mag: 20, dt: 0.05, x_threshold: 2.4 };
const SUBSTEPS = 5;

type P = Readonly<Record<string, number>>;

function accel([, t1, t2]: number[], [, w1, w2]: number[], force: number, p: P): number[] {
  const m12 = p.mass1 + p.mass2, l1 = p.length1, l2 = p.length2;
  const r = [
    force + m12 * l1 * w1 ** 2 * Math.sin(t1) + p.mass2 * l2 * w2 ** 2 * Math.sin(t2),
    -p.mass2 * l1 * l2 * w2 ** 2 * Math.sin(t1 - t2) + m12 * p.gravity * l1 * Math.sin(t1),
    p.mass2 * l1 * l2 * w1 ** 2 * Math.sin(t1 - t2) + p.mass2 * p.gravity * l2 * Math.sin(t2),
  ];
  return solveSym3(p.masscart + m12, m12 * l1 * Math.cos(t1), p.mass2 * l2 * Math.cos(t2), m12 * l1 * l1, p.mass2 * l1 * l2 * Math.cos(t1 - t2), p.mass2 * l2 * l2, r);
}

const tip = (s: readonly number[], p: P) => [s[0] + p.length1 * Math.sin(s[1]) + p.length2 * Math.sin(s[2]), p.length1 * Math.cos(s[1]) + p.length2 * Math.cos(s[2])];

export const doublePendulumReference: EnvReference = {
  reset: (u) => u.slice(0, 6).map((v) => 0.1 * v - 0.05),
  step(s, [a], p) {
    const force = p.force_mag * Math.min(Math.max(a, -1), 1);
    let q = s.slice(0, 3);
    let v = s.slice(3, 6);
    const h = p.dt / SUBSTEPS;
    for (let i = 0; i < SUBSTEPS; i++) {
      const acc = accel(q, v, force, p);
      v = v.map((x, k) => x + h * acc[k]);
      q = q.map((x, k) => x + h * v[k]);
    }
    const next = [...q, ...v];
    const [tx, ty] = tip(next, p);
    const top = p.length1 + p.length2;
    const reward = 10 - 0.01 * tx ** 2 - (ty - top) ** 2 - 0.001 * v[1] ** 2 - 0.005 * v[2] ** 2;
    return { state: next, reward, terminated: ty <= 0.8 * top || Math.abs(q[0]) > p.x_threshold };
  },
  obs: (s) => [s[0], Math.sin(s[1]), Math.sin(s[2]), Math.cos(s[1]), Math.cos(s[2]), s[3], s[4], s[5]],
  success: (s, p) => tip(s, p)[1] > 0.8 * (p.length1 + p.length2),
};

export const doublePendulum: EnvDefinition = {
  name: 'double-pendulum',
  origin: "the balancing task of rllab's Double Inverted Pendulum (own point-mass model)",
  description: 'balance two poles stacked on a cart',
  stateFields: ['x', 'theta1', 'theta2', 'x_dot', 'omega1', 'omega2'],
  obsFields: ['x', 'sin_theta1', 'sin_theta2', 'cos_theta1', 'cos_theta2', 'x_dot', 'omega1', 'omega2'],
  positionObs: [0, 1, 2, 3, 4],
  actionLow: [-1],
  actionHigh: [1],
  goalDim: 0,
  horizon: 500,
  discount: 0.99,
  params,
  sysidParams: ['masscart', 'mass1', 'mass2'],
  shader: { path: 'envs/double_pendulum.wgsl', code: `${solveSym3Wgsl}\n${wgsl}` },
  differentiable: true,
  reference: doublePendulumReference,
  render(s, p) {
    const [x, t1, t2] = s;
    const x1 = x + p.length1 * Math.sin(t1), y1 = p.length1 * Math.cos(t1);
    const [x2, y2] = tip(s, p);
    return {
      bounds: [-2.6, -0.4, 2.6, 1.6],
      primitives: [
        { kind: 'line', x1: -p.x_threshold, y1: -0.1, x2: p.x_threshold, y2: -0.1, width: 0.02, color: '#888' },
        { kind: 'line', x1: x - 0.25, y1: 0, x2: x + 0.25, y2: 0, width: 0.15, color: '#2c3e50' },
        { kind: 'line', x1: x, y1: 0, x2: x1, y2: y1, width: 0.05, color: '#c0392b' },
        { kind: 'line', x1, y1, x2, y2, width: 0.05, color: '#e67e22' },
        { kind: 'circle', x: x2, y: y2, r: 0.05, color: '#e67e22', fill: true },
      ],
    };
  },
};

/**
 * pendulum: Pendulum-v1 (gym classic control, equations as in gymnax's pendulum.py). Swing up and
 * balance; continuous torque in [-2, 2]; reward -(theta^2 + 0.1 theta_dot^2 + 0.001 u^2) with theta
 * normalised to [-pi, pi); 200 steps, no termination.
 */
import pendulumWgsl from '../../shaders/envs/pendulum.wgsl?raw';
import type { EnvDefinition, EnvReference } from './types.js';

const params = { max_speed: 8, max_torque: 2, dt: 0.05, g: 10, m: 1, l: 1 };

const clip = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

/** Python's ((x + pi) % (2 pi)) - pi. */
export function angleNormalize(x: number): number {
  return x - 2 * Math.PI * Math.floor((x + Math.PI) / (2 * Math.PI));
}

export const pendulumReference: EnvReference = {
  reset: (u) => [Math.PI * (2 * u[0] - 1), 2 * u[1] - 1],
  step([th, thdot], [a], p) {
    const u = clip(a, -p.max_torque, p.max_torque);
    const reward = -(angleNormalize(th) ** 2 + 0.1 * thdot ** 2 + 0.001 * u ** 2);
    let newthdot = thdot + ((3 * p.g) / (2 * p.l) * Math.sin(th) + (3 / (p.m * p.l ** 2)) * u) * p.dt;
    newthdot = clip(newthdot, -p.max_speed, p.max_speed);
    return { state: [th + newthdot * p.dt, newthdot], reward, terminated: false };
  },
  obs: ([th, thdot]) => [Math.cos(th), Math.sin(th), thdot],
};

export const pendulum: EnvDefinition = {
  name: 'pendulum',
  origin: 'Pendulum-v1 (gym; equations of gymnax)',
  description: 'swing a pendulum up and keep it upright with limited torque',
  stateFields: ['theta', 'theta_dot'],
  obsFields: ['cos_theta', 'sin_theta', 'theta_dot'],
  positionObs: [0, 1],
  actionLow: [-2],
  actionHigh: [2],
  goalDim: 0,
  horizon: 200,
  discount: 0.99,
  params,
  sysidParams: ['m', 'l'],
  shader: { path: 'envs/pendulum.wgsl', code: pendulumWgsl },
  differentiable: true,
  reference: pendulumReference,
  render([th], p) {
    const x = p.l * Math.sin(th);
    const y = p.l * Math.cos(th);
    return {
      bounds: [-1.3 * p.l, -1.3 * p.l, 1.3 * p.l, 1.3 * p.l],
      primitives: [
        { kind: 'line', x1: 0, y1: 0, x2: x, y2: y, width: 0.08, color: '#c0392b' },
        { kind: 'circle', x: 0, y: 0, r: 0.05, color: '#222', fill: true },
      ],
    };
  },
};

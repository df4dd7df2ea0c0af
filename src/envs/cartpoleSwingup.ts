/**
 * cartpole-swingup: the cart-pole dynamics of `cartpole`, started hanging down on a track with
 * walls at +-2.4 (the cart stops there); reward cos(theta) - 0.01 x^2 - 0.01 a^2 per step (at
 * most 1), no termination, 500 steps.
 */
import dynamics from '../../shaders/envs/cartpole_dynamics.wgsl?raw';
import wgsl from '../../shaders/envs/cartpole_swingup.wgsl?raw';
import { cartpoleAccel, drawCartPole } from './cartpoleDynamics.js';
import type { EnvDefinition, EnvReference } from './types.js';

const params = { gravity: 9.8, masscart: 1, masspole: 0.1, length: 0.5, force_mag: 10, tau: 0.02, track_limit: 2.4 };

export const cartpoleSwingupReference: EnvReference = {
  reset: (u) => [0.1 * u[0] - 0.05, 0.1 * u[1] - 0.05, Math.PI + 0.1 * u[2] - 0.05, 0.1 * u[3] - 0.05],
  step(s, [a], p) {
    const push = Math.min(Math.max(a, -1), 1);
    const [xAcc, thetaAcc] = cartpoleAccel(s[2], s[3], p.force_mag * push, { gravity: p.gravity, masscart: p.masscart, masspole: p.masspole, length: p.length });
    const next = [s[0] + p.tau * s[1], s[1] + p.tau * xAcc, s[2] + p.tau * s[3], s[3] + p.tau * thetaAcc];
    if (Math.abs(next[0]) > p.track_limit) {
      next[0] = Math.sign(next[0]) * p.track_limit; // the wall stops the cart
      next[1] = 0;
    }
    return { state: next, reward: Math.cos(next[2]) - 0.01 * next[0] ** 2 - 0.01 * push ** 2, terminated: false };
  },
  obs: (s) => [s[0], s[1], Math.cos(s[2]), Math.sin(s[2]), s[3]],
  success: (s) => Math.cos(s[2]) > 0.95,
};

export const cartpoleSwingup: EnvDefinition = {
  name: 'cartpole-swingup',
  origin: 'cart-pole swing-up on CartPole-v1 dynamics, walls at +-2.4 (smooth reward, no termination)',
  description: 'swing a hanging pole up by moving the cart, then keep it upright',
  stateFields: ['x', 'x_dot', 'theta', 'theta_dot'],
  obsFields: ['x', 'x_dot', 'cos_theta', 'sin_theta', 'theta_dot'],
  positionObs: [0, 2, 3],
  actionLow: [-1],
  actionHigh: [1],
  goalDim: 0,
  horizon: 500,
  discount: 0.99,
  params,
  sysidParams: ['masscart', 'masspole', 'length'],
  shader: { path: 'envs/cartpole_swingup.wgsl', code: `${dynamics}\n${wgsl}` },
  differentiable: true,
  reference: cartpoleSwingupReference,
  render: (s, p) => {
    const wall = p.track_limit + 0.25;
    const walls = [-wall, wall].map((w) => ({ kind: 'line' as const, x1: w, y1: -0.2, x2: w, y2: 0.3, width: 0.06, color: '#555' }));
    return { bounds: [-wall - 0.3, -1.3 - wall / 2, wall + 0.3, 1.6 + wall / 2], primitives: [...drawCartPole(s[0], s[2], p.length, wall), ...walls] };
  },
};

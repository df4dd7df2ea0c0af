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
    // The wall's position as the GPU holds it (float32), so a cart resting there is at it in both.
    const wall = Math.fround(p.track_limit);
    let [xAcc, thetaAcc] = cartpoleAccel(s[2], s[3], p.force_mag * push, { gravity: p.gravity, masscart: p.masscart, masspole: p.masspole, length: p.length });
    // Pinned at a wall: the cart stays, the pole swings about a fixed pivot (see the WGSL).
    const held = Math.abs(s[0]) >= wall && s[0] * s[1] >= 0 && s[0] * xAcc >= 0;
    if (held) [xAcc, thetaAcc] = [0, (3 * p.gravity * Math.sin(s[2])) / (4 * p.length)];
    const next = [s[0] + p.tau * s[1], s[1] + p.tau * xAcc, s[2] + p.tau * s[3], s[3] + p.tau * thetaAcc];
    if (held || Math.abs(next[0]) > wall) {
      next[0] = Math.min(Math.max(next[0], -wall), wall); // the wall stops the cart
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
    const wall = p.track_limit + 0.25; // the cart's half-width: its side touches the wall
    const reach = p.track_limit + 2 * p.length + 0.1; // a horizontal pole on a cart at the wall
    const walls = [-wall, wall].map((w) => ({ kind: 'line' as const, x1: w, y1: -0.2, x2: w, y2: 0.3, width: 0.06, color: '#555' }));
    return { bounds: [-reach, -reach * 0.55, reach, reach * 0.55 + 0.3], primitives: [...drawCartPole(s[0], s[2], p.length, wall), ...walls] };
  },
};

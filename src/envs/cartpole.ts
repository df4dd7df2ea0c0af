/**
 * cartpole: balance a pole on a cart. CartPole-v1 dynamics (gymnax) with a continuous force
 * a in [-1, 1] times 10 N; reward 1 per step from a non-terminal state; ends when |x| > 2.4 or
 * |theta| > 12 degrees; 500 steps. rllab's Cart-Pole Balancing (the DDPG reference score 4634)
 * pays about 10 per step (10 - (1 - cos theta) - 1e-5 a^2) over the same horizon, so its returns
 * are about 10x ours for the same behaviour.
 */
import dynamics from '../../shaders/envs/cartpole_dynamics.wgsl?raw';
import wgsl from '../../shaders/envs/cartpole.wgsl?raw';
import { cartpoleAccel, drawCartPole } from './cartpoleDynamics.js';
import type { EnvDefinition, EnvReference } from './types.js';

const params = { gravity: 9.8, masscart: 1, masspole: 0.1, length: 0.5, force_mag: 10, tau: 0.02, theta_threshold_radians: (12 * 2 * Math.PI) / 360, x_threshold: 2.4 };

const outside = (s: readonly number[], p: Readonly<Record<string, number>>) =>
  s[0] < -p.x_threshold || s[0] > p.x_threshold || s[2] < -p.theta_threshold_radians || s[2] > p.theta_threshold_radians;

export const cartpoleReference: EnvReference = {
  reset: (u) => u.slice(0, 4).map((v) => 0.1 * v - 0.05),
  step(s, [a], p) {
    const force = p.force_mag * Math.min(Math.max(a, -1), 1);
    const [xAcc, thetaAcc] = cartpoleAccel(s[2], s[3], force, { gravity: p.gravity, masscart: p.masscart, masspole: p.masspole, length: p.length });
    const next = [s[0] + p.tau * s[1], s[1] + p.tau * xAcc, s[2] + p.tau * s[3], s[3] + p.tau * thetaAcc];
    return { state: next, reward: outside(s, p) ? 0 : 1, terminated: outside(next, p) };
  },
  obs: (s) => [...s],
};

export const cartpole: EnvDefinition = {
  name: 'cartpole',
  origin: 'CartPole-v1 dynamics (gymnax) with a continuous force; the balancing task of rllab',
  description: 'keep a pole upright on a cart by pushing the cart left and right',
  stateFields: ['x', 'x_dot', 'theta', 'theta_dot'],
  obsFields: ['x', 'x_dot', 'theta', 'theta_dot'],
  positionObs: [0, 2],
  actionLow: [-1],
  actionHigh: [1],
  goalDim: 0,
  horizon: 500,
  discount: 0.99,
  params,
  sysidParams: ['masscart', 'masspole', 'length'],
  shader: { path: 'envs/cartpole.wgsl', code: `${dynamics}\n${wgsl}` },
  differentiable: false,
  reference: cartpoleReference,
  render: (s, p) => ({ bounds: [-2.6, -0.5, 2.6, 1.6], primitives: drawCartPole(s[0], s[2], p.length, p.x_threshold) }),
};

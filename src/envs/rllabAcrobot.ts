/**
 * rllab-acrobot: rllab's Acrobot row of Duan et al. 2016, which rllab implements as
 * rllab/envs/box2d/double_pendulum_env.py (a two-link arm with torque at the elbow only, PILCO's
 * double pendulum): swing the tip from hanging to straight up; reward minus the tip's distance
 * from the top (about -4 per step hanging), no termination, horizon 500. Equations and the tip
 * rllab measures (its x mirrored): shaders/envs/rllab_acrobot.wgsl.
 *
 * Where this differs from rllab running Box2D: Box2D holds the links together with revolute
 * joints solved by sequential impulses (20 velocity and 20 position iterations in this model);
 * here the links' exact equations of motion in their two angles are integrated with Box2D's
 * scheme (semi-implicit Euler, two steps of 0.01 s) and its angular speed limit (Box2D's linear
 * speed limit, 200 m/s, is not applied). One Box2D step changes the velocities exactly as these
 * equations without their velocity-product terms (Box2D solves the joints at the current
 * configuration and brings those terms in through later positions): test/envs/rllab.test.ts.
 * Gravity is pybox2d's default, 10 m/s^2. The template's `noise` option (a random link length) is
 * rllab's system identification; ours scales the length. rllab's get_tip_pos mirrors the tip's x
 * (kept: it is the reward rllab's figures were measured with). rllab's reset sets the links'
 * angles and spins but leaves link 2's body where the model put it, so Box2D's first steps pull
 * the elbow together; here a reset state is consistent from the start.
 *
 * Random policy: rllab's Random column says -1904.5 (3.8 from the top per step: an arm that
 * hardly moves). Uniform actions on this model swing it wildly (the elbow's 50 N m is ten times
 * what gravity can hold): -1236 here over 1000 episodes, and -1295 in Box2D itself (planck.js on
 * rllab's model, 50 episodes), so rllab's figure is not what its released model gives with random
 * actions in the action bounds; torques of about +-3 N m would give it (-1938 in Box2D).
 */
import wgsl from '../../shaders/envs/rllab_acrobot.wgsl?raw';
import type { EnvDefinition, EnvReference } from './types.js';

type P = Readonly<Record<string, number>>;

const FRAME_SKIP = 2;

/**
 * Float64 angular accelerations [w1', w2'] of envs/rllab_acrobot.wgsl; `velocityTerms` 0 drops the
 * velocity-product terms (tests: one Box2D step equals ours without them).
 */
export function rllabAcrobotAccel(s: readonly number[], tau: number, p: P, velocityTerms = 1): [number, number] {
  const len = p.link_length, m = p.density * p.link_width * len, c = 0.5 * len;
  const inertia = (m * (len * len + p.link_width ** 2)) / 12;
  const d = s[0] - s[1];
  const m11 = inertia + m * c * c + m * len * len, m12 = m * len * c * Math.cos(d), m22 = inertia + m * c * c;
  const r1 = -tau - velocityTerms * m * len * c * Math.sin(d) * s[3] ** 2 - m * p.gravity * (c + len) * Math.sin(s[0]);
  const r2 = tau + velocityTerms * m * len * c * Math.sin(d) * s[2] ** 2 - m * p.gravity * c * Math.sin(s[1]);
  const det = m11 * m22 - m12 * m12;
  return [(m22 * r1 - m12 * r2) / det, (m11 * r2 - m12 * r1) / det];
}

const gaussianPair = (u1: number, u2: number) => {
  const r = Math.sqrt(-2 * Math.log(u1));
  return [r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2)];
};

export const rllabAcrobotReference: EnvReference = {
  reset(u) {
    const [t1, t2] = gaussianPair(u[0], u[1]);
    const [w1, w2] = gaussianPair(u[2], u[3]);
    return [0.1 * t1, 0.1 * t2, 0.01 * w1, 0.01 * w2];
  },
  step(s0, [a], p) {
    const tau = p.max_torque * Math.min(Math.max(a, -1), 1);
    const wLimit = p.max_rotation / p.dt;
    let s = [...s0];
    for (let k = 0; k < FRAME_SKIP; k++) {
      const [a1, a2] = rllabAcrobotAccel(s, tau, p);
      const w1 = Math.min(Math.max(s[2] + p.dt * a1, -wLimit), wLimit);
      const w2 = Math.min(Math.max(s[3] + p.dt * a2, -wLimit), wLimit);
      s = [s[0] + p.dt * w1, s[1] + p.dt * w2, w1, w2];
    }
    const len = p.link_length;
    const tip = [len * Math.sin(s[0]) - len * Math.sin(s[1]), -len * Math.cos(s[0]) - len * Math.cos(s[1])];
    return { state: s, reward: -Math.hypot(tip[0], tip[1] - 2 * len), terminated: false };
  },
  obs: (s) => [Math.sin(s[0]), Math.cos(s[0]), s[2], Math.sin(s[1]), Math.cos(s[1]), s[3]],
  success: (s, p) => Math.hypot(p.link_length * (Math.sin(s[0]) + Math.sin(s[1])), -p.link_length * (Math.cos(s[0]) + Math.cos(s[1])) - 2 * p.link_length) < 0.25 * p.link_length,
};

export const rllabAcrobot: EnvDefinition = {
  name: 'rllab-acrobot',
  origin: "rllab's Acrobot (Box2D model of rllab/envs/box2d/double_pendulum_env.py; Duan et al. 2016)",
  description: 'swing a two-link arm driven at the elbow from hanging to straight up',
  stateFields: ['theta1', 'theta2', 'omega1', 'omega2'],
  obsFields: ['sin_theta1', 'cos_theta1', 'omega1', 'sin_theta2', 'cos_theta2', 'omega2'],
  positionObs: [0, 1, 3, 4],
  actionLow: [-1],
  actionHigh: [1],
  goalDim: 0,
  horizon: 500,
  discount: 0.99,
  params: { gravity: 10, link_length: 1, link_width: 0.1, density: 5, dt: 0.01, max_rotation: Math.PI / 2, max_torque: 50 },
  sysidParams: ['gravity', 'link_length', 'density'],
  shader: { path: 'envs/rllab_acrobot.wgsl', code: wgsl },
  differentiable: false,
  reference: rllabAcrobotReference,
  render(s, p) {
    const len = p.link_length;
    const elbow = [len * Math.sin(s[0]), -len * Math.cos(s[0])];
    const tip = [elbow[0] + len * Math.sin(s[1]), elbow[1] - len * Math.cos(s[1])];
    return {
      bounds: [-2.3 * len, -2.3 * len, 2.3 * len, 2.3 * len],
      primitives: [
        { kind: 'circle', x: 0, y: 2 * len, r: 0.08 * len, color: '#27ae60', fill: false },
        { kind: 'line', x1: 0, y1: 0, x2: elbow[0], y2: elbow[1], width: p.link_width, color: '#2c3e50' },
        { kind: 'line', x1: elbow[0], y1: elbow[1], x2: tip[0], y2: tip[1], width: p.link_width, color: '#c0392b' },
      ],
    };
  },
};

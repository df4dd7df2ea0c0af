/**
 * rllab-cartpole and rllab-cartpole-swingup: rllab's Cart-Pole Balancing and "Inverted Pendulum"
 * (the swing-up) rows of Duan et al. 2016, on rllab's Box2D cart-pole model
 * (rllab/envs/box2d/{cartpole_env,cartpole_swingup_env}.py, models/cartpole.xml.mako): the same
 * masses, sizes, force limit, time step, rewards, terminations and resets, horizon 500.
 *
 * Where this differs from rllab running Box2D: Box2D integrates two rigid bodies held together by
 * a revolute and a prismatic joint with sequential impulses (8 velocity and 3 position
 * iterations), so its joint holds to the solver's tolerance and the pole's centripetal term enters
 * through position correction; here the same two bodies are written in generalized coordinates
 * (x, theta), whose exact equations of motion are integrated with Box2D's scheme (semi-implicit
 * Euler: velocities, then positions) and its per-step speed limits. One Box2D step changes the
 * velocities exactly as these equations without the centripetal term (to 1e-9: Box2D solves the
 * joints at the current configuration, and the term comes in through its position correction and
 * the next steps), and the positions as ours up to that correction (a few thousandths of a rad);
 * swinging trajectories then part like any chaotic system's. Gravity is pybox2d's default
 * world gravity, 10 m/s^2 (the model sets none). Fixture friction plays no part (the bodies in
 * contact are joined, and Box2D does not collide joined bodies). rllab's reset sets the cart's
 * position and velocity and the pole's angle and spin but leaves the pole's body where it was and
 * at rest, so Box2D's first step pulls the two together (the cart's start speed shared with the
 * pole); here a reset state is consistent from the start.
 */
import dynamics from '../../shaders/envs/rllab_cartpole_dynamics.wgsl?raw';
import balancingWgsl from '../../shaders/envs/rllab_cartpole.wgsl?raw';
import swingupWgsl from '../../shaders/envs/rllab_cartpole_swingup.wgsl?raw';
import type { EnvDefinition, EnvReference, Primitive } from './types.js';

type P = Readonly<Record<string, number>>;

/** rllab's model: cart 4/sqrt(12) x 3/sqrt(12) at density 1, pole 0.1 x 1 at density 1. */
const model = {
  gravity: 10, masscart: 1, masspole: 0.1, pole_length: 1, pole_width: 0.1, dt: 0.05,
  max_translation: 2, max_rotation: Math.PI / 2, force_mag: 10,
};

/**
 * Float64 accelerations [x'', theta''] of envs/rllab_cartpole_dynamics.wgsl. `velocityTerms` 0
 * drops the centripetal term (tests: Box2D's velocity step solves its joints at the current
 * configuration, so one step of it equals ours without that term; see test/envs/rllab.test.ts).
 */
export function rllabCartpoleAccel(s: readonly number[], force: number, p: P, velocityTerms = 1): [number, number] {
  const l = 0.5 * p.pole_length;
  const inertia = (p.masspole * (p.pole_length ** 2 + p.pole_width ** 2)) / 12;
  const c = Math.cos(s[2]), sn = Math.sin(s[2]);
  const a11 = p.masscart + p.masspole, a12 = -p.masspole * l * c, a22 = inertia + p.masspole * l * l;
  const r1 = force - velocityTerms * p.masspole * l * sn * s[3] ** 2;
  const r2 = p.masspole * p.gravity * l * sn;
  const det = a11 * a22 - a12 * a12;
  return [(a22 * r1 - a12 * r2) / det, (a11 * r2 - a12 * r1) / det];
}

/** Float64 step of envs/rllab_cartpole_dynamics.wgsl: semi-implicit Euler with Box2D's speed limits. */
export function rllabCartpoleStep(s: readonly number[], force: number, p: P): number[] {
  const [xAcc, thetaAcc] = rllabCartpoleAccel(s, force, p);
  const vLimit = p.max_translation / p.dt, wLimit = p.max_rotation / p.dt;
  const v = Math.min(Math.max(s[1] + p.dt * xAcc, -vLimit), vLimit);
  const w = Math.min(Math.max(s[3] + p.dt * thetaAcc, -wLimit), wLimit);
  return [s[0] + p.dt * v, v, s[2] + p.dt * w, w];
}

const force = (a: number, p: P) => p.force_mag * Math.min(Math.max(a, -1), 1);

export const rllabCartpoleReference: EnvReference = {
  reset: (u, p) => [p.max_cart_pos, 4, p.max_pole_angle, 4].map((b, i) => 0.05 * b * (2 * u[i] - 1)),
  step(s, [a], p) {
    const f = force(a, p);
    const next = rllabCartpoleStep(s, f, p);
    const done = Math.abs(next[0]) > p.max_cart_pos || Math.abs(next[2]) > p.max_pole_angle;
    return { state: next, reward: done ? 0 : 10 - (1 - Math.cos(next[2])) - 1e-5 * f * f, terminated: done };
  },
  obs: (s) => [...s],
};

export const rllabCartpoleSwingupReference: EnvReference = {
  reset: (u) => [2 * u[0] - 1, 2 * (2 * u[1] - 1), Math.PI + 2 * u[2] - 1, 3 * (2 * u[3] - 1)],
  step(s, [a], p) {
    const next = rllabCartpoleStep(s, force(a, p), p);
    const done = Math.abs(next[0]) > p.max_cart_pos;
    return { state: next, reward: done ? -100 : Math.cos(next[2]), terminated: done };
  },
  obs: (s) => [...s],
  success: (s) => Math.cos(s[2]) > 0.95,
};

/** rllab's cart (1.15 x 0.87 m) and pole (1 m from the cart's top) as drawing primitives. */
function drawRllabCartPole(x: number, theta: number, p: P, track: number): Primitive[] {
  const w = 4 / Math.sqrt(12), h = 3 / Math.sqrt(12);
  return [
    { kind: 'line', x1: -track, y1: 0, x2: track, y2: 0, width: 0.03, color: '#888' },
    { kind: 'line', x1: x - w / 2, y1: h / 2, x2: x + w / 2, y2: h / 2, width: h, color: '#2c3e50' },
    { kind: 'line', x1: x, y1: h, x2: x - p.pole_length * Math.sin(theta), y2: h + p.pole_length * Math.cos(theta), width: p.pole_width, color: '#c0392b' },
  ];
}

const common = {
  stateFields: ['x', 'x_dot', 'theta', 'theta_dot'],
  obsFields: ['x', 'x_dot', 'theta', 'theta_dot'],
  positionObs: [0, 2],
  actionLow: [-1],
  actionHigh: [1],
  goalDim: 0,
  horizon: 500,
  discount: 0.99,
  sysidParams: ['masscart', 'masspole', 'pole_length'],
  differentiable: false,
} as const;

export const rllabCartpole: EnvDefinition = {
  ...common,
  name: 'rllab-cartpole',
  origin: "rllab's Cart-Pole Balancing (Box2D model of rllab/envs/box2d/cartpole_env.py; Duan et al. 2016)",
  description: 'keep the pole within 0.2 rad of upright and the cart within 2.4 m: about 10 per step',
  params: { ...model, max_cart_pos: 2.4, max_pole_angle: 0.2 },
  shader: { path: 'envs/rllab_cartpole.wgsl', code: `${dynamics}\n${balancingWgsl}` },
  reference: rllabCartpoleReference,
  render: (s, p) => ({ bounds: [-3, -0.4, 3, 2.2], primitives: drawRllabCartPole(s[0], s[2], p, p.max_cart_pos) }),
};

export const rllabCartpoleSwingup: EnvDefinition = {
  ...common,
  name: 'rllab-cartpole-swingup',
  origin: "rllab's Inverted Pendulum, the cart-pole swing-up (Box2D model of rllab/envs/box2d/cartpole_swingup_env.py; Duan et al. 2016)",
  description: 'swing the pole up from below and hold it there without leaving the 3 m track (-100 and the end if the cart does)',
  params: { ...model, max_cart_pos: 3 },
  shader: { path: 'envs/rllab_cartpole_swingup.wgsl', code: `${dynamics}\n${swingupWgsl}` },
  reference: rllabCartpoleSwingupReference,
  render: (s, p) => ({ bounds: [-4, -1.4, 4, 2.6], primitives: drawRllabCartPole(s[0], s[2], p, p.max_cart_pos) }),
};

/**
 * rllab-double-pendulum: rllab's "Double Inverted Pendulum" (Duan et al. 2016), exactly as rllab
 * defines it (rllab/envs/mujoco/inverted_double_pendulum_env.py on its MuJoCo model
 * vendor/mujoco_models/inverted_double_pendulum.xml.mako, rendered without noise):
 *   - a cart (capsule r 0.1, half-length 0.1) on a slider (x), pole 1 on a hinge (theta1, about
 *     y: a positive angle moves the tip to +x), pole 2 on a hinge at pole 1's end (theta2,
 *     relative); poles are capsules fromto 0 -> 0.6, radius 0.045; masses and inertias from the
 *     geoms at MuJoCo's default density 1000 (inertiafromgeom); damping 0.05 on every joint;
 *     gravity (1e-5, 0, -9.81), the tiny x component kept;
 *   - a motor of gear 500 on the slider, ctrl = clip(a, -1, 1);
 *   - one env step = frame_skip 2 MuJoCo steps of RK4 at timestep 0.01 (classical RK4 on
 *     (q, q'), the control held), as MujocoEnv.forward_dynamics; reward and termination read the
 *     state reached (rllab calls model.forward() after stepping, so site_xpos is current);
 *   - obs (11) = [x, sin t1, sin t2, cos t1, cos t2, clip(q', +-10), clip(qfrc_constraint, +-10)];
 *   - reward = 10 - 0.01 tip_x^2 - (tip_y - 2)^2 - 1e-3 w1^2 - 5e-3 w2^2, terminated when
 *     tip_y <= 1 (the tip never rises above 1.2, so the best step earns 9.36, as in rllab);
 *   - reset: q = 0, q' = 0 except theta1 ~ U(-20, 20) degrees (rllab's reset_mujoco override:
 *     no further noise); horizon 500, discount 0.99 (the benchmark's settings).
 * Masses and inertias are those of rllab's MuJoCo (1.31): until MuJoCo 2.1.2 the compiler's
 * inertiafromgeom took a capsule (radius r, cylinder length h) for a solid cylinder of radius r
 * and length h + r (MuJoCo 2.1.2 changelog, "Computed capsule inertias are now exact"); so the cart
 * weighs 9.42 kg (10.47 in MuJoCo >= 2.1.2), each pole 4.103 kg (4.199) with 0.1443 kg m^2 about
 * its centre (0.1550). With these, uniform random actions return 149.8 (20,000 float64 episodes,
 * standard error 0.3; 1000 GPU episodes: 149.3 with seed 2024, 151.1 with seed 7, se 1.5),
 * rllab's published 149.7 (episodes of 16.4 steps here); with MuJoCo 3's exact capsules they
 * would return about 155.8.
 * Differences from MuJoCo: the dynamics are the closed-form Lagrangian of the three-body chain
 * (the same as MuJoCo's composite-rigid-body result to rounding: test/envs/
 * rllabDoublePendulum.mujoco.test.ts steps rllab's XML in mujoco-js against this reference, with
 * mujoco-js's constants). The slider's limit (range +-10 m, margin 0.01) is NOT modelled: MuJoCo's
 * soft limit constraint only acts beyond |x| > 9.99 m, which a random policy never reaches before
 * the poles fall and a balancing policy, paying 0.01 x^2 at the tip, has no reason to; so the
 * three qfrc_constraint observations are always 0 here (in rllab they are 0 too until the cart
 * reaches the limit), and the cart may run past 10 m.
 */
import wgsl from '../../shaders/envs/rllab_double_pendulum.wgsl?raw';
import solveSym3Wgsl from '../../shaders/envs/solve_sym3.wgsl?raw';
import { solveSym3 } from './solveSym3.js';
import type { EnvDefinition, EnvReference } from './types.js';

const DENSITY = 1000;

/** Mass and squared radius of gyration (inertia / mass, across the axis, about the centre). */
export interface CapsuleInertial {
  mass: number;
  gyration: number;
}

/**
 * A capsule (radius r, cylinder length h) as MuJoCo before 2.1.2 (rllab's 1.31) compiled it: a
 * solid cylinder of radius r and length h + r.
 */
export function capsuleMujoco131(r: number, h: number): CapsuleInertial {
  const l = h + r;
  return { mass: DENSITY * Math.PI * r * r * l, gyration: (3 * r * r + l * l) / 12 };
}

/** A capsule as MuJoCo >= 2.1.2 (mujoco-js) compiles it: the cylinder plus two hemispheres. */
export function capsuleMujoco3(r: number, h: number): CapsuleInertial {
  const mass = DENSITY * Math.PI * r * r * (h + (4 / 3) * r);
  const ms = (mass * 4 * r) / (4 * r + 3 * h), mc = mass - ms;
  const inertia = (mc * (3 * r * r + h * h)) / 12 + 0.4 * ms * r * r + (ms * h * (3 * r + 2 * h)) / 8;
  return { mass, gyration: inertia / mass };
}

const cart = capsuleMujoco131(0.1, 0.2);
const pole = capsuleMujoco131(0.045, 0.6);

const params = {
  gravity_x: 1e-5,
  gravity: 9.81,
  mass_cart: cart.mass,
  mass1: pole.mass,
  mass2: pole.mass,
  length1: 0.6,
  length2: 0.6,
  /** Inertia of each pole about its centre over its mass (so that it follows the mass under sysid). */
  gyration1: pole.gyration,
  gyration2: pole.gyration,
  damping: 0.05,
  gear: 500,
  timestep: 0.01,
  alive_bonus: 10,
  tip_target: 2,
  tip_min: 1,
};
const FRAME_SKIP = 2;

type P = Readonly<Record<string, number>>;

/** q'' of the chain: M(q) q'' = tau + Q_gravity - C(q, q') - damping q'. */
export function rllabDoublePendulumAccel(q: readonly number[], v: readonly number[], force: number, p: P): number[] {
  const { mass_cart: m0, mass1: m1, mass2: m2, length1: l1, length2: l2 } = p;
  const c1 = 0.5 * l1, c2 = 0.5 * l2;
  const i1 = m1 * p.gyration1, i2 = m2 * p.gyration2;
  const s1 = Math.sin(q[1]), co1 = Math.cos(q[1]);
  const s12 = Math.sin(q[1] + q[2]), co12 = Math.cos(q[1] + q[2]);
  const s2 = Math.sin(q[2]), co2 = Math.cos(q[2]);
  const w1 = v[1], w12 = v[1] + v[2];
  const k1 = m1 * c1 + m2 * l1, k2 = m2 * c2;
  const gx = p.gravity_x, gz = p.gravity;
  const r = [
    force + (m0 + m1 + m2) * gx + k1 * s1 * w1 * w1 + k2 * s12 * w12 * w12 - p.damping * v[0],
    gx * (k1 * co1 + k2 * co12) + gz * (k1 * s1 + k2 * s12) + m2 * l1 * c2 * s2 * (w12 * w12 - w1 * w1) - p.damping * v[1],
    gx * k2 * co12 + gz * k2 * s12 - m2 * l1 * c2 * s2 * w1 * w1 - p.damping * v[2],
  ];
  const m22 = i2 + m2 * c2 * c2;
  const m12 = m22 + m2 * l1 * c2 * co2;
  const m11 = i1 + m1 * c1 * c1 + m2 * l1 * l1 + m22 + 2 * m2 * l1 * c2 * co2;
  return solveSym3(m0 + m1 + m2, k1 * co1 + k2 * co12, k2 * co12, m11, m12, m22, r);
}

/** The pole tip (rllab's site 'tip'): [x, height]. */
export const rllabDoublePendulumTip = (s: readonly number[], p: P) => [
  s[0] + p.length1 * Math.sin(s[1]) + p.length2 * Math.sin(s[1] + s[2]),
  p.length1 * Math.cos(s[1]) + p.length2 * Math.cos(s[1] + s[2]),
];

const clip = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

export const rllabDoublePendulumReference: EnvReference = {
  reset: (u) => [0, ((u[0] - 0.5) * 40 * Math.PI) / 180, 0, 0, 0, 0],
  step(s, [a], p) {
    const force = p.gear * clip(a, -1, 1);
    const h = p.timestep;
    let q = s.slice(0, 3), v = s.slice(3, 6);
    for (let f = 0; f < FRAME_SKIP; f++) {
      // Classical RK4 on (q, q'), as MuJoCo's mj_RungeKutta.
      const k1 = rllabDoublePendulumAccel(q, v, force, p);
      const v1 = v.map((x, i) => x + 0.5 * h * k1[i]);
      const k2 = rllabDoublePendulumAccel(q.map((x, i) => x + 0.5 * h * v[i]), v1, force, p);
      const v2 = v.map((x, i) => x + 0.5 * h * k2[i]);
      const k3 = rllabDoublePendulumAccel(q.map((x, i) => x + 0.5 * h * v1[i]), v2, force, p);
      const v3 = v.map((x, i) => x + h * k3[i]);
      const k4 = rllabDoublePendulumAccel(q.map((x, i) => x + h * v2[i]), v3, force, p);
      q = q.map((x, i) => x + (h / 6) * (v[i] + 2 * v1[i] + 2 * v2[i] + v3[i]));
      v = v.map((x, i) => x + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
    }
    const next = [...q, ...v];
    const [tx, ty] = rllabDoublePendulumTip(next, p);
    const reward = p.alive_bonus - 0.01 * tx * tx - (ty - p.tip_target) ** 2 - 1e-3 * v[1] * v[1] - 5e-3 * v[2] * v[2];
    return { state: next, reward, terminated: ty <= p.tip_min };
  },
  obs: (s) => [s[0], Math.sin(s[1]), Math.sin(s[2]), Math.cos(s[1]), Math.cos(s[2]), clip(s[3], -10, 10), clip(s[4], -10, 10), clip(s[5], -10, 10), 0, 0, 0],
  success: (s, p) => rllabDoublePendulumTip(s, p)[1] > p.tip_min,
};

export const rllabDoublePendulum: EnvDefinition = {
  name: 'rllab-double-pendulum',
  origin: "rllab's Double Inverted Pendulum (Duan et al. 2016; its MuJoCo model and task)",
  description: 'balance two capsule poles stacked on a cart (MuJoCo model, RK4)',
  stateFields: ['x', 'theta1', 'theta2', 'x_dot', 'omega1', 'omega2'],
  obsFields: ['x', 'sin_theta1', 'sin_theta2', 'cos_theta1', 'cos_theta2', 'x_dot', 'omega1', 'omega2', 'qfrc_constraint_x', 'qfrc_constraint_theta1', 'qfrc_constraint_theta2'],
  positionObs: [0, 1, 2, 3, 4],
  actionLow: [-1],
  actionHigh: [1],
  goalDim: 0,
  horizon: 500,
  discount: 0.99,
  params,
  sysidParams: ['mass_cart', 'mass1', 'mass2', 'gear'],
  shader: { path: 'envs/rllab_double_pendulum.wgsl', code: `${solveSym3Wgsl}\n${wgsl}` },
  differentiable: false,
  reference: rllabDoublePendulumReference,
  render(s, p) {
    const [x, t1] = s;
    const x1 = x + p.length1 * Math.sin(t1), y1 = p.length1 * Math.cos(t1);
    const [x2, y2] = rllabDoublePendulumTip(s, p);
    const w = 0.09;
    return {
      bounds: [x - 2, -0.6, x + 2, 1.6],
      primitives: [
        { kind: 'line', x1: x - 3, y1: 0, x2: x + 3, y2: 0, width: 0.04, color: '#4d4db3' },
        { kind: 'line', x1: x - 0.1, y1: 0, x2: x + 0.1, y2: 0, width: 0.2, color: '#b3b300' },
        { kind: 'line', x1: x, y1: 0, x2: x1, y2: y1, width: w, color: '#00b3b3' },
        { kind: 'line', x1, y1, x2, y2, width: w, color: '#00b3b3' },
        { kind: 'line', x1: x - 3, y1: p.tip_min, x2: x + 3, y2: p.tip_min, width: 0.005, color: '#c0392b' },
        { kind: 'circle', x: x2, y: y2, r: 0.02, color: '#c0392b', fill: true },
      ],
    };
  },
};

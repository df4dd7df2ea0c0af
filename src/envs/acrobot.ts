/**
 * acrobot: Acrobot-v1 (gym's "book" dynamics; equations of gymnax, one RK4 step of 0.2 s) with a
 * continuous torque in [-1, 1] on the second joint. Swing the tip above the line one link above
 * the base: -1 per step until then; 500 steps.
 */
import wgsl from '../../shaders/envs/acrobot.wgsl?raw';
import type { EnvDefinition, EnvReference } from './types.js';

const params = {
  dt: 0.2, link_length_1: 1, link_length_2: 1, link_mass_1: 1, link_mass_2: 1, link_com_pos_1: 0.5,
  link_com_pos_2: 0.5, link_moi: 1, max_vel_1: 4 * Math.PI, max_vel_2: 9 * Math.PI, max_torque: 1, gravity: 9.8,
};

type P = Readonly<Record<string, number>>;

function dsdt([t1, t2, w1, w2]: number[], a: number, p: P): number[] {
  const { link_mass_1: m1, link_mass_2: m2, link_length_1: l1, link_com_pos_1: lc1, link_com_pos_2: lc2, link_moi: i, gravity: g } = p;
  const d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * Math.cos(t2)) + i + i;
  const d2 = m2 * (lc2 ** 2 + l1 * lc2 * Math.cos(t2)) + i;
  const phi2 = m2 * lc2 * g * Math.cos(t1 + t2 - Math.PI / 2);
  const phi1 = -m2 * l1 * lc2 * w2 ** 2 * Math.sin(t2) - 2 * m2 * l1 * lc2 * w2 * w1 * Math.sin(t2) + (m1 * lc1 + m2 * l1) * g * Math.cos(t1 - Math.PI / 2) + phi2;
  const dd2 = (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * w1 ** 2 * Math.sin(t2) - phi2) / (m2 * lc2 ** 2 + i - d2 ** 2 / d1);
  const dd1 = -(d2 * dd2 + phi1) / d1;
  return [w1, w2, dd1, dd2];
}

/** gymnax's wrap into [m, M). */
export function wrap(x: number, m: number, bigM: number): number {
  const diff = bigM - m;
  if (x < m) return x + Math.ceil((m - x) / diff) * diff;
  if (x >= bigM) return x - Math.floor((x - bigM) / diff + 1) * diff;
  return x;
}

const tipAboveLine = (t1: number, t2: number) => -Math.cos(t1) - Math.cos(t2 + t1) > 1;

export const acrobotReference: EnvReference = {
  reset: (u) => u.slice(0, 4).map((v) => 0.2 * v - 0.1),
  step(s, [a], p) {
    const torque = Math.min(Math.max(a, -p.max_torque), p.max_torque);
    const h = p.dt / 2;
    const add = (x: number[], c: number, k: number[]) => x.map((v, i) => v + c * k[i]);
    const k1 = dsdt([...s], torque, p);
    const k2 = dsdt(add([...s], h, k1), torque, p);
    const k3 = dsdt(add([...s], h, k2), torque, p);
    const k4 = dsdt(add([...s], p.dt, k3), torque, p);
    const ns = s.map((v, i) => v + (p.dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
    const t1 = wrap(ns[0], -Math.PI, Math.PI);
    const t2 = wrap(ns[1], -Math.PI, Math.PI);
    const clip = (x: number, m: number) => Math.min(Math.max(x, -m), m);
    const done = tipAboveLine(t1, t2);
    return { state: [t1, t2, clip(ns[2], p.max_vel_1), clip(ns[3], p.max_vel_2)], reward: done ? 0 : -1, terminated: done };
  },
  obs: ([t1, t2, w1, w2]) => [Math.cos(t1), Math.sin(t1), Math.cos(t2), Math.sin(t2), w1, w2],
  success: ([t1, t2]) => tipAboveLine(t1, t2),
};

export const acrobot: EnvDefinition = {
  name: 'acrobot',
  origin: 'Acrobot-v1 (gym book dynamics; equations of gymnax) with a continuous torque',
  description: 'swing a two-link arm, actuated at the elbow only, until its tip rises above a line',
  stateFields: ['joint_angle1', 'joint_angle2', 'velocity_1', 'velocity_2'],
  obsFields: ['cos_theta1', 'sin_theta1', 'cos_theta2', 'sin_theta2', 'omega1', 'omega2'],
  positionObs: [0, 1, 2, 3],
  actionLow: [-1],
  actionHigh: [1],
  goalDim: 0,
  horizon: 500,
  discount: 0.99,
  params,
  sysidParams: ['link_mass_1', 'link_mass_2'],
  shader: { path: 'envs/acrobot.wgsl', code: wgsl },
  differentiable: true,
  reference: acrobotReference,
  render([t1, t2], p) {
    // Angles from straight down; y up.
    const x1 = p.link_length_1 * Math.sin(t1);
    const y1 = -p.link_length_1 * Math.cos(t1);
    const x2 = x1 + p.link_length_2 * Math.sin(t1 + t2);
    const y2 = y1 - p.link_length_2 * Math.cos(t1 + t2);
    const reach = p.link_length_1 + p.link_length_2 + 0.2;
    return {
      bounds: [-reach, -reach, reach, reach],
      primitives: [
        { kind: 'line', x1: -reach, y1: p.link_length_1, x2: reach, y2: p.link_length_1, width: 0.02, color: '#27ae60' },
        { kind: 'line', x1: 0, y1: 0, x2: x1, y2: y1, width: 0.08, color: '#2c3e50' },
        { kind: 'line', x1, y1, x2, y2, width: 0.08, color: '#c0392b' },
        { kind: 'circle', x: 0, y: 0, r: 0.06, color: '#222', fill: true },
      ],
    };
  },
};

/**
 * Float64 reference of the planar articulated-body dynamics, MuJoCo's equations in 2D:
 *   M(q) qacc = qfrc_smooth + J' f,   qfrc_smooth = actuator + passive - bias
 * M: joint-space inertia (bodies' mass and rotational inertia through their com Jacobians, plus
 * armature); bias: gravity and velocity-product terms (the com accelerations at qacc = 0);
 * passive: springs, damping and MuJoCo's inertia-box fluid forces; f: joint-limit forces of MuJoCo's
 * soft constraints (solref / solimp), found as MuJoCo's Newton solver does, by minimising
 *   0.5 (a - a0)' M (a - a0) + sum_i 0.5 D_i min(0, J_i a - aref_i)^2,   a0 = M^-1 qfrc_smooth,
 * here with an exact line search on that piecewise quadratic. Integrators as MuJoCo's: semi-implicit
 * Euler with implicit joint damping ((M + h B) qacc = qfrc_smooth + qfrc_constraint) and RK4.
 * The same equations run in WGSL (planarWgsl.ts); this file is what the tests hold it to.
 */
import { cholesky, choleskySolve, matVecN } from './linalg64.js';
import { contactRows } from './planarContacts64.js';
import { softRow, solveConstraints, type ConstraintRow } from './planarConstraints64.js';
import type { PlanarModel, Vec2 } from './planarModel.js';

export { cholesky, choleskySolve, invertSpd } from './linalg64.js';


export interface Kinematics {
  /** Body angle, origin and centre of mass (world, plane coordinates). */
  angle: number[];
  origin: Vec2[];
  com: Vec2[];
  /** Per dof: hinge anchor (world) or slide axis (world). */
  anchor: Vec2[];
  axis: Vec2[];
}

const rot = (a: number, v: Vec2): Vec2 => [Math.cos(a) * v[0] - Math.sin(a) * v[1], Math.sin(a) * v[0] + Math.cos(a) * v[1]];
const perp = (v: Vec2): Vec2 => [-v[1], v[0]];

/** Forward kinematics: MuJoCo's per-joint composition (a hinge turns about its anchor, fixed in the frame so far). */
export function kinematics(m: PlanarModel, q: readonly number[]): Kinematics {
  const k: Kinematics = { angle: [], origin: [], com: [], anchor: [], axis: [] };
  m.bodies.forEach((b, i) => {
    const pa = b.parent < 0 ? 0 : k.angle[b.parent];
    const po: Vec2 = b.parent < 0 ? [0, 0] : k.origin[b.parent];
    let angle = pa + b.angle;
    const off = rot(pa, b.pos);
    let origin: Vec2 = [po[0] + off[0], po[1] + off[1]];
    for (const j of m.dofs.map((d, index) => ({ d, index })).filter((x) => x.d.body === i)) {
      const d = j.d;
      if (d.type === 'hinge') {
        const r = rot(angle, d.anchor);
        const anchor: Vec2 = [origin[0] + r[0], origin[1] + r[1]];
        angle += d.sign * (q[j.index] - d.ref);
        const r2 = rot(angle, d.anchor);
        origin = [anchor[0] - r2[0], anchor[1] - r2[1]];
        k.anchor[j.index] = anchor;
        k.axis[j.index] = [0, 0];
      } else {
        const axis = rot(angle, d.axis);
        origin = [origin[0] + axis[0] * (q[j.index] - d.ref), origin[1] + axis[1] * (q[j.index] - d.ref)];
        k.axis[j.index] = axis;
        k.anchor[j.index] = [0, 0];
      }
    }
    k.angle[i] = angle;
    k.origin[i] = origin;
    const c = rot(angle, b.com);
    k.com[i] = [origin[0] + c[0], origin[1] + c[1]];
  });
  return k;
}

/** Column k of the Jacobian of a point p moved by dof k: its velocity per unit of that dof's speed. */
export function column(m: PlanarModel, k: Kinematics, dof: number, p: Vec2): Vec2 {
  const d = m.dofs[dof];
  if (d.type === 'slide') return k.axis[dof];
  const r = perp([p[0] - k.anchor[dof][0], p[1] - k.anchor[dof][1]]);
  return [d.sign * r[0], d.sign * r[1]];
}

function pointVelocity(m: PlanarModel, k: Kinematics, dofs: readonly number[], v: readonly number[], p: Vec2): Vec2 {
  let out: Vec2 = [0, 0];
  for (const j of dofs) {
    const c = column(m, k, j, p);
    out = [out[0] + c[0] * v[j], out[1] + c[1] * v[j]];
  }
  return out;
}

export function massMatrix(m: PlanarModel, q: readonly number[], kin = kinematics(m, q)): number[] {
  const n = m.dofs.length;
  const M = new Array<number>(n * n).fill(0);
  m.bodies.forEach((b, i) => {
    const cols = b.chain.map((j) => column(m, kin, j, kin.com[i]));
    b.chain.forEach((a, x) => {
      b.chain.forEach((c, y) => {
        const wa = m.dofs[a].type === 'hinge' ? m.dofs[a].sign : 0;
        const wc = m.dofs[c].type === 'hinge' ? m.dofs[c].sign : 0;
        M[a * n + c] += b.mass * (cols[x][0] * cols[y][0] + cols[x][1] * cols[y][1]) + b.inertia * wa * wc;
      });
    });
  });
  m.dofs.forEach((d, i) => (M[i * n + i] += d.armature));
  return M;
}

/** Gravity and velocity-product forces: sum over bodies of J_com' m (a_com(qacc = 0) - g). */
export function biasForce(m: PlanarModel, q: readonly number[], v: readonly number[], kin = kinematics(m, q)): number[] {
  const out = new Array<number>(m.dofs.length).fill(0);
  m.bodies.forEach((b, i) => {
    if (b.mass === 0) return;
    const p = kin.com[i];
    const vp = pointVelocity(m, kin, b.chain, v, p);
    let a0: Vec2 = [0, 0];
    let omega = 0;
    b.chain.forEach((j, x) => {
      const d = m.dofs[j];
      if (d.type === 'hinge') {
        const va = pointVelocity(m, kin, b.chain.slice(0, x), v, kin.anchor[j]);
        const r = perp([vp[0] - va[0], vp[1] - va[1]]);
        a0 = [a0[0] + d.sign * v[j] * r[0], a0[1] + d.sign * v[j] * r[1]];
        omega += d.sign * v[j];
      } else {
        const r = perp(kin.axis[j]);
        a0 = [a0[0] + v[j] * omega * r[0], a0[1] + v[j] * omega * r[1]];
      }
    });
    const f: Vec2 = [b.mass * (a0[0] - m.gravity[0]), b.mass * (a0[1] - m.gravity[1])];
    for (const j of b.chain) {
      const c = column(m, kin, j, p);
      out[j] += c[0] * f[0] + c[1] * f[1];
    }
  });
  return out;
}

/** Generalized force of a force f (world, plane) and torque tau (about n) applied at point p of body i. */
function applyForce(m: PlanarModel, kin: Kinematics, i: number, p: Vec2, f: Vec2, tau: number, out: number[]): void {
  for (const j of m.bodies[i].chain) {
    const c = column(m, kin, j, p);
    out[j] += c[0] * f[0] + c[1] * f[1] + (m.dofs[j].type === 'hinge' ? m.dofs[j].sign * tau : 0);
  }
}

/** MuJoCo's inertia-box fluid model (mj_inertiaBoxFluidModel), reduced to the plane. */
function fluidForce(m: PlanarModel, kin: Kinematics, v: readonly number[], out: number[]): void {
  m.bodies.forEach((b, i) => {
    const fl = b.fluid;
    if (!fl) return;
    let omega = 0;
    for (const j of b.chain) if (m.dofs[j].type === 'hinge') omega += m.dofs[j].sign * v[j];
    const vw = pointVelocity(m, kin, b.chain, v, kin.com[i]);
    const vl = rot(-kin.angle[i], vw);
    const lw = [0, 1, 2].map((c) => omega * fl.n[c]);
    const lv = [0, 1, 2].map((c) => vl[0] * fl.e1[c] + vl[1] * fl.e2[c]);
    const [bx, by, bz] = fl.box;
    const box = [bx, by, bz];
    const diam = (bx + by + bz) / 3;
    const torque = [0, 0, 0], force = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      const o1 = box[(c + 1) % 3], o2 = box[(c + 2) % 3];
      if (m.viscosity > 0) {
        torque[c] -= Math.PI * diam ** 3 * m.viscosity * lw[c];
        force[c] -= 3 * Math.PI * diam * m.viscosity * lv[c];
      }
      if (m.density > 0) {
        force[c] -= 0.5 * m.density * o1 * o2 * Math.abs(lv[c]) * lv[c];
        torque[c] -= (m.density * box[c] * (o1 ** 4 + o2 ** 4) * Math.abs(lw[c]) * lw[c]) / 64;
      }
    }
    const tau = torque[0] * fl.n[0] + torque[1] * fl.n[1] + torque[2] * fl.n[2];
    const fl2: Vec2 = [0, 1].map((a) => [0, 1, 2].reduce((s, c) => s + force[c] * (a === 0 ? fl.e1[c] : fl.e2[c]), 0)) as Vec2;
    applyForce(m, kin, i, kin.com[i], rot(kin.angle[i], fl2), tau, out);
  });
}

export function passiveForce(m: PlanarModel, q: readonly number[], v: readonly number[], kin = kinematics(m, q)): number[] {
  const out = m.dofs.map((d, i) => -d.stiffness * (q[i] - d.springref) - d.damping * v[i]);
  if (m.density > 0 || m.viscosity > 0) fluidForce(m, kin, v, out);
  return out;
}

export function actuatorForce(m: PlanarModel, ctrl: readonly number[]): number[] {
  const out = new Array<number>(m.dofs.length).fill(0);
  m.motors.forEach((a, i) => {
    let u = ctrl[i];
    if (a.ctrllimited) u = Math.min(Math.max(u, a.ctrlrange[0]), a.ctrlrange[1]);
    if (a.forcelimited) u = Math.min(Math.max(u, a.forcerange[0]), a.forcerange[1]);
    out[a.dof] += a.gear * u;
  });
  return out;
}

/** Joint-limit rows at (q, v) (MuJoCo's mj_instantiateLimit): one per violated side. */
export function limitRows(m: PlanarModel, q: readonly number[], v: readonly number[]): ConstraintRow[] {
  const rows: ConstraintRow[] = [];
  const n = m.dofs.length;
  m.dofs.forEach((d, i) => {
    if (!d.limited) return;
    for (const side of [-1, 1]) {
      const dist = side * (d.range[(side + 1) / 2] - q[i]);
      if (dist < d.margin) {
        const J = new Array<number>(n).fill(0);
        J[i] = -side;
        rows.push(softRow(J, dist, -side * v[i], d.margin, d.solref, d.solimp, d.invweight0, m.timestep));
      }
    }
  });
  return rows;
}

export interface Forward {
  M: number[];
  qfrcSmooth: number[];
  qacc: number[];
  qfrcConstraint: number[];
}

/** Accelerations at (q, v) under ctrl (MuJoCo's mj_forward without contacts). */
export function forward(m: PlanarModel, q: readonly number[], v: readonly number[], ctrl: readonly number[]): Forward {
  const n = m.dofs.length;
  const kin = kinematics(m, q);
  const M = massMatrix(m, q, kin);
  const bias = biasForce(m, q, v, kin);
  const passive = passiveForce(m, q, v, kin);
  const act = actuatorForce(m, ctrl);
  const qfrcSmooth = bias.map((b, i) => passive[i] + act[i] - b);
  const a0 = choleskySolve(cholesky(M, n), qfrcSmooth, n);
  const contacts = contactRows(m, kin, v, (j, p) => column(m, kin, j, p)).rows;
  const qacc = solveConstraints(M, a0, [...limitRows(m, q, v), ...contacts]);
  const qfrcConstraint = matVecN(M, qacc.map((x, i) => x - a0[i]), n);
  return { M, qfrcSmooth, qacc, qfrcConstraint };
}

export interface PlanarState {
  q: number[];
  v: number[];
}

/** One timestep of the model's integrator. */
export function step(m: PlanarModel, s: PlanarState, ctrl: readonly number[]): PlanarState {
  const h = m.timestep;
  const n = m.dofs.length;
  if (m.integrator === 'euler') {
    const f = forward(m, s.q, s.v, ctrl);
    let qacc = f.qacc;
    // MuJoCo integrates damping implicitly whenever a dof is damped or actuated.
    if (m.dofs.some((d) => d.damping > 0) || m.motors.length > 0) {
      const H = [...f.M];
      m.dofs.forEach((d, i) => (H[i * n + i] += h * d.damping));
      qacc = choleskySolve(cholesky(H, n), f.qfrcSmooth.map((x, i) => x + f.qfrcConstraint[i]), n);
    }
    const v = s.v.map((x, i) => x + h * qacc[i]);
    return { q: s.q.map((x, i) => x + h * v[i]), v };
  }
  // RK4 (MuJoCo's mj_RungeKutta): stages at h/2, h/2, h; weights 1/6, 1/3, 1/3, 1/6.
  const A = [0.5, 0.5, 1];
  const B = [1 / 6, 1 / 3, 1 / 3, 1 / 6];
  const vs: number[][] = [s.v];
  const as: number[][] = [forward(m, s.q, s.v, ctrl).qacc];
  for (let i = 1; i < 4; i++) {
    const q = s.q.map((x, k) => x + h * A[i - 1] * vs[i - 1][k]);
    const v = s.v.map((x, k) => x + h * A[i - 1] * as[i - 1][k]);
    vs.push(v);
    as.push(forward(m, q, v, ctrl).qacc);
  }
  const dq = s.q.map((_, k) => B.reduce((acc, b, j) => acc + b * vs[j][k], 0));
  const dv = s.v.map((_, k) => B.reduce((acc, b, j) => acc + b * as[j][k], 0));
  return { q: s.q.map((x, k) => x + h * dq[k]), v: s.v.map((x, k) => x + h * dv[k]) };
}

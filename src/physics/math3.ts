/**
 * The little 3D algebra the MJCF loader needs (MuJoCo's conventions: quaternions are [w, x, y, z],
 * rotations act on column vectors). Only the loader uses it: the dynamics are planar.
 */
export type Vec3 = [number, number, number];
export type Quat = [number, number, number, number];
/** Row-major 3x3. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export const IDENTITY_QUAT: Quat = [1, 0, 0, 0];

export const add3 = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const sub3 = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const scale3 = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const dot3 = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross3 = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const norm3 = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);

export function normalize3(a: Vec3): Vec3 {
  const n = norm3(a);
  return [a[0] / n, a[1] / n, a[2] / n];
}

export function quatMul(a: Quat, b: Quat): Quat {
  return [
    a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3],
    a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2],
    a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1],
    a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0],
  ];
}

export function normalizeQuat(q: Quat): Quat {
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  return [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}

export function quatFromAxisAngle(axis: Vec3, angle: number): Quat {
  const a = normalize3(axis);
  const s = Math.sin(angle / 2);
  return [Math.cos(angle / 2), a[0] * s, a[1] * s, a[2] * s];
}

/** The rotation taking +z to `v` by the shortest arc (MuJoCo's mju_quatZ2Vec). */
export function quatZToVec(v: Vec3): Quat {
  const z = normalize3(v);
  const axis = cross3([0, 0, 1], z);
  const s = norm3(axis);
  if (s < 1e-10) return z[2] > 0 ? [1, 0, 0, 0] : [0, 1, 0, 0];
  return quatFromAxisAngle(axis, Math.atan2(s, z[2]));
}

export function quatToMat(q: Quat): Mat3 {
  const [w, x, y, z] = q;
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
}

export const rotate = (q: Quat, v: Vec3): Vec3 => matVec(quatToMat(q), v);

export function matVec(m: Mat3, v: Vec3): Vec3 {
  return [m[0] * v[0] + m[1] * v[1] + m[2] * v[2], m[3] * v[0] + m[4] * v[1] + m[5] * v[2], m[6] * v[0] + m[7] * v[1] + m[8] * v[2]];
}

/** R diag(d) R^T for a rotation R. */
export function rotateDiagonal(r: Mat3, d: Vec3): Mat3 {
  const out = new Array<number>(9).fill(0) as Mat3;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[3 * i + j] += r[3 * i + k] * d[k] * r[3 * j + k];
  return out;
}

export const addMat3 = (a: Mat3, b: Mat3): Mat3 => a.map((x, i) => x + b[i]) as Mat3;

/**
 * Eigen-decomposition of a symmetric 3x3 by Jacobi rotations: the principal moments and the
 * rotation whose columns are the principal axes (what MuJoCo stores as body_inertia / body_iquat).
 */
export function symmetricEigen(a: Mat3): { values: Vec3; vectors: Mat3 } {
  const m = [...a];
  const v: number[] = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = Math.abs(m[1]) + Math.abs(m[2]) + Math.abs(m[5]);
    if (off < 1e-300) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]] as const) {
      const apq = m[3 * p + q];
      if (Math.abs(apq) < 1e-300) continue;
      const theta = (m[3 * q + q] - m[3 * p + p]) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 3; k++) {
        const mkp = m[3 * k + p], mkq = m[3 * k + q];
        m[3 * k + p] = c * mkp - s * mkq;
        m[3 * k + q] = s * mkp + c * mkq;
      }
      for (let k = 0; k < 3; k++) {
        const mpk = m[3 * p + k], mqk = m[3 * q + k];
        m[3 * p + k] = c * mpk - s * mqk;
        m[3 * q + k] = s * mpk + c * mqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[3 * k + p], vkq = v[3 * k + q];
        v[3 * k + p] = c * vkp - s * vkq;
        v[3 * k + q] = s * vkp + c * vkq;
      }
    }
  }
  return { values: [m[0], m[4], m[8]], vectors: v as Mat3 };
}

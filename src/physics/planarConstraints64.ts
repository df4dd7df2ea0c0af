/**
 * MuJoCo's soft constraints (float64 reference): a violated constraint is a row J with
 * regularizer D = 1 / R and reference acceleration aref (mj_makeImpedance, mj_referenceConstraint),
 * and the constrained acceleration minimises MuJoCo's primal cost (its Newton solver's problem).
 */
import { cholesky, choleskySolve, dotN, matVecN } from './linalg64.js';

const MINVAL = 1e-15;
const MINIMP = 0.0001;
const MAXIMP = 0.9999;

/** One scalar soft constraint on qacc: row J (dense), regularizer D, reference acceleration aref. */
export interface ConstraintRow {
  J: number[];
  D: number;
  aref: number;
}

/** MuJoCo's impedance: solimp's sigmoid of the violation |pos - margin| (getimpedance). */
export function impedance(solimp: readonly number[], pos: number, margin: number): number {
  const [d0, dw, width, mid, power] = clampSolimp(solimp);
  if (d0 === dw || width <= MINVAL) return 0.5 * (d0 + dw);
  const x = Math.abs((pos - margin) / width);
  if (x >= 1 || x <= 0) return x >= 1 ? dw : d0;
  let y: number;
  if (power === 1) y = x;
  else if (x <= mid) y = x ** power / mid ** (power - 1);
  else y = 1 - (1 - x) ** power / (1 - mid) ** (power - 1);
  return d0 + y * (dw - d0);
}

export function clampSolimp(s: readonly number[]): number[] {
  const c = (x: number) => Math.min(MAXIMP, Math.max(MINIMP, x));
  return [c(s[0]), c(s[1]), Math.max(0, s[2]), c(s[3]), Math.max(1, s[4])];
}

/** A row for a violated constraint: distance `pos` (negative: penetrating), velocity J v (MuJoCo's mj_makeImpedance + aref). */
export function softRow(J: number[], pos: number, vel: number, margin: number, solref: readonly number[], solimp: readonly number[], diagApprox: number, timestep: number): ConstraintRow {
  const imp = impedance(solimp, pos, margin);
  const dmax = clampSolimp(solimp)[1];
  const timeconst = solref[0] > 0 ? Math.max(solref[0], 2 * timestep) : solref[0];
  const K = solref[0] > 0 ? 1 / Math.max(MINVAL, dmax * dmax * timeconst * timeconst * solref[1] * solref[1]) : -solref[0] / Math.max(MINVAL, dmax * dmax);
  const B = solref[1] > 0 ? 2 / Math.max(MINVAL, dmax * timeconst) : -solref[1] / Math.max(MINVAL, dmax);
  const R = Math.max(MINVAL, ((1 - imp) * diagApprox) / imp);
  return { J, D: 1 / R, aref: -B * vel - K * imp * (pos - margin) };
}

/**
 * The constrained acceleration: argmin of MuJoCo's primal cost by Newton's method with an exact
 * line search (the cost is piecewise quadratic, so Newton ends when the active set settles).
 */
export function solveConstraints(M: readonly number[], a0: readonly number[], rows: readonly ConstraintRow[], iterations = 50): number[] {
  const n = a0.length;
  let a = [...a0];
  if (rows.length === 0) return a;
  for (let it = 0; it < iterations; it++) {
    const r = rows.map((row) => dotN(row.J, a) - row.aref);
    const Ma = matVecN(M, a.map((x, i) => x - a0[i]), n);
    const g = [...Ma];
    const H = [...M];
    rows.forEach((row, k) => {
      if (r[k] >= 0) return;
      for (let i = 0; i < n; i++) {
        g[i] += row.D * row.J[i] * r[k];
        for (let j = 0; j < n; j++) H[i * n + j] += row.D * row.J[i] * row.J[j];
      }
    });
    const delta = choleskySolve(cholesky(H, n), g, n).map((x) => -x);
    const alpha = exactLineSearch(M, Ma, delta, rows, r);
    a = a.map((x, i) => x + alpha * delta[i]);
    if (Math.max(...delta.map((x) => Math.abs(alpha * x))) <= 1e-15 * (1 + Math.max(...a.map(Math.abs)))) break;
  }
  return a;
}

/** Minimiser over alpha >= 0 of the piecewise quadratic cost along delta (its derivative is piecewise linear, increasing). */
function exactLineSearch(M: readonly number[], Ma: readonly number[], delta: readonly number[], rows: readonly ConstraintRow[], r: readonly number[]): number {
  const n = delta.length;
  const c = rows.map((row) => dotN(row.J, delta));
  const quad = dotN(delta, matVecN(M, delta, n));
  const lin = dotN(delta, Ma);
  const breaks = c.map((ck, k) => (ck !== 0 ? -r[k] / ck : -1)).filter((t) => t > 0).sort((x, y) => x - y);
  let start = 0;
  for (let s = 0; s <= breaks.length; s++) {
    const end = s < breaks.length ? breaks[s] : Infinity;
    const probe = end === Infinity ? start + 1 : 0.5 * (start + end);
    let p = lin, q = quad;
    rows.forEach((row, k) => {
      if (r[k] + probe * c[k] < 0) {
        p += row.D * c[k] * r[k];
        q += row.D * c[k] * c[k];
      }
    });
    if (!(q > 0)) return start; // a zero direction: nothing left to move
    const root = -p / q;
    if (root <= end) return Math.max(root, start);
    start = end;
  }
  return start;
}


/**
 * One CMA-ES generation in float64 (Hansen's tutorial, arXiv:1604.00772, with the Cholesky
 * factor as the sampling matrix), the replica shaders/rl/cma_es.wgsl is tested against. Matrices
 * are row-major n x n (full) or length-n diagonals (separable).
 */
import type { CmaEsConstants } from '../../src/algos/cmaEs.js';

export interface CmaEsState {
  mean: number[];
  sigma: number;
  generation: number;
  ps: number[];
  pc: number[];
  cov: number[];
  factor: number[];
  /** h_sigma of the last update (1 before the first). */
  h?: number;
}

/** Candidate indices from best to worst fitness, ties by index; a non-finite fitness ranks last. */
export function ranking(fitness: readonly number[]): number[] {
  const f = fitness.map((x) => (Number.isFinite(x) ? x : -3.4e38));
  return [...f.keys()].sort((a, b) => f[b] - f[a] || a - b);
}

/** Lower-triangular L with L L^T = C (row-major). */
export function cholesky(c: readonly number[], n: number): number[] {
  const l = new Array(n * n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = c[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(s) : s / l[j * n + j];
    }
  }
  return l;
}

/**
 * The update after a generation: `z` and `y` ([P][n]) are the candidates' draws and steps,
 * `fitness` their mean returns. Returns the new state (the factor refreshed when due).
 */
export function cmaEsUpdate(s: CmaEsState, k: CmaEsConstants, full: boolean, z: number[][], y: number[][], fitness: number[]): CmaEsState {
  const n = k.n;
  const order = ranking(fitness).slice(0, k.mu);
  const yw = Array.from({ length: n }, (_, j) => order.reduce((t, i, r) => t + k.weights[r] * y[i][j], 0));
  const zw = Array.from({ length: n }, (_, j) => order.reduce((t, i, r) => t + k.weights[r] * z[i][j], 0));
  const mean = s.mean.map((m, j) => m + s.sigma * yw[j]);
  const ps = s.ps.map((p, j) => (1 - k.cS) * p + Math.sqrt(k.cS * (2 - k.cS) * k.muEff) * zw[j]);
  const norm = Math.hypot(...ps);
  const generation = s.generation + 1;
  const h = norm / Math.sqrt(1 - (1 - k.cS) ** (2 * generation)) < (1.4 + 2 / (n + 1)) * k.chiN ? 1 : 0;
  const pc = s.pc.map((p, j) => (1 - k.cC) * p + h * Math.sqrt(k.cC * (2 - k.cC) * k.muEff) * yw[j]);
  const sigma = s.sigma * Math.exp(Math.min(1, (k.cS / k.dS) * (norm / k.chiN - 1)));
  const decay = 1 - k.c1 - k.cMu + k.c1 * (1 - h) * k.cC * (2 - k.cC);
  const entry = (j: number, l: number, c: number) => decay * c + k.c1 * pc[j] * pc[l] + k.cMu * order.reduce((t, i, r) => t + k.weights[r] * y[i][j] * y[i][l], 0);
  const cov = full ? s.cov.map((c, idx) => entry(Math.floor(idx / n), idx % n, c)) : s.cov.map((c, j) => entry(j, j, c));
  const due = generation % k.decomposeEvery === 0;
  const factor = !full ? cov.map(Math.sqrt) : due ? cholesky(cov, n) : s.factor;
  return { mean, sigma, generation, ps, pc, cov, factor, h };
}

/** The transpose of an n x n row-major matrix (the kernel stores the full factor as A^T). */
export function transpose(m: readonly number[], n: number): number[] {
  return m.map((_, idx) => m[(idx % n) * n + Math.floor(idx / n)]);
}

/** y = A z for a lower-triangular (full) or diagonal factor. */
export function applyFactor(factor: readonly number[], z: readonly number[], full: boolean): number[] {
  const n = z.length;
  return z.map((zj, j) => (full ? z.reduce((t, zk, k) => t + (k <= j ? factor[j * n + k] * zk : 0), 0) : factor[j] * zj));
}

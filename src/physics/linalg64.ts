/** Dense float64 linear algebra for the planar reference (n <= 12: no library needed). */
export function cholesky(A: readonly number[], n: number): number[] {
  const L = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(s) : s / L[j * n + j];
    }
  }
  return L;
}

export function choleskySolve(L: readonly number[], b: readonly number[], n: number): number[] {
  const y = [...b];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) y[i] -= L[i * n + k] * y[k];
    y[i] /= L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) y[i] -= L[k * n + i] * y[k];
    y[i] /= L[i * n + i];
  }
  return y;
}

export function invertSpd(A: readonly number[]): number[] {
  const n = Math.round(Math.sqrt(A.length));
  const L = cholesky(A, n);
  const inv = new Array<number>(n * n).fill(0);
  for (let c = 0; c < n; c++) {
    const e = new Array<number>(n).fill(0);
    e[c] = 1;
    choleskySolve(L, e, n).forEach((x, r) => (inv[r * n + c] = x));
  }
  return inv;
}

export const matVecN = (A: readonly number[], x: readonly number[], n: number): number[] =>
  Array.from({ length: n }, (_, i) => x.reduce((s, xj, j) => s + A[i * n + j] * xj, 0));
export const dotN = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);


/** Float64 twin of shaders/envs/solve_sym3.wgsl: q with [[a, b, c], [b, d, e], [c, e, f]] q = r. */
export function solveSym3(a: number, b: number, c: number, d: number, e: number, f: number, r: readonly number[]): number[] {
  const a00 = d * f - e * e, a01 = c * e - b * f, a02 = b * e - c * d;
  const a11 = a * f - c * c, a12 = b * c - a * e, a22 = a * d - b * b;
  const det = a * a00 + b * a01 + c * a02;
  return [(a00 * r[0] + a01 * r[1] + a02 * r[2]) / det, (a01 * r[0] + a11 * r[1] + a12 * r[2]) / det, (a02 * r[0] + a12 * r[1] + a22 * r[2]) / det];
}

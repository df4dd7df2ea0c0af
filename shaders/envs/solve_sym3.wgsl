// envs/solve_sym3.wgsl - the solution q of a symmetric 3x3 system [[a, b, c], [b, d, e],
// [c, e, f]] q = r by the adjugate (Cramer's rule): the mass matrices of the cart with two poles
// (envs/double_pendulum.wgsl, envs/rllab_double_pendulum.wgsl). No bindings; prepended to an env file.

fn solve_sym3(a: f32, b: f32, c: f32, d: f32, e: f32, f: f32, r: vec3<f32>) -> vec3<f32> {
  let a00 = d * f - e * e;
  let a01 = c * e - b * f;
  let a02 = b * e - c * d;
  let a11 = a * f - c * c;
  let a12 = b * c - a * e;
  let a22 = a * d - b * b;
  let det = a * a00 + b * a01 + c * a02;
  return vec3<f32>(a00 * r.x + a01 * r.y + a02 * r.z, a01 * r.x + a11 * r.y + a12 * r.z, a02 * r.x + a12 * r.y + a22 * r.z) / det;
}

// common/dual.wgsl - forward-mode automatic differentiation with dual numbers (a library, no
// entry points). A dual is vec2(value, tangent); sums, differences and products with constants
// are plain vec2 arithmetic, the rest are the functions below. The environments' vector-Jacobian
// products (envs/driver_vjp.wgsl) evaluate a dual copy of each step once per input direction.

fn dconst(c: f32) -> vec2<f32> {
  return vec2<f32>(c, 0.0);
}

fn dmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x * b.x, a.x * b.y + a.y * b.x);
}

fn ddiv(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x / b.x, (a.y * b.x - a.x * b.y) / (b.x * b.x));
}

fn dsq(a: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x * a.x, 2.0 * a.x * a.y);
}

fn dsin(a: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(sin(a.x), cos(a.x) * a.y);
}

fn dcos(a: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(cos(a.x), -sin(a.x) * a.y);
}

fn dtanh(a: vec2<f32>) -> vec2<f32> {
  let t = tanh(a.x);
  return vec2<f32>(t, (1.0 - t * t) * a.y);
}

fn dexp(a: vec2<f32>) -> vec2<f32> {
  let e = exp(a.x);
  return vec2<f32>(e, e * a.y);
}

fn dsqrt(a: vec2<f32>) -> vec2<f32> {
  let r = sqrt(a.x);
  return vec2<f32>(r, select(0.0, a.y / (2.0 * r), r > 0.0));
}

// Clamping: the derivative is zero where the bound is active.
fn dclamp(a: vec2<f32>, lo: f32, hi: f32) -> vec2<f32> {
  if (a.x < lo) { return vec2<f32>(lo, 0.0); }
  if (a.x > hi) { return vec2<f32>(hi, 0.0); }
  return a;
}

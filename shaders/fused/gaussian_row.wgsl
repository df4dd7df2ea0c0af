// fused/gaussian_row.wgsl - a tanh-squashed diagonal Gaussian policy head inside row programs
// (a library: no bindings, no entry points). The same formulas as sample/gaussian.wgsl with
// SQUASH, one component at a time, so a row program draws, scores and differentiates its own
// samples in the invocation that runs the networks:
//   tanh_gaussian      a = tanh(u), u = mu + sigma z, sigma = exp(clamp(log_std, lo, hi));
//                      returns (a, the component's share of log p(a)):
//                      -z^2 / 2 - log sigma - log(2 pi) / 2 - log(1 - tanh(u)^2)
//   tanh_gaussian_vjp  with z held fixed (pathwise), from dL/da and dL/dlogp:
//                      dL/dmu = dL/da (1 - a^2) + dL/dlogp 2a;  dL/dlog_std = dL/dmu sigma z - dL/dlogp,
//                      0 where log_std is outside [lo, hi] (the clamp's gradient)
//   gaussian_logp_term one component's share of log N(u; mu, sigma) at z = (u - mu) / sigma,
//                      unsquashed: -z^2 / 2 - log sigma - log(2 pi) / 2 (the on-policy methods'
//                      x = mu + sigma z, clipped by the env); gaussian_entropy_term its entropy
//                      share, log sigma + 1/2 + log(2 pi) / 2
// `range` is (lo, hi). Needs nothing prepended.

const GAUSSIAN_HALF_LOG_TWO_PI: f32 = 0.9189385332046727;
const GAUSSIAN_LOG_TWO: f32 = 0.6931471805599453;

fn gaussian_softplus(x: f32) -> f32 {
  return max(x, 0.0) + log(1.0 + exp(-abs(x)));
}

fn tanh_gaussian(mu: f32, log_std: f32, z: f32, range: vec2<f32>) -> vec2<f32> {
  let ls = clamp(log_std, range.x, range.y);
  let u = mu + exp(ls) * z;
  var logp = -0.5 * z * z - ls - GAUSSIAN_HALF_LOG_TWO_PI;
  // log(1 - tanh(u)^2), stable for large |u|.
  logp -= 2.0 * (GAUSSIAN_LOG_TWO - u - gaussian_softplus(-2.0 * u));
  return vec2<f32>(tanh(u), logp);
}

// (dL/dmu, dL/dlog_std) of one component; `a` is the component's sample.
fn tanh_gaussian_vjp(da: f32, dlogp: f32, a: f32, log_std: f32, z: f32, range: vec2<f32>) -> vec2<f32> {
  let du = da * (1.0 - a * a) + dlogp * 2.0 * a;
  let dls = select(du * exp(clamp(log_std, range.x, range.y)) * z - dlogp, 0.0, log_std < range.x || log_std > range.y);
  return vec2<f32>(du, dls);
}

fn gaussian_logp_term(z: f32, log_std: f32) -> f32 {
  return -0.5 * z * z - log_std - GAUSSIAN_HALF_LOG_TWO_PI;
}

fn gaussian_entropy_term(log_std: f32) -> f32 {
  return log_std + 0.5 + GAUSSIAN_HALF_LOG_TWO_PI;
}

// sample/gaussian.wgsl - diagonal Gaussian policy head, optionally tanh-squashed
// (needs common/rng.wgsl and common/view.wgsl prepended).
//
// One thread per (row, agent) handles all `dim` components of its row.
// Dispatch: (ceil(rows / 64), agents). Noise for component d of row r of agent a comes from
// Philox key rng_agent_key((seed, stream), a), counter (r, clock[0], d / 4, draw), lane d % 4: `draw`
// tells apart several samples of one step (e.g. the time steps of an unrolled trajectory).
//   sample    z ~ N(0, 1);  u = mu + sigma z, sigma = exp(clamp(log_std));  a = tanh(u) or u
//             logp = sum_d [-z^2 / 2 - log sigma - log(2 pi) / 2] - sum_d log(1 - tanh(u)^2)
//             (the last term only when squashed; computed as 2 (log 2 - u - softplus(-2u))).
//   backward  reparameterised (pathwise) gradient with z held fixed: given dL/da and dL/dlogp,
//             dL/du = dL/da * (1 - a^2) + dL/dlogp * 2a   (squashed; else dL/da)
//             dL/dmu = dL/du;  dL/dlog_std = dL/du * sigma z - dL/dlogp   (0 where clamped)
//   mode      a = tanh(mu) or mu: acting without noise (evaluation).
//   infer     z of a given action (input), then as sample with that z.
//   reparameterize  as sample, with the z kept in noise (binding 4) instead of a fresh draw.
//   score     score-function gradient of w * log N(x; mu, sigma) for a given pre-squash x:
//             dmu = w (x - mu) / sigma^2;  dlog_std = w ((x - mu)^2 / sigma^2 - 1)
// Bindings: 0 uniform Gaussian; 1 mu (read); 2 log_std (read); 3 action (rw, sample);
//   4 noise (rw, sample: dense [agents, rows, dim]); 5 logp (rw, sample: dense [agents, rows]);
//   6 clock (read u32); 7 noise (read, backward); 8 input (read): dL/da in backward, x in score;
//   9 logp_grad (read, backward) or weight (read, score), dense [agents, rows];
//   With `accumulate` set, backward and score add into the parameter gradients instead of writing.
//   10 param_grad (rw): dL/dmu and dL/dlog_std, two views into one buffer (WebGPU forbids two
//   writable bindings of the same buffer, and both usually live in one network-output gradient).

override SQUASH: bool = false;

struct Gaussian {
  rows: u32,
  dim: u32,
  seed: u32,
  stream: u32,
  log_std_min: f32,
  log_std_max: f32,
  use_logp_grad: u32,
  draw: u32,
  accumulate: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  mu: View,
  log_std: View,
  action: View,
  input: View,
  mu_grad: View,
  log_std_grad: View,
}

@group(0) @binding(0) var<uniform> p: Gaussian;
@group(0) @binding(1) var<storage, read> mu_src: array<f32>;
@group(0) @binding(2) var<storage, read> log_std_src: array<f32>;
@group(0) @binding(3) var<storage, read_write> action_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> noise_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> logp_out: array<f32>;
@group(0) @binding(6) var<storage, read> clock: array<u32>;
@group(0) @binding(7) var<storage, read> noise_in: array<f32>;
@group(0) @binding(8) var<storage, read> input_src: array<f32>;
@group(0) @binding(9) var<storage, read> row_scalar_in: array<f32>;
@group(0) @binding(10) var<storage, read_write> param_grad: array<f32>;

const HALF_LOG_TWO_PI: f32 = 0.9189385332046727;
const LOG_TWO: f32 = 0.6931471805599453;

fn softplus(x: f32) -> f32 {
  return max(x, 0.0) + log(1.0 + exp(-abs(x)));
}

// log(1 - tanh(u)^2), stable for large |u|.
fn log_one_minus_tanh_sq(u: f32) -> f32 {
  return 2.0 * (LOG_TWO - u - softplus(-2.0 * u));
}

fn write_grad(i: u32, g: f32) {
  if (p.accumulate != 0u) { param_grad[i] += g; } else { param_grad[i] = g; }
}

fn clamped_log_std(agent: u32, row: u32, d: u32) -> f32 {
  return clamp(log_std_src[view_at(p.log_std, agent, row, d)], p.log_std_min, p.log_std_max);
}

// Writes a = tanh(mu + sigma z) (or mu + sigma z) and z for component d of a row; returns that
// component's share of log p(a). Shared by sample, infer and reparameterize.
fn emit(agent: u32, row: u32, flat_row: u32, d: u32, z: f32) -> f32 {
  let ls = clamped_log_std(agent, row, d);
  let u = mu_src[view_at(p.mu, agent, row, d)] + exp(ls) * z;
  var logp = -0.5 * z * z - ls - HALF_LOG_TWO_PI;
  var a = u;
  if (SQUASH) {
    a = tanh(u);
    logp -= log_one_minus_tanh_sq(u);
  }
  action_out[view_at(p.action, agent, row, d)] = a;
  noise_out[flat_row * p.dim + d] = z;
  return logp;
}

@compute @workgroup_size(64)
fn sample(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let flat_row = agent * p.rows + row;
  let key = rng_agent_key(vec2<u32>(p.seed, p.stream), agent);
  var logp = 0.0;
  var z4 = vec4<f32>();
  for (var d = 0u; d < p.dim; d++) {
    if (d % 4u == 0u) { z4 = rng_normal4(key, vec4<u32>(row, clock[0], d / 4u, p.draw)); }
    logp += emit(agent, row, flat_row, d, z4[d % 4u]);
  }
  logp_out[flat_row] = logp;
}

@compute @workgroup_size(64)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let flat_row = agent * p.rows + row;
  var dlogp = 0.0;
  if (p.use_logp_grad != 0u) { dlogp = row_scalar_in[flat_row]; }
  for (var d = 0u; d < p.dim; d++) {
    let raw_ls = log_std_src[view_at(p.log_std, agent, row, d)];
    let ls = clamp(raw_ls, p.log_std_min, p.log_std_max);
    let sigma = exp(ls);
    let z = noise_in[flat_row * p.dim + d];
    let da = input_src[view_at(p.input, agent, row, d)];
    var du = da;
    if (SQUASH) {
      let a = tanh(mu_src[view_at(p.mu, agent, row, d)] + sigma * z);
      du = da * (1.0 - a * a) + dlogp * 2.0 * a;
    }
    var dls = du * sigma * z - dlogp;
    if (raw_ls < p.log_std_min || raw_ls > p.log_std_max) { dls = 0.0; }
    write_grad(view_at(p.mu_grad, agent, row, d), du);
    write_grad(view_at(p.log_std_grad, agent, row, d), dls);
  }
}

@compute @workgroup_size(64)
fn score(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let w = row_scalar_in[agent * p.rows + row];
  for (var d = 0u; d < p.dim; d++) {
    let raw_ls = log_std_src[view_at(p.log_std, agent, row, d)];
    let ls = clamp(raw_ls, p.log_std_min, p.log_std_max);
    let inv_var = exp(-2.0 * ls);
    let diff = input_src[view_at(p.input, agent, row, d)] - mu_src[view_at(p.mu, agent, row, d)];
    var dls = w * (diff * diff * inv_var - 1.0);
    if (raw_ls < p.log_std_min || raw_ls > p.log_std_max) { dls = 0.0; }
    write_grad(view_at(p.mu_grad, agent, row, d), w * diff * inv_var);
    write_grad(view_at(p.log_std_grad, agent, row, d), dls);
  }
}

// The distribution's mode, for acting without noise: a = tanh(mu) (squashed) or mu.
@compute @workgroup_size(64)
fn mode(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  for (var d = 0u; d < p.dim; d++) {
    var a = mu_src[view_at(p.mu, agent, row, d)];
    if (SQUASH) { a = tanh(a); }
    action_out[view_at(p.action, agent, row, d)] = a;
  }
}

// The noise that reproduces a given action under the current distribution (SVG(inf) with a model
// infers the policy noise of its own recent transitions): u = atanh(a) (squashed, a clamped inside (-1, 1))
// or a; z = (u - mu) / sigma. Writes z, log p and the action recomputed from z (equal to the
// given one up to the clamp), so that `backward` differentiates it with z held fixed.
@compute @workgroup_size(64)
fn infer(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let flat_row = agent * p.rows + row;
  var logp = 0.0;
  for (var d = 0u; d < p.dim; d++) {
    var u = input_src[view_at(p.input, agent, row, d)];
    if (SQUASH) { u = atanh(clamp(u, -0.999999, 0.999999)); }
    let z = (u - mu_src[view_at(p.mu, agent, row, d)]) * exp(-clamped_log_std(agent, row, d));
    logp += emit(agent, row, flat_row, d, z);
  }
  logp_out[flat_row] = logp;
}

// a from the noise kept by the last sample or infer: a = tanh(mu + sigma z) (or unsquashed), with
// log p. Re-evaluates a sample at new parameters with its noise held fixed (gradient checks).
@compute @workgroup_size(64)
fn reparameterize(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let flat_row = agent * p.rows + row;
  var logp = 0.0;
  for (var d = 0u; d < p.dim; d++) { logp += emit(agent, row, flat_row, d, noise_out[flat_row * p.dim + d]); }
  logp_out[flat_row] = logp;
}

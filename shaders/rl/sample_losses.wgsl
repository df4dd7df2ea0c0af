// rl/sample_losses.wgsl - per-row losses on stored samples of a diagonal Gaussian policy, as graph
// nodes for the on-policy methods whose policy the stochastic computation graph runs (a recurrent
// cell before the policy network): PPO's (CleanRL's ppo_continuous_action.py loss; fused/ppo.wgsl
// computes the same inside its row program) and RWR's weighted log-likelihood (fused/npg.wgsl's
// gradient_rows with sign -1). Needs common/view.wgsl prepended.
//
//   log_prob             out = log pi(x | mu, sigma) of a diagonal Gaussian (unsquashed), the
//                        log sigma clamped to [log_std_min, log_std_max]
//   surrogate            with ratio = exp(log pi(x) - log pi_old), A the advantage:
//                        out = [max(-A ratio, -A clip(ratio, 1 - eps, 1 + eps)),
//                               (ratio - 1) - log ratio (approx KL), |ratio - 1| > eps, entropy]
//   surrogate_backward   dheads += dL/d[mu | log sigma] from the twins of the loss (col 0) and of
//                        the entropy (col 3): dL/dlog pi = -A ratio where the unclipped term is the
//                        max (0 elsewhere); d log pi/d mu = (x - mu)/sigma^2,
//                        d log pi/d log sigma = ((x - mu)/sigma)^2 - 1, dH/d log sigma = 1
//                        (0 where log sigma is clamped); the KL and clip columns are metrics only
//   weighted_nll         out = [-w log pi(x), entropy] with w the record's weight (view d)
//   weighted_nll_backward dheads += dout (col 0) * -w d log pi/d[mu | log sigma] (the entropy is a metric)
//   value_loss           with V_old standardized by the segment's return statistics, G the
//                        standardized return: out = 0.5 max((V - G)^2, (V_clip - G)^2),
//                        V_clip = V_old + clip(V - V_old, -eps, eps) (clip_value), else 0.5 (V - G)^2
//   value_loss_backward  dv += dout * dL/dV (0 where the clipped term is the max and clips)
// Views (uniform): a = heads [mu | log sigma] (or V), b = x (or G), c = log pi_old (or V_old raw),
//   d = A, out = the loss row, grad = dheads (or dV).
// Bindings: 0 uniform PpoLosses; 1 heads or V (read); 2 the segment (read: x, log pi_old, A, G,
//   V_old); 3 out (rw); 4 dout (read, laid out as out: its gradient twin); 5 dheads or dV (rw; added
//   to); 6 stats (read, [agents, 2]: mean and std of the returns; value losses only).
// Dispatch: (ceil(rows / 64), agents); one thread per row.

struct PpoLosses {
  rows: u32,
  act_dim: u32,
  clip: f32,
  clip_value: u32,
  log_std_min: f32,
  log_std_max: f32,
  _pad0: u32,
  _pad1: u32,
  a: View,
  b: View,
  c: View,
  d: View,
  out: View,
  grad: View,
}

@group(0) @binding(0) var<uniform> p: PpoLosses;
@group(0) @binding(1) var<storage, read> heads: array<f32>;
@group(0) @binding(2) var<storage, read> segment: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<f32>;
@group(0) @binding(5) var<storage, read_write> dheads: array<f32>;
@group(0) @binding(6) var<storage, read> stats: array<f32>;

const HALF_LOG_TWO_PI: f32 = 0.91893853320467274;

fn log_std_at(agent: u32, row: u32, k: u32) -> f32 {
  return clamp(heads[view_at(p.a, agent, row, p.act_dim + k)], p.log_std_min, p.log_std_max);
}

/** z_k = (x_k - mu_k) / sigma_k. */
fn z_at(agent: u32, row: u32, k: u32) -> f32 {
  let mu = heads[view_at(p.a, agent, row, k)];
  return (segment[view_at(p.b, agent, row, k)] - mu) * exp(-log_std_at(agent, row, k));
}

fn log_prob_of(agent: u32, row: u32) -> f32 {
  var total = 0.0;
  for (var k = 0u; k < p.act_dim; k++) {
    let z = z_at(agent, row, k);
    total += -0.5 * z * z - log_std_at(agent, row, k) - HALF_LOG_TWO_PI;
  }
  return total;
}

fn ratio_of(agent: u32, row: u32) -> f32 {
  return exp(log_prob_of(agent, row) - segment[view_at(p.c, agent, row, 0u)]);
}

@compute @workgroup_size(64)
fn log_prob(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  out[view_at(p.out, agent, row, 0u)] = log_prob_of(agent, row);
}

@compute @workgroup_size(64)
fn surrogate(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let log_ratio = log_prob_of(agent, row) - segment[view_at(p.c, agent, row, 0u)];
  let ratio = exp(log_ratio);
  let adv = segment[view_at(p.d, agent, row, 0u)];
  var entropy = 0.0;
  for (var k = 0u; k < p.act_dim; k++) { entropy += log_std_at(agent, row, k) + 0.5 + HALF_LOG_TWO_PI; }
  out[view_at(p.out, agent, row, 0u)] = max(-adv * ratio, -adv * clamp(ratio, 1.0 - p.clip, 1.0 + p.clip));
  out[view_at(p.out, agent, row, 1u)] = (ratio - 1.0) - log_ratio;
  out[view_at(p.out, agent, row, 2u)] = select(0.0, 1.0, abs(ratio - 1.0) > p.clip);
  out[view_at(p.out, agent, row, 3u)] = entropy;
}

@compute @workgroup_size(64)
fn surrogate_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let ratio = ratio_of(agent, row);
  let adv = segment[view_at(p.d, agent, row, 0u)];
  let unclipped = -adv * ratio;
  let clipped = -adv * clamp(ratio, 1.0 - p.clip, 1.0 + p.clip);
  let dlogp = select(0.0, -adv * ratio, unclipped >= clipped) * dout[view_at(p.out, agent, row, 0u)];
  let dentropy = dout[view_at(p.out, agent, row, 3u)];
  for (var k = 0u; k < p.act_dim; k++) {
    let raw = heads[view_at(p.a, agent, row, p.act_dim + k)];
    let ls = clamp(raw, p.log_std_min, p.log_std_max);
    let z = z_at(agent, row, k);
    dheads[view_at(p.grad, agent, row, k)] += dlogp * z * exp(-ls);
    let dls = dlogp * (z * z - 1.0) + dentropy;
    dheads[view_at(p.grad, agent, row, p.act_dim + k)] += select(dls, 0.0, raw < p.log_std_min || raw > p.log_std_max);
  }
}

@compute @workgroup_size(64)
fn weighted_nll(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  var entropy = 0.0;
  for (var k = 0u; k < p.act_dim; k++) { entropy += log_std_at(agent, row, k) + 0.5 + HALF_LOG_TWO_PI; }
  out[view_at(p.out, agent, row, 0u)] = -segment[view_at(p.d, agent, row, 0u)] * log_prob_of(agent, row);
  out[view_at(p.out, agent, row, 1u)] = entropy;
}

@compute @workgroup_size(64)
fn weighted_nll_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let dlogp = -segment[view_at(p.d, agent, row, 0u)] * dout[view_at(p.out, agent, row, 0u)];
  for (var k = 0u; k < p.act_dim; k++) {
    let raw = heads[view_at(p.a, agent, row, p.act_dim + k)];
    let ls = clamp(raw, p.log_std_min, p.log_std_max);
    let z = z_at(agent, row, k);
    dheads[view_at(p.grad, agent, row, k)] += dlogp * z * exp(-ls);
    dheads[view_at(p.grad, agent, row, p.act_dim + k)] += select(dlogp * (z * z - 1.0), 0.0, raw < p.log_std_min || raw > p.log_std_max);
  }
}

/** (loss, dL/dV) of one row. */
fn value_terms(agent: u32, row: u32) -> vec2<f32> {
  let v = heads[view_at(p.a, agent, row, 0u)];
  let g = segment[view_at(p.b, agent, row, 0u)];
  let v_old = (segment[view_at(p.c, agent, row, 0u)] - stats[agent * 2u]) / stats[agent * 2u + 1u];
  var dv = v - g;
  var loss = 0.5 * dv * dv;
  if (p.clip_value != 0u) {
    let v_clip = v_old + clamp(v - v_old, -p.clip, p.clip);
    let loss_clip = 0.5 * (v_clip - g) * (v_clip - g);
    if (loss_clip > loss) {
      loss = loss_clip;
      dv = select(0.0, v_clip - g, abs(v - v_old) < p.clip);
    }
  }
  return vec2<f32>(loss, dv);
}

@compute @workgroup_size(64)
fn value_loss(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  out[view_at(p.out, agent, row, 0u)] = value_terms(agent, row).x;
}

@compute @workgroup_size(64)
fn value_loss_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  dheads[view_at(p.grad, agent, row, 0u)] += dout[view_at(p.out, agent, row, 0u)] * value_terms(agent, row).y;
}

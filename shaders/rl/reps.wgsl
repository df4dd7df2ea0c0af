// rl/reps.wgsl - relative entropy policy search's dual on the GPU (Peters et al. 2010; rllab's
// REPS, Duan et al. 2016), one workgroup per agent over the M = N T records of its segment:
//   features  phi(o, t) = [clip(o, -10, 10), clip(o, -10, 10)^2, t/100, (t/100)^2, (t/100)^3, 1]
//             (rllab's), F = 2 O + 4; per record dphi = phi(s') - phi(s) with phi(s') = 0 where
//             the episode ended or the segment does (a path's end, as rllab's paths have), kept
//             standardized per feature (dphi / s_f) in `feats`
//   dual      g(eta, v) = eta epsilon + eta log mean_r exp(delta_r / eta), delta_r = r_r + v . dphi_r
//             (computed around max delta for stability), minimized by `dual_steps` Adam steps on
//             (log eta, v s) - rllab runs 50 iterations of L-BFGS-B; here plain Adam, warm-started
//             from the last update's (eta, v) like rllab's, with its gradients
//             dg/dv = sum_r p_r dphi_r, dg/deta = epsilon + log mean exp(delta / eta) - sum_r p_r delta_r / eta,
//             p_r = exp(delta_r / eta) / sum exp(delta / eta)
//   weights   w_r = exp((delta_r - max delta) / eta) into the advantage column, the weights of the
//             policy's weighted maximum-likelihood fit that follows (fused/npg.wgsl gradient_rows)
// Metrics added per update: eta, the reweighting's KL(p || uniform) = sum p log(M p) (what the
// dual bounds by epsilon), the dual before and after.
// Bindings: 0 uniform Reps; 1 segment (rw); 2 feats (rw, [agents, M, F]); 3 dual (rw, [agents,
//   1 + F]: eta, v); 4 metrics (rw). Dispatch (agents), one workgroup of WG.

struct Reps {
  records: u32,
  steps: u32,
  width: u32,
  obs_width: u32,
  reward_col: u32,
  time_col: u32,
  adv_col: u32,
  features: u32,
  epsilon: f32,
  lr: f32,
  dual_steps: u32,
  metrics_width: u32,
  slot_eta: u32,
  slot_kl: u32,
  slot_dual_before: u32,
  slot_dual_after: u32,
}

const WG: u32 = 256u;
const MAX_FEATURES: u32 = 64u;
const LOG_ETA_RANGE: vec2<f32> = vec2<f32>(-13.8, 13.8);

@group(0) @binding(0) var<uniform> rp: Reps;
@group(0) @binding(1) var<storage, read_write> segment: array<f32>;
@group(0) @binding(2) var<storage, read_write> feats: array<f32>;
@group(0) @binding(3) var<storage, read_write> dual: array<f32>;
@group(0) @binding(4) var<storage, read_write> metrics: array<f32>;

var<workgroup> max_scratch: array<f32, WG>;

fn workgroup_max(x: f32, ids: ReduceIds) -> f32 {
  max_scratch[ids.lid] = x;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (ids.lid < half) { max_scratch[ids.lid] = max(max_scratch[ids.lid], max_scratch[ids.lid + half]); }
    workgroupBarrier();
  }
  let m = max_scratch[0];
  workgroupBarrier();
  return m;
}

// Feature f of (observation at `at`, time t).
fn feature(at: u32, t: f32, f: u32) -> f32 {
  let O = rp.obs_width;
  if (f < O) { return clamp(segment[at + f], -10.0, 10.0); }
  if (f < 2u * O) {
    let o = clamp(segment[at + f - O], -10.0, 10.0);
    return o * o;
  }
  let k = f - 2u * O;
  let a = t / 100.0;
  if (k == 0u) { return a; }
  if (k == 1u) { return a * a; }
  if (k == 2u) { return a * a * a; }
  return 1.0;
}

struct DualState {
  log_eta: f32,
  u: array<f32, MAX_FEATURES>,
}

// delta_r = r_r + sum_f u_f dphi_hat_rf of record r of `agent`.
fn bellman_error(agent: u32, r: u32, d: ptr<function, DualState>) -> f32 {
  let at = (agent * rp.records + r) * rp.width;
  var delta = segment[at + rp.reward_col];
  let fa = (agent * rp.records + r) * rp.features;
  for (var f = 0u; f < rp.features; f++) { delta += (*d).u[f] * feats[fa + f]; }
  return delta;
}

// The dual and its gradient at d (every invocation gets the same values); grad[0] is d/dlog eta.
struct DualValue {
  value: f32,
  max_delta: f32,
  grad: array<f32, MAX_FEATURES>,
  d_log_eta: f32,
  kl: f32,
}

fn evaluate(agent: u32, d: ptr<function, DualState>, ids: ReduceIds) -> DualValue {
  let eta = exp((*d).log_eta);
  var local_max = -3.4e38;
  for (var r = ids.lid; r < rp.records; r += WG) { local_max = max(local_max, bellman_error(agent, r, d)); }
  let m = workgroup_max(local_max, ids);
  var z = 0.0;
  var wd = 0.0;
  for (var r = ids.lid; r < rp.records; r += WG) {
    let delta = bellman_error(agent, r, d);
    let w = exp((delta - m) / eta);
    z += w;
    wd += w * (delta - m);
  }
  let total = workgroup_sum(z, ids);
  let weighted_delta = workgroup_sum(wd, ids) / total; // sum p (delta - max)
  let n = f32(rp.records);
  var result: DualValue;
  let log_mean = log(total / n); // log mean exp((delta - max) / eta)
  result.value = eta * rp.epsilon + m + eta * log_mean;
  result.max_delta = m;
  result.d_log_eta = eta * (rp.epsilon + log_mean - weighted_delta / eta);
  // KL(p || uniform) = sum p log(M p) = sum p (delta - max) / eta - log mean exp(...)
  result.kl = weighted_delta / eta - log_mean;
  for (var f = 0u; f < rp.features; f++) {
    var g = 0.0;
    for (var r = ids.lid; r < rp.records; r += WG) {
      let w = exp((bellman_error(agent, r, d) - m) / eta);
      g += w * feats[(agent * rp.records + r) * rp.features + f];
    }
    result.grad[f] = workgroup_sum(g, ids) / total;
  }
  return result;
}

@compute @workgroup_size(WG)
fn reps_dual(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let agent = wid.x;
  let F = rp.features;
  // Feature differences, then their spread per feature.
  for (var r = ids.lid; r < rp.records; r += WG) {
    let at = (agent * rp.records + r) * rp.width;
    let t = segment[at + rp.time_col];
    let ended = segment[at + rp.reward_col + 1u] + segment[at + rp.reward_col + 2u] > 0.5 || (r % rp.steps) == rp.steps - 1u;
    for (var f = 0u; f < F; f++) {
      let next = select(feature(at + rp.width, t + 1.0, f), 0.0, ended);
      feats[(agent * rp.records + r) * F + f] = next - feature(at, t, f);
    }
  }
  storageBarrier();
  var spread: array<f32, MAX_FEATURES>;
  for (var f = 0u; f < F; f++) {
    var sq = 0.0;
    for (var r = ids.lid; r < rp.records; r += WG) {
      let v = feats[(agent * rp.records + r) * F + f];
      sq += v * v;
    }
    spread[f] = sqrt(workgroup_sum(sq, ids) / f32(rp.records)) + 1e-8;
  }
  for (var r = ids.lid; r < rp.records; r += WG) {
    for (var f = 0u; f < F; f++) { feats[(agent * rp.records + r) * F + f] /= spread[f]; }
  }
  storageBarrier();
  // (eta, v) from the last update, in the standardized coordinates u = v s.
  let base = agent * (1u + F);
  var d: DualState;
  d.log_eta = clamp(log(dual[base]), LOG_ETA_RANGE.x, LOG_ETA_RANGE.y);
  for (var f = 0u; f < F; f++) { d.u[f] = dual[base + 1u + f] * spread[f]; }
  let before = evaluate(agent, &d, ids);
  var m_eta = 0.0;
  var v_eta = 0.0;
  var m_u: array<f32, MAX_FEATURES>;
  var v_u: array<f32, MAX_FEATURES>;
  var last = before;
  for (var k = 0u; k < rp.dual_steps; k++) {
    let c1 = 1.0 - pow(0.9, f32(k + 1u));
    let c2 = 1.0 - pow(0.999, f32(k + 1u));
    m_eta = 0.9 * m_eta + 0.1 * last.d_log_eta;
    v_eta = 0.999 * v_eta + 0.001 * last.d_log_eta * last.d_log_eta;
    d.log_eta = clamp(d.log_eta - rp.lr * (m_eta / c1) / (sqrt(v_eta / c2) + 1e-8), LOG_ETA_RANGE.x, LOG_ETA_RANGE.y);
    for (var f = 0u; f < F; f++) {
      m_u[f] = 0.9 * m_u[f] + 0.1 * last.grad[f];
      v_u[f] = 0.999 * v_u[f] + 0.001 * last.grad[f] * last.grad[f];
      d.u[f] -= rp.lr * (m_u[f] / c1) / (sqrt(v_u[f] / c2) + 1e-8);
    }
    last = evaluate(agent, &d, ids);
  }
  // The weights of the fit, and what the update reports.
  let eta = exp(d.log_eta);
  for (var r = ids.lid; r < rp.records; r += WG) {
    let at = (agent * rp.records + r) * rp.width;
    segment[at + rp.adv_col] = exp((bellman_error(agent, r, &d) - last.max_delta) / eta);
  }
  if (ids.lid == 0u) {
    dual[base] = eta;
    for (var f = 0u; f < F; f++) { dual[base + 1u + f] = d.u[f] / spread[f]; }
    let mrow = agent * rp.metrics_width;
    metrics[mrow + rp.slot_eta] += eta;
    metrics[mrow + rp.slot_kl] += last.kl;
    metrics[mrow + rp.slot_dual_before] += before.value;
    metrics[mrow + rp.slot_dual_after] += last.value;
  }
}

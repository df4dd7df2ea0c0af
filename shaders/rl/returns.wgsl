// rl/returns.wgsl - discounted returns-to-go of an on-policy segment of T steps per env, for
// score-function policy gradients (REINFORCE):
//   G_t = r_t + gamma (1 - terminated_t) * (truncated_t or t = T - 1 ? V(s'_t) : G_{t+1})
// i.e. episodes that ended by termination stop there, and episodes cut by the time limit or by
// the end of the segment are bootstrapped with the value of the state they reached.
// One thread per (env, agent), looping t from T - 1 down to 0; dispatch (ceil(envs / 64), agents).
// The segment is one tensor [agents, envs, T, width]; each step's record holds reward,
// terminated, truncated, V(s') and the return at the uniform's columns.
// V is learned on normalized returns, so V(s') is mapped back with the statistics of the last
// normalization: V_raw = mean + std * V.
//   normalize_returns  G <- (G - mean) / std over all envs and steps of an agent (one workgroup of
//                      256 per agent; dispatch (agents)), keeping (mean, std) in stats for the
//                      next segment's bootstrap values. Scaling returns by 1 / std is a step
//                      size; subtracting their mean a constant baseline: neither biases the
//                      score-function gradient, and the value net sees targets of unit scale.
//   gae                PPO's advantages (generalized advantage estimation, Schulman et al. 2016):
//                      with V(s_t) and V(s'_t) mapped back to raw units,
//                      delta_t = r_t + gamma (1 - terminated_t) V(s'_t) - V(s_t),
//                      A_t = delta_t + gamma lambda A_{t+1}, the sum cut where an episode ended
//                      (terminated or truncated: the next record starts a new one) and at the
//                      segment's end (V(s') bootstraps both through delta); the return
//                      G_t = A_t + V(s_t); V(s_t) is left in raw units (for value clipping).
//                      One thread per (env, agent), as discounted_returns.
//   standardize_advantages  A <- (A - mean) / std over all envs and steps of an agent (as
//                      normalize_returns, statistics not kept).
//   shift_advantages_positive  A <- A - min A + 1e-8 over an agent's segment (rllab's
//                      positive_adv: RWR's weights of the weighted maximum-likelihood fit).
// Bindings: 0 uniform Returns; 1 segment (rw); 2 stats (rw, [agents, 2]).

struct Returns {
  envs: u32,
  steps: u32,
  width: u32,
  reward_col: u32,
  value_col: u32,
  return_col: u32,
  gamma: f32,
  lambda: f32,
  /** gae only: the columns of V(s) and of the advantage. */
  state_value_col: u32,
  adv_col: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> rp: Returns;
@group(0) @binding(1) var<storage, read_write> segment: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;

const WG: u32 = 256u;

@compute @workgroup_size(64)
fn discounted_returns(@builtin(global_invocation_id) gid: vec3<u32>) {
  let env = gid.x;
  let agent = gid.y;
  if (env >= rp.envs) { return; }
  let base = (agent * rp.envs + env) * rp.steps * rp.width;
  var g = 0.0;
  for (var k = 0u; k < rp.steps; k++) {
    let t = rp.steps - 1u - k;
    let at = base + t * rp.width;
    let reward = segment[at + rp.reward_col];
    let terminated = segment[at + rp.reward_col + 1u];
    let truncated = segment[at + rp.reward_col + 2u];
    var next = g;
    if (truncated > 0.5 || t == rp.steps - 1u) { next = stats[agent * 2u] + stats[agent * 2u + 1u] * segment[at + rp.value_col]; }
    g = reward + rp.gamma * (1.0 - terminated) * next;
    segment[at + rp.return_col] = g;
  }
}

// Column `col` of every (env, step) of `agent` standardized in place; returns (mean, std).
fn standardize(agent: u32, col: u32, ids: ReduceIds) -> vec2<f32> {
  let count = rp.envs * rp.steps;
  let base = agent * count * rp.width + col;
  var total = 0.0;
  for (var i = ids.lid; i < count; i += WG) { total += segment[base + i * rp.width]; }
  let mean = workgroup_sum(total, ids) / f32(count);
  var sq = 0.0;
  for (var i = ids.lid; i < count; i += WG) {
    let d = segment[base + i * rp.width] - mean;
    sq += d * d;
  }
  let spread = sqrt(workgroup_sum(sq, ids) / f32(count)) + 1e-6;
  for (var i = ids.lid; i < count; i += WG) { segment[base + i * rp.width] = (segment[base + i * rp.width] - mean) / spread; }
  return vec2<f32>(mean, spread);
}

@compute @workgroup_size(WG)
fn normalize_returns(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let agent = wid.x;
  let s = standardize(agent, rp.return_col, ids);
  if (ids.lid == 0u) {
    stats[agent * 2u] = s.x;
    stats[agent * 2u + 1u] = s.y;
  }
}

@compute @workgroup_size(WG)
fn standardize_advantages(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  standardize(wid.x, rp.adv_col, ids);
}

@compute @workgroup_size(64)
fn gae(@builtin(global_invocation_id) gid: vec3<u32>) {
  let env = gid.x;
  let agent = gid.y;
  if (env >= rp.envs) { return; }
  let base = (agent * rp.envs + env) * rp.steps * rp.width;
  let mean = stats[agent * 2u];
  let spread = stats[agent * 2u + 1u];
  var adv = 0.0;
  for (var k = 0u; k < rp.steps; k++) {
    let t = rp.steps - 1u - k;
    let at = base + t * rp.width;
    let reward = segment[at + rp.reward_col];
    let terminated = segment[at + rp.reward_col + 1u];
    let truncated = segment[at + rp.reward_col + 2u];
    let v = mean + spread * segment[at + rp.state_value_col];
    let v_next = mean + spread * segment[at + rp.value_col];
    let delta = reward + rp.gamma * (1.0 - terminated) * v_next - v;
    let ended = terminated > 0.5 || truncated > 0.5 || t == rp.steps - 1u;
    adv = delta + select(rp.gamma * rp.lambda * adv, 0.0, ended);
    segment[at + rp.adv_col] = adv;
    segment[at + rp.return_col] = adv + v;
    segment[at + rp.state_value_col] = v;
  }
}

var<workgroup> min_scratch: array<f32, WG>;

@compute @workgroup_size(WG)
fn shift_advantages_positive(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let count = rp.envs * rp.steps;
  let base = wid.x * count * rp.width + rp.adv_col;
  var low = 3.4e38;
  for (var i = lid; i < count; i += WG) { low = min(low, segment[base + i * rp.width]); }
  min_scratch[lid] = low;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) { min_scratch[lid] = min(min_scratch[lid], min_scratch[lid + half]); }
    workgroupBarrier();
  }
  let least = min_scratch[0];
  for (var i = lid; i < count; i += WG) { segment[base + i * rp.width] = segment[base + i * rp.width] - least + 1e-8; }
}

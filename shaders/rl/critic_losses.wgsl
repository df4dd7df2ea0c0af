// rl/critic_losses.wgsl - the losses of actor-critic methods, with their gradients and running
// metrics, one workgroup per agent (dispatch (agents), 256 threads over the minibatch rows).
//   td_mse       y = r + gamma (1 - terminated) Q'(s', a');  loss = mean (Q(s, a) - y)^2;
//                dQ = 2 (Q - y) / B. metrics[a] += [loss, mean Q, 0, 0, ...] and count[3] += 1.
//   policy_loss  loss = -mean Q(s, pi(s)); dQ = -1 / B. metrics[a][2] += loss, count[4] += 1.
// Sums are reduced with workgroup_sum (common/reduce_*.wgsl, prepended): a fixed order, so a
// seed reproduces exactly on a given adapter. Reward and terminated
// are read from the minibatch rows (columns reward_col, terminated_col of a row of `width`).
// Bindings: 0 uniform Losses; 1 q (read, [agents, B]); 2 q_target (read, [agents, B]);
//   3 batch (read, [agents, B, width]); 4 dq (rw, [agents, B]); 5 metrics (rw, [agents, 8]).

struct Losses {
  rows: u32,
  width: u32,
  reward_col: u32,
  terminated_col: u32,
  gamma: f32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> ls: Losses;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> q_target: array<f32>;
@group(0) @binding(3) var<storage, read> batch: array<f32>;
@group(0) @binding(4) var<storage, read_write> dq: array<f32>;
@group(0) @binding(5) var<storage, read_write> metrics: array<f32>;

@compute @workgroup_size(WG)
fn td_mse(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let lid = ids.lid;
  let agent = wid.x;
  let n = f32(ls.rows);
  var se = 0.0;
  var qs = 0.0;
  for (var r = lid; r < ls.rows; r += WG) {
    let i = agent * ls.rows + r;
    let row = i * ls.width;
    let y = batch[row + ls.reward_col] + ls.gamma * (1.0 - batch[row + ls.terminated_col]) * q_target[i];
    let e = q[i] - y;
    dq[i] = 2.0 * e / n;
    se += e * e;
    qs += q[i];
  }
  let se_total = workgroup_sum(se, ids);
  let q_total = workgroup_sum(qs, ids);
  if (lid == 0u) {
    metrics[agent * 8u] += se_total / n;
    metrics[agent * 8u + 1u] += q_total / n;
    metrics[agent * 8u + 3u] += 1.0;
  }
}

@compute @workgroup_size(WG)
fn policy_loss(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let lid = ids.lid;
  let agent = wid.x;
  let n = f32(ls.rows);
  var qs = 0.0;
  for (var r = lid; r < ls.rows; r += WG) {
    let i = agent * ls.rows + r;
    dq[i] = -1.0 / n;
    qs += q[i];
  }
  let q_total = workgroup_sum(qs, ids);
  if (lid == 0u) {
    metrics[agent * 8u + 2u] += -q_total / n;
    metrics[agent * 8u + 4u] += 1.0;
  }
}

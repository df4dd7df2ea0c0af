// rl/temperature.wgsl - the entropy temperature of soft actor-critic, tuned automatically
// (Haarnoja et al. 2018b): minimise  J(alpha) = mean_rows[-alpha (log pi(a|s) + target_entropy)]
// over log alpha with Adam, so the policy's entropy is driven toward target_entropy.
// d J / d log alpha = -alpha mean(log pi + target); Adam (beta1 0.9, beta2 0.999, eps 1e-8).
// One workgroup of 256 per agent; dispatch (agents). The log-probabilities are read from a
// policy update's batch (dense [agents, rows]); the mean is reduced with workgroup_sum.
// State per agent (8 floats): [alpha, log alpha, m, v, step, 0, 0, 0]; alpha is read by the
// losses as a broadcast value. With `learn` 0 the kernel only sets alpha = exp(log alpha).
// Bindings: 0 uniform Temperature; 1 logp (read); 2 state (rw); 3 metrics (rw, [agents, width]).

struct Temperature {
  rows: u32,
  learn: u32,
  metric_width: u32,
  metric_slot: u32,
  lr: f32,
  target_entropy: f32,
  _pad0: u32,
  _pad1: u32,
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> tp: Temperature;
@group(0) @binding(1) var<storage, read> logp: array<f32>;
@group(0) @binding(2) var<storage, read_write> state: array<f32>;
@group(0) @binding(3) var<storage, read_write> metrics: array<f32>;

@compute @workgroup_size(WG)
fn update(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let agent = wid.x;
  var total = 0.0;
  for (var r = ids.lid; r < tp.rows; r += WG) { total += logp[agent * tp.rows + r]; }
  let mean_logp = workgroup_sum(total, ids) / f32(tp.rows);
  if (ids.lid != 0u) { return; }
  let s = agent * 8u;
  var log_alpha = state[s + 1u];
  if (tp.learn != 0u) {
    let g = -exp(log_alpha) * (mean_logp + tp.target_entropy);
    let step = state[s + 4u] + 1.0;
    let m = 0.9 * state[s + 2u] + 0.1 * g;
    let v = 0.999 * state[s + 3u] + 0.001 * g * g;
    let m_hat = m / (1.0 - pow(0.9, step));
    let v_hat = v / (1.0 - pow(0.999, step));
    log_alpha -= tp.lr * m_hat / (sqrt(v_hat) + 1e-8);
    state[s + 1u] = log_alpha;
    state[s + 2u] = m;
    state[s + 3u] = v;
    state[s + 4u] = step;
  }
  state[s] = exp(log_alpha);
  metrics[agent * tp.metric_width + tp.metric_slot] += exp(log_alpha);
}

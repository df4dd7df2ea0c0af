// sample/categorical.wgsl - categorical sampling with Gumbel-max, the Gumbel-softmax relaxation
// (Jang et al. 2017; Maddison et al. 2017) and its straight-through variant, and the score
// function of a categorical (needs common/rng.wgsl and common/view.wgsl prepended).
//
// One thread per (row, agent) handles the K classes of its row. Dispatch: (ceil(rows / 64), agents).
// Gumbel noise for class k of row r of agent a: Philox key rng_agent_key((seed,
// stream), a), counter (r, clock[0], k / 4, draw), lane k % 4 (`draw` tells apart samples of one step).
//   sample    g_k ~ Gumbel(0, 1); soft = softmax((logits + g) / tau);  index = argmax(logits + g)
//             (an exact sample of softmax(logits)); y = one_hot(index) if HARD else soft;
//             logp = log softmax(logits)[index].
//   backward  through the relaxation with g held fixed: dlogits = soft * (dy - <dy, soft>) / tau.
//             With HARD (straight-through), dy is the gradient at the one-hot output, passed to
//             the soft sample's Jacobian.
//   score     dlogits = w * (one_hot(index) - softmax(logits)), the gradient of w * log p(index).
//   score_observed  the same for a one-hot sample given in dy (drawn earlier, e.g. while acting).
//   mode      one_hot(argmax logits) into y (acting without noise).
// Bindings: 0 uniform Categorical; 1 logits (read); 2 y (rw, sample); 3 soft (rw, sample:
//   dense [agents, rows, K]); 4 index (rw u32, sample: dense [agents, rows]); 5 logp (rw, sample);
//   6 clock (read u32); 7 soft (read, backward); 8 dy (read, backward); 9 index (read u32, score);
//   10 weight (read, score: dense [agents, rows]); 11 logits_grad (rw; added to with `accumulate`).

override HARD: bool = false;

struct Categorical {
  rows: u32,
  classes: u32,
  seed: u32,
  stream: u32,
  tau: f32,
  draw: u32,
  accumulate: u32,
  _pad: u32,
  logits: View,
  y: View,
  dy: View,
  logits_grad: View,
}

@group(0) @binding(0) var<uniform> p: Categorical;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read_write> y_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> soft_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> index_out: array<u32>;
@group(0) @binding(5) var<storage, read_write> logp_out: array<f32>;
@group(0) @binding(6) var<storage, read> clock: array<u32>;
@group(0) @binding(7) var<storage, read> soft_in: array<f32>;
@group(0) @binding(8) var<storage, read> dy: array<f32>;
@group(0) @binding(9) var<storage, read> index_in: array<u32>;
@group(0) @binding(10) var<storage, read> weight: array<f32>;
@group(0) @binding(11) var<storage, read_write> logits_grad: array<f32>;

fn write_grad(i: u32, g: f32) {
  if (p.accumulate != 0u) { logits_grad[i] += g; } else { logits_grad[i] = g; }
}

// log sum_k exp(logits_k) of one row.
fn log_normaliser(agent: u32, row: u32) -> f32 {
  var m = -3.4e38;
  for (var k = 0u; k < p.classes; k++) { m = max(m, logits[view_at(p.logits, agent, row, k)]); }
  var s = 0.0;
  for (var k = 0u; k < p.classes; k++) { s += exp(logits[view_at(p.logits, agent, row, k)] - m); }
  return m + log(s);
}

@compute @workgroup_size(64)
fn sample(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let flat_row = agent * p.rows + row;
  let key = rng_agent_key(vec2<u32>(p.seed, p.stream), agent);
  let base = flat_row * p.classes;
  // Pass 1: perturbed logits (kept in soft_out as scratch), their max and argmax.
  var best = 0u;
  var best_value = -3.4e38;
  var g4 = vec4<f32>();
  for (var k = 0u; k < p.classes; k++) {
    if (k % 4u == 0u) { g4 = rng_gumbel4(key, vec4<u32>(row, clock[0], k / 4u, p.draw)); }
    let v = (logits[view_at(p.logits, agent, row, k)] + g4[k % 4u]) / p.tau;
    soft_out[base + k] = v;
    if (v > best_value) { best_value = v; best = k; }
  }
  // Pass 2: stable softmax of the perturbed logits.
  var total = 0.0;
  for (var k = 0u; k < p.classes; k++) {
    let e = exp(soft_out[base + k] - best_value);
    soft_out[base + k] = e;
    total += e;
  }
  for (var k = 0u; k < p.classes; k++) {
    let s = soft_out[base + k] / total;
    soft_out[base + k] = s;
    var out = s;
    if (HARD) { out = select(0.0, 1.0, k == best); }
    y_out[view_at(p.y, agent, row, k)] = out;
  }
  index_out[flat_row] = best;
  logp_out[flat_row] = logits[view_at(p.logits, agent, row, best)] - log_normaliser(agent, row);
}

@compute @workgroup_size(64)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let base = (agent * p.rows + row) * p.classes;
  var inner = 0.0;
  for (var k = 0u; k < p.classes; k++) { inner += dy[view_at(p.dy, agent, row, k)] * soft_in[base + k]; }
  for (var k = 0u; k < p.classes; k++) {
    let s = soft_in[base + k];
    write_grad(view_at(p.logits_grad, agent, row, k), s * (dy[view_at(p.dy, agent, row, k)] - inner) / p.tau);
  }
}

@compute @workgroup_size(64)
fn score(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let flat_row = agent * p.rows + row;
  let w = weight[flat_row];
  let chosen = index_in[flat_row];
  let log_z = log_normaliser(agent, row);
  for (var k = 0u; k < p.classes; k++) {
    let prob = exp(logits[view_at(p.logits, agent, row, k)] - log_z);
    write_grad(view_at(p.logits_grad, agent, row, k), w * (select(0.0, 1.0, k == chosen) - prob));
  }
}

// The most probable class as a one-hot row into y: acting without noise (evaluation).
@compute @workgroup_size(64)
fn mode(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  var best = 0u;
  var best_value = -3.4e38;
  for (var k = 0u; k < p.classes; k++) {
    let v = logits[view_at(p.logits, agent, row, k)];
    if (v > best_value) { best_value = v; best = k; }
  }
  for (var k = 0u; k < p.classes; k++) { y_out[view_at(p.y, agent, row, k)] = select(0.0, 1.0, k == best); }
}

// Score function of a sample drawn before, given as a one-hot row in dy (e.g. stored while acting):
// dlogits = w * (observed - softmax(logits)).
@compute @workgroup_size(64)
fn score_observed(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let w = weight[agent * p.rows + row];
  let log_z = log_normaliser(agent, row);
  for (var k = 0u; k < p.classes; k++) {
    let prob = exp(logits[view_at(p.logits, agent, row, k)] - log_z);
    write_grad(view_at(p.logits_grad, agent, row, k), w * (dy[view_at(p.dy, agent, row, k)] - prob));
  }
}

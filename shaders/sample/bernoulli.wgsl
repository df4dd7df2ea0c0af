// sample/bernoulli.wgsl - binary stochastic units: the binary Concrete / Gumbel-sigmoid
// relaxation with temperature tau, its straight-through variant, and the score function of a
// Bernoulli(sigmoid(logit)) (needs common/rng.wgsl and common/view.wgsl prepended).
//
// One thread per (element, agent), element = row * dim + d. Dispatch: (ceil(rows * dim / 64), agents).
// Uniform u for element d of row r of agent a: Philox key rng_agent_key((seed,
// stream), a), counter (r, clock[0], d / 4, draw), lane d % 4 (`draw` tells apart samples of one step).
//   sample    L = log u - log(1 - u) (logistic noise); soft = sigmoid((logit + L) / tau);
//             y = [soft > 1/2] if HARD (= [u < sigmoid(logit)], an exact Bernoulli sample) else soft.
//   backward  dlogit = dy * soft (1 - soft) / tau (straight through the relaxation when HARD).
//   score     dlogit = w * (b - sigmoid(logit)) for a stored sample b in {0, 1}.
//   mode      y = [logit > 0], the more probable value (acting without noise).
// backward and score add into logits_grad instead of writing it when `accumulate` is set.
// Bindings: 0 uniform Binary; 1 logits (read); 2 y (rw, sample); 3 soft (rw, sample: dense
//   [agents, rows, dim]); 4 clock (read u32); 5 soft (read, backward); 6 dy (read, backward) or
//   the sample b (read, score); 7 weight (read, score: dense [agents, rows]); 8 logits_grad (rw).

override HARD: bool = false;

struct Binary {
  rows: u32,
  dim: u32,
  seed: u32,
  stream: u32,
  tau: f32,
  draw: u32,
  accumulate: u32,
  _pad0: u32,
  logits: View,
  y: View,
  input: View,
  logits_grad: View,
}

@group(0) @binding(0) var<uniform> p: Binary;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read_write> y_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> soft_out: array<f32>;
@group(0) @binding(4) var<storage, read> clock: array<u32>;
@group(0) @binding(5) var<storage, read> soft_in: array<f32>;
@group(0) @binding(6) var<storage, read> input_src: array<f32>;
@group(0) @binding(7) var<storage, read> weight: array<f32>;
@group(0) @binding(8) var<storage, read_write> logits_grad: array<f32>;

fn add_grad(i: u32, g: f32) {
  if (p.accumulate != 0u) { logits_grad[i] += g; } else { logits_grad[i] = g; }
}

fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

@compute @workgroup_size(64)
fn sample(@builtin(global_invocation_id) gid: vec3<u32>) {
  let agent = gid.y;
  if (gid.x >= p.rows * p.dim) { return; }
  let row = gid.x / p.dim;
  let d = gid.x % p.dim;
  let flat_row = agent * p.rows + row;
  let u = rng_uniform4(rng_agent_key(vec2<u32>(p.seed, p.stream), agent), vec4<u32>(row, clock[0], d / 4u, p.draw))[d % 4u];
  let noise = log(u) - log(1.0 - u);
  let soft = sigmoid((logits[view_at(p.logits, agent, row, d)] + noise) / p.tau);
  soft_out[flat_row * p.dim + d] = soft;
  var out = soft;
  if (HARD) { out = select(0.0, 1.0, soft > 0.5); }
  y_out[view_at(p.y, agent, row, d)] = out;
}

@compute @workgroup_size(64)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let agent = gid.y;
  if (gid.x >= p.rows * p.dim) { return; }
  let row = gid.x / p.dim;
  let d = gid.x % p.dim;
  let s = soft_in[(agent * p.rows + row) * p.dim + d];
  add_grad(view_at(p.logits_grad, agent, row, d), input_src[view_at(p.input, agent, row, d)] * s * (1.0 - s) / p.tau);
}

@compute @workgroup_size(64)
fn score(@builtin(global_invocation_id) gid: vec3<u32>) {
  let agent = gid.y;
  if (gid.x >= p.rows * p.dim) { return; }
  let row = gid.x / p.dim;
  let d = gid.x % p.dim;
  let b = input_src[view_at(p.input, agent, row, d)];
  let w = weight[agent * p.rows + row];
  add_grad(view_at(p.logits_grad, agent, row, d), w * (b - sigmoid(logits[view_at(p.logits, agent, row, d)])));
}

@compute @workgroup_size(64)
fn mode(@builtin(global_invocation_id) gid: vec3<u32>) {
  let agent = gid.y;
  if (gid.x >= p.rows * p.dim) { return; }
  let row = gid.x / p.dim;
  let d = gid.x % p.dim;
  y_out[view_at(p.y, agent, row, d)] = select(0.0, 1.0, logits[view_at(p.logits, agent, row, d)] > 0.0);
}

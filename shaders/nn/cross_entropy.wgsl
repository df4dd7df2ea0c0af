// nn/cross_entropy.wgsl - the cross-entropy of a softmax classifier per row, and its VJP
// (needs common/view.wgsl prepended).
//
//   forward   ce[a, r] = sum_k target[a, r, k] (lse - logits[a, r, k]), lse = log sum_k exp(logits[a, r, k])
//             (-log p(label) for a one-hot target; any distribution, or a weighted one, as target)
//   backward  dlogits[a, r, k] += dce[a, r] * (softmax(logits[a, r])_k * sum_j target_j - target_k)
// Bindings: 0 uniform CrossEntropy; 1 logits (read); 2 targets (read); 3 ce (rw, view cols 1);
//   4 dce (read, laid out as ce: the cost's gradient twin); 5 dlogits (rw; added to).
// Dispatch: (ceil(rows / 64), agents); one thread per row.

struct CrossEntropy {
  rows: u32,
  classes: u32,
  _pad0: u32,
  _pad1: u32,
  logits: View,
  target_view: View,
  ce: View,
  dlogits: View,
}

@group(0) @binding(0) var<uniform> p: CrossEntropy;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<f32>;
@group(0) @binding(3) var<storage, read_write> ce: array<f32>;
@group(0) @binding(4) var<storage, read> dce: array<f32>;
@group(0) @binding(5) var<storage, read_write> dlogits: array<f32>;

fn log_normaliser(agent: u32, row: u32) -> f32 {
  var m = -3.4e38;
  for (var k = 0u; k < p.classes; k++) { m = max(m, logits[view_at(p.logits, agent, row, k)]); }
  var s = 0.0;
  for (var k = 0u; k < p.classes; k++) { s += exp(logits[view_at(p.logits, agent, row, k)] - m); }
  return m + log(s);
}

@compute @workgroup_size(64)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let lse = log_normaliser(agent, row);
  var total = 0.0;
  for (var k = 0u; k < p.classes; k++) {
    let t = targets[view_at(p.target_view, agent, row, k)];
    total += t * (lse - logits[view_at(p.logits, agent, row, k)]);
  }
  ce[view_at(p.ce, agent, row, 0u)] = total;
}

@compute @workgroup_size(64)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let lse = log_normaliser(agent, row);
  var mass = 0.0;
  for (var k = 0u; k < p.classes; k++) { mass += targets[view_at(p.target_view, agent, row, k)]; }
  let g = dce[view_at(p.ce, agent, row, 0u)];
  for (var k = 0u; k < p.classes; k++) {
    let at = view_at(p.logits, agent, row, k);
    let soft = exp(logits[at] - lse);
    let t = targets[view_at(p.target_view, agent, row, k)];
    dlogits[view_at(p.dlogits, agent, row, k)] += g * (soft * mass - t);
  }
}

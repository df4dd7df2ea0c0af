// scg/ops.wgsl - the small deterministic nodes of a stochastic computation graph (src/scg) and
// their vector-Jacobian products, plus the cost nodes that start the backward pass
// (needs common/view.wgsl and common/reduce_*.wgsl prepended).
//
// Values are [agents, rows, cols] views (common/view.wgsl). OP (override) picks the operation:
//   0 add     out = alpha a + beta b        1 mul     out = alpha a b
//   2 square  out = alpha a^2               3 squared error  (cost only) alpha sum_j (a - b)^2
//   4 dot     (cost only) alpha sum_j a_j b_j, b often a broadcast row of weights (discounts)
//   map             out (=, or += with `accumulate`) op(a, b), elementwise.
//                   One thread per (row, agent); dispatch (ceil(rows / 64), agents).
//   map_backward_a  out += dout * d op / d a  (out is a's gradient; gradients always accumulate:
//   map_backward_b  out += dout * d op / d b   the graph clears them before a backward pass).
//   row_cost        cost[agent, row] = alpha sum_j a[row, j] (OP 0), or OP 3 or 4 as above,
//                   dense [agents, rows]; metrics[agent * metric_width + metric_slot] += mean over
//                   rows. One workgroup of 256 per agent; dispatch (agents).
//   row_cost_backward  out (a's gradient) += d mean_rows(cost) / d a: alpha / rows, or
//                   2 alpha (a - b) / rows, or alpha b / rows. Dispatch (ceil(rows / 64), agents).
//   clear           out[i] = 0 for i < rows (a whole buffer, flat). Dispatch (ceil(n / 64)).
// Bindings: 0 uniform Ops; 1 a (read); 2 b (read); 3 out (rw); 4 dout (read); 5 cost (rw,
//   row_cost); 6 metrics (rw, row_cost).

override OP: u32 = 0u;

struct Ops {
  rows: u32,
  cols: u32,
  accumulate: u32,
  metric_slot: u32,
  alpha: f32,
  beta: f32,
  metric_width: u32,
  _pad: u32,
  a: View,
  b: View,
  out: View,
  dout: View,
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> p: Ops;
@group(0) @binding(1) var<storage, read> a_in: array<f32>;
@group(0) @binding(2) var<storage, read> b_in: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<f32>;
@group(0) @binding(5) var<storage, read_write> cost: array<f32>;
@group(0) @binding(6) var<storage, read_write> metrics: array<f32>;

fn a_at(agent: u32, row: u32, col: u32) -> f32 { return a_in[view_at(p.a, agent, row, col)]; }
fn b_at(agent: u32, row: u32, col: u32) -> f32 { return b_in[view_at(p.b, agent, row, col)]; }

@compute @workgroup_size(64)
fn map(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  for (var j = 0u; j < p.cols; j++) {
    let x = a_at(agent, row, j);
    let b = b_at(agent, row, j);
    var y: f32;
    switch OP {
      case 1u: { y = p.alpha * x * b; }
      case 2u: { y = p.alpha * x * x; }
      default: { y = p.alpha * x + p.beta * b; }
    }
    let i = view_at(p.out, agent, row, j);
    if (p.accumulate != 0u) { out[i] += y; } else { out[i] = y; }
  }
}

@compute @workgroup_size(64)
fn map_backward_a(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  for (var j = 0u; j < p.cols; j++) {
    let g = dout[view_at(p.dout, agent, row, j)];
    let x = a_at(agent, row, j);
    let y = b_at(agent, row, j);
    var d: f32;
    switch OP {
      case 1u: { d = p.alpha * y; }
      case 2u: { d = 2.0 * p.alpha * x; }
      default: { d = p.alpha; }
    }
    out[view_at(p.out, agent, row, j)] += g * d;
  }
}

@compute @workgroup_size(64)
fn map_backward_b(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  for (var j = 0u; j < p.cols; j++) {
    let g = dout[view_at(p.dout, agent, row, j)];
    // Both operands are read in every entry point, so every op binds the same buffers.
    let x = a_at(agent, row, j);
    let y = b_at(agent, row, j);
    var d: f32;
    switch OP {
      case 1u: { d = p.alpha * x; }
      default: { d = p.beta + 0.0 * y; }
    }
    out[view_at(p.out, agent, row, j)] += g * d;
  }
}

fn row_value(agent: u32, row: u32) -> f32 {
  var c = 0.0;
  for (var j = 0u; j < p.cols; j++) {
    if (OP == 3u) {
      let e = a_at(agent, row, j) - b_at(agent, row, j);
      c += e * e;
    } else if (OP == 4u) {
      c += a_at(agent, row, j) * b_at(agent, row, j);
    } else {
      c += a_at(agent, row, j);
    }
  }
  return p.alpha * c;
}

@compute @workgroup_size(WG)
fn row_cost(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let agent = wid.x;
  var total = 0.0;
  for (var row = ids.lid; row < p.rows; row += WG) {
    let c = row_value(agent, row);
    cost[agent * p.rows + row] = c;
    total += c;
  }
  let sum = workgroup_sum(total, ids);
  if (ids.lid == 0u) { metrics[agent * p.metric_width + p.metric_slot] += sum / f32(p.rows); }
}

@compute @workgroup_size(64)
fn row_cost_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= p.rows) { return; }
  let scale = p.alpha / f32(p.rows);
  for (var j = 0u; j < p.cols; j++) {
    var d = scale;
    if (OP == 3u) { d = 2.0 * scale * (a_at(agent, row, j) - b_at(agent, row, j)); }
    if (OP == 4u) { d = scale * b_at(agent, row, j); }
    out[view_at(p.out, agent, row, j)] += d;
  }
}

@compute @workgroup_size(64)
fn clear(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * 64u;
  if (i < p.rows) { out[i] = 0.0; }
}

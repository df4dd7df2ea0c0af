// fused/mlp_row.wgsl - one row's pass through a dense network, forward and backward, for row
// programs (a library: no bindings, no entry points). A row program runs a whole per-row chain -
// networks, samplers, env steps, losses and their VJPs - in one invocation, so the networks here
// work on one row held in private arrays; the sums over rows (weight gradients) are left to
// fused/param_update.wgsl, which reads what `mlp_tape_write` stores.
//
// Needs prepended: fused/mlp_shape.wgsl, `const MAX_WIDTH: u32` (the widest layer of the
// program's networks), fused/lanes.wgsl or fused/lanes_none.wgsl (weights shared across lanes),
// `fn weight(net: u32, i: u32) -> f32`, element i of network `net`'s parameters (the kernel's
// bindings; src/nn/rowNetwork.ts's weightLibrary), and `fn tape_store(tape, i, v)` for the tapes.
// A network's parameters are nn/linear.wgsl's: per layer an (in + 1) x out row-major block
// W_aug (weights, then the bias row) at `offset` inside the agent's block of `per_agent` floats.
// Activations: 0 identity, 1 relu, 2 tanh; act' is taken from the output as in nn/linear.wgsl.
// Every sum runs in the order the tiled matmul of nn/linear.wgsl uses (inputs ascending, the bias
// last; outputs ascending in the backward), so a row program agrees with the per-layer kernels to
// float rounding of the tile order (~1e-7). Each output's sum is its own register (blocks of 8
// outputs, or 8 inputs in the backward), so blocking changes what a load serves, not the order.

alias Row = array<f32, MAX_WIDTH>;

// h[0] is the input, h[l + 1] the output of layer l.
struct MlpTrace {
  h: array<Row, 5>,
}

fn activate(act: u32, z: f32) -> f32 {
  if (act == 1u) { return max(z, 0.0); }
  if (act == 2u) { return tanh(z); }
  return z;
}

// d act / d z, from the activation's output y.
fn activation_grad(act: u32, y: f32) -> f32 {
  if (act == 1u) { return select(0.0, 1.0, y > 0.0); }
  if (act == 2u) { return 1.0 - y * y; }
  return 1.0;
}

// Weights at + c stride of network w for c = 0..7: shared across lanes where `fast`
// (fused/lanes.wgsl), else loaded by every lane.
fn weights8(w: u32, at: u32, stride: u32, fast: bool, lane: u32) -> array<vec4<f32>, 2> {
  if (fast) { return lane_shared8(w, at, stride, lane); }
  var q: array<vec4<f32>, 2>;
  for (var c = 0u; c < 4u; c++) {
    q[0][c] = weight(w, at + c * stride);
    q[1][c] = weight(w, at + (c + 4u) * stride);
  }
  return q;
}

// trace.h[l + 1] = act(trace.h[l] W_l + b_l) for every layer (the caller sets trace.h[0]).
// Outputs go in blocks of 8 with their sums in registers, so each input read from the private
// array (one load per lane on CPU adapters) serves 8 products instead of one.
fn mlp_forward(w: u32, net: MlpShape, agent: u32, trace: ptr<function, MlpTrace>) {
  let fast = lanes_full();
  let lane = lane_index();
  for (var l = 0u; l < net.layers; l++) {
    let d = net.layer[l];
    let base = agent * net.per_agent + d.offset;
    for (var j0 = 0u; j0 < d.out_dim; j0 += 8u) {
      var z0 = vec4<f32>();
      var z1 = vec4<f32>();
      for (var i = 0u; i < d.in_dim; i++) {
        let x = (*trace).h[l][i];
        let q = weights8(w, base + i * d.out_dim + j0, 1u, fast, lane);
        z0 += x * q[0];
        z1 += x * q[1];
      }
      let b = weights8(w, base + d.in_dim * d.out_dim + j0, 1u, fast, lane);
      z0 += b[0];
      z1 += b[1];
      for (var c = 0u; c < 4u; c++) {
        if (j0 + c < d.out_dim) { (*trace).h[l + 1u][j0 + c] = activate(d.act, z0[c]); }
        if (j0 + 4u + c < d.out_dim) { (*trace).h[l + 1u][j0 + 4u + c] = activate(d.act, z1[c]); }
      }
    }
  }
}

// The network's output row.
fn mlp_output(net: MlpShape, trace: ptr<function, MlpTrace>) -> Row {
  return (*trace).h[net.layers];
}

// From dy = dL/d(output), every layer's delta dL/dz_l into deltas.h[l], and dL/d(input) returned.
fn mlp_backward(w: u32, net: MlpShape, agent: u32, trace: ptr<function, MlpTrace>, dy: Row, deltas: ptr<function, MlpTrace>) -> Row {
  var grad = dy;
  let fast = lanes_full();
  let lane = lane_index();
  for (var k = 0u; k < net.layers; k++) {
    let l = net.layers - 1u - k;
    let d = net.layer[l];
    let base = agent * net.per_agent + d.offset;
    for (var j = 0u; j < d.out_dim; j++) { (*deltas).h[l][j] = grad[j] * activation_grad(d.act, (*trace).h[l + 1u][j]); }
    // Inputs in blocks of 8, their sums in registers: each delta read serves 8 products.
    var dx: Row;
    for (var i0 = 0u; i0 < d.in_dim; i0 += 8u) {
      var s0 = vec4<f32>();
      var s1 = vec4<f32>();
      for (var j = 0u; j < d.out_dim; j++) {
        let g = (*deltas).h[l][j];
        let q = weights8(w, base + i0 * d.out_dim + j, d.out_dim, fast, lane);
        s0 += g * q[0];
        s1 += g * q[1];
      }
      for (var c = 0u; c < 4u; c++) {
        if (i0 + c < d.in_dim) { dx[i0 + c] = s0[c]; }
        if (i0 + 4u + c < d.in_dim) { dx[i0 + 4u + c] = s1[c]; }
      }
    }
    grad = dx;
  }
  return grad;
}

// The forward-mode derivative of the network's output along a direction in parameter space,
// J v with J = d(output) / d(params) at the trace's point: per layer dz = dh W + h V + V_b and
// d(output of the layer) = act'(z) dz, where V (and V_b) is `dir`'s block in the network's own
// layout (offsets and agent blocks as the parameters'), read with `weight(dir, i)`. The
// Fisher-vector products of the natural gradient methods (fused/npg.wgsl) need J v per row.
fn mlp_jvp(w: u32, dir: u32, net: MlpShape, agent: u32, trace: ptr<function, MlpTrace>) -> Row {
  let fast = lanes_full();
  let lane = lane_index();
  var dh: Row;
  for (var l = 0u; l < net.layers; l++) {
    let d = net.layer[l];
    let base = agent * net.per_agent + d.offset;
    var dy: Row;
    // Outputs in blocks of 8 (as mlp_forward), each dz its own register.
    for (var j0 = 0u; j0 < d.out_dim; j0 += 8u) {
      var z0 = vec4<f32>();
      var z1 = vec4<f32>();
      for (var i = 0u; i < d.in_dim; i++) {
        let x = dh[i];
        let h = (*trace).h[l][i];
        let q = weights8(w, base + i * d.out_dim + j0, 1u, fast, lane);
        let v = weights8(dir, base + i * d.out_dim + j0, 1u, fast, lane);
        z0 += x * q[0] + h * v[0];
        z1 += x * q[1] + h * v[1];
      }
      let vb = weights8(dir, base + d.in_dim * d.out_dim + j0, 1u, fast, lane);
      z0 += vb[0];
      z1 += vb[1];
      for (var c = 0u; c < 4u; c++) {
        if (j0 + c < d.out_dim) { dy[j0 + c] = activation_grad(d.act, (*trace).h[l + 1u][j0 + c]) * z0[c]; }
        if (j0 + 4u + c < d.out_dim) { dy[j0 + 4u + c] = activation_grad(d.act, (*trace).h[l + 1u][j0 + 4u + c]) * z1[c]; }
      }
    }
    dh = dy;
  }
  return dh;
}

// A row of a tape at `at` (through the kernel's `fn tape_store(tape: u32, i: u32, v: f32)`):
// every layer's input h_l, then every layer's delta, in layer order.
fn mlp_tape_write(tape: u32, at: u32, net: MlpShape, trace: ptr<function, MlpTrace>, deltas: ptr<function, MlpTrace>) {
  var k = at;
  for (var l = 0u; l < net.layers; l++) {
    for (var i = 0u; i < net.layer[l].in_dim; i++) { tape_store(tape, k + i, (*trace).h[l][i]); }
    k += net.layer[l].in_dim;
  }
  for (var l = 0u; l < net.layers; l++) {
    for (var j = 0u; j < net.layer[l].out_dim; j++) { tape_store(tape, k + j, (*deltas).h[l][j]); }
    k += net.layer[l].out_dim;
  }
}

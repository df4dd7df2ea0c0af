// fused/mlp_row.wgsl - one row's pass through a dense network, forward and backward, for row
// programs (a library: no bindings, no entry points). A row program runs a whole per-row chain -
// networks, samplers, env steps, losses and their VJPs - in one invocation, so the networks here
// work on one row held in private arrays; the sums over rows (weight gradients) are left to
// fused/param_update.wgsl, which reads what `mlp_tape_write` stores.
//
// Needs prepended: fused/mlp_shape.wgsl, `const MAX_WIDTH: u32` (the widest layer of the program's networks) and
// `fn weight(net: u32, i: u32) -> f32` and `fn weight4(net: u32, i: u32) -> vec4<f32>`,
// element i (elements i..i+3, i a multiple of 4) of network `net`'s parameters (the kernel's
// bindings; src/nn/rowNetwork.ts's weightLibrary), and `fn tape_store(tape, i, v)` for the tapes.
// The backward of layers whose rows of W_aug lie on 4-element boundaries loads 4 weights at a
// time. Every sum runs in the order the tiled matmul of nn/linear.wgsl uses (inputs ascending,
// the bias last; outputs ascending in the backward), so on llvmpipe a row program trains bit for
// bit like the per-layer program. (Forward sums over quads of outputs with vec4 accumulators
// were faster but rounded differently there: not worth losing that check.)
// A network's parameters are nn/linear.wgsl's: per layer an (in + 1) x out row-major block
// W_aug (weights, then the bias row) at `offset` inside the agent's block of `per_agent` floats.
// Activations: 0 identity, 1 relu, 2 tanh; act' is taken from the output as in nn/linear.wgsl.
// Sums run over the inputs in order with the bias last, as the tiled matmul does, so a row
// program agrees with the per-layer kernels to float rounding of the tile order (~1e-7).

alias Row = array<f32, MAX_WIDTH>;
alias Quads = array<vec4<f32>, MAX_WIDTH / 4u>;

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

// trace.h[l + 1] = act(trace.h[l] W_l + b_l) for every layer (the caller sets trace.h[0]).
fn mlp_forward(w: u32, net: MlpShape, agent: u32, trace: ptr<function, MlpTrace>) {
  for (var l = 0u; l < net.layers; l++) {
    let d = net.layer[l];
    let base = agent * net.per_agent + d.offset;
    for (var j = 0u; j < d.out_dim; j++) {
      var z = 0.0;
      for (var i = 0u; i < d.in_dim; i++) { z += (*trace).h[l][i] * weight(w, base + i * d.out_dim + j); }
      (*trace).h[l + 1u][j] = activate(d.act, z + weight(w, base + d.in_dim * d.out_dim + j));
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
  for (var k = 0u; k < net.layers; k++) {
    let l = net.layers - 1u - k;
    let d = net.layer[l];
    let base = agent * net.per_agent + d.offset;
    for (var j = 0u; j < d.out_dim; j++) { (*deltas).h[l][j] = grad[j] * activation_grad(d.act, (*trace).h[l + 1u][j]); }
    var dx: Row;
    if (d.out_dim % 4u == 0u && base % 4u == 0u) {
      let q = d.out_dim / 4u;
      var delta: Quads;
      for (var k = 0u; k < q; k++) {
        for (var c = 0u; c < 4u; c++) { delta[k][c] = (*deltas).h[l][4u * k + c]; }
      }
      for (var i = 0u; i < d.in_dim; i++) {
        // One load per quad of weights, the products added in output order (as the matmul does).
        var sum = 0.0;
        for (var k = 0u; k < q; k++) {
          let a = delta[k];
          let b = weight4(w, base + i * d.out_dim + 4u * k);
          sum += a.x * b.x;
          sum += a.y * b.y;
          sum += a.z * b.z;
          sum += a.w * b.w;
        }
        dx[i] = sum;
      }
    } else {
      for (var i = 0u; i < d.in_dim; i++) {
        var sum = 0.0;
        for (var j = 0u; j < d.out_dim; j++) { sum += (*deltas).h[l][j] * weight(w, base + i * d.out_dim + j); }
        dx[i] = sum;
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
  var dh: Row;
  for (var l = 0u; l < net.layers; l++) {
    let d = net.layer[l];
    let base = agent * net.per_agent + d.offset;
    var dy: Row;
    for (var j = 0u; j < d.out_dim; j++) {
      var dz = 0.0;
      for (var i = 0u; i < d.in_dim; i++) {
        dz += dh[i] * weight(w, base + i * d.out_dim + j) + (*trace).h[l][i] * weight(dir, base + i * d.out_dim + j);
      }
      dz += weight(dir, base + d.in_dim * d.out_dim + j);
      dy[j] = activation_grad(d.act, (*trace).h[l + 1u][j]) * dz;
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

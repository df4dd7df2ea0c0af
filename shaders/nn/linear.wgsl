// nn/linear.wgsl - dense layers, batched over a leading agent dimension.
//
// Computes, for every agent a (workgroup_id.z):
//   forward          Y = act(X W + b)                       [rows x out]
//   backward_input   dX (+)= dZ W^T,  dZ = dY * act'(Y)      [rows x in]
//   backward_weight  dW (+)= X^T dZ,  db (+)= sum_rows dZ    [(in + 1) x out]
// W and b of a layer are stored together as one (in + 1) x out row-major block "W_aug" whose last
// row is b, so the bias is the matmul with a column of ones: forward is [X, 1] W_aug and the
// weight gradient is [X, 1]^T dZ, one dispatch each. act' is computed from the stored output Y
// (relu: Y > 0, tanh: 1 - Y^2), so backward needs no pre-activation buffer and no extra pass.
//
// All three are one tiled matmul C[M x N] (+)= A[M x K] B[K x N]; the TypeScript side
// (src/nn/linear.ts) sets offsets and strides so that transposes and column slices of wider
// buffers are just strides:
//   forward:          A = [X, 1]   (ones at k == g.ones),  B = W_aug,  C = Y (act applied)
//   backward_input:   A = dZ,                              B = W^T,    C = dX
//   backward_weight:  A = [X, 1]^T (ones at m == g.ones),  B = dZ,     C = dW_aug
// Element (agent, i, j) of an operand is offset + agent * agent_stride + i * stride_i + j * stride_j.
// Tiles are override constants: TM x TN outputs per workgroup, TK deep, RM x RN per thread
// (RM * RN <= 16), so workgroup_size = (TN / RN, TM / RM).
// Dispatch: (ceil(N / TN), ceil(M / TM), agents).
//   backward         backward_weight and backward_input of one layer in ONE dispatch (they are
//                    independent): workgroups with z < agents compute dW_aug (operands 1, 2, 4,
//                    shape g), the others dX for agent z - agents (operands 5, 6, 7, shape g2);
//                    dispatch (max of both grids, 2 agents). Saves a dependent dispatch per layer.
// Bindings (every entry point binds 0-7, the fused backward also 8; src/nn/linear.ts fills the
// unused second operands of the single-problem entry points with small dummies):
//   0 uniform Gemm g; 1 a (read); 2 b (read); 3 y (read: the layer output, for act' of the dZ
//   operand); 4 c (read_write); 5 a2 (read); 6 b2 (read); 7 c2 (read_write); 8 uniform Gemm g2.

override TM: u32 = 32u;
override TN: u32 = 32u;
override TK: u32 = 8u;
override RM: u32 = 2u;
override RN: u32 = 2u;
// 0 identity, 1 relu, 2 tanh
override ACT: u32 = 0u;

const MODE_FORWARD: u32 = 0u;
const MODE_BACKWARD_INPUT: u32 = 1u;
const MODE_BACKWARD_WEIGHT: u32 = 2u;
const NO_ONES: u32 = 0xffffffffu;

struct Gemm {
  m: u32,
  n: u32,
  k: u32,
  accumulate: u32,
  a_offset: u32,
  a_agent_stride: u32,
  a_m_stride: u32,
  a_k_stride: u32,
  b_offset: u32,
  b_agent_stride: u32,
  b_k_stride: u32,
  b_n_stride: u32,
  c_offset: u32,
  c_agent_stride: u32,
  c_m_stride: u32,
  c_n_stride: u32,
  ones: u32,
  agents: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> g: Gemm;
@group(0) @binding(1) var<storage, read> a_src: array<f32>;
@group(0) @binding(2) var<storage, read> b_src: array<f32>;
@group(0) @binding(3) var<storage, read> y_act: array<f32>;
@group(0) @binding(4) var<storage, read_write> c_dst: array<f32>;
@group(0) @binding(5) var<storage, read> a_src2: array<f32>;
@group(0) @binding(6) var<storage, read> b_src2: array<f32>;
@group(0) @binding(7) var<storage, read_write> c_dst2: array<f32>;
@group(0) @binding(8) var<uniform> g2: Gemm;

// The operands of the fused backward's second problem live in bindings 5-7.
fn read_a(second: bool, i: u32) -> f32 {
  if (second) { return a_src2[i]; }
  return a_src[i];
}

fn read_b(second: bool, i: u32) -> f32 {
  if (second) { return b_src2[i]; }
  return b_src[i];
}

var<workgroup> tile_a: array<f32, TM * TK>;
var<workgroup> tile_b: array<f32, TK * TN>;

fn activate(z: f32) -> f32 {
  switch ACT {
    case 1u: { return max(z, 0.0); }
    case 2u: { return tanh(z); }
    default: { return z; }
  }
}

// dZ = dY * act'(Y); dY and Y share a layout, so one index serves both.
fn dz_at(dy: f32, i: u32) -> f32 {
  switch ACT {
    case 1u: { return select(0.0, dy, y_act[i] > 0.0); }
    case 2u: { let y = y_act[i]; return dy * (1.0 - y * y); }
    default: { return dy; }
  }
}

// A[m, k], zero outside the matrix so partial tiles need no special case.
fn load_a(mode: u32, gm: Gemm, second: bool, agent: u32, m: u32, k: u32) -> f32 {
  if (m >= gm.m || k >= gm.k) { return 0.0; }
  if ((mode == MODE_FORWARD && k == gm.ones) || (mode == MODE_BACKWARD_WEIGHT && m == gm.ones)) { return 1.0; }
  let i = gm.a_offset + agent * gm.a_agent_stride + m * gm.a_m_stride + k * gm.a_k_stride;
  if (mode == MODE_BACKWARD_INPUT) { return dz_at(read_a(second, i), i); }
  return read_a(second, i);
}

// B[k, n]
fn load_b(mode: u32, gm: Gemm, second: bool, agent: u32, k: u32, n: u32) -> f32 {
  if (k >= gm.k || n >= gm.n) { return 0.0; }
  let i = gm.b_offset + agent * gm.b_agent_stride + k * gm.b_k_stride + n * gm.b_n_stride;
  if (mode == MODE_BACKWARD_WEIGHT) { return dz_at(read_b(second, i), i); }
  return read_b(second, i);
}

fn store_c(mode: u32, gm: Gemm, second: bool, agent: u32, m: u32, n: u32, value: f32) {
  let i = gm.c_offset + agent * gm.c_agent_stride + m * gm.c_m_stride + n * gm.c_n_stride;
  if (second) {
    c_dst2[i] = select(value, c_dst2[i] + value, gm.accumulate != 0u);
  } else if (mode == MODE_FORWARD) {
    c_dst[i] = activate(value);
  } else if (gm.accumulate != 0u) {
    c_dst[i] = c_dst[i] + value;
  } else {
    c_dst[i] = value;
  }
}

fn gemm(mode: u32, gm: Gemm, second: bool, wid: vec3<u32>, lid: vec3<u32>) {
  let agent = wid.z;
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  let threads = (TM / RM) * (TN / RN);
  let tid = lid.y * (TN / RN) + lid.x;
  // Coalesced global loads: consecutive threads walk the operand's contiguous dimension.
  let a_k_fastest = gm.a_k_stride == 1u;
  let b_n_fastest = gm.b_n_stride == 1u;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < gm.k; k0 += TK) {
    for (var i = tid; i < TM * TK; i += threads) {
      var r: u32;
      var c: u32;
      if (a_k_fastest) { r = i / TK; c = i % TK; } else { r = i % TM; c = i / TM; }
      tile_a[r * TK + c] = load_a(mode, gm, second, agent, row0 + r, k0 + c);
    }
    for (var i = tid; i < TK * TN; i += threads) {
      var r: u32;
      var c: u32;
      if (b_n_fastest) { r = i / TN; c = i % TN; } else { r = i % TK; c = i / TK; }
      tile_b[r * TN + c] = load_b(mode, gm, second, agent, k0 + r, col0 + c);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      for (var rm = 0u; rm < RM; rm++) {
        let a = tile_a[(lid.y * RM + rm) * TK + kk];
        for (var rn = 0u; rn < RN; rn++) {
          acc[rm * RN + rn] += a * tile_b[kk * TN + lid.x * RN + rn];
        }
      }
    }
    workgroupBarrier();
  }
  for (var rm = 0u; rm < RM; rm++) {
    let m = row0 + lid.y * RM + rm;
    for (var rn = 0u; rn < RN; rn++) {
      let n = col0 + lid.x * RN + rn;
      if (m < gm.m && n < gm.n) { store_c(mode, gm, second, agent, m, n, acc[rm * RN + rn]); }
    }
  }
}

@compute @workgroup_size(TN / RN, TM / RM)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  gemm(MODE_FORWARD, g, false, wid, lid);
}

@compute @workgroup_size(TN / RN, TM / RM)
fn backward_input(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  gemm(MODE_BACKWARD_INPUT, g, false, wid, lid);
}

@compute @workgroup_size(TN / RN, TM / RM)
fn backward_weight(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  gemm(MODE_BACKWARD_WEIGHT, g, false, wid, lid);
}

@compute @workgroup_size(TN / RN, TM / RM)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  // z < agents: weight gradient (bindings 1, 2, 4); z >= agents: input gradient (5, 6, 7).
  // The branch is uniform per workgroup, so the barriers inside gemm stay in uniform control flow.
  let agents = g.agents;
  if (wid.z < agents) {
    if (wid.x * TN >= g.n || wid.y * TM >= g.m) { return; }
    gemm(MODE_BACKWARD_WEIGHT, g, false, wid, lid);
  } else {
    if (wid.x * TN >= g2.n || wid.y * TM >= g2.m) { return; }
    gemm(MODE_BACKWARD_INPUT, g2, true, vec3<u32>(wid.x, wid.y, wid.z - agents), lid);
  }
}

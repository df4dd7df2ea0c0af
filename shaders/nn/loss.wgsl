// nn/loss.wgsl - mean squared error and its gradient in one pass.
//
// For every agent a (one workgroup each):
//   loss[a]  = scale * mean_{rows, cols} (pred - target)^2
//   dpred    = scale * 2 (pred - target) / (rows * cols)
// The sum is reduced with workgroup_sum (common/reduce_*.wgsl, prepended): a fixed order, so a
// seed reproduces exactly on a given adapter.
// Dispatch: (agents). Workgroup: 256 threads striding over rows * cols.
// Bindings: 0 uniform Mse; 1 pred (read); 2 target_values (read); 3 dpred (read_write);
//           4 loss (read_write, element loss_offset + a * loss_agent_stride).

struct Mse {
  rows: u32,
  cols: u32,
  pred_offset: u32,
  pred_row_stride: u32,
  pred_agent_stride: u32,
  target_offset: u32,
  target_row_stride: u32,
  target_agent_stride: u32,
  grad_offset: u32,
  grad_row_stride: u32,
  grad_agent_stride: u32,
  loss_offset: u32,
  loss_agent_stride: u32,
  scale: f32,
  _pad0: u32,
  _pad1: u32,
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> mse: Mse;
@group(0) @binding(1) var<storage, read> pred: array<f32>;
@group(0) @binding(2) var<storage, read> target_values: array<f32>;
@group(0) @binding(3) var<storage, read_write> dpred: array<f32>;
@group(0) @binding(4) var<storage, read_write> loss: array<f32>;

@compute @workgroup_size(WG)
fn mse_forward_backward(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let lid = ids.lid;
  let agent = wid.x;
  let count = mse.rows * mse.cols;
  let grad_scale = 2.0 * mse.scale / f32(count);
  var sum = 0.0;
  for (var i = lid; i < count; i += WG) {
    let r = i / mse.cols;
    let c = i % mse.cols;
    let p = pred[mse.pred_offset + agent * mse.pred_agent_stride + r * mse.pred_row_stride + c];
    let t = target_values[mse.target_offset + agent * mse.target_agent_stride + r * mse.target_row_stride + c];
    let e = p - t;
    dpred[mse.grad_offset + agent * mse.grad_agent_stride + r * mse.grad_row_stride + c] = grad_scale * e;
    sum += e * e;
  }
  let total = workgroup_sum(sum, ids);
  if (lid == 0u) {
    loss[mse.loss_offset + agent * mse.loss_agent_stride] = mse.scale * total / f32(count);
  }
}

// common/view.wgsl - a library (prepended to kernels that take strided views; no entry points).
// A View addresses element (agent, row, col) of a batch of matrices inside a flat buffer as
// offset + agent * agent_stride + row * row_stride + col, like src/gpu/view.ts.

struct View {
  offset: u32,
  row_stride: u32,
  agent_stride: u32,
  _pad: u32,
}

fn view_at(v: View, agent: u32, row: u32, col: u32) -> u32 {
  return v.offset + agent * v.agent_stride + row * v.row_stride + col;
}

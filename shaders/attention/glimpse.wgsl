// attention/glimpse.wgsl - the crop a glimpse reads: the window of the canvas a (one-hot or
// relaxed) window choice selects (needs common/view.wgsl prepended).
//
//   crop[row, j] = sum_k window[row, k] * canvas[row, pixel j of window k]
// Window k of the GRID x GRID grid covers pixels [CELL (k % GRID), +CELL) x [CELL (k / GRID), +CELL)
// of the CANVAS x CANVAS canvas; pixel j = (j % CELL, j / CELL) inside it. With a one-hot choice
// this is the chosen window's pixels. The choice is made by a score-function node, so no gradient
// flows back through the crop (the example has no backward pass here).
// Bindings: 0 uniform Glimpse; 1 canvas (read, dense [rows, CANVAS^2]); 2 window (read, view
//   [1 x rows x GRID^2]); 3 crop (rw, dense [rows, CELL^2]).
// Dispatch: (ceil(rows * CELL^2 / 64)); one thread per crop pixel.

const CANVAS: u32 = 24u;
const CELL: u32 = 8u;
const GRID: u32 = 3u;

struct Glimpse {
  rows: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  window: View,
}

@group(0) @binding(0) var<uniform> p: Glimpse;
@group(0) @binding(1) var<storage, read> canvas: array<f32>;
@group(0) @binding(2) var<storage, read> window: array<f32>;
@group(0) @binding(3) var<storage, read_write> crop: array<f32>;

@compute @workgroup_size(64)
fn crop_window(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.rows * CELL * CELL) { return; }
  let row = i / (CELL * CELL);
  let j = i % (CELL * CELL);
  var sum = 0.0;
  for (var k = 0u; k < GRID * GRID; k++) {
    let x = (k % GRID) * CELL + j % CELL;
    let y = (k / GRID) * CELL + j / CELL;
    sum += window[view_at(p.window, 0u, row, k)] * canvas[row * CANVAS * CANVAS + y * CANVAS + x];
  }
  crop[i] = sum;
}

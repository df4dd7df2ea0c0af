// attention/canvas.wgsl - the cluttered-glyph data set of the hard-attention example, drawn on the
// GPU from Philox (needs common/rng.wgsl prepended). No data is stored or downloaded: example
// `row` of a batch is a pure function of (seed, stream, clock[0], row), as in src/attention/glyphs.ts
// (its float64 reference).
//
// Canvas: CANVAS x CANVAS pixels (24 x 24), cut into a GRID x GRID grid of CELL x CELL windows
// (3 x 3 of 8 x 8). One 5 x 7 digit glyph (the label) lies inside one cell at a random offset;
// FRAGMENTS 3 x 3 pieces of random digits lie anywhere as clutter. Pixels are 0 or 1 (the union).
// Draws, as integers from raw Philox bits (floor(n * b / 2^23) on the top 23 bits: integer
// arithmetic, so the float64 reference gets exactly the same integers):
//   counter (row, clock[0], 0, 0): label in [0, 10), cell in [0, 9), dx in [0, 4), dy in [0, 2)
//   counter (row, clock[0], 1 + f, 0): fragment f's digit, source offset k in [0, 15)
//     (sx = k % 3, sy = k / 3 within the glyph), position px, py in [0, 22)
// Outputs: canvas [rows, 576]; coarse [rows, 144] (2 x 2 means: what the glimpse network sees);
//   label one-hot [rows, 10]; cell [rows] (u32, the glyph's window, for diagnostics).
// Bindings: 0 uniform Canvas; 1 clock (read u32); 2 canvas; 3 coarse; 4 label; 5 cell (all rw).
// Dispatch: (ceil(rows / 64)); one thread per example.

const CANVAS: u32 = 24u;
const CELL: u32 = 8u;
const GRID: u32 = 3u;
const COARSE: u32 = 12u;
const GLYPH_W: u32 = 5u;
const GLYPH_H: u32 = 7u;
const FRAGMENTS: u32 = 4u;
const CLASSES: u32 = 10u;

// Digits 0-9 of a 5 x 7 bitmap font, one row per entry (bit 4 = leftmost pixel).
var<private> FONT: array<u32, 70> = array<u32, 70>(
  14u, 17u, 19u, 21u, 25u, 17u, 14u,  // 0
  4u, 12u, 4u, 4u, 4u, 4u, 14u,       // 1
  14u, 17u, 1u, 2u, 4u, 8u, 31u,      // 2
  31u, 2u, 4u, 2u, 1u, 17u, 14u,      // 3
  2u, 6u, 10u, 18u, 31u, 2u, 2u,      // 4
  31u, 16u, 30u, 1u, 1u, 17u, 14u,    // 5
  6u, 8u, 16u, 30u, 17u, 17u, 14u,    // 6
  31u, 1u, 2u, 4u, 8u, 8u, 8u,        // 7
  14u, 17u, 17u, 14u, 17u, 17u, 14u,  // 8
  14u, 17u, 17u, 15u, 1u, 2u, 12u,    // 9
);

struct Canvas {
  rows: u32,
  seed: u32,
  stream: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Canvas;
@group(0) @binding(1) var<storage, read> clock: array<u32>;
@group(0) @binding(2) var<storage, read_write> canvas: array<f32>;
@group(0) @binding(3) var<storage, read_write> coarse: array<f32>;
@group(0) @binding(4) var<storage, read_write> label: array<f32>;
@group(0) @binding(5) var<storage, read_write> cell: array<u32>;

// An integer in [0, n) from 32 random bits: floor(n * b / 2^32) on the top 23 bits.
fn below(bits: u32, n: u32) -> u32 {
  return ((bits >> 9u) * n) >> 23u;
}

// Pixel (x, y) of glyph `digit` (0 outside its 5 x 7 box).
fn glyph_bit(digit: u32, x: i32, y: i32) -> bool {
  if (x < 0 || y < 0 || x >= i32(GLYPH_W) || y >= i32(GLYPH_H)) { return false; }
  return ((FONT[digit * GLYPH_H + u32(y)] >> (GLYPH_W - 1u - u32(x))) & 1u) == 1u;
}

struct Example {
  digit: u32,
  gx: i32,          // glyph's top-left pixel
  gy: i32,
  window: u32,
  frag_digit: array<u32, 4>,
  frag_sx: array<i32, 4>,  // source offset inside the fragment's glyph
  frag_sy: array<i32, 4>,
  frag_px: array<i32, 4>,  // fragment's top-left pixel on the canvas
  frag_py: array<i32, 4>,
}

fn draw_example(row: u32) -> Example {
  let key = vec2<u32>(p.seed, p.stream);
  var e: Example;
  let b = philox4x32_10(vec4<u32>(row, clock[0], 0u, 0u), key);
  e.digit = below(b.x, CLASSES);
  e.window = below(b.y, GRID * GRID);
  e.gx = i32((e.window % GRID) * CELL + below(b.z, CELL - GLYPH_W + 1u));
  e.gy = i32((e.window / GRID) * CELL + below(b.w, CELL - GLYPH_H + 1u));
  for (var f = 0u; f < FRAGMENTS; f++) {
    let c = philox4x32_10(vec4<u32>(row, clock[0], 1u + f, 0u), key);
    e.frag_digit[f] = below(c.x, CLASSES);
    let k = below(c.y, 15u);
    e.frag_sx[f] = i32(k % 3u);
    e.frag_sy[f] = i32(k / 3u);
    e.frag_px[f] = i32(below(c.z, CANVAS - 2u));
    e.frag_py[f] = i32(below(c.w, CANVAS - 2u));
  }
  return e;
}

fn ink(e: Example, x: i32, y: i32) -> f32 {
  if (glyph_bit(e.digit, x - e.gx, y - e.gy)) { return 1.0; }
  for (var f = 0u; f < FRAGMENTS; f++) {
    let u = x - e.frag_px[f];
    let v = y - e.frag_py[f];
    if (u >= 0 && v >= 0 && u < 3 && v < 3 && glyph_bit(e.frag_digit[f], e.frag_sx[f] + u, e.frag_sy[f] + v)) { return 1.0; }
  }
  return 0.0;
}

@compute @workgroup_size(64)
fn generate(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  if (row >= p.rows) { return; }
  let e = draw_example(row);
  let pixels = CANVAS * CANVAS;
  for (var y = 0u; y < CANVAS; y++) {
    for (var x = 0u; x < CANVAS; x++) {
      canvas[row * pixels + y * CANVAS + x] = ink(e, i32(x), i32(y));
    }
  }
  for (var y = 0u; y < COARSE; y++) {
    for (var x = 0u; x < COARSE; x++) {
      let base = row * pixels + 2u * y * CANVAS + 2u * x;
      coarse[row * COARSE * COARSE + y * COARSE + x] =
        0.25 * (canvas[base] + canvas[base + 1u] + canvas[base + CANVAS] + canvas[base + CANVAS + 1u]);
    }
  }
  for (var k = 0u; k < CLASSES; k++) { label[row * CLASSES + k] = select(0.0, 1.0, k == e.digit); }
  cell[row] = e.window;
}

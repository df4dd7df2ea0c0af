/**
 * The hard-attention example's data set, as a float64 reference of shaders/attention/canvas.wgsl:
 * a 24 x 24 canvas cut into a 3 x 3 grid of 8 x 8 windows, one 5 x 7 digit (the label) inside one
 * window, and four 3 x 3 fragments of random digits anywhere as clutter. Every example is a pure
 * function of (seed, stream, step, row) through Philox, so nothing is stored or downloaded and the
 * GPU and this file draw the same examples.
 */
import { philox4x32_10 } from '../rng/philox.js';

export const CANVAS = 24;
export const CELL = 8;
export const GRID = 3;
export const WINDOWS = GRID * GRID;
export const COARSE = CANVAS / 2;
export const CLASSES = 10;
export const GLYPH_W = 5;
export const GLYPH_H = 7;
export const FRAGMENTS = 4;

/** Digits 0-9 of a 5 x 7 bitmap font, one row per entry (bit 4 = leftmost pixel); as in the shader. */
export const FONT: readonly number[] = [
  14, 17, 19, 21, 25, 17, 14, 4, 12, 4, 4, 4, 4, 14, 14, 17, 1, 2, 4, 8, 31, 31, 2, 4, 2, 1, 17, 14, 2, 6, 10, 18, 31, 2, 2,
  31, 16, 30, 1, 1, 17, 14, 6, 8, 16, 30, 17, 17, 14, 31, 1, 2, 4, 8, 8, 8, 14, 17, 17, 14, 17, 17, 14, 14, 17, 17, 15, 1, 2, 12,
];

export interface GlyphExample {
  label: number;
  /** The window (0..8, row-major) that holds the glyph. */
  window: number;
  canvas: Float64Array;
  /** 2 x 2 means of the canvas: what the glimpse network sees. */
  coarse: Float64Array;
}

/** An integer in [0, n) from 32 random bits, as the shader's `below`. */
function below(bits: number, n: number): number {
  return Math.floor(((bits >>> 9) * n) / 2 ** 23);
}

function glyphBit(digit: number, x: number, y: number): boolean {
  if (x < 0 || y < 0 || x >= GLYPH_W || y >= GLYPH_H) return false;
  return ((FONT[digit * GLYPH_H + y] >> (GLYPH_W - 1 - x)) & 1) === 1;
}

/** Example `row` of the batch drawn at `step` from Philox key (seed, stream). */
export function glyphExample(seed: number, stream: number, step: number, row: number): GlyphExample {
  const key = [seed, stream];
  const b = philox4x32_10([row, step, 0, 0], key);
  const label = below(b[0], CLASSES);
  const window = below(b[1], WINDOWS);
  const gx = (window % GRID) * CELL + below(b[2], CELL - GLYPH_W + 1);
  const gy = Math.floor(window / GRID) * CELL + below(b[3], CELL - GLYPH_H + 1);
  const fragments = Array.from({ length: FRAGMENTS }, (_, f) => {
    const c = philox4x32_10([row, step, 1 + f, 0], key);
    const k = below(c[1], 15);
    return { digit: below(c[0], CLASSES), sx: k % 3, sy: Math.floor(k / 3), px: below(c[2], CANVAS - 2), py: below(c[3], CANVAS - 2) };
  });
  const canvas = new Float64Array(CANVAS * CANVAS);
  for (let y = 0; y < CANVAS; y++) {
    for (let x = 0; x < CANVAS; x++) {
      const inFragment = fragments.some((f) => {
        const u = x - f.px, v = y - f.py;
        return u >= 0 && v >= 0 && u < 3 && v < 3 && glyphBit(f.digit, f.sx + u, f.sy + v);
      });
      canvas[y * CANVAS + x] = glyphBit(label, x - gx, y - gy) || inFragment ? 1 : 0;
    }
  }
  const coarse = new Float64Array(COARSE * COARSE);
  for (let y = 0; y < COARSE; y++) {
    for (let x = 0; x < COARSE; x++) {
      const at = 2 * y * CANVAS + 2 * x;
      coarse[y * COARSE + x] = 0.25 * (canvas[at] + canvas[at + 1] + canvas[at + CANVAS] + canvas[at + CANVAS + 1]);
    }
  }
  return { label, window, canvas, coarse };
}

/** The pixels of window `k` (row-major, CELL x CELL) of a canvas. */
export function windowPixels(canvas: ArrayLike<number>, k: number): number[] {
  const x0 = (k % GRID) * CELL, y0 = Math.floor(k / GRID) * CELL;
  return Array.from({ length: CELL * CELL }, (_, j) => canvas[(y0 + Math.floor(j / CELL)) * CANVAS + x0 + (j % CELL)]);
}

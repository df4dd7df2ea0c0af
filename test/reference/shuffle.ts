/**
 * The permutation of shaders/fused/shuffle.wgsl in TypeScript (u32 arithmetic): a 4-round
 * Feistel network over the smallest 4^h >= n with cycle walking, round keys from one Philox draw.
 */
import { philox4x32_10 } from '../../src/rng/philox.js';

function hash(x0: number): number {
  let x = x0 >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

function halfBits(n: number): number {
  let h = 1;
  while (h < 16 && 4 ** h < n) h++;
  return h;
}

function feistel(x: number, h: number, keys: readonly number[]): number {
  const mask = 2 ** h - 1;
  let left = Math.floor(x / 2 ** h);
  let right = x % 2 ** h;
  for (let r = 0; r < 4; r++) {
    const next = (left ^ (hash((right ^ keys[r]) >>> 0) & mask)) >>> 0;
    left = right;
    right = next;
  }
  return left * 2 ** h + right;
}

/** Where position i (< n) of the permutation keyed by `keys` points. */
export function shuffledIndex(i: number, n: number, keys: readonly number[]): number {
  const h = halfBits(n);
  let x = feistel(i, h, keys);
  while (x >= n) x = feistel(x, h, keys);
  return x;
}

/** The round keys of permutation `which` at step count `now` under Philox key (seed, stream). */
export function shuffleKeys(seed: number, stream: number, now: number, which: number): number[] {
  return philox4x32_10([now, which, 0, 3], [seed, stream]);
}

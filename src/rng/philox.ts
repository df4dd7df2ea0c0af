/**
 * Philox4x32-10 on the CPU, bit-identical to shaders/common/rng.wgsl. Used to initialise
 * parameters reproducibly and by tests as the reference for every kernel that draws noise.
 * Key = (seed, stream), counter = (element, step, draw, 0), as on the GPU.
 */
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** [high, low] words of the 64-bit product of two u32, on 16-bit halves as in the WGSL. */
function mulhilo(a: number, b: number): [number, number] {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const ll = aLo * bLo;
  const lh = aLo * bHi;
  const hl = aHi * bLo;
  const hh = aHi * bHi;
  const cross = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  const hi = (hh + (lh >>> 16) + (hl >>> 16) + (cross >>> 16)) >>> 0;
  return [hi, Math.imul(a, b) >>> 0];
}

export type Vec4 = [number, number, number, number];

export function philox4x32_10(counter: readonly number[], key: readonly number[]): Vec4 {
  let [c0, c1, c2, c3] = counter.map((x) => x >>> 0);
  let [k0, k1] = key.map((x) => x >>> 0);
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const [hi0, lo0] = mulhilo(M0, c0);
    const [hi1, lo1] = mulhilo(M1, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
  }
  return [c0, c1, c2, c3];
}

/** Same mapping as rng_bits_to_unit in WGSL: 23 bits, open interval (0, 1). */
export function bitsToUnit(bits: number): number {
  return ((bits >>> 9) + 0.5) / 8388608;
}

/**
 * The key of agent `agent`'s draws in a run keyed `key` (common/rng.wgsl's rng_agent_key): agent a
 * of a run with seed s draws what agent 0 of a run with seed s + a draws.
 */
export function agentKey(key: readonly number[], agent: number): [number, number] {
  return [(key[0] + agent) >>> 0, key[1]];
}

export function uniform4(key: readonly number[], counter: readonly number[]): Vec4 {
  return philox4x32_10(counter, key).map(bitsToUnit) as Vec4;
}

export function normal4(key: readonly number[], counter: readonly number[]): Vec4 {
  const [u0, u1, u2, u3] = uniform4(key, counter);
  const r0 = Math.sqrt(-2 * Math.log(u0));
  const r1 = Math.sqrt(-2 * Math.log(u2));
  const t = 2 * Math.PI;
  return [r0 * Math.cos(t * u1), r0 * Math.sin(t * u1), r1 * Math.cos(t * u3), r1 * Math.sin(t * u3)];
}

export function gumbel4(key: readonly number[], counter: readonly number[]): Vec4 {
  return uniform4(key, counter).map((u) => -Math.log(-Math.log(u))) as Vec4;
}

/** Streams keep the draws of different consumers (parameter init, exploration, ...) apart. */
export const Stream = {
  init: 1,
  fill: 2,
  sample: 3,
  /** Episode resets; observation noise uses env + 1. */
  env: 4,
  envObsNoise: 5,
  replay: 6,
  explore: 7,
  smoothing: 8,
  her: 9,
} as const;

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { u32, f32 } from '../../src/gpu/tensor.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { rngFill } from '../../src/rng/fill.js';
import { agentKey, gumbel4, normal4, philox4x32_10, uniform4 } from '../../src/rng/philox.js';
import { gpu } from '../helpers/gpu.js';

interface Kat {
  counter: number[];
  key: number[];
  expected: number[];
}

// Random123's published known-answer vectors, shipped in ../shared/reference.
function readKats(): Kat[] {
  const path = new URL('../../../shared/reference/philox4x32-10-kat.txt', import.meta.url);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('philox4x32 10'))
    .map((line) => {
      const words = line.trim().split(/\s+/).slice(2).map((h) => parseInt(h, 16));
      return { counter: words.slice(0, 4), key: words.slice(4, 6), expected: words.slice(6, 10) };
    });
}

describe('Philox4x32-10', () => {
  const kats = readKats();

  it('reads the three published vectors', () => {
    expect(kats).toHaveLength(3);
  });

  it('CPU reference matches the known-answer vectors exactly', () => {
    for (const kat of kats) expect(philox4x32_10(kat.counter, kat.key)).toEqual(kat.expected);
  });

  it('WGSL kernel matches the known-answer vectors exactly', async () => {
    const { ctx, cache } = await gpu();
    for (const kat of kats) {
      const out = u32(ctx, 'kat', [4]);
      const counter = kat.counter as [number, number, number, number];
      await runOnce(ctx, [await rngFill(cache, out, 'raw', { key: [kat.key[0], kat.key[1]], counter })]);
      expect(Array.from(await out.read())).toEqual(kat.expected);
    }
  });

  it('GPU raw bits equal the CPU reference over many counters (odd count)', async () => {
    const { ctx, cache } = await gpu();
    const n = 4 * 1000 + 3;
    const out = u32(ctx, 'bits', [n]);
    const key = [12345, 7] as const;
    const counter = [100, 5, 9, 0] as const;
    await runOnce(ctx, [await rngFill(cache, out, 'raw', { key, counter })]);
    const gpuBits = await out.read();
    for (let i = 0; i < n; i++) {
      const ref = philox4x32_10([counter[0] + Math.floor(i / 4), counter[1], counter[2], counter[3]], key);
      if (gpuBits[i] !== ref[i % 4]) throw new Error(`bit mismatch at ${i}: ${gpuBits[i]} vs ${ref[i % 4]}`);
    }
  });

  it('uniform, normal and Gumbel draws match the CPU reference and their moments', async () => {
    const { ctx, cache } = await gpu();
    const n = 1 << 16;
    const key = [2024, 3] as const;
    const cases = [
      { kind: 'uniform' as const, ref: uniform4, mean: 0.5, variance: 1 / 12, tol: 1e-7 },
      { kind: 'normal' as const, ref: normal4, mean: 0, variance: 1, tol: 1e-5 },
      // Gumbel(0, 1): mean = Euler-Mascheroni constant, variance = pi^2 / 6. For u near 1,
      // -log(-log u) amplifies the float32 rounding of log u (relative error ~ 1e-7 / (1 - u)).
      { kind: 'gumbel' as const, ref: gumbel4, mean: 0.5772156649, variance: (Math.PI * Math.PI) / 6, tol: 3e-4 },
    ];
    for (const c of cases) {
      const out = f32(ctx, c.kind, [n]);
      await runOnce(ctx, [await rngFill(cache, out, c.kind, { key })]);
      const values = await out.read();
      let worst = 0;
      for (let i = 0; i < 4096; i++) {
        const ref = c.ref(key, [Math.floor(i / 4), 0, 0, 0])[i % 4];
        worst = Math.max(worst, Math.abs(values[i] - ref) / Math.max(1, Math.abs(ref)));
      }
      expect(worst, `${c.kind} vs CPU`).toBeLessThan(c.tol);
      const mean = values.reduce((s, v) => s + v, 0) / n;
      const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
      expect(Math.abs(mean - c.mean), `${c.kind} mean`).toBeLessThan(4 * Math.sqrt(c.variance / n));
      expect(Math.abs(variance / c.variance - 1), `${c.kind} variance`).toBeLessThan(0.03);
      if (c.kind === 'uniform') expect(values.every((u) => u > 0 && u < 1)).toBe(true);
    }
  });
});

it("agent a of seed s is keyed as seed s + a (rng_agent_key's CPU twin), wrapping at 2^32", () => {
  expect(agentKey([7, 3], 0)).toEqual([7, 3]);
  expect(agentKey([7, 3], 2)).toEqual([9, 3]);
  expect(agentKey([0xffffffff, 1], 2)).toEqual([1, 1]);
});

/**
 * CMA-ES's kernels (shaders/rl/cma_es.wgsl) against the float64 replica of test/reference/cmaEs.ts:
 * generations with random episode returns, each checked from the GPU's own previous state (the
 * ranking, mean, both paths, step size, h_sigma, the covariance, its lazily refreshed Cholesky
 * factor and the next population x = m + sigma A z), for the full and the separable variant;
 * the Cholesky factorization of a random SPD matrix; the constants against Hansen's table.
 */
import { describe, expect, it } from 'vitest';
import { type CmaEsConstants, cmaEsConstants, cmaEsStrategy } from '../../src/algos/cmaEs.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32, type Tensor, u32 } from '../../src/gpu/tensor.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError, rng } from '../helpers/random.js';
import { type CmaEsState, applyFactor, cholesky, cmaEsUpdate, ranking, transpose } from '../reference/cmaEs.js';

const read = async (t: Tensor) => Array.from(await t.read());
const rows = (flat: number[], P: number, n: number, offset = 0) => Array.from({ length: P }, (_, i) => flat.slice(offset + i * n, offset + (i + 1) * n));

describe('CMA-ES constants', () => {
  it("match Hansen's tutorial (table 1) for n = 10, lambda = 10", () => {
    const k = cmaEsConstants(10, 10, 'full');
    expect(k.mu).toBe(5);
    expect(k.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
    expect(k.weights[0]).toBeGreaterThan(k.weights[4]);
    // mu_eff = 1 / sum w^2 of the log weights (3.1673 for lambda 10); E|N(0, I)| ~ 3.0847 for n = 10.
    expect(k.muEff).toBeCloseTo(3.1673, 4);
    expect(k.cS).toBeCloseTo((k.muEff + 2) / (10 + k.muEff + 5), 12);
    expect(k.c1).toBeCloseTo(2 / (11.3 ** 2 + k.muEff), 12);
    expect(k.chiN).toBeCloseTo(3.0847, 4);
    const sep = cmaEsConstants(10, 10, 'diagonal');
    expect(sep.c1).toBeCloseTo((k.c1 * 12) / 3, 12);
    expect(sep.decomposeEvery).toBe(1);
  });
});

async function generations(full: boolean, n: number, decomposeEvery: number) {
  const { ctx, cache } = await gpu();
  const P = 6, E = 2, envs = P * E, seed = 5, sigma0 = 0.7;
  const k: CmaEsConstants = cmaEsConstants(n, P, full ? 'full' : 'diagonal', decomposeEvery);
  const mean = f32(ctx, 'mean', [n], randomArray(n, 21));
  const population = f32(ctx, 'population', [P, n]);
  const episode = f32(ctx, 'episode', [envs, 2]);
  const clock = u32(ctx, 'clock', [4], [3, 0, 0, 0]);
  const strategy = cmaEsStrategy(cache, { envs, seed, sigma0, full, constants: k }, { episode, population, mean, clock });
  const t = strategy.state;
  // The kernel keeps a full factor as A^T; the replica works with A.
  const factorOf = async () => (full ? transpose(await read(t['cma-es.factor']), n) : read(t['cma-es.factor']));
  const d = async (...entries: Parameters<typeof strategy.dispatch>[0][]) => runOnce(ctx, await Promise.all(entries.map((e) => strategy.dispatch(e))));
  await d('start', 'draw', 'sample');

  const next = rng(31);
  for (let g = 0; g < 4; g++) {
    // The state before this generation, as the GPU holds it.
    const noise = await read(t['cma-es.noise']);
    const z = rows(noise, P, n), y = rows(noise, P, n, P * n);
    const paths = await read(t['cma-es.paths']);
    const scalars = await read(t['cma-es.state']);
    const before: CmaEsState = {
      mean: await read(mean), sigma: scalars[0], generation: scalars[1],
      ps: paths.slice(0, n), pc: paths.slice(n, 2 * n), cov: await read(t['cma-es.cov']), factor: await factorOf(),
    };
    // The population is x = m + sigma A z.
    const want = z.flatMap((zi) => applyFactor(before.factor, zi, full).map((yj, j) => before.mean[j] + before.sigma * yj));
    expect(relError(y.flat(), z.flatMap((zi) => applyFactor(before.factor, zi, full)))).toBeLessThan(1e-5);
    expect(relError(await read(population), want)).toBeLessThan(1e-5);

    const returns = Array.from({ length: envs }, () => Math.fround(next() * 100 - 50));
    episode.write(returns.flatMap((r) => [r, 0]));
    await d('rank', 'covariance', 'decompose');
    const fitness = Array.from({ length: P }, (_, i) => (returns[i * E] + returns[i * E + 1]) / E);
    const after = cmaEsUpdate(before, k, full, z, y, fitness);
    expect(Array.from(await t['cma-es.ranking'].read())).toEqual(ranking(fitness));
    const got = await read(t['cma-es.state']);
    expect(got[1]).toBe(g + 1);
    expect(got[0]).toBeCloseTo(after.sigma, 5);
    const gotPaths = await read(t['cma-es.paths']);
    expect(relError(gotPaths.slice(0, n), after.ps)).toBeLessThan(1e-5);
    expect(relError(gotPaths.slice(n, 2 * n), after.pc)).toBeLessThan(1e-5);
    expect(relError(await read(mean), after.mean)).toBeLessThan(1e-5);
    expect(relError(await read(t['cma-es.cov']), after.cov)).toBeLessThan(1e-5);
    expect(relError(await factorOf(), after.factor)).toBeLessThan(1e-4);
    const stats = await read(strategy.stats);
    expect(stats[3]).toBe(g + 1);

    clock.write([3 + 200 * (g + 1), 0, 0, 0]);
    await d('draw', 'sample');
    const drawn = await read(t['cma-es.noise']);
    expect(relError(drawn.slice(0, P * n), z.flat())).toBeGreaterThan(0.1);
  }
  return { factor: await factorOf(), n };
}

describe('CMA-ES generations against float64', () => {
  it('full covariance: paths, step size, C and its Cholesky factor every 2 generations', async () => {
    const { factor, n } = await generations(true, 7, 2);
    // A is lower triangular and no longer the identity after two refreshes.
    for (let j = 0; j < n; j++) for (let k = j + 1; k < n; k++) expect(factor[j * n + k]).toBe(0);
    expect(factor.some((a, idx) => Math.floor(idx / n) !== idx % n && Math.abs(a) > 1e-4)).toBe(true);
  });

  it('separable (diagonal) covariance', async () => {
    await generations(false, 9, 0);
  });
});

describe('CMA-ES Cholesky factorization', () => {
  it('factors a random 37 x 37 SPD matrix, and leaves the factor alone when not due', async () => {
    const { ctx, cache } = await gpu();
    const n = 37, P = 4;
    const g = randomArray(n * n, 41);
    // C = G G^T / n + I: symmetric positive definite with a moderate condition number.
    const c = Array.from({ length: n * n }, (_, idx) => {
      const i = Math.floor(idx / n), j = idx % n;
      let s = i === j ? 1 : 0;
      for (let k = 0; k < n; k++) s += (g[i * n + k] * g[j * n + k]) / n;
      return Math.fround(s);
    });
    const k = cmaEsConstants(n, P, 'full', 3);
    const dummy = f32(ctx, 'unused', [P * 2]);
    const strategy = cmaEsStrategy(cache, { envs: P, seed: 1, sigma0: 1, full: true, constants: k }, {
      episode: dummy, population: f32(ctx, 'population', [P, n]), mean: f32(ctx, 'mean', [n]), clock: u32(ctx, 'clock', [4]),
    });
    strategy.state['cma-es.cov'].write(c);
    // Generation 3 is a multiple of decomposeEvery = 3: due. Generation 4 is not: A stays.
    strategy.state['cma-es.state'].write([1, 3, 1, 0, 0, 0, 0, 0]);
    await runOnce(ctx, [await strategy.dispatch('decompose')]);
    const a = await read(strategy.state['cma-es.factor']);
    expect(relError(transpose(a, n), cholesky(c, n))).toBeLessThan(1e-5);
    strategy.state['cma-es.state'].write([1, 4, 1, 0, 0, 0, 0, 0]);
    strategy.state['cma-es.cov'].write(c.map((x) => 2 * x));
    await runOnce(ctx, [await strategy.dispatch('decompose')]);
    expect(await read(strategy.state['cma-es.factor'])).toEqual(a);
  });
});

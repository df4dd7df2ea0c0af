/**
 * CMA-ES's kernels (shaders/rl/cma_es.wgsl) against the float64 replica of test/reference/cmaEs.ts:
 * generations with random episode returns, each checked from the GPU's own previous state (the
 * ranking, mean, both paths, step size, h_sigma, the covariance, its lazily refreshed Cholesky
 * factor and the next population x = m + sigma A z), for the full and the separable variant;
 * the Cholesky factorization of a random SPD matrix; the constants against Hansen's table.
 */
import { describe, expect, it } from 'vitest';
import { type CmaEsConstants, type CmaEsEntry, type CmaEsStrategy, cmaEsConstants, cmaEsStrategy } from '../../src/algos/cmaEs.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32, type Tensor, u32 } from '../../src/gpu/tensor.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError, rng } from '../helpers/random.js';
import { type CmaEsState, applyFactor, cholesky, cmaEsUpdate, ranking, transpose } from '../reference/cmaEs.js';

type Step = CmaEsEntry | 'factorize';
/** Runs the strategy's kernels in order ('factorize': the blocked Cholesky's dispatches). */
async function steps(strategy: CmaEsStrategy, entries: Step[]): Promise<void> {
  const { ctx } = await gpu();
  await runOnce(ctx, (await Promise.all(entries.map(async (e) => (e === 'factorize' ? strategy.factorize() : [await strategy.dispatch(e)])))).flat());
}
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
    // The tutorial's (2016) formulas evaluated by hand for n = 10, mu_eff = 3.1673:
    // c_c = (4 + mu_eff / n) / (n + 4 + 2 mu_eff / n), d_s = 1 + c_s (the max term is 0 here),
    // c_mu = 2 (1/4 + mu_eff + 1/mu_eff - 2) / ((n + 2)^2 + mu_eff).
    expect(k.cC).toBeCloseTo(0.29499, 4);
    expect(k.cS).toBeCloseTo(0.28443, 4);
    expect(k.dS).toBeCloseTo(1.28443, 4);
    expect(k.cMu).toBeCloseTo(0.023552, 5);
    // Hansen's lazy interval for the decomposition grows with n.
    expect(cmaEsConstants(1000, 64, 'full').decomposeEvery).toBeGreaterThan(1);
    const sep = cmaEsConstants(10, 10, 'diagonal');
    expect(sep.c1).toBeCloseTo((k.c1 * 12) / 3, 12);
    expect(sep.decomposeEvery).toBe(1);
  });
});

async function generations(full: boolean, n: number, decomposeEvery: number, stalled: number) {
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
  const d = (...entries: Step[]) => steps(strategy, entries);
  await d('start', 'draw', 'sample');

  const next = rng(31);
  for (let g = 0; g < 4; g++) {
    // The state before this generation, as the GPU holds it.
    const noise = await read(t['cma-es.noise']);
    const z = rows(noise, P, n), y = rows(noise, P, n, P * n);
    const scalars = await read(t['cma-es.state']);
    const [meanBefore, covBefore, factorBefore] = [await read(mean), await read(t['cma-es.cov']), await factorOf()];
    // The population is x = m + sigma A z, every candidate its own z ~ N(0, 1).
    expect(z.every((zi, i) => i === 0 || relError(zi, z[0]) > 0.1)).toBe(true);
    const all = z.flat(), mu = all.reduce((a, b) => a + b, 0) / all.length;
    expect(Math.abs(mu)).toBeLessThan(4 / Math.sqrt(all.length));
    expect(Math.abs(all.reduce((a, b) => a + (b - mu) ** 2, 0) / all.length - 1)).toBeLessThan(8 / Math.sqrt(all.length));
    const want = z.flatMap((zi) => applyFactor(factorBefore, zi, full).map((yj, j) => meanBefore[j] + scalars[0] * yj));
    expect(relError(y.flat(), z.flatMap((zi) => applyFactor(factorBefore, zi, full)))).toBeLessThan(1e-5);
    expect(relError(await read(population), want)).toBeLessThan(1e-5);

    if (g === stalled) {
      // A long step-size path: h_sigma = 0 and the capped step-size increase.
      t['cma-es.paths'].write(new Array(n).fill(10));
    }
    const paths = await read(t['cma-es.paths']);
    const before: CmaEsState = {
      mean: meanBefore, sigma: scalars[0], generation: scalars[1], ps: paths.slice(0, n), pc: paths.slice(n, 2 * n), cov: covBefore, factor: factorBefore,
    };
    // Candidate 3's returns are not finite once: it ranks last.
    const returns = Array.from({ length: envs }, (_, e) => (g === 1 && e === 3 * E ? Number.NaN : Math.fround(next() * 100 - 50)));
    episode.write(returns.flatMap((r) => [r, 0]));
    await d('rank', 'covariance', 'factorize');
    const fitness = Array.from({ length: P }, (_, i) => (returns[i * E] + returns[i * E + 1]) / E);
    const after = cmaEsUpdate(before, k, full, z, y, fitness);
    expect(Array.from(await t['cma-es.ranking'].read())).toEqual(ranking(fitness));
    const got = await read(t['cma-es.state']);
    expect(got[1]).toBe(g + 1);
    expect(got[2]).toBe(after.h);
    if (g === stalled) expect(after.h).toBe(0);
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
  it('full covariance (n = 70, beyond one subgroup): paths, step size, h_sigma, C and its Cholesky factor every 2 generations', async () => {
    const { factor, n } = await generations(true, 70, 2, 2);
    // A is lower triangular and no longer the identity after two refreshes.
    for (let j = 0; j < n; j++) for (let k = j + 1; k < n; k++) expect(factor[j * n + k]).toBe(0);
    expect(factor.some((a, idx) => Math.floor(idx / n) !== idx % n && Math.abs(a) > 1e-4)).toBe(true);
  });

  it('separable (diagonal) covariance (n = 300, beyond one workgroup)', async () => {
    await generations(false, 300, 0, 3);
  });

  it('minimizes a quadratic: the mean walks to the optimum and sigma shrinks', async () => {
    // An end-to-end check independent of the replica: fitness -|x - target|^2 written as returns.
    const { ctx, cache } = await gpu();
    const n = 6, P = 12, seed = 9;
    const target = Array.from(randomArray(n, 51, -2, 2));
    const mean = f32(ctx, 'mean', [n], new Array(n).fill(0));
    const population = f32(ctx, 'population', [P, n]);
    const episode = f32(ctx, 'episode', [P, 2]);
    const clock = u32(ctx, 'clock', [4]);
    const strategy = cmaEsStrategy(cache, { envs: P, seed, sigma0: 0.5, full: true, constants: cmaEsConstants(n, P, 'full') }, { episode, population, mean, clock });
    const d = (...entries: Step[]) => steps(strategy, entries);
    await d('start', 'draw', 'sample');
    const distance = async () => Math.hypot(...(await read(mean)).map((m, j) => m - target[j]));
    const start = await distance();
    for (let g = 0; g < 150; g++) {
      const x = rows(await read(population), P, n);
      episode.write(x.flatMap((xi) => [-xi.reduce((s, v, j) => s + (v - target[j]) ** 2, 0), 0]));
      clock.write([g + 1, 0, 0, 0]);
      await d('rank', 'covariance', 'factorize', 'draw', 'sample');
    }
    expect(await distance()).toBeLessThan(start * 1e-3);
    expect((await read(strategy.state['cma-es.state']))[0]).toBeLessThan(0.5 * 1e-2);
  });
});

describe('CMA-ES Cholesky factorization', () => {
  it('factors a random 300 x 300 SPD matrix (rows beyond one workgroup), and leaves the factor alone when not due', async () => {
    const { ctx, cache } = await gpu();
    const n = 300, P = 4;
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
    await runOnce(ctx, await strategy.factorize());
    const a = await read(strategy.state['cma-es.factor']);
    expect(relError(transpose(a, n), cholesky(c, n))).toBeLessThan(1e-5);
    strategy.state['cma-es.state'].write([1, 4, 1, 0, 0, 0, 0, 0]);
    strategy.state['cma-es.cov'].write(c.map((x) => 2 * x));
    await runOnce(ctx, await strategy.factorize());
    expect(await read(strategy.state['cma-es.factor'])).toEqual(a);
  });
});

/**
 * The algorithms' own kernels against float64 references on random inputs: returns-to-go with
 * bootstrapping and standardization (rl/returns.wgsl), the SAC temperature step
 * (rl/temperature.wgsl), and the cross-entropy method's episode returns and refit (rl/cem.wgsl).
 */
import { describe, expect, it } from 'vitest';
import { cemKernels } from '../../src/algos/cem.js';
import { episodeFitness } from '../../src/algos/common/populationSearch.js';
import { returnsDispatches } from '../../src/algos/common/returns.js';
import { Temperature } from '../../src/algos/common/temperature.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32, u32 } from '../../src/gpu/tensor.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError, rng } from '../helpers/random.js';

describe('returns-to-go', () => {
  it('discounts, stops at terminations, bootstraps at truncations and segment ends, then standardizes', async () => {
    const { ctx, cache } = await gpu();
    const agents = 2, envs = 7, steps = 23, width = 6, gamma = 0.97;
    const next = rng(5);
    const data = new Float32Array(agents * envs * steps * width);
    for (let i = 0; i < agents * envs * steps; i++) {
      data[i * width + 0] = Math.fround(next() * 2 - 1); // reward
      const u = next();
      data[i * width + 1] = u < 0.1 ? 1 : 0; // terminated
      data[i * width + 2] = u > 0.9 ? 1 : 0; // truncated
      data[i * width + 3] = Math.fround(next() * 2 - 1); // V(s') (standardized)
    }
    const stats = [0.3, 2, -0.5, 1.5]; // per agent: mean, std of the last standardization
    const segment = f32(ctx, 'segment', [agents, envs, steps, width], data);
    const statsT = f32(ctx, 'stats', [agents, 2], stats);
    await runOnce(ctx, await returnsDispatches(cache, segment, statsT, { envs, steps, width, rewardCol: 0, valueCol: 3, returnCol: 4, gamma }));
    const out = await segment.read();
    const newStats = await statsT.read();
    for (let a = 0; a < agents; a++) {
      const want: number[] = [];
      for (let e = 0; e < envs; e++) {
        const rec = (t: number) => ((a * envs + e) * steps + t) * width;
        const g: number[] = new Array(steps);
        for (let t = steps - 1; t >= 0; t--) {
          const r = data[rec(t)], term = data[rec(t) + 1], trunc = data[rec(t) + 2];
          const v = stats[a * 2] + stats[a * 2 + 1] * data[rec(t) + 3];
          const nextValue = trunc > 0.5 || t === steps - 1 ? v : g[t + 1];
          g[t] = r + gamma * (1 - term) * nextValue;
        }
        want.push(...g);
      }
      const mean = want.reduce((s, x) => s + x, 0) / want.length;
      const std = Math.sqrt(want.reduce((s, x) => s + (x - mean) ** 2, 0) / want.length) + 1e-6;
      const got: number[] = [];
      for (let e = 0; e < envs; e++) for (let t = 0; t < steps; t++) got.push(out[((a * envs + e) * steps + t) * width + 4]);
      expect(relError(got, want.map((x) => (x - mean) / std))).toBeLessThan(1e-5);
      expect(newStats[a * 2]).toBeCloseTo(mean, 4);
      expect(newStats[a * 2 + 1]).toBeCloseTo(std, 4);
    }
  });
});

describe('SAC temperature', () => {
  it('takes Adam steps on log alpha with gradient -alpha (mean log pi + target)', async () => {
    const { ctx, cache } = await gpu();
    const agents = 3, rows = 301, lr = 0.05, target = -1, alpha0 = 0.2;
    const temperature = Temperature.create(ctx, agents, { mode: 'auto', alpha: alpha0, lr, targetEntropy: target });
    const batches = [randomArray(agents * rows, 7, -3, 2), randomArray(agents * rows, 8, -1, 3), randomArray(agents * rows, 9, -2, 0)];
    const logp = f32(ctx, 'logp', [agents, rows]);
    const metrics = f32(ctx, 'metrics', [agents, 8]);
    const step = await temperature.update(cache, logp, rows, { tensor: metrics, width: 8, slot: 7 });
    for (const b of batches) {
      logp.write(b);
      await runOnce(ctx, [step]);
    }
    const state = await temperature.state.read();
    for (let a = 0; a < agents; a++) {
      let logAlpha = Math.log(alpha0), m = 0, v = 0;
      batches.forEach((b, k) => {
        let mean = 0;
        for (let r = 0; r < rows; r++) mean += b[a * rows + r] / rows;
        const g = -Math.exp(logAlpha) * (mean + target);
        m = 0.9 * m + 0.1 * g;
        v = 0.999 * v + 0.001 * g * g;
        logAlpha -= (lr * (m / (1 - 0.9 ** (k + 1)))) / (Math.sqrt(v / (1 - 0.999 ** (k + 1))) + 1e-8);
      });
      expect(state[a * 8 + 1]).toBeCloseTo(logAlpha, 4);
      expect(state[a * 8]).toBeCloseTo(Math.exp(logAlpha), 4);
    }
  });
});

describe('cross-entropy method', () => {
  it('sums each episode until it ends, then refits mean and spread to the elites', async () => {
    const { ctx, cache } = await gpu();
    const P = 6, E = 3, envs = P * E, count = 11, elites = 2, extraNoise = 0.1, seed = 3;
    const popData = randomArray(P * count, 12);
    const meanData = randomArray(count, 13);
    const episode = f32(ctx, 'episode', [envs, 2]);
    const stepOut = f32(ctx, 'step_out', [envs, 3]);
    const population = f32(ctx, 'population', [P, count], popData);
    const mean = f32(ctx, 'mean', [count], meanData);
    const stats = f32(ctx, 'stats', [8]);
    const clock = u32(ctx, 'clock', [4], [9, 0, 0, 0]);
    const kernel = cemKernels(cache, { envs, population: P, elites, seed, initStd: 0.5, extraNoise }, { episode, population, mean, clock, stats });
    const episodes = await episodeFitness(cache, envs, episode, stepOut);
    // Three steps of random rewards; some episodes end after the first or second step.
    const next = rng(14);
    const returns = new Array(envs).fill(0);
    const alive = new Array(envs).fill(true);
    const dispatches = [episodes.begin];
    const steps: number[][] = [];
    for (let t = 0; t < 3; t++) {
      const out: number[] = [];
      for (let e = 0; e < envs; e++) {
        const r = Math.fround(next() * 10 - 5), end = next() < 0.3 ? 1 : 0;
        out.push(r, end, 0);
        if (alive[e]) returns[e] += r;
        if (end) alive[e] = false;
      }
      steps.push(out);
    }
    await runOnce(ctx, dispatches);
    const accumulate = episodes.accumulate;
    for (const out of steps) {
      stepOut.write(out);
      await runOnce(ctx, [accumulate]);
    }
    const ep = await episode.read();
    expect(relError(Array.from({ length: envs }, (_, e) => ep[e * 2]), returns)).toBeLessThan(1e-6);

    await runOnce(ctx, [await kernel()]);
    const fitness = Array.from({ length: P }, (_, i) => (returns[i * E] + returns[i * E + 1] + returns[i * E + 2]) / E);
    const order = [...fitness.keys()].sort((x, y) => fitness[y] - fitness[x] || x - y).slice(0, elites);
    const newMean = await mean.read();
    const wantMean: number[] = [], wantSigma: number[] = [];
    for (let j = 0; j < count; j++) {
      const xs = order.map((i) => popData[i * count + j]);
      const mu = xs.reduce((s, x) => s + x, 0) / elites;
      wantMean.push(mu);
      wantSigma.push(Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / elites - mu * mu + extraNoise ** 2));
    }
    expect(relError(Array.from(newMean), wantMean)).toBeLessThan(1e-5);
    const s = await stats.read();
    expect(s[0]).toBeCloseTo(Math.max(...fitness), 4);
    expect(s[1]).toBeCloseTo(order.reduce((t, i) => t + fitness[i], 0) / elites, 4);
    expect(s[2]).toBeCloseTo(wantSigma.reduce((t, x) => t + x, 0) / count, 4);
    // The new population is spread around the new mean with the new sigmas (P = 6 draws per
    // parameter: check the pooled standardized deviations have variance near 1).
    const pop = await population.read();
    let sq = 0;
    for (let i = 0; i < P; i++) for (let j = 0; j < count; j++) sq += ((pop[i * count + j] - wantMean[j]) / wantSigma[j]) ** 2;
    expect(sq / (P * count)).toBeGreaterThan(0.5);
    expect(sq / (P * count)).toBeLessThan(1.6);
  });
});

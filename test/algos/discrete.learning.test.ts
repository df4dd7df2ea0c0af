/**
 * The discrete policies learn cartpole (500 steps at most, reward 1 per step upright) on this
 * machine's adapter, each within 6 minutes, judged by the mean return of 100 deterministic
 * evaluation episodes (the most probable action) against the uniformly random policy's. The
 * actions are --action-bins values of the force (2: bang-bang, as gymnasium's CartPole).
 *   SVG(0) straight-through   hard one-hot forward, the Gumbel-softmax gradient backward
 *   SVG(0) Gumbel-softmax     the relaxed sample acts (a convex combination of the bins)
 *   REINFORCE categorical     the score function of the categorical, with a value baseline
 */
import { expect, it } from 'vitest';
import { evaluatePolicy, evaluateRandomPolicy } from '../../src/run/evaluate.js';
import { Trainer } from '../../src/run/trainer.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import { CPU_PRESETS } from '../../src/run/presets.js';
import { getEnv } from '../../src/envs/registry.js';
import { gpu } from '../helpers/gpu.js';

const EVAL = { seed: 12345 };

async function learn(algoName: 'svg0' | 'reinforce', run: Record<string, unknown>, algo: Record<string, unknown>) {
  const { ctx, cache } = await gpu();
  const start = performance.now();
  const preset = CPU_PRESETS[algoName];
  const trainer = await Trainer.create(ctx, cache, runConfig({ ...preset.run, env: 'cartpole', seed: 1, evalEpisodes: 100, ...run, algo: algoName }), algoConfig(algoName, { ...preset.algo, ...algo }));
  await trainer.train(trainer.targetIteration, () => {});
  const result = await evaluatePolicy(ctx, cache, getEnv('cartpole'), EVAL, 100, (obs) => trainer.algo.evalPolicy(cache, obs));
  const random = (await evaluateRandomPolicy(ctx, cache, getEnv('cartpole'), EVAL, 100)).return_mean;
  const seconds = (performance.now() - start) / 1000;
  console.log(`${algoName} ${JSON.stringify(algo)} cartpole: eval ${result.return_mean.toFixed(1)} +- ${result.return_std.toFixed(1)} (random policy ${random.toFixed(1)}), ${seconds.toFixed(1)} s`);
  return { result, random, seconds };
}

it.each([
  ['straight-through', 150],
  ['gumbel-softmax', 150],
] as const)('SVG(0) with a %s categorical policy reaches >= %d on cartpole within 6 minutes', { timeout: 420_000 }, async (policy, target) => {
  // The CPU preset of svg0 (32 envs, 64-64 networks) for 80,000 env steps, two bins.
  const { result, random, seconds } = await learn('svg0', { steps: 80_000 }, { policy, actionBins: 2 });
  expect(random).toBeLessThan(40);
  expect(result.return_mean).toBeGreaterThanOrEqual(target);
  expect(seconds).toBeLessThan(360);
});

it('REINFORCE with a categorical policy (score function, value baseline) reaches >= 400 on cartpole within 6 minutes', { timeout: 420_000 }, async () => {
  // Its CPU preset (64 envs, whole-episode segments of 200 steps, 64-64 networks) with the
  // policy's Adam step at 3e-3, for 768,000 env steps (60 updates); at 1e-3 it needs about 1.6M.
  const { result, random, seconds } = await learn('reinforce', { steps: 768_000 }, { policy: 'categorical', actionBins: 2, policyLr: 3e-3 });
  expect(result.return_mean).toBeGreaterThanOrEqual(Math.max(400, random + 300));
  expect(seconds).toBeLessThan(360);
});

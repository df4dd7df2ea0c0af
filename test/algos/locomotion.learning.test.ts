/**
 * Learning on the planar robots, on this machine's adapter (lavapipe in CI): SVG(0) with the
 * entropy bonus (SAC) and the CPU preset (32 envs, 64-64 networks, batch 64, Adam 1e-3, tau 0.02,
 * 2000 random transitions) raises half-cheetah's evaluation return by >= 300 over uniformly random
 * actions within 6 minutes, and keeps the hopper healthy longer than random actions do. Judged by
 * deterministic evaluation episodes (the policy's mode) against random actions on the same seeds.
 */
import { expect, it } from 'vitest';
import { getEnv } from '../../src/envs/registry.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import { evaluatePolicy, evaluateRandomPolicy, type EvalResult } from '../../src/run/evaluate.js';
import { Trainer } from '../../src/run/trainer.js';
import { gpu } from '../helpers/gpu.js';

const EPISODES = 20;
const SAC = { actorHidden: [64, 64], criticHidden: [64, 64], batchSize: 64, actorLr: 1e-3, criticLr: 1e-3, tau: 0.02, learningStarts: 2000, bufferSize: 200_000, entropy: 'auto' };

async function sac(env: string, steps: number): Promise<{ learned: EvalResult; random: EvalResult; seconds: number }> {
  const { ctx, cache } = await gpu();
  const def = getEnv(env);
  const random = await evaluateRandomPolicy(ctx, cache, def, { seed: 12345 }, EPISODES);
  const start = performance.now();
  const trainer = await Trainer.create(ctx, cache, runConfig({ env, seed: 1, envs: 32, steps, reportEvery: 1000, evalEpisodes: EPISODES, algo: 'svg0' }), algoConfig('svg0', SAC));
  const returns: string[] = [];
  await trainer.train(trainer.targetIteration, (r) => void returns.push(r.return_mean === null ? '-' : r.return_mean.toFixed(0)));
  const learned = await evaluatePolicy(ctx, cache, def, { seed: 12345 }, EPISODES, (obs) => trainer.algo.evalPolicy(cache, obs));
  const seconds = (performance.now() - start) / 1000;
  console.log(`SAC ${env} (lavapipe config, ${steps} env steps): eval ${learned.return_mean.toFixed(1)} +- ${learned.return_std.toFixed(1)}, length ${learned.length_mean.toFixed(1)}; random actions ${random.return_mean.toFixed(1)}, length ${random.length_mean.toFixed(1)}; ${seconds.toFixed(1)} s; training returns ${returns.join(' ')}`);
  return { learned, random, seconds };
}

it('SAC raises the half-cheetah evaluation return by >= 300 over random actions within 6 minutes', { timeout: 420_000 }, async () => {
  const { learned, random, seconds } = await sac('half-cheetah', 300_000);
  expect(learned.return_mean - random.return_mean).toBeGreaterThanOrEqual(300);
  expect(seconds).toBeLessThan(360);
});

it('SAC keeps the hopper healthy longer than random actions (100,000 env steps)', { timeout: 420_000 }, async () => {
  const { learned, random } = await sac('hopper', 100_000);
  expect(learned.length_mean).toBeGreaterThan(2 * random.length_mean);
  expect(learned.return_mean).toBeGreaterThan(random.return_mean);
});

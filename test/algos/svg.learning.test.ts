/**
 * The SVG family and REINFORCE must learn pendulum on this machine's adapter (lavapipe in CI),
 * each within 6 minutes of wall time, judged by the mean return of 100 deterministic evaluation
 * episodes (the policy's mode). Small configurations for a CPU adapter, stated per test.
 */
import { expect, it } from 'vitest';
import { evaluatePolicy } from '../../src/algos/common/evaluate.js';
import { Trainer, algoConfig, runConfig } from '../../src/algos/common/trainer.js';
import { getEnv } from '../../src/envs/registry.js';
import { gpu } from '../helpers/gpu.js';

async function learn(algoName: string, run: Record<string, unknown>, algo: Record<string, unknown>) {
  const { ctx, cache } = await gpu();
  const start = performance.now();
  const trainer = await Trainer.create(ctx, cache, runConfig({ env: 'pendulum', seed: 1, evalEpisodes: 100, ...run, algo: algoName }), algoConfig(algoName, algo));
  const returns: string[] = [];
  await trainer.train(trainer.targetIteration, (r) => void returns.push(`${r.return_mean === null ? '-' : r.return_mean.toFixed(0)}${process.env.VERBOSE ? `(${JSON.stringify(r.imagined_return ?? null)})` : ''}`));
  const result = await evaluatePolicy(ctx, cache, getEnv('pendulum'), { seed: 12345 }, 100, (obs) => trainer.algo.evalPolicy(cache, obs));
  const seconds = (performance.now() - start) / 1000;
  console.log(`${algoName} pendulum (lavapipe config): eval ${result.return_mean.toFixed(1)} +- ${result.return_std.toFixed(1)} over ${result.episodes} episodes, ${seconds.toFixed(1)} s; training returns ${returns.join(' ')}`);
  return { result, seconds };
}

it('SVG(inf) through the simulator reaches a mean evaluation return >= -300 on pendulum within 6 minutes', { timeout: 420_000 }, async () => {
  // 64 envs, 64-64 policy, Adam 3e-3, gradient norm clipped at 1, H = 50 (a quarter episode:
  // four times the updates of whole-episode rollouts for the same env steps), 12,000 steps per env
  // (768,000 env steps, 240 updates).
  const { result, seconds } = await learn('svg-inf', { envs: 64, steps: 64 * 12_000, reportEvery: 200 }, { horizon: 50, policyLr: 3e-3, maxGradNorm: 1 });
  expect(result.return_mean).toBeGreaterThanOrEqual(-300);
  expect(seconds).toBeLessThan(360);
});

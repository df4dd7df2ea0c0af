/**
 * PPO must learn on this machine's adapter (lavapipe in CI), judged by the mean return of 100
 * deterministic evaluation episodes (the policy's mode), in the CPU preset's configuration:
 * CleanRL's batch of 2048 env steps per update (16 envs x 128 steps), 32 minibatches of 64, 10
 * epochs, 64-64 tanh networks, Adam 3e-4 clipped at 0.5.
 */
import { expect, it } from 'vitest';
import { evaluatePolicy, evaluateRandomPolicy } from '../../src/run/evaluate.js';
import { Trainer } from '../../src/run/trainer.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import { CPU_PRESETS } from '../../src/run/presets.js';
import { getEnv } from '../../src/envs/registry.js';
import { gpu } from '../helpers/gpu.js';

it('PPO balances cartpole: mean evaluation return >= 475 of 500 within 40 updates and 5 minutes', { timeout: 420_000 }, async () => {
  const { ctx, cache } = await gpu();
  const start = performance.now();
  const preset = CPU_PRESETS.ppo;
  const trainer = await Trainer.create(ctx, cache, runConfig({ ...preset.run, algo: 'ppo', env: 'cartpole', steps: 16 * 128 * 40, seed: 1, evalEpisodes: 0 }), algoConfig('ppo', preset.algo));
  const returns: string[] = [];
  await trainer.train(trainer.targetIteration, (r) => void returns.push(r.return_mean === null ? '-' : r.return_mean.toFixed(0)));
  const env = getEnv('cartpole');
  const result = await evaluatePolicy(ctx, cache, env, { seed: 12345 }, 100, (obs) => trainer.algo.evalPolicy(cache, obs));
  const random = await evaluateRandomPolicy(ctx, cache, env, { seed: 12345 }, 100);
  const seconds = (performance.now() - start) / 1000;
  console.log(`ppo cartpole (lavapipe config): eval ${result.return_mean.toFixed(1)} +- ${result.return_std.toFixed(1)} over 100 episodes (random policy ${random.return_mean.toFixed(1)}), ${seconds.toFixed(1)} s; training returns ${returns.join(' ')}`);
  expect(result.return_mean).toBeGreaterThanOrEqual(475);
  expect(seconds).toBeLessThan(300);
});

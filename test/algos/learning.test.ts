/**
 * DDPG must learn pendulum on this machine's adapter (lavapipe in CI) within 6 minutes of wall
 * time: mean return >= -250 over 100 deterministic evaluation episodes, with the CPU preset that
 * `pathwise train` takes on a CPU adapter (src/run/presets.ts: 32 envs, 64-64 actor and critic,
 * batch 64, Adam 1e-3, tau 0.02, 2000 random warm-up transitions, 160,000 env steps).
 */
import { expect, it } from 'vitest';
import { evaluatePolicy } from '../../src/run/evaluate.js';
import { Trainer } from '../../src/run/trainer.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import { CPU_PRESETS } from '../../src/run/presets.js';
import { Ddpg } from '../../src/algos/ddpg.js';
import { getEnv } from '../../src/envs/registry.js';
import { gpu } from '../helpers/gpu.js';

it('DDPG reaches a mean evaluation return >= -250 on pendulum within 6 minutes', { timeout: 420_000 }, async () => {
  const { ctx, cache } = await gpu();
  const start = performance.now();
  const run = runConfig({ ...CPU_PRESETS.ddpg.run, env: 'pendulum', seed: 1, evalEpisodes: 100 });
  const algo = algoConfig('ddpg', CPU_PRESETS.ddpg.algo);
  const trainer = await Trainer.create(ctx, cache, run, algo);
  const returns: (number | null)[] = [];
  await trainer.train(trainer.targetIteration, (r) => void returns.push(r.return_mean));
  const actor = (trainer.algo as Ddpg).nets.actor;
  const result = await evaluatePolicy(ctx, cache, getEnv('pendulum'), { seed: 12345 }, 100, (obs) => Ddpg.policy(cache, actor, obs));
  const seconds = (performance.now() - start) / 1000;
  console.log(`DDPG pendulum (lavapipe config): eval ${result.return_mean.toFixed(1)} +- ${result.return_std.toFixed(1)} over ${result.episodes} episodes, ${seconds.toFixed(1)} s; training returns ${returns.map((r) => (r === null ? '-' : r.toFixed(0))).join(' ')}`);
  expect(result.episodes).toBe(100);
  expect(result.return_mean).toBeGreaterThanOrEqual(-250);
  expect(seconds).toBeLessThan(360);
});

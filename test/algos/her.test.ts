/**
 * DDPG + HER must solve sparse point-mass on this machine's adapter (lavapipe in CI): >= 90%
 * success over 100 deterministic evaluation episodes, while the same budget without HER stays
 * clearly below. Small configuration for a CPU adapter: 16 envs, 64-64 networks, batch 128, Adam
 * 1e-3, tau 0.05 and gamma 0.98 (the HER paper's values), Gaussian noise 0.3, 800 random warm-up
 * transitions, 2000 iterations (32,000 env steps, 2000 updates), future strategy with k = 4.
 */
import { expect, it } from 'vitest';
import { evaluatePolicy } from '../../src/run/evaluate.js';
import { Trainer } from '../../src/run/trainer.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import { Ddpg } from '../../src/algos/ddpg.js';
import { getEnv } from '../../src/envs/registry.js';
import { main } from '../../src/cli/main.js';
import { vi } from 'vitest';
import { gpu } from '../helpers/gpu.js';

async function successRate(her: 'future' | 'none'): Promise<{ success: number; seconds: number; curve: string }> {
  const { ctx, cache } = await gpu();
  const start = performance.now();
  const run = runConfig({ env: 'point-mass-sparse', envs: 16, steps: 32_000, seed: 1, reportEvery: 250 });
  const algo = algoConfig('ddpg', {
    actorHidden: [64, 64], criticHidden: [64, 64], batchSize: 128, actorLr: 1e-3, criticLr: 1e-3, tau: 0.05, gamma: 0.98,
    learningStarts: 800, explorationNoise: 0.3, her, herK: 4,
  });
  const trainer = await Trainer.create(ctx, cache, run, algo);
  const curve: string[] = [];
  await trainer.train(trainer.targetIteration, (r) => void curve.push(r.success_rate === null ? '-' : (r.success_rate as number).toFixed(2)));
  const actor = (trainer.algo as Ddpg).nets.actor;
  const result = await evaluatePolicy(ctx, cache, getEnv('point-mass-sparse'), { seed: 777 }, 100, (obs) => Ddpg.policy(cache, actor, obs));
  return { success: result.success_rate, seconds: (performance.now() - start) / 1000, curve: curve.join(' ') };
}

it('DDPG + HER (future) reaches >= 90% success on sparse point-mass; without HER it stays clearly below', { timeout: 420_000 }, async () => {
  const withHer = await successRate('future');
  const without = await successRate('none');
  console.log(`point-mass-sparse, 32,000 env steps: HER success ${withHer.success} (${withHer.seconds.toFixed(1)} s; training ${withHer.curve}); without HER ${without.success} (${without.seconds.toFixed(1)} s; training ${without.curve})`);
  expect(withHer.success).toBeGreaterThanOrEqual(0.9);
  expect(without.success).toBeLessThanOrEqual(0.5);
});

it('--her with a non-goal env exits non-zero naming the goal envs', async () => {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...m: unknown[]) => void lines.push(m.join(' ')));
  const code = await main(['train', '--env', 'pendulum', '--her', 'future']);
  spy.mockRestore();
  expect(code).toBe(2);
  expect(lines).toEqual(['pathwise: --her: got "future", expected none for pendulum: HER needs a goal environment (reacher, reacher-sparse, point-mass, point-mass-sparse)']);
});

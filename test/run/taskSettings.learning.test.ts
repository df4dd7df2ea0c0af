/**
 * A user's first run with the defaults learns where the table of task settings has an entry:
 * `train({ env })` - DDPG, the cpu preset, the task's tuned settings - on mountain-car reaches RL
 * Zoo's return (93.5) in about 80 s on lavapipe, where the cpu preset alone (tuned on pendulum)
 * stays in the do-nothing optimum (-0.014); on cartpole-swingup it swings up and balances in
 * about 160 s, where the preset alone spins the pole (-28).
 */
import { expect, it } from 'vitest';
import { train } from '../../src/index.js';

it('DDPG with the defaults reaches >= 80 on mountain-car (RL Zoo: 93.5)', { timeout: 300_000 }, async () => {
  const started = performance.now();
  const run = await train({ env: 'mountain-car', preset: 'cpu' });
  expect(run.settings.tuned?.source).toMatch(/RL Zoo/);
  for await (const _ of run) { /* reports */ }
  const { evaluation } = await run.finish();
  await run.dispose();
  const seconds = (performance.now() - started) / 1000;
  console.log(`ddpg mountain-car with the defaults: eval ${evaluation?.return_mean.toFixed(1)} over ${evaluation?.episodes} episodes, ${seconds.toFixed(0)} s`);
  expect(evaluation!.episodes).toBe(100);
  expect(evaluation!.return_mean).toBeGreaterThanOrEqual(80);
});

it('DDPG with the defaults swings cartpole-swingup up and keeps it there (walls at +-2.4)', { timeout: 420_000 }, async () => {
  const started = performance.now();
  const run = await train({ env: 'cartpole-swingup', preset: 'cpu' });
  expect(run.settings.tuned).not.toBeNull();
  for await (const _ of run) { /* reports */ }
  const { evaluation } = await run.finish();
  await run.dispose();
  const seconds = (performance.now() - started) / 1000;
  console.log(`ddpg cartpole-swingup with the defaults: eval ${evaluation?.return_mean.toFixed(1)}, ${((evaluation?.success_rate ?? 0) * 100).toFixed(0)}% of episodes end upright, ${seconds.toFixed(0)} s`);
  // Hanging down all episode: -500; a spinning pole: about 0; swung up and balanced: 390 (seed 1), 337 (seed 2).
  expect(evaluation!.return_mean).toBeGreaterThanOrEqual(300);
  expect(evaluation!.success_rate).toBeGreaterThanOrEqual(0.9);
});

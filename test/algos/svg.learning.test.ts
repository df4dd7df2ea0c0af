/**
 * The SVG family and REINFORCE must learn pendulum on this machine's adapter (lavapipe in CI),
 * each within 6 minutes of wall time, judged by the mean return of 100 deterministic evaluation
 * episodes (the policy's mode). Small configurations for a CPU adapter, stated per test.
 */
import { expect, it } from 'vitest';
import { evaluatePolicy, evaluateRandomPolicy } from '../../src/run/evaluate.js';
import { Trainer } from '../../src/run/trainer.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import { CPU_PRESETS } from '../../src/run/presets.js';
import { getEnv } from '../../src/envs/registry.js';
import { gpu } from '../helpers/gpu.js';

/** Mean return of uniformly random actions over 100 pendulum episodes (the same eval seed). */
async function randomPolicyReturn(): Promise<number> {
  const { ctx, cache } = await gpu();
  return (await evaluateRandomPolicy(ctx, cache, getEnv('pendulum'), { seed: 12345 }, 100)).return_mean;
}

async function learn(algoName: string, run: Record<string, unknown>, algo: Record<string, unknown>) {
  const { ctx, cache } = await gpu();
  const start = performance.now();
  const trainer = await Trainer.create(ctx, cache, runConfig({ env: 'pendulum', seed: 1, evalEpisodes: 100, ...run, algo: algoName }), algoConfig(algoName, algo));
  const returns: string[] = [];
  const standard = new Set(['iteration', 'env_steps', 'wall_s', 'episodes', 'return_mean', 'length_mean', 'success_rate']);
  const extras = (r: Record<string, unknown>) => Object.entries(r).filter(([k, v]) => !standard.has(k) && typeof v === 'number').map(([k, v]) => `${k}=${(v as number).toPrecision(3)}`).join(',');
  await trainer.train(trainer.targetIteration, (r) => void returns.push(`${r.return_mean === null ? '-' : r.return_mean.toFixed(0)}${process.env.VERBOSE ? `(${extras(r)})` : ''}`));
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

it("SVG(inf) with a learned model (the paper's) reaches >= -300 on pendulum within 6 minutes", { timeout: 420_000 }, async () => {
  // The simulator test's configuration with --dynamics model, on two thirds of its env steps
  // (512,000: 160 policy updates): a 64-64 model fitted by 20 updates of batch 256 from replay,
  // Adam 3e-3, before each policy update. Measured on lavapipe: 50 model updates at Adam 1e-3 over
  // 768,000 steps reached -196.9 in 280 s; this configuration -182.0 in 121 s.
  const { result, seconds } = await learn('svg-inf', { envs: 64, steps: 64 * 8_000, reportEvery: 200 }, {
    horizon: 50, policyLr: 3e-3, maxGradNorm: 1, dynamics: 'model', modelUpdates: 20, modelLr: 3e-3, modelBatch: 256,
  });
  expect(result.return_mean).toBeGreaterThanOrEqual(-300);
  expect(seconds).toBeLessThan(360);
});

it('SVG(0) reaches a mean evaluation return >= -300 on pendulum within 6 minutes', { timeout: 420_000 }, async () => {
  // DDPG's lavapipe configuration (test/algos/learning.test.ts), no entropy bonus: 32 envs, 64-64
  // networks, batch 64, Adam 1e-3, tau 0.02, 2000 random transitions, 160,000 env steps.
  const { result, seconds } = await learn('svg0', { envs: 32, steps: 160_000, reportEvery: 500 }, {
    actorHidden: [64, 64], criticHidden: [64, 64], batchSize: 64, actorLr: 1e-3, criticLr: 1e-3, tau: 0.02, learningStarts: 2000, bufferSize: 200_000,
  });
  expect(result.return_mean).toBeGreaterThanOrEqual(-300);
  expect(seconds).toBeLessThan(360);
});

it('SVG(1) reaches a mean evaluation return >= -400 on pendulum within 6 minutes', { timeout: 420_000 }, async () => {
  // Its CPU preset (the `pathwise train --algo svg1` defaults on lavapipe): 32 envs, 64-64 policy,
  // V and model, batch 64, Adam 1e-3, tau 0.02, 2000 random transitions, 160,000 env steps.
  // Before the policy's noise was drawn afresh (it was inferred from the replayed action) this
  // ended at -1410, the random policy's level.
  const { result, seconds } = await learn('svg1', { ...CPU_PRESETS.svg1.run, reportEvery: 500 }, CPU_PRESETS.svg1.algo);
  expect(result.return_mean).toBeGreaterThanOrEqual(-400);
  expect(seconds).toBeLessThan(360);
});

it('SVG(0) with an auto-tuned entropy bonus (SAC) reaches >= -300 on pendulum within 6 minutes', { timeout: 420_000 }, async () => {
  // As above, with --entropy auto (initial alpha 0.2, target entropy -1).
  const { result, seconds } = await learn('svg0', { envs: 32, steps: 160_000, reportEvery: 500 }, {
    actorHidden: [64, 64], criticHidden: [64, 64], batchSize: 64, actorLr: 1e-3, criticLr: 1e-3, tau: 0.02, learningStarts: 2000, bufferSize: 200_000, entropy: 'auto',
  });
  expect(result.return_mean).toBeGreaterThanOrEqual(-300);
  expect(seconds).toBeLessThan(360);
});

it('SVG(0) with bang-bang binary units (straight-through) reaches >= -300 on pendulum within 6 minutes', { timeout: 420_000 }, async () => {
  // The seeds' binary (sigmoid) units: one Bernoulli unit per action dimension, a = 2 b - 1, the
  // pathwise gradient straight through the binary Concrete relaxation (tau 1). The SVG(0) CPU
  // preset (32 envs, 64-64 networks, batch 64) for 80,000 env steps.
  const { result, seconds } = await learn('svg0', { ...CPU_PRESETS.svg0.run, steps: 80_000, reportEvery: 500 }, { ...CPU_PRESETS.svg0.algo, policy: 'binary-straight-through' });
  expect(result.return_mean).toBeGreaterThanOrEqual(-300);
  expect(seconds).toBeLessThan(360);
});

it('REINFORCE with a value baseline improves pendulum by >= 300 over the random policy within 6 minutes', { timeout: 420_000 }, async () => {
  // 64 envs, whole-episode segments (T = 200), 64-64 policy and value, Adam 1e-3, 150 updates
  // (1.92 million env steps).
  const random = await randomPolicyReturn();
  const { result, seconds } = await learn('reinforce', { envs: 64, steps: 64 * 200 * 150, reportEvery: 200 }, { policyLr: 1e-3, valueLr: 1e-3 });
  console.log(`random policy: ${random.toFixed(1)}`);
  expect(result.return_mean).toBeGreaterThanOrEqual(random + 300);
  expect(seconds).toBeLessThan(360);
});

it('CEM improves pendulum by >= 300 over the random policy', { timeout: 420_000 }, async () => {
  // Population 64 of 3-16-1 policies, 8 episodes each (512 envs), 40 generations.
  const random = await randomPolicyReturn();
  const { result, seconds } = await learn('cem', { envs: 64 * 8, steps: 64 * 8 * 200 * 40, reportEvery: 200 }, { population: 64 });
  console.log(`random policy: ${random.toFixed(1)}`);
  expect(result.return_mean).toBeGreaterThanOrEqual(random + 300);
  expect(seconds).toBeLessThan(360);
});

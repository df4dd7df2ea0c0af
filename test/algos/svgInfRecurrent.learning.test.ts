/**
 * SVG(inf) through the simulator with a recurrent policy (src/algos/svgInf.ts, `--recurrent`):
 * pendulum with positions only (`--sensors positions`: cos and sin of the angle, no angular
 * velocity), the svg-inf CPU preset for both - 64 envs, rollouts of 50 steps, Adam 3e-3, gradient
 * norm clipped to 1, 768,000 env steps (240 policy updates) - judged by the mean return of 100
 * deterministic evaluation episodes. The GRU (32 units) runs as a closed loop through the
 * simulator in the graph and can recover the velocity from consecutive positions; the
 * feedforward policy, which reads the same positions, cannot swing the pendulum up.
 * Measured on lavapipe (seed 1): feedforward -1194.2 (74 s), GRU -189.6 (152 s); with 64 units
 * the GRU reached -549.2 (271 s).
 */
import { expect, it } from 'vitest';
import { evaluatePolicy, evalEnvOptions } from '../../src/run/evaluate.js';
import { Trainer } from '../../src/run/trainer.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import { getEnv } from '../../src/envs/registry.js';
import { gpu } from '../helpers/gpu.js';

async function learn(recurrent: 'none' | 'gru') {
  const { ctx, cache } = await gpu();
  const start = performance.now();
  const run = runConfig({ algo: 'svg-inf', env: 'pendulum', sensors: 'positions', envs: 64, steps: 768_000, reportEvery: 200, seed: 1, evalEpisodes: 100 });
  const trainer = await Trainer.create(ctx, cache, run, algoConfig('svg-inf', { horizon: 50, policyLr: 3e-3, maxGradNorm: 1, recurrent, recurrentWidth: 32 }));
  await trainer.train(trainer.targetIteration, () => {});
  const result = await evaluatePolicy(ctx, cache, getEnv('pendulum'), evalEnvOptions(run), 100, (obs) => trainer.algo.evalPolicy(cache, obs));
  const seconds = (performance.now() - start) / 1000;
  console.log(`svg-inf --recurrent ${recurrent} on pendulum (positions only): eval ${result.return_mean.toFixed(1)} +- ${result.return_std.toFixed(1)}, ${seconds.toFixed(1)} s`);
  return { result, seconds };
}

it('SVG(inf) with a GRU policy beats the feedforward one by >= 400 on pendulum with positions only, each within 6 minutes', { timeout: 600_000 }, async () => {
  const ff = await learn('none');
  const gru = await learn('gru');
  expect(ff.seconds).toBeLessThan(360);
  expect(gru.seconds).toBeLessThan(360);
  expect(gru.result.return_mean).toBeGreaterThanOrEqual(ff.result.return_mean + 400);
});

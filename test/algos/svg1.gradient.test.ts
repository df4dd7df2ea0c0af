/**
 * SVG(1)'s policy gradient - through the inferred policy noise, the learned model, V and the
 * inferred model noise (the whole stochastic computation graph) - against central finite
 * differences of the same surrogate evaluated by the graph's forward pass.
 */
import { expect, it } from 'vitest';
import { Trainer, algoConfig, runConfig } from '../../src/algos/common/trainer.js';
import type { Svg1 } from '../../src/algos/svg1.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { gpu } from '../helpers/gpu.js';

it('SVG(1) policy gradient matches finite differences of its surrogate', async () => {
  const { ctx, cache } = await gpu();
  const trainer = await Trainer.create(ctx, cache, runConfig({ env: 'pendulum', envs: 8, steps: 8 * 60, reportEvery: 30, seed: 3, algo: 'svg1' }),
    algoConfig('svg1', { policyHidden: [16], valueHidden: [16], modelHidden: [16], batchSize: 16, learningStarts: 160, bufferSize: 1000 }));
  const algo = trainer.algo as Svg1;
  await trainer.train(trainer.targetIteration, () => {});
  const { prepare, forward, backward, action } = algo.policyUpdate;
  await runOnce(ctx, [...prepare, ...forward, ...backward]);
  // Finite differences hold the inferred noise fixed, as the pathwise gradient does: the forward
  // pass with the policy-noise inference replaced by re-evaluation from the kept noise, and the
  // model residual zeta kept from the unperturbed pass.
  const inferLabel = `${action.sampler.label} infer`;
  expect(forward.some((d) => d.label === inferLabel)).toBe(true);
  expect(forward.some((d) => d.label === 'zeta')).toBe(true);
  const reparameterize = await action.sampler.reparameterize(cache, action.sample.view);
  const frozen = forward.filter((d) => d.label !== 'zeta').map((d) => (d.label === inferLabel ? reparameterize : d));
  const grads = await algo.policy.net.grads.read();
  const params = await algo.policy.net.params.read();
  // The surrogate's value: metric slots 4 and 5 (-r_f and -gamma V(s')), means over the batch.
  const surrogate = async (p: Float32Array) => {
    algo.policy.net.params.write(p);
    algo.metrics.fill(0);
    await runOnce(ctx, frozen);
    const m = await algo.metrics.read();
    return m[4] + m[5];
  };
  const got: number[] = [], want: number[] = [];
  const h = 1e-2;
  for (let i = 0; i < params.length; i += 7) {
    const plus = Float32Array.from(params), minus = Float32Array.from(params);
    plus[i] += h;
    minus[i] -= h;
    want.push(((await surrogate(plus)) - (await surrogate(minus))) / (2 * h));
    got.push(grads[i]);
  }
  const scale = Math.max(...want.map(Math.abs));
  const err = Math.max(...got.map((g, k) => Math.abs(g - want[k])));
  console.log(`max |grad| ${scale}, max error ${err}`, got.slice(0, 12).map((g, k) => `${g.toExponential(2)}/${want[k].toExponential(2)}`).join(" "));
  expect(scale).toBeGreaterThan(1e-3);
  expect(err / scale).toBeLessThan(2e-2);
});

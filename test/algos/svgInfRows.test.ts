/**
 * SVG(inf) through the simulator as row programs against its per-layer program, from the same
 * state and seed: one training unit (H acting steps, the policy update), after which the env
 * states, the policy gradient (the row program's sum over rows and steps against the graph's),
 * the imagined return and the updated policy agree to 1e-5 relative; and a unit is 5 dispatches
 * whatever the horizon.
 */
import { describe, expect, it } from 'vitest';
import { readMetricTable } from '../../src/algos/common/metrics.js';
import { SvgInf, svgInfConfig } from '../../src/algos/svgInf.js';
import { EnvBatch } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { runOnce } from '../../src/gpu/recorder.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';
import { relError } from '../helpers/random.js';

async function build(program: 'rows' | 'layers', envName: string, horizon: number) {
  const { ctx, cache } = await gpu();
  const clock = new Clock(ctx);
  const env = await new EnvBatch(ctx, getEnv(envName), { envs: 12, seed: 3, clock }).build(cache);
  const algo = await SvgInf.create(ctx, cache, env, clock, svgInfConfig({ policyHidden: [16, 16], horizon, program }), 5);
  await runOnce(ctx, [env.resetDispatch]);
  return { algo, clock };
}

const read = (t: Tensor) => t.read() as Promise<Float32Array>;

describe.each([
  ['pendulum', 10],
  ['cartpole-swingup', 7],
  ['acrobot', 5],
  // A goal env: the goal rides in the state and the observation, constant along the rollout.
  ['reacher', 6],
])('SVG(inf) on %s, H = %i: row programs against the per-layer program', (envName, horizon) => {
  it('agree on acting, the policy gradient, the imagined return and the updated policy', async () => {
    const rows = await build('rows', envName, horizon);
    const layers = await build('layers', envName, horizon);
    expect(rows.algo.rows).not.toBeNull();
    expect(rows.algo.train.recorder.length).toBe(5);
    await rows.algo.train.recorder.run(1);
    await layers.algo.train.recorder.run(1);
    expect(await rows.clock.read()).toBe(await layers.clock.read());
    for (const name of ['env.state', 'env.obs', 'policy.adam.m', 'policy.params']) {
      expect(relError(await read(rows.algo.state[name]), await read(layers.algo.state[name])), name).toBeLessThan(1e-5);
    }
    expect(relError(await read(rows.algo.policy.net.grads), await read(layers.algo.policy.net.grads)), 'policy gradient').toBeLessThan(1e-5);
    const [mr] = await readMetricTable(rows.algo.metrics, 1);
    const [ml] = await readMetricTable(layers.algo.metrics, 1);
    expect(relError([mr.imagined_return], [ml.imagined_return])).toBeLessThan(1e-5);
    expect(mr.updates).toBe(1);
  });
});

it('a unit is 5 dispatches whatever the horizon', async () => {
  for (const horizon of [5, 50]) {
    const { algo } = await build('rows', 'pendulum', horizon);
    expect(algo.train.recorder.length).toBe(5);
    expect(algo.train.iterations).toBe(horizon);
  }
});

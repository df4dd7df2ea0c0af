/**
 * SVG(0)'s row programs against its per-layer program (the stochastic computation graph), from
 * the same state and seed: warm-up acting writes the same replay rows bit for bit; then one
 * training unit, after which the transitions, the weight gradients of the last critic and policy
 * updates (summed in float64 from the row kernels' tapes, against the per-layer gradient
 * tensors), the losses, the temperature, the updated parameters and the target critic agree to
 * 1e-5 relative. Where sums differ in order: a layer's products (input order with the bias last
 * in a row, tile order in the matmul) and the means of the metrics (a loop over rows in the
 * parameter kernel, a workgroup tree in the graph's cost nodes).
 */
import { describe, expect, it } from 'vitest';
import { Svg0, svg0Config } from '../../src/algos/svg0.js';
import { readMetricTable } from '../../src/algos/common/metrics.js';
import { EnvBatch } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { runOnce } from '../../src/gpu/recorder.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';
import { relError } from '../helpers/random.js';
import { tapeGradients } from '../helpers/tape.js';

async function build(program: 'rows' | 'layers', envName: string, settings: Record<string, unknown>) {
  const { ctx, cache } = await gpu();
  const clock = new Clock(ctx);
  const env = await new EnvBatch(ctx, getEnv(envName), { envs: 8, seed: 3, clock }).build(cache);
  const config = svg0Config({ actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 24, learningStarts: 96, bufferSize: 1000, program, ...settings });
  const algo = await Svg0.create(ctx, cache, env, clock, config, 7);
  await runOnce(ctx, [env.resetDispatch]);
  await algo.warmup.recorder.run(algo.warmupIterations);
  return { algo, env, clock };
}

const read = (t: Tensor) => t.read() as Promise<Float32Array>;

describe.each([
  ['SVG(0)', 'pendulum', {}],
  ['soft actor-critic (--entropy auto), 2 updates per step', 'pendulum', { entropy: 'auto', updatesPerStep: 2 }],
  ['fixed entropy bonus, two-dimensional actions', 'reacher', { entropy: 'fixed', alpha: 0.1 }],
  ['256-wide networks', 'pendulum', { actorHidden: [256, 256], criticHidden: [256, 256] }],
])('%s: row programs against the per-layer program', (_, envName, settings) => {
  it('agree on acting, gradients, losses and updated parameters', async () => {
    const rows = await build('rows', envName, settings);
    const layers = await build('layers', envName, settings);
    expect(rows.algo.rows).not.toBeNull();
    expect(layers.algo.rows).toBeNull();
    expect(Array.from(await read(rows.algo.state['replay.storage']))).toEqual(Array.from(await read(layers.algo.state['replay.storage'])));

    await rows.algo.train.recorder.run(1);
    await layers.algo.train.recorder.run(1);
    expect(await rows.clock.read()).toBe(await layers.clock.read());
    for (const name of ['replay.storage', 'env.state', 'env.obs']) {
      expect(relError(await read(rows.algo.state[name]), await read(layers.algo.state[name])), name).toBeLessThan(1e-5);
    }
    const B = rows.algo.config.batchSize;
    const program = rows.algo.rows!;
    expect(relError(tapeGradients(rows.algo.critic, await read(program.criticTape), B, program.criticTape.shape[2]), await read(layers.algo.critic.grads)), 'critic gradient').toBeLessThan(1e-5);
    expect(relError(tapeGradients(rows.algo.policy.net, await read(program.policyTape), B, program.policyTape.shape[2]), await read(layers.algo.policy.net.grads)), 'policy gradient').toBeLessThan(1e-5);
    const [mr] = await readMetricTable(rows.algo.metrics, 1);
    const [ml] = await readMetricTable(layers.algo.metrics, 1);
    expect(Object.keys(mr).sort()).toEqual(Object.keys(ml).sort());
    for (const k of Object.keys(ml)) expect(relError([mr[k]], [ml[k]]), k).toBeLessThan(1e-5);
    for (const name of ['policy.params', 'critic.params', 'target_critic.params', 'policy.adam.m', 'critic.adam.v', 'temperature']) {
      expect(relError(await read(rows.algo.state[name]), await read(layers.algo.state[name])), name).toBeLessThan(1e-5);
    }
  });
});

it('discrete policies run one dispatch per layer; asked for rows, they are refused naming why', async () => {
  const auto = await build('layers', 'pendulum', { policy: 'gumbel-softmax', program: 'auto' });
  expect(auto.algo.rows).toBeNull();
  await expect(build('rows', 'pendulum', { policy: 'straight-through' })).rejects.toThrow(/--program: got "rows", expected auto or layers: --policy straight-through \(discrete policies run in the per-layer program\)/);
  await expect(build('rows', 'pendulum', { criticHidden: [512] })).rejects.toThrow(/--program: .*the critic has a layer of width 512/);
});

it('an iteration is 5 dispatches (6 with --entropy), and a fixed seed reproduces the row programs bit for bit', async () => {
  const runs = await Promise.all([0, 1].map(async () => {
    const r = await build('rows', 'pendulum', { entropy: 'auto' });
    await r.algo.train.recorder.run(20);
    return { params: await read(r.algo.state['policy.params']), dispatches: r.algo.train.recorder.length };
  }));
  expect(Array.from(runs[1].params)).toEqual(Array.from(runs[0].params));
  expect(runs[0].dispatches).toBe(6);
  expect((await build('rows', 'pendulum', {})).algo.train.recorder.length).toBe(5);
});

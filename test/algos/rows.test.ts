/**
 * DDPG's row programs against its per-layer program, from the same state and seed: warm-up
 * acting (uniform actions) writes the same replay rows bit for bit; then one training unit, after
 * which the transitions, the weight gradients (summed in float64 from the row kernels' tapes, as
 * the parameter kernel sums them, against the per-layer program's gradient tensors), the losses,
 * the updated parameters and both targets agree to 1e-5 relative. The row kernels sum each
 * layer's products in input order with the bias last, the tiled matmul in tile order: float
 * rounding of the order is all that differs.
 */
import { describe, expect, it } from 'vitest';
import { Ddpg, ddpgConfig } from '../../src/algos/ddpg.js';
import { readMetricTable } from '../../src/algos/common/metrics.js';
import { EnvBatch } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { type CacheOptions, PipelineCache } from '../../src/gpu/kernel.js';
import { runOnce } from '../../src/gpu/recorder.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { rowConstants } from '../../src/algos/common/rowProgram.js';
import { tapeWidth } from '../../src/nn/rowNetwork.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';
import { relError } from '../helpers/random.js';
import { tapeGradients } from '../helpers/tape.js';

async function build(program: 'rows' | 'layers', envName: string, settings: Record<string, unknown>, cacheOptions?: CacheOptions) {
  // `settings` may ask for another program (auto) than `program`.
  const shared = await gpu();
  const ctx = shared.ctx;
  const cache = cacheOptions ? new PipelineCache(ctx, cacheOptions) : shared.cache;
  const clock = new Clock(ctx);
  const env = await new EnvBatch(ctx, getEnv(envName), { envs: 8, seed: 3, clock }).build(cache);
  const config = ddpgConfig({ actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 24, learningStarts: 96, bufferSize: 1000, program, ...settings });
  const algo = await Ddpg.create(ctx, cache, env, clock, config, 7);
  await runOnce(ctx, [env.resetDispatch]);
  await algo.warmup.recorder.run(algo.warmupIterations);
  return { algo, env, clock };
}

const read = (t: Tensor) => t.read() as Promise<Float32Array>;

describe.each([
  ['DDPG', 'pendulum', {}],
  ['TD3 options (policy delay 2, target smoothing, 2 updates per step)', 'pendulum', { policyDelay: 2, targetPolicyNoise: 0.2, updatesPerStep: 2 }],
  ['one update every 2 steps, OU noise, two-dimensional actions', 'reacher', { updatesPerStep: 0.5, noise: 'ou', explorationNoise: 0.2 }],
  ['HER (future) on sparse point-mass', 'point-mass-sparse', { her: 'future', herK: 4 }],
  ['256-wide networks (the widest row programs take)', 'pendulum', { actorHidden: [256, 256], criticHidden: [256, 256] }],
  // On CPU adapters lanes share weight loads (fused/lanes.wgsl) only where a subgroup's first 8
  // lanes are all active: a last workgroup of 4 rows loads them lane by lane.
  ['a minibatch of 20 rows (the last workgroup partly empty)', 'pendulum', { batchSize: 20 }],
  ['without subgroups (fused/lanes_none.wgsl)', 'pendulum', {}, { subgroups: false }],
] as [string, string, Record<string, unknown>, CacheOptions?][])('%s: row programs against the per-layer program', (_, envName, settings, cacheOptions) => {
  it('agree on acting, gradients, losses and updated parameters', async () => {
    const rows = await build('rows', envName, settings, cacheOptions);
    const layers = await build('layers', envName, settings);
    expect(rows.algo.rows).not.toBeNull();
    expect(layers.algo.rows).toBeNull();
    // Warm-up: uniform actions, the same env steps and replay rows, bit for bit.
    expect(Array.from(await read(rows.algo.state['replay.storage']))).toEqual(Array.from(await read(layers.algo.state['replay.storage'])));
    expect(await rows.clock.read()).toBe(await layers.clock.read());

    await rows.algo.train.recorder.run(1);
    await layers.algo.train.recorder.run(1);
    expect(await rows.clock.read()).toBe(await layers.clock.read());
    for (const name of ['replay.storage', 'env.state', 'env.obs', 'ou_state']) {
      expect(relError(await read(rows.algo.state[name]), await read(layers.algo.state[name])), name).toBeLessThan(1e-5);
    }
    // The last critic and actor updates' gradients: the row kernels' tapes against the per-layer gradient tensors.
    const B = rows.algo.config.batchSize;
    const program = rows.algo.rows!;
    const { actor, critic } = layers.algo.nets;
    const criticTape = await read(program.criticTape);
    expect(relError(tapeGradients(rows.algo.nets.critic, criticTape, B, program.criticTape.shape[2]), await read(critic.grads)), 'critic gradient').toBeLessThan(1e-5);
    const actorTape = await read(program.actorTape);
    expect(relError(tapeGradients(rows.algo.nets.actor, actorTape, B, program.actorTape.shape[2]), await read(actor.grads)), 'actor gradient').toBeLessThan(1e-5);
    expect(tapeWidth(critic) + 2).toBe(program.criticTape.shape[2]);
    // Losses, and the parameters after the updates.
    const [mr] = await readMetricTable(rows.algo.metrics, 1);
    const [ml] = await readMetricTable(layers.algo.metrics, 1);
    for (const k of Object.keys(ml)) expect(relError([mr[k]], [ml[k]]), k).toBeLessThan(1e-5);
    for (const name of ['actor.params', 'critic.params', 'target_actor.params', 'target_critic.params', 'actor.adam.m', 'critic.adam.v']) {
      expect(relError(await read(rows.algo.state[name]), await read(layers.algo.state[name])), name).toBeLessThan(1e-5);
    }
  });
});

it('wider networks (1024) and gradient clipping run one dispatch per layer; asked for rows, they are refused naming why', async () => {
  const wide = await build('layers', 'pendulum', { actorHidden: [1024], criticHidden: [1024] });
  const auto = await build('rows', 'pendulum', { actorHidden: [1024], criticHidden: [1024], program: 'auto' });
  expect(auto.algo.rows).toBeNull();
  await auto.algo.train.recorder.run(1);
  await wide.algo.train.recorder.run(1);
  expect(relError(await read(auto.algo.state['critic.params']), await read(wide.algo.state['critic.params']))).toBe(0);
  await expect(build('rows', 'pendulum', { actorHidden: [1024] })).rejects.toThrow(/--program: got "rows", expected auto or layers: the actor has a layer of width 1024 \(row programs take at most 256\)/);
  await expect(build('rows', 'pendulum', { maxGradNorm: 1 })).rejects.toThrow(/--program: .*--max-grad-norm > 0/);
});

it('a fixed seed reproduces the row programs bit for bit', async () => {
  const runs = await Promise.all([0, 1].map(async () => {
    const r = await build('rows', 'pendulum', {});
    await r.algo.train.recorder.run(20);
    return read(r.algo.state['actor.params']);
  }));
  expect(Array.from(runs[1])).toEqual(Array.from(runs[0]));
});

it('weights shared across lanes (fused/lanes.wgsl) and loaded lane by lane train to the same bits', async () => {
  // On a CPU adapter with subgroups (lavapipe) the first run shares weight loads across lanes;
  // GPUs load per lane in both runs.
  const { cache } = await gpu();
  expect(cache.subgroups).toBe(true);
  expect(rowConstants(cache)).toEqual(cache.softwareTiles ? { ROWS: 8, LANE_WEIGHTS: 1 } : { ROWS: 64, LANE_WEIGHTS: 0 });
  const runs = await Promise.all([undefined, { subgroups: false }].map(async (cacheOptions) => {
    const r = await build('rows', 'reacher', {}, cacheOptions);
    await r.algo.train.recorder.run(20);
    return Promise.all(['actor.params', 'critic.params', 'target_critic.params', 'replay.storage'].map((name) => read(r.algo.state[name])));
  }));
  for (let k = 0; k < runs[0].length; k++) expect(Array.from(runs[1][k])).toEqual(Array.from(runs[0][k]));
});

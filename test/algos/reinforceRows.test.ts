/**
 * REINFORCE's segment collected by one row program (shaders/fused/segment.wgsl) against its
 * per-layer collection (about 8 dispatches per step), from the same state and seed: one training
 * unit, after which the segments (observations, samples, rewards, flags, V(s'), returns), the env
 * states, the clock and the updated networks agree to 1e-5 relative.
 */
import { describe, expect, it } from 'vitest';
import { Reinforce, type ReinforceColumn, reinforceConfig } from '../../src/algos/reinforce.js';
import { EnvBatch } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { runOnce } from '../../src/gpu/recorder.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';
import { relError } from '../helpers/random.js';

async function build(program: 'rows' | 'layers', envName: string, T: number) {
  const { ctx, cache } = await gpu();
  const clock = new Clock(ctx);
  const env = await new EnvBatch(ctx, getEnv(envName), { envs: 6, agents: 2, seed: 3, clock }).build(cache);
  const algo = await Reinforce.create(ctx, cache, env, clock, reinforceConfig({ policyHidden: [16, 16], valueHidden: [16], segment: T, program }), 5);
  await runOnce(ctx, [env.resetDispatch]);
  return { algo, clock };
}

const read = (t: Tensor) => t.read() as Promise<Float32Array>;

/** Column `name` of every record of the segment, in (agent, env, step) order. */
async function column(algo: Reinforce, name: ReinforceColumn, width: number): Promise<number[]> {
  const seg = algo.segment;
  const data = await read(seg.tensor);
  const out: number[] = [];
  for (let r = 0; r < seg.agents * seg.rows; r++) for (let k = 0; k < width; k++) out.push(data[r * seg.width + seg.col(name) + k]);
  return out;
}

describe.each([
  ['pendulum', 12],
  ['reacher', 9],
])('REINFORCE on %s, T = %i: segment collection as a row program against one dispatch per layer', (envName, T) => {
  it('agree on the segment, the env states, the clock and the updated networks', async () => {
    const rows = await build('rows', envName, T);
    const layers = await build('layers', envName, T);
    // collect + commit, 2 returns dispatches, the update; against about 8 dispatches per step.
    expect(layers.algo.train.recorder.length - rows.algo.train.recorder.length).toBeGreaterThan(6 * T);
    await rows.algo.train.recorder.run(1);
    await layers.algo.train.recorder.run(1);
    expect(await rows.clock.read()).toBe(T);
    expect(await layers.clock.read()).toBe(T);
    const widths: Record<ReinforceColumn, number> = { obs: rows.algo.env.obsWidth, x: rows.algo.env.actionDim, reward: 1, terminated: 1, truncated: 1, nextValue: 1, ret: 1 };
    for (const [name, width] of Object.entries(widths) as [ReinforceColumn, number][]) {
      expect(relError(await column(rows.algo, name, width), await column(layers.algo, name, width)), name).toBeLessThan(1e-5);
    }
    for (const name of ['env.state', 'env.obs', 'env.ep_stats', 'policy.params', 'value.params', 'return_stats']) {
      expect(relError(await read(rows.algo.state[name]), await read(layers.algo.state[name])), name).toBeLessThan(1e-5);
    }
  });
});

it('discrete policies collect one dispatch per layer; asked for rows, they are refused naming why', async () => {
  const { ctx, cache } = await gpu();
  const clock = new Clock(ctx);
  const env = await new EnvBatch(ctx, getEnv('cartpole'), { envs: 4, seed: 3, clock }).build(cache);
  await expect(Reinforce.create(ctx, cache, env, clock, reinforceConfig({ policy: 'categorical', program: 'rows', segment: 5 }), 1)).rejects.toThrow(/--program.*--policy categorical/);
});

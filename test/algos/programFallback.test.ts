/**
 * A driver that refuses to build a row kernel (NVIDIA's Vulkan driver refused DDPG's, SVG(0)'s
 * and SVG(inf)'s at width 256 with VK_ERROR_UNKNOWN) must not stop a run: with `--program auto`
 * the algorithm falls back to one dispatch per layer and says why; with `--program rows` the
 * refusal is an error naming the kernel. The refusal is simulated on any adapter by the
 * pipeline cache's `refusePipelines` option. The fallback trains exactly like an explicit
 * `--program layers` run (same initial weights and streams). And for the algorithms timed on a
 * GPU (DDPG), `auto` takes rows only on a device class where they are faster: CPU adapters
 * (`autoRows`); on an NVIDIA H200 one dispatch per layer measured faster.
 */
import { describe, expect, it } from 'vitest';
import { getAlgorithm } from '../../src/algos/registry.js';
import { EnvBatch } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { PipelineError } from '../../src/errors.js';
import { PipelineCache } from '../../src/gpu/kernel.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';

const CASES = [
  // `refused`: the kernel the driver refuses (NVIDIA refused critic_rows and rollout, after the
  // acting kernel had built); `measured`: auto follows cache.autoRows (timed on a GPU).
  { algo: 'ddpg', env: 'pendulum', kernel: 'fused/ddpg.wgsl', refused: ':critic_rows', measured: true, settings: { actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 16, learningStarts: 32, bufferSize: 500 } },
  { algo: 'svg0', env: 'pendulum', kernel: 'fused/svg0.wgsl', refused: ':critic_rows', measured: false, settings: { actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 16, learningStarts: 32, bufferSize: 500 } },
  { algo: 'svg-inf', env: 'pendulum', kernel: 'fused/svg_inf.wgsl', refused: ':rollout', measured: false, settings: { policyHidden: [16, 16], horizon: 5 } },
] as const;

async function build(c: (typeof CASES)[number], program: string, refuse: boolean, autoRows = true) {
  const { ctx } = await gpu();
  const cache = new PipelineCache(ctx, { autoRows, ...(refuse ? { refusePipelines: (name: string) => name.startsWith(c.kernel) && name.endsWith(c.refused) } : {}) });
  const clock = new Clock(ctx);
  const env = await new EnvBatch(ctx, getEnv(c.env), { envs: 8, seed: 3, clock }).build(cache);
  const algo = await getAlgorithm(c.algo).create(ctx, cache, env, clock, { ...c.settings, program }, 5);
  await runOnce(ctx, [env.resetDispatch]);
  return { ctx, algo };
}

describe.each(CASES)('$algo when the driver refuses its row kernels', (c) => {
  it('--program auto falls back to one dispatch per layer, says why, and trains as --program layers does', async () => {
    const fallback = await build(c, 'auto', true);
    expect(fallback.algo.programNote).toMatch(new RegExp(`row programs refused by this driver \\(creating pipeline ${c.kernel.replace('.', '\\.')}.*--program layers`));
    const layers = await build(c, 'layers', false);
    expect(layers.algo.programNote).toBeUndefined();
    expect(fallback.algo.train.recorder.labels).toEqual(layers.algo.train.recorder.labels);
    for (const a of [fallback.algo, layers.algo]) {
      await a.warmup.recorder.run(a.warmupIterations);
      await a.train.recorder.run(a.train.iterations);
    }
    for (const [name, tensor] of Object.entries(layers.algo.state)) {
      const other = fallback.algo.state[name];
      expect(other, name).toBeDefined();
      expect(Array.from(await other.read()), name).toEqual(Array.from(await tensor.read()));
    }
  });

  it('--program rows refuses with the kernel named; a driver that builds it runs rows with no note', async () => {
    await expect(build(c, 'rows', true)).rejects.toThrow(PipelineError);
    await expect(build(c, 'rows', true)).rejects.toThrow(new RegExp(`creating pipeline ${c.kernel.replace('.', '\\.')}`));
    const rows = await build(c, 'auto', false);
    expect(rows.algo.programNote).toBeUndefined();
    const layers = await build(c, 'layers', false);
    expect(rows.algo.train.recorder.length).toBeLessThan(layers.algo.train.recorder.length);
  });

  it(`--program auto on a device class where rows measured slower (GPUs): ${c.measured ? 'one dispatch per layer' : 'rows still (not timed on a GPU yet)'}; rows when asked`, async () => {
    const auto = await build(c, 'auto', false, false);
    const layers = await build(c, 'layers', false);
    expect(auto.algo.programNote).toBeUndefined();
    if (c.measured) expect(auto.algo.train.recorder.labels).toEqual(layers.algo.train.recorder.labels);
    else expect(auto.algo.train.recorder.length).toBeLessThan(layers.algo.train.recorder.length);
    const rows = await build(c, 'rows', false, false);
    expect(rows.algo.train.recorder.length).toBeLessThan(layers.algo.train.recorder.length);
  });
});

describe('a refused kernel with nothing to fall back to', () => {
  it('is an error naming it (a per-layer kernel under --program auto is not retried)', async () => {
    const { ctx } = await gpu();
    const cache = new PipelineCache(ctx, { autoRows: false, refusePipelines: (name) => name.startsWith('nn/') });
    const clock = new Clock(ctx);
    const env = await new EnvBatch(ctx, getEnv('pendulum'), { envs: 8, seed: 3, clock }).build(cache);
    const create = getAlgorithm('ddpg').create(ctx, cache, env, clock, { ...CASES[0].settings, program: 'auto' }, 5);
    await expect(create).rejects.toThrow(PipelineError);
    await expect(create).rejects.toThrow(/creating pipeline nn\//);
  });
});

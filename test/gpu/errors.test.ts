import { describe, expect, it } from 'vitest';
import { GpuError } from '../../src/errors.js';
import { PipelineCache, makeDispatch } from '../../src/gpu/kernel.js';
import { createNodeContext } from '../../src/gpu/node.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32, u32 } from '../../src/gpu/tensor.js';
import { GpuTimer } from '../../src/gpu/timer.js';
import { matrix } from '../../src/gpu/view.js';
import { Mlp } from '../../src/nn/mlp.js';
import { rngFill } from '../../src/rng/fill.js';
import { gpu } from '../helpers/gpu.js';

describe('bad input and GPU failures become thrown errors', () => {
  it('a layer whose buffers exceed maxStorageBufferBindingSize names the layer, kernel and limit', async () => {
    const { ctx, cache } = await gpu();
    const limit = ctx.limits.maxStorageBufferBindingSize;
    const mlp = Mlp.create(ctx, { sizes: [4, 256, 1] }, { seed: 0, label: 'critic' });
    const rows = Math.ceil(limit / (256 * 4)) + 1;
    // A small input view over a one-row tensor would be rejected too; describe one that fits by stride 0.
    const input = { ...matrix(f32(ctx, 'obs', [4]), { rows: 1, cols: 4 }), rows, rowStride: 0 };
    expect(() => mlp.bind(cache, input)).toThrow(
      new RegExp(`critic\\.layer0 \\(nn/linear\\.wgsl\\) output .*rows ${rows}.*maxStorageBufferBindingSize = ${limit}`),
    );
  });

  it('a tensor over the limit or with a non-positive size is refused before allocation', async () => {
    const { ctx } = await gpu();
    const limit = ctx.limits.maxStorageBufferBindingSize;
    expect(() => f32(ctx, 'replay.obs', [limit / 4 + 1])).toThrow(new RegExp(`replay\\.obs .*maxStorageBufferBindingSize = ${limit}`));
    expect(() => f32(ctx, 'batch', [0, 3])).toThrow(/batch\.shape\[0\]: got 0, expected a positive integer/);
    expect(() => u32(ctx, 'idx', [-2])).toThrow(/idx\.shape\[0\]: got -2/);
    expect(() => Mlp.create(ctx, { sizes: [3, 0, 1] }, { seed: 0 })).toThrow(/sizes\[1\]: got 0/);
  });

  it('a WGSL compile error names the shader file and line', async () => {
    const { ctx } = await gpu();
    const cache = new PipelineCache(ctx);
    const shader = { path: 'test/broken.wgsl', code: '@compute @workgroup_size(1)\nfn main() {\n  let x: f32 = undefined_thing;\n}\n' };
    const error = await makeDispatch(cache, { shader, entryPoint: 'main' }, {}, [1]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuError);
    expect(String(error)).toMatch(/test\/broken\.wgsl.*line 3/);
    // The failure is not cached: a corrected shader under the same path compiles.
    const fixed = { path: 'test/broken.wgsl', code: '@compute @workgroup_size(1)\nfn main() {}\n' };
    const retry = new PipelineCache(ctx);
    await expect(makeDispatch(retry, { shader: fixed, entryPoint: 'main' }, {}, [1])).resolves.toBeTruthy();
  });

  it('an unknown entry point or override is a GpuError naming the kernel', async () => {
    const { ctx, cache } = await gpu();
    const out = f32(ctx, 'o', [4]);
    const shader = { path: 'test/ok.wgsl', code: '@group(0) @binding(0) var<storage, read_write> o: array<f32>;\n@compute @workgroup_size(1)\nfn main() { o[0] = 1.0; }\n' };
    await expect(makeDispatch(cache, { shader, entryPoint: 'nope' }, { 0: out }, [1])).rejects.toThrow(/test\/ok\.wgsl:nope/);
  });

  it('workgroup counts over the device limit are refused naming the kernel and the limit', async () => {
    const { ctx, cache } = await gpu();
    const max = ctx.limits.maxComputeWorkgroupsPerDimension;
    const out = f32(ctx, 'o', [4]);
    const shader = { path: 'test/tiny.wgsl', code: '@group(0) @binding(0) var<storage, read_write> o: array<f32>;\n@compute @workgroup_size(1)\nfn main() { o[0] = 1.0; }\n' };
    await expect(makeDispatch(cache, { shader, entryPoint: 'main' }, { 0: out }, [max + 1])).rejects.toThrow(
      new RegExp(`test/tiny\\.wgsl:main workgroups\\[x\\]: got ${max + 1}, expected an integer in \\[1, ${max}\\]`),
    );
  });

  it('a validation error at submit time (aliased writable bindings) is thrown at the next sync, not logged', async () => {
    const { ctx, cache } = await gpu();
    const buffer = f32(ctx, 'shared', [64]);
    const shader = {
      path: 'test/alias.wgsl',
      code: '@group(0) @binding(0) var<storage, read_write> a: array<f32>;\n@group(0) @binding(1) var<storage, read_write> b: array<f32>;\n@compute @workgroup_size(1)\nfn main() { a[0] = b[1]; }\n',
    };
    const d = await makeDispatch(cache, { shader, entryPoint: 'main' }, { 0: buffer, 1: buffer }, [1], 'aliased kernel');
    await expect(runOnce(ctx, [d], 'alias program')).rejects.toThrow(/alias program: .*aliasing/);
    // The error was consumed: the device keeps working.
    const bits = u32(ctx, 'bits', [4]);
    await runOnce(ctx, [await rngFill(cache, bits, 'raw', { key: [0, 0] })]);
    expect((await bits.read())[0]).toBe(0x6627e8d5);
  });

  it('device loss surfaces as a thrown error on the next use', async () => {
    const ctx = await createNodeContext();
    ctx.device.destroy(); // an external loss, not ctx.destroy()
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(() => ctx.check('training step')).toThrow(/training step: GPU device lost/);
  });

  it('timestamp queries time a pass where the adapter has them', async () => {
    const { ctx, cache } = await gpu();
    const timer = GpuTimer.create(ctx);
    if (!ctx.hasFeature('timestamp-query')) {
      expect(timer).toBeNull();
      return;
    }
    const bits = u32(ctx, 'many bits', [1 << 16]);
    const { Recorder } = await import('../../src/gpu/recorder.js');
    new Recorder(ctx, 'timed').add(await rngFill(cache, bits, 'raw', { key: [1, 2] })).submit(4, timer!);
    const ns = await timer!.readNanoseconds();
    expect(ns).toBeGreaterThan(0);
    expect(ns).toBeLessThan(60e9);
  });
});

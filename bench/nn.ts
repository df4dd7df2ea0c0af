/**
 * bench/nn: fp32 matmul throughput through the dense-layer kernel and MLP forward + backward
 * latency, on whatever adapter Dawn finds. Writes JSON to bench/results/nn-<device>.json (or
 * --out FILE) and prints a markdown table.
 *
 *   node dist/bench-nn.js [--quick] [--out FILE]
 *
 * --quick shrinks the 4096^3 matmul to 1024^3 so a CPU adapter (lavapipe) finishes in seconds.
 */
import { parseArgs } from 'node:util';
import { createNodeContext } from '../src/gpu/node.js';
import { PipelineCache } from '../src/gpu/kernel.js';
import { Recorder } from '../src/gpu/recorder.js';
import { f32 } from '../src/gpu/tensor.js';
import { matrix } from '../src/gpu/view.js';
import { linearForward, chooseTiles } from '../src/nn/linear.js';
import { mseLoss } from '../src/nn/loss.js';
import { Mlp } from '../src/nn/mlp.js';
import { deviceSlug, deviceSummary, markdownTable, timeProgram, writeJson } from './harness.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } } });
const quick = values.quick ?? false;

const ctx = await createNodeContext();
const cache = new PipelineCache(ctx);
const results: Record<string, unknown>[] = [];

async function matmul(m: number, k: number, n: number, repeats: number, iterations: number) {
  const x = matrix(f32(ctx, 'A', [m * k], new Float32Array(m * k).fill(0.5)), { rows: m, cols: k });
  const params = f32(ctx, 'B', [(k + 1) * n], new Float32Array((k + 1) * n).fill(0.25));
  const y = matrix(f32(ctx, 'C', [m * n]), { rows: m, cols: n });
  const layer = { inDim: k, outDim: n, activation: 'identity' as const, offset: 0, paramsPerAgent: (k + 1) * n, agents: 1 };
  const program = new Recorder(ctx, `matmul ${m}x${k}x${n}`).add(await linearForward(cache, layer, params, x, y));
  const timing = await timeProgram(ctx, program, { iterations, repeats });
  const tflops = (2 * m * k * n) / (timing.median_us * 1e-6) / 1e12;
  results.push({ name: 'matmul', m, k, n, tiles: chooseTiles(m, n), tflops, ...timing });
  for (const t of [x.tensor, params, y.tensor]) t.destroy();
}

async function mlp(batch: number, repeats: number, iterations: number) {
  const sizes = [256, 256, 256, 256];
  const net = Mlp.create(ctx, { sizes }, { seed: 1, label: 'mlp' });
  const x = matrix(f32(ctx, 'x', [batch * 256], new Float32Array(batch * 256).fill(0.1)), { rows: batch, cols: 256 });
  const target = matrix(f32(ctx, 'target', [batch * 256]), { rows: batch, cols: 256 });
  const loss = f32(ctx, 'loss', [1]);
  const b = net.bind(cache, x);
  const program = new Recorder(ctx, `mlp ${batch}`).add(
    ...(await b.forward()),
    await mseLoss(cache, b.output, target, b.outputGrad, loss),
    ...(await b.backward()),
  );
  const timing = await timeProgram(ctx, program, { iterations, repeats });
  results.push({ name: 'mlp_forward_backward', sizes, batch, dispatches: program.length, ...timing });
}

const big = quick ? 1024 : 4096;
await matmul(big, big, big, quick ? 3 : 10, quick ? 1 : 5);
await matmul(4096, 256, 256, quick ? 3 : 20, quick ? 2 : 50);
if (!quick) await matmul(65536, 256, 256, 10, 10);
await mlp(256, quick ? 3 : 20, quick ? 2 : 50);
await mlp(4096, quick ? 3 : 20, quick ? 1 : 20);

const out = values.out ?? `bench/results/nn-${deviceSlug(ctx)}.json`;
writeJson(out, { suite: 'nn', date: new Date().toISOString(), quick, device: deviceSummary(ctx), results });
console.log(`adapter: ${ctx.adapterName}`);
console.log(
  markdownTable(
    ['benchmark', 'shape', 'median us/iter', 'p10-p90 us', 'TFLOP/s', 'timing'],
    results.map((r) => [
      String(r.name),
      r.name === 'matmul' ? `${r.m}x${r.k}x${r.n}` : `batch ${r.batch}, ${(r.sizes as number[]).join('-')}, ${r.dispatches} dispatches`,
      (r.median_us as number).toFixed(1),
      `${(r.p10_us as number).toFixed(1)}-${(r.p90_us as number).toFixed(1)}`,
      r.tflops === undefined ? '' : (r.tflops as number).toFixed(3),
      String(r.method),
    ]),
  ),
);
console.log(`wrote ${out}`);
process.exit(0);

/**
 * nn suite: fp32 matmul throughput of the dense-layer kernel (4096^3, 4096x256x256,
 * 65536x256x256) and MLP 256-256 forward + backward at batch 256 and 4096. --quick shrinks the
 * sizes so a CPU adapter finishes in seconds.
 */
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import { f32 } from '../gpu/tensor.js';
import { matrix } from '../gpu/view.js';
import { chooseTiles, linearForward } from '../nn/linear.js';
import { mseLoss } from '../nn/loss.js';
import { Mlp } from '../nn/mlp.js';
import { type SuiteResult, markdownTable, timeProgram } from './harness.js';

export async function nnSuite(ctx: GpuContext, cache: PipelineCache, quick: boolean): Promise<SuiteResult> {
  const rows: Record<string, unknown>[] = [];

  async function matmul(m: number, k: number, n: number, repeats: number, iterations: number) {
    const x = matrix(f32(ctx, 'A', [m * k], new Float32Array(m * k).fill(0.5)), { rows: m, cols: k });
    const params = f32(ctx, 'B', [(k + 1) * n], new Float32Array((k + 1) * n).fill(0.25));
    const y = matrix(f32(ctx, 'C', [m * n]), { rows: m, cols: n });
    const layer = { inDim: k, outDim: n, activation: 'identity' as const, offset: 0, paramsPerAgent: (k + 1) * n, agents: 1 };
    const program = new Recorder(ctx, `matmul ${m}x${k}x${n}`).add(await linearForward(cache, layer, { params, x, y }));
    const timing = await timeProgram(ctx, program, { iterations, repeats });
    rows.push({ name: 'matmul', shape: `${m}x${k}x${n}`, tiles: chooseTiles(m, n, cache.softwareTiles), tflops: (2 * m * k * n) / (timing.median_us * 1e-6) / 1e12, ...timing });
    for (const t of [x.tensor, params, y.tensor]) t.destroy();
  }

  async function mlp(batch: number, width: number, repeats: number, iterations: number) {
    const sizes = [width, width, width, width];
    const net = Mlp.create(ctx, { sizes }, { seed: 1, label: 'mlp' });
    const x = matrix(f32(ctx, 'x', [batch * width], new Float32Array(batch * width).fill(0.1)), { rows: batch, cols: width });
    const target = matrix(f32(ctx, 'target', [batch * width]), { rows: batch, cols: width });
    const loss = f32(ctx, 'loss', [1]);
    const b = net.bind(cache, x);
    const program = new Recorder(ctx, `mlp ${batch}`).add(...(await b.forward()), await mseLoss(cache, b.output, target, b.outputGrad, loss), ...(await b.backward()));
    const timing = await timeProgram(ctx, program, { iterations, repeats });
    rows.push({ name: 'mlp_forward_backward', shape: `batch ${batch}, ${sizes.join('-')}`, dispatches: program.length, ...timing });
    b.destroy();
    net.destroy();
  }

  const big = quick ? 512 : 4096;
  await matmul(big, big, big, quick ? 3 : 10, quick ? 1 : 5);
  await matmul(quick ? 1024 : 4096, quick ? 64 : 256, quick ? 64 : 256, quick ? 3 : 20, quick ? 2 : 50);
  if (!quick) await matmul(65536, 256, 256, 10, 10);
  await mlp(quick ? 64 : 256, quick ? 64 : 256, quick ? 3 : 20, quick ? 2 : 50);
  if (!quick) await mlp(4096, 256, 20, 20);
  const table = markdownTable(
    ['benchmark', 'shape', 'median us', 'p10-p90 us', 'TFLOP/s', 'timing'],
    rows.map((r) => [
      String(r.name), String(r.shape), (r.median_us as number).toFixed(1),
      `${(r.p10_us as number).toFixed(1)}-${(r.p90_us as number).toFixed(1)}`,
      r.tflops === undefined ? '' : (r.tflops as number).toFixed(4), String(r.method),
    ]),
  );
  return { suite: 'nn', rows, table };
}

import { it } from 'vitest';
import { Recorder } from '../../src/gpu/recorder.js';
import { timeProgram } from '../../src/bench/harness.js';
import { f32 } from '../../src/gpu/tensor.js';
import { matrix } from '../../src/gpu/view.js';
import { linearBackward, linearBackwardInput, linearBackwardWeight, linearForward, type Tiles } from '../../src/nn/linear.js';
import { gpu } from '../helpers/gpu.js';

it('bw', { timeout: 600_000 }, async () => {
  const { ctx, cache } = await gpu();
  for (const [m, k, n] of [[2048, 64, 64], [2048, 32, 64], [256, 64, 64]]) {
  const x = matrix(f32(ctx, 'A', [m * k], new Float32Array(m * k).fill(0.5)), { rows: m, cols: k });
  const params = f32(ctx, 'B', [(k + 1) * n], new Float32Array((k + 1) * n).fill(0.25));
  const grads = f32(ctx, 'G', [(k + 1) * n]);
  const y = matrix(f32(ctx, 'C', [m * n]), { rows: m, cols: n });
  const dy = matrix(f32(ctx, 'dC', [m * n], new Float32Array(m * n).fill(0.1)), { rows: m, cols: n });
  const dx = matrix(f32(ctx, 'dA', [m * k]), { rows: m, cols: k });
  const layer = { inDim: k, outDim: n, activation: 'tanh' as const, offset: 0, paramsPerAgent: (k + 1) * n, agents: 1 };
  const cands: (Tiles | undefined)[] = [undefined, { TM: 16, TN: 16, TK: 16, RM: 4, RN: 4 }, { TM: 16, TN: 16, TK: 32, RM: 4, RN: 4 }, { TM: 32, TN: 32, TK: 32, RM: 4, RN: 4 }];
  for (let rep = 0; rep < 2; rep++) for (const tiles of cands) {
    const call = tiles ? { tiles } : {};
    const progs = {
      f: new Recorder(ctx, 'f').add(await linearForward(cache, layer, { params, x, y }, call)),
      w: new Recorder(ctx, 'w').add(await linearBackwardWeight(cache, layer, { grads, x, y, dy }, call)),
      i: new Recorder(ctx, 'i').add(await linearBackwardInput(cache, layer, { params, y, dy, dx }, call)),
      b: new Recorder(ctx, 'b').add(await linearBackward(cache, layer, { params, grads, x, y, dy, dx }, call)),
    };
    const out: string[] = [];
    for (const [name, p] of Object.entries(progs)) out.push(`${name} ${((await timeProgram(ctx, p, { iterations: 5, repeats: 5 })).min_us / 1000).toFixed(2)}`);
    console.log(m, k, n, JSON.stringify(tiles ?? 'chosen'), out.join(' '));
  }
  }
});

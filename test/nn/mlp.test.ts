import { describe, expect, it } from 'vitest';
import { Recorder, runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { matrix } from '../../src/gpu/view.js';
import { mseLoss } from '../../src/nn/loss.js';
import { Mlp } from '../../src/nn/mlp.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError } from '../helpers/random.js';
import { denseForward, finiteDifference } from '../reference/dense.js';

const sizes = [13, 21, 17, 5];
const agents = 2;
const rows = 37;

/** Float64 MLP loss: mean squared error of the network output against `target`. */
function mlpLoss(params: Float64Array, x: Float64Array, target: Float64Array, hidden: 'relu' | 'tanh'): number {
  let h = x;
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const count = (sizes[l] + 1) * sizes[l + 1];
    h = denseForward(h, params.subarray(offset, offset + count), rows, sizes[l], sizes[l + 1], l + 2 === sizes.length ? 'identity' : hidden);
    offset += count;
  }
  let s = 0;
  for (let i = 0; i < h.length; i++) s += (h[i] - target[i]) ** 2;
  return s / h.length;
}

describe('Mlp', () => {
  it('initialises like nn.Linear: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), reproducibly, distinct per agent', async () => {
    const { ctx } = await gpu();
    const a = Mlp.create(ctx, { sizes: [64, 32, 3], agents: 2 }, { seed: 7, stream: 1 });
    const b = Mlp.create(ctx, { sizes: [64, 32, 3], agents: 2 }, { seed: 7, stream: 1 });
    const pa = await a.params.read();
    expect(Array.from(await b.params.read())).toEqual(Array.from(pa));
    const firstLayer = pa.subarray(0, 65 * 32);
    const bound = 1 / Math.sqrt(64);
    expect(firstLayer.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(Math.max(...firstLayer)).toBeGreaterThan(0.95 * bound);
    const mean = firstLayer.reduce((s, v) => s + v, 0) / firstLayer.length;
    expect(Math.abs(mean)).toBeLessThan(4 * (bound / Math.sqrt(3)) / Math.sqrt(firstLayer.length));
    expect(pa[0]).not.toBe(pa[a.paramsPerAgent]); // agent 1 differs from agent 0
    const other = Mlp.create(ctx, { sizes: [64, 32, 3], agents: 2 }, { seed: 7, stream: 2 });
    expect((await other.params.read())[0]).not.toBe(pa[0]);
  });

  it.each(['relu', 'tanh'] as const)('forward, MSE and backward (%s) match float64 finite differences', async (hidden) => {
    const { ctx, cache } = await gpu();
    const mlp = Mlp.create(ctx, { sizes, hidden, agents }, { seed: 3, label: 'net' });
    const xData = randomArray(agents * rows * sizes[0], 11);
    const tData = randomArray(agents * rows * 5, 12);
    const x = matrix(f32(ctx, 'x', [agents * rows * sizes[0]], xData), { agents, rows, cols: sizes[0] });
    const target = matrix(f32(ctx, 'target', [agents * rows * 5], tData), { agents, rows, cols: 5 });
    const inputGrad = matrix(f32(ctx, 'dx', [agents * rows * sizes[0]]), { agents, rows, cols: sizes[0] });
    const loss = f32(ctx, 'loss', [agents]);
    const batch = mlp.bind(cache, x);
    await runOnce(ctx, [
      ...(await batch.forward()),
      await mseLoss(cache, batch.output, target, batch.outputGrad, loss),
      ...(await batch.backward({ inputGrad })),
    ]);
    const params = Float64Array.from(await mlp.params.read());
    const [gotLoss, gotGrads, gotDx] = await Promise.all([loss.read(), mlp.grads.read(), inputGrad.tensor.read()]);
    const P = mlp.paramsPerAgent;
    const X = sizes[0] * rows;
    for (let a = 0; a < agents; a++) {
      const p = params.subarray(a * P, (a + 1) * P);
      const xa = xData.subarray(a * X, (a + 1) * X);
      const ta = tData.subarray(a * rows * 5, (a + 1) * rows * 5);
      expect(relError([gotLoss[a]], [mlpLoss(p, xa, ta, hidden)])).toBeLessThan(1e-5);
      const dp = finiteDifference(p, (t) => mlpLoss(t, xa, ta, hidden));
      expect(relError(gotGrads.subarray(a * P, (a + 1) * P), dp), `param grads agent ${a}`).toBeLessThan(1e-4);
      const dx = finiteDifference(xa, (t) => mlpLoss(p, t, ta, hidden));
      expect(relError(gotDx.subarray(a * X, (a + 1) * X), dx), `input grads agent ${a}`).toBeLessThan(1e-4);
    }
  });

  it('replays a recorded forward pass many times in one submit with identical results', async () => {
    const { ctx, cache } = await gpu();
    const mlp = Mlp.create(ctx, { sizes: [5, 7, 2] }, { seed: 1 });
    const x = matrix(f32(ctx, 'x', [9 * 5], randomArray(45, 5)), { rows: 9, cols: 5 });
    const batch = mlp.bind(cache, x);
    const program = new Recorder(ctx, 'forward').add(...(await batch.forward()));
    await program.run(1);
    const once = await batch.output.tensor.read();
    await program.run(25);
    expect(Array.from(await batch.output.tensor.read())).toEqual(Array.from(once));
    expect(program.length).toBe(2);
  });

  it('rejects bad specs before touching the GPU, naming the field', async () => {
    const { ctx } = await gpu();
    expect(() => Mlp.create(ctx, { sizes: [3] }, { seed: 0, label: 'actor' })).toThrow(/actor\.sizes.*at least two/);
    expect(() => Mlp.create(ctx, { sizes: [3, 0, 1] }, { seed: 0, label: 'actor' })).toThrow(/actor\.sizes\[1\]: got 0, expected an integer >= 1/);
    expect(() => Mlp.create(ctx, { sizes: [3, -4, 1] }, { seed: 0 })).toThrow(/sizes\[1\]/);
    expect(() => Mlp.create(ctx, { sizes: [3, 2], hidden: 'gelu' as 'relu' }, { seed: 0 })).toThrow(/hidden: got "gelu", expected one of identity, relu, tanh/);
    expect(() => Mlp.create(ctx, { sizes: [3, 2], agents: 1.5 }, { seed: 0 })).toThrow(/agents/);
  });
});

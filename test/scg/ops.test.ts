/**
 * The SCG's elementwise and cost kernels (shaders/scg/ops.wgsl) against float64 references on
 * random inputs, in strided column views of odd shapes; their VJPs against central finite
 * differences of the float64 forward.
 */
import { describe, expect, it } from 'vitest';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { type MatrixView, matrix } from '../../src/gpu/view.js';
import { type MapOp, clearDispatch, mapBackwardDispatch, mapDispatch, rowCostBackwardDispatch, rowCostDispatch } from '../../src/scg/ops.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError } from '../helpers/random.js';

const agents = 2, rows = 37, cols = 5, width = 13;

/** A [agents x rows x cols] view at column `offset` of a [agents, rows, width] tensor. */
const view = (t: ReturnType<typeof f32>, offset: number): MatrixView => matrix(t, { agents, rows, cols, offset, rowStride: width });
const at = (agent: number, row: number, col: number, offset: number) => agent * rows * width + row * width + offset + col;

function reference(op: MapOp, a: number, b: number, alpha: number, beta: number): number {
  if (op === 'mul') return alpha * a * b;
  if (op === 'square') return alpha * a * a;
  return alpha * a + beta * b;
}

describe.each(['add', 'mul', 'square'] as const)('map %s', (op) => {
  const alpha = 0.7, beta = -1.3;
  const data = randomArray(agents * rows * width, 21);
  const dout = randomArray(agents * rows * width, 22);

  it('forward matches float64 and backward matches finite differences', async () => {
    const { ctx, cache } = await gpu();
    const x = f32(ctx, 'x', [agents, rows, width], data);
    const y = f32(ctx, 'y', [agents, rows, width]);
    const dy = f32(ctx, 'dy', [agents, rows, width], dout);
    const dx = f32(ctx, 'dx', [agents, rows, width]);
    const args = { op, a: view(x, 1), b: view(x, 7), alpha, beta };
    await runOnce(ctx, [
      await mapDispatch(cache, { ...args, out: view(y, 3) }, 'map'),
      await mapBackwardDispatch(cache, 'a', { ...args, out: view(dx, 1), dout: view(dy, 3) }, 'back a'),
      ...(op === 'square' ? [] : [await mapBackwardDispatch(cache, 'b', { ...args, out: view(dx, 7), dout: view(dy, 3) }, 'back b')]),
    ]);
    const [out, grad] = await Promise.all([y.read(), dx.read()]);
    const got: number[] = [], want: number[] = [], gotGrad: number[] = [], fd: number[] = [];
    const h = 1e-6;
    for (let a = 0; a < agents; a++) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      const av = data[at(a, r, c, 1)], bv = data[at(a, r, c, 7)], g = dout[at(a, r, c, 3)];
      got.push(out[at(a, r, c, 3)]);
      want.push(reference(op, av, bv, alpha, beta));
      gotGrad.push(grad[at(a, r, c, 1)]);
      fd.push((g * (reference(op, av + h, bv, alpha, beta) - reference(op, av - h, bv, alpha, beta))) / (2 * h));
      if (op !== 'square') {
        gotGrad.push(grad[at(a, r, c, 7)]);
        fd.push((g * (reference(op, av, bv + h, alpha, beta) - reference(op, av, bv - h, alpha, beta))) / (2 * h));
      }
    }
    expect(relError(got, want)).toBeLessThan(1e-6);
    expect(relError(gotGrad, fd)).toBeLessThan(1e-4);
  });
});

describe.each(['sum', 'squaredError', 'dot'] as const)('row cost %s', (op) => {
  const alpha = -0.6;
  const data = randomArray(agents * rows * width, 31);

  it('cost per row and its metric match float64; the gradient seed matches finite differences', async () => {
    const { ctx, cache } = await gpu();
    const x = f32(ctx, 'x', [agents, rows, width], data);
    const cost = f32(ctx, 'cost', [agents, rows]);
    const metrics = f32(ctx, 'metrics', [agents, 4], [0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25]);
    const grad = f32(ctx, 'grad', [agents, rows, width], randomArray(agents * rows * width, 32));
    const before = await grad.read();
    const args = { op, a: view(x, 1), b: view(x, 7), alpha, metricSlot: 2, metricWidth: 4 };
    await runOnce(ctx, [
      await rowCostDispatch(cache, { ...args, cost, metrics }, 'cost'),
      await rowCostBackwardDispatch(cache, { ...args, out: view(grad, 1) }, 'cost backward'),
    ]);
    const [c, m, g] = await Promise.all([cost.read(), metrics.read(), grad.read()]);
    const rowCost = (a: number, r: number, shift = -1, h = 0) => {
      let s = 0;
      for (let k = 0; k < cols; k++) {
        const av = data[at(a, r, k, 1)] + (k === shift ? h : 0), bv = data[at(a, r, k, 7)];
        s += op === 'sum' ? av : op === 'dot' ? av * bv : (av - bv) ** 2;
      }
      return alpha * s;
    };
    const want: number[] = [], gotSeed: number[] = [], fd: number[] = [];
    for (let a = 0; a < agents; a++) {
      let mean = 0;
      for (let r = 0; r < rows; r++) {
        want.push(rowCost(a, r));
        mean += rowCost(a, r) / rows;
        for (let k = 0; k < cols; k++) {
          // The seed adds d mean_rows(cost) / d a to what the gradient held.
          gotSeed.push(g[at(a, r, k, 1)] - before[at(a, r, k, 1)]);
          fd.push((rowCost(a, r, k, 1e-6) - rowCost(a, r, k, -1e-6)) / 2e-6 / rows);
        }
      }
      expect(m[a * 4 + 2] - (a === 0 ? 0.5 : 0.25)).toBeCloseTo(mean, 4);
    }
    expect(relError(Array.from(c), want)).toBeLessThan(1e-5);
    expect(relError(gotSeed, fd)).toBeLessThan(1e-4);
  });
});

it('clear zeroes a whole buffer', async () => {
  const { ctx, cache } = await gpu();
  const t = f32(ctx, 't', [1000], randomArray(1000, 41, 0.5, 1));
  await runOnce(ctx, [await clearDispatch(cache, t)]);
  expect(Array.from(await t.read()).every((x) => x === 0)).toBe(true);
});

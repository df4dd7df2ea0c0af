import { describe, expect, it } from 'vitest';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { matrix } from '../../src/gpu/view.js';
import { type Activation, type LayerParams, type Tiles, linearBackward, linearBackwardInput, linearBackwardWeight, linearForward } from '../../src/nn/linear.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError } from '../helpers/random.js';
import { denseForward, dot, finiteDifference } from '../reference/dense.js';

// Sizes deliberately not multiples of any tile: batch 37, in 13, out 29, 3 agents.
const agents = 3;
const rows = 37;
const inDim = 13;
const outDim = 29;
// x sits in columns [2, 15) of a 17-wide buffer, to exercise offsets and strides.
const xWidth = 17;
const xCol = 2;
const paramsPerAgent = 5 + (inDim + 1) * outDim + 3; // the layer sits inside a larger buffer
const layerOffset = 5;

function agentSlice(all: Float64Array, a: number, offset: number, rowsN: number, cols: number, stride: number, agentStride: number): Float64Array {
  const out = new Float64Array(rowsN * cols);
  for (let r = 0; r < rowsN; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = all[offset + a * agentStride + r * stride + c];
  return out;
}

const tileChoices: Tiles[] = [
  { TM: 16, TN: 16, TK: 16, RM: 1, RN: 1 },
  { TM: 32, TN: 32, TK: 8, RM: 2, RN: 2 },
  { TM: 64, TN: 64, TK: 8, RM: 4, RN: 4 },
  // lavapipe's shapes (chooseTiles on a CPU adapter)
  { TM: 16, TN: 16, TK: 16, RM: 4, RN: 4 },
  { TM: 32, TN: 32, TK: 16, RM: 4, RN: 4 },
];

describe.each<Activation>(['identity', 'relu', 'tanh'])('dense layer, %s', (activation) => {
  const xAll = randomArray(agents * rows * xWidth, 1);
  const pAll = randomArray(agents * paramsPerAgent, 2, -0.5, 0.5);
  const gAll = randomArray(agents * rows * outDim, 3); // upstream gradient dL/dy
  const dxInit = randomArray(agents * rows * inDim, 4); // backward_input accumulates onto this
  const layer: LayerParams = { inDim, outDim, activation, offset: layerOffset, paramsPerAgent, agents };

  async function setup() {
    const { ctx, cache } = await gpu();
    const xT = f32(ctx, 'x', [agents * rows * xWidth], xAll);
    const params = f32(ctx, 'params', [agents * paramsPerAgent], pAll);
    const y = f32(ctx, 'y', [agents, rows, outDim]);
    const dy = f32(ctx, 'dy', [agents, rows, outDim], gAll);
    const dx = f32(ctx, 'dx', [agents, rows, inDim], dxInit);
    const grads = f32(ctx, 'grads', [agents * paramsPerAgent], pAll.map((v) => v * 3)); // overwritten
    const xView = matrix(xT, { agents, rows, cols: inDim, offset: xCol, rowStride: xWidth });
    const yView = matrix(y, { agents, rows, cols: outDim });
    const dyView = matrix(dy, { agents, rows, cols: outDim });
    const dxView = matrix(dx, { agents, rows, cols: inDim });
    return { ctx, cache, params, y, dx, grads, xView, yView, dyView, dxView };
  }

  const refs = Array.from({ length: agents }, (_, a) => {
    const x = agentSlice(xAll, a, xCol, rows, inDim, xWidth, rows * xWidth);
    const w = pAll.slice(a * paramsPerAgent + layerOffset, a * paramsPerAgent + layerOffset + (inDim + 1) * outDim);
    const g = gAll.slice(a * rows * outDim, (a + 1) * rows * outDim);
    const y = denseForward(x, w, rows, inDim, outDim, activation);
    const lossOfX = (t: Float64Array) => dot(g, denseForward(t, w, rows, inDim, outDim, activation));
    const lossOfW = (t: Float64Array) => dot(g, denseForward(x, t, rows, inDim, outDim, activation));
    return { y, dx: finiteDifference(x, lossOfX), dw: finiteDifference(w, lossOfW) };
  });

  it.each(tileChoices)('forward matches float64 (tiles %o)', async (tiles) => {
    const { ctx, cache, params, y, xView, yView } = await setup();
    const d = await linearForward(cache, layer, { params, x: xView, y: yView }, { label: 'test forward', tiles });
    await runOnce(ctx, [d]);
    const got = await y.read();
    for (let a = 0; a < agents; a++) {
      expect(relError(got.subarray(a * rows * outDim, (a + 1) * rows * outDim), refs[a].y)).toBeLessThan(1e-5);
    }
  });

  it.each(tileChoices.flatMap((tiles) => [{ tiles, fused: false }, { tiles, fused: true }]))('backward (input and weights) match finite differences (%o)', async ({ tiles, fused }) => {
    const { ctx, cache, params, y, dx, grads, xView, yView, dyView, dxView } = await setup();
    const backward = fused
      ? [await linearBackward(cache, layer, { params, grads, x: xView, y: yView, dy: dyView, dx: dxView }, { accumulateInput: true, label: 'bwd fused', tiles })]
      : [
          await linearBackwardInput(cache, layer, { params, y: yView, dy: dyView, dx: dxView }, { accumulate: true, label: 'bwd in', tiles }),
          await linearBackwardWeight(cache, layer, { grads, x: xView, y: yView, dy: dyView }, { label: 'bwd w', tiles }),
        ];
    await runOnce(ctx, [await linearForward(cache, layer, { params, x: xView, y: yView }, { label: 'fwd', tiles }), ...backward]);
    const gotDx = await dx.read();
    const gotG = await grads.read();
    for (let a = 0; a < agents; a++) {
      const dxGpu = Array.from(gotDx.subarray(a * rows * inDim, (a + 1) * rows * inDim), (v, i) => v - dxInit[a * rows * inDim + i]);
      expect(relError(dxGpu, refs[a].dx), `dx agent ${a}`).toBeLessThan(1e-4);
      const start = a * paramsPerAgent + layerOffset;
      expect(relError(gotG.subarray(start, start + (inDim + 1) * outDim), refs[a].dw), `dW agent ${a}`).toBeLessThan(1e-4);
      // Entries outside the layer's block are untouched.
      expect(gotG[a * paramsPerAgent]).toBe(Math.fround(pAll[a * paramsPerAgent] * 3));
    }
  });
});

/**
 * A whole recurrent policy graph through a 6-step segment, with both estimator kinds in it:
 * observations -> GRU or LSTM (backpropagation through time, episode resets) -> a head MLP ->
 * [mu, log sigma, 3 logits]; a pathwise Gaussian action a with cost a^2 and a score-function
 * categorical k with cost <onehot(k), v>. Its gradient for every parameter of the cell and the head
 * must match central differences of the surrogate - costs + log p(k) * (k's downstream cost, held
 * constant) - evaluated by the graph's own forward pass with the noise held fixed (the clock does
 * not move, and no sample flips within the step: checked).
 */
import { expect, it } from 'vitest';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { broadcastRow, matrix } from '../../src/gpu/view.js';
import { Mlp } from '../../src/nn/mlp.js';
import { RecurrentCell } from '../../src/nn/recurrent.js';
import { Clock } from '../../src/rng/clock.js';
import { Graph } from '../../src/scg/graph.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray } from '../helpers/random.js';

const T = 6, B = 16, OBS = 3, HIDDEN = 8, K = 3;

it.each(['gru', 'lstm'] as const)('%s policy graph: pathwise and score-function gradients through 6 steps match finite differences', { timeout: 120_000 }, async (kind) => {
  const { ctx, cache } = await gpu();
  const rows = T * B;
  const cell = RecurrentCell.create(ctx, { kind, inDim: OBS, hidden: HIDDEN }, { seed: 5, label: `${kind} policy` });
  const head = Mlp.create(ctx, { sizes: [HIDDEN, 16, 2 + K], hidden: 'tanh' }, { seed: 5, stream: 1, label: 'head' });
  const obs = f32(ctx, 'observations', [rows, OBS], randomArray(rows * OBS, 1, -1, 1));
  const h0 = f32(ctx, 'h0', [B, cell.stateWidth], randomArray(B * cell.stateWidth, 2, -0.5, 0.5));
  const resets = f32(ctx, 'resets', [rows], Array.from({ length: rows }, (_, r) => (r % 7 === 3 ? 1 : 0)));
  const values = f32(ctx, 'v', [K], [1.5, -0.5, 2.5]);

  const g = new Graph(ctx, cache, { agents: 1, rows, clock: new Clock(ctx), label: 'recurrent policy' });
  const o = g.input(matrix(obs, { rows, cols: OBS }), { label: 'o' });
  const h = g.recurrent(cell, o, { steps: T, h0, resets });
  const out = g.mlp(head, h);
  const a = g.gaussian(g.slice(out, 0, 1, 'mu'), g.slice(out, 1, 1, 'log sigma'), { estimator: 'pathwise', seed: 9, stream: 3, label: 'a' });
  const k = g.categorical(g.slice(out, 2, K, 'logits'), { estimator: 'score', seed: 9, stream: 4, label: 'k' });
  const cA = g.sumCost(g.square(a.sample), { label: 'a^2' });
  const cK = g.sumCost(k.sample, { weights: broadcastRow(values, { agents: 1, rows, cols: K }), label: '<k, v>' });
  const { forward, backward } = await g.compile();
  await runOnce(ctx, [...forward, ...backward]);
  const grads = [...(await cell.grads.read()), ...(await head.grads.read())];
  const weight = await cK.view.tensor.read(); // k's downstream cost at the unperturbed parameters
  const index0 = await k.sampler.index.read();

  const cellParams = await cell.params.read(), headParams = await head.params.read();
  const mean = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / rows;
  const surrogate = async (p: Float64Array) => {
    cell.params.write(p.subarray(0, cellParams.length));
    head.params.write(p.subarray(cellParams.length));
    await runOnce(ctx, forward);
    expect(Array.from(await k.sampler.index.read())).toEqual(Array.from(index0));
    const logp = await k.sampler.logp.read();
    return mean(await cA.view.tensor.read()) + mean(await cK.view.tensor.read()) + logp.reduce((s, l, r) => s + l * weight[r], 0) / rows;
  };
  const theta = Float64Array.from([...cellParams, ...headParams]);
  const H = 3e-3;
  const got: number[] = [], want: number[] = [];
  for (let i = 0; i < theta.length; i += 3) {
    const plus = Float64Array.from(theta), minus = Float64Array.from(theta);
    plus[i] += H;
    minus[i] -= H;
    want.push(((await surrogate(plus)) - (await surrogate(minus))) / (2 * H));
    got.push(grads[i]);
  }
  const scale = Math.max(...want.map(Math.abs));
  const err = Math.max(...got.map((x, j) => Math.abs(x - want[j])));
  const cellScale = Math.max(...want.slice(0, Math.ceil(cellParams.length / 3)).map(Math.abs));
  console.log(`${kind}: ${got.length} parameters, max |gradient| ${scale.toFixed(4)} (cell ${cellScale.toFixed(4)}), max error ${err.toExponential(2)}`);
  expect(cellScale).toBeGreaterThan(1e-3); // gradients reach the cell through time
  expect(err / scale).toBeLessThan(2e-2);
});

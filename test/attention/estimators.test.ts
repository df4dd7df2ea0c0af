/**
 * Estimator statistics of the hard-attention graph (v2): the window is a score-function node
 * whose weight is the downstream cost -log p(label | crop) less the baseline b(o1). With the
 * networks of a short training run, every row's gradient with respect to its window logits is
 * one sample of the estimator (2^13 rows, the same samples with and without the baseline): the
 * baseline must leave the mean where it was and cut the variance.
 */
import { expect, it } from 'vitest';
import { ATTENTION_STREAM, attentionGraph } from '../../src/attention/model.js';
import { trainAttention } from '../../src/attention/train.js';
import { WINDOWS } from '../../src/attention/glyphs.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';

it('the learned baseline keeps the window gradient unbiased and lowers its variance', { timeout: 300_000 }, async () => {
  const { ctx, cache } = await gpu();
  // A short run: the baseline has been fitted while the glimpse still hesitates between windows.
  const { nets, final } = await trainAttention(ctx, cache, { version: 'v2', batch: 128, iterations: 40, seed: 3 }, { reportEvery: 40 });
  console.log(`after 40 updates: test accuracy ${final.accuracy.toFixed(3)}, window hits ${final.windowHits?.toFixed(3)}`);
  const rows = 1 << 13;
  async function perRowGradients(baseline: boolean) {
    const clock = new Clock(ctx, 'estimator clock');
    clock.set(1000);
    const g = await attentionGraph(ctx, cache, nets, { rows, clock, stream: ATTENTION_STREAM.test, baseline });
    // The program ticks first: both graphs draw the batch and the windows of step 1001.
    await runOnce(ctx, g.dispatches);
    const grad = await g.graph.grad(g.windowLogits!).tensor.read();
    const view = g.graph.grad(g.windowLogits!);
    const mean = new Array(WINDOWS).fill(0), sq = new Array(WINDOWS).fill(0);
    for (let r = 0; r < rows; r++) for (let k = 0; k < WINDOWS; k++) {
      const x = grad[view.offset + r * view.rowStride + k] * rows; // the graph averages over rows
      mean[k] += x / rows;
      sq[k] += (x * x) / rows;
    }
    const variance = mean.map((m, k) => sq[k] - m * m);
    return { mean, variance, se: variance.map((v) => Math.sqrt(v / rows)) };
  }
  const plain = await perRowGradients(false);
  const based = await perRowGradients(true);
  const total = (x: number[]) => x.reduce((s, v) => s + v, 0);
  const ratio = total(based.variance) / total(plain.variance);
  console.log(`window-logit gradient variance with / without baseline: ${total(based.variance).toExponential(3)} / ${total(plain.variance).toExponential(3)} = ${ratio.toFixed(3)}`);
  for (let k = 0; k < WINDOWS; k++) {
    const se = Math.hypot(plain.se[k], based.se[k]);
    expect(Math.abs(based.mean[k] - plain.mean[k]), `window ${k}: ${based.mean[k]} vs ${plain.mean[k]}`).toBeLessThan(4 * se);
  }
  expect(total(plain.variance)).toBeGreaterThan(0);
  expect(ratio).toBeLessThan(0.5);
});

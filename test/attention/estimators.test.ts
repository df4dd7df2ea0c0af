/**
 * Estimator statistics of the hard-attention graph (v2): the window is a score-function node
 * whose weight is the downstream cost -log p(label | crop) less the baseline b(o1). With the
 * networks of a short training run, every row's gradient with respect to its window logits is
 * one sample of the estimator (2^13 rows; the same samples with and without the baseline). Its
 * expectation is known exactly - with 9 windows, sum over windows k of p_k (CE_k - E_p[CE]) for
 * the classifier's cross-entropy CE_k on crop k (computed here in float64) - so both estimators
 * must be unbiased for it, and the baseline must cut the variance.
 */
import { expect, it } from 'vitest';
import { ATTENTION_STREAM, attentionGraph } from '../../src/attention/model.js';
import { trainAttention } from '../../src/attention/train.js';
import { CANVAS, CELL, CLASSES, WINDOWS, windowPixels } from '../../src/attention/glyphs.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';

/** -log softmax(net(crop))[label] in float64 for the classifier [64, hidden, 10] (relu, identity). */
function crossEntropy(params: Float32Array, hidden: number, crop: number[], label: number): number {
  const inDim = CELL * CELL;
  const h = new Array<number>(hidden);
  for (let o = 0; o < hidden; o++) {
    let s = params[inDim * hidden + o];
    for (let i = 0; i < inDim; i++) if (crop[i] !== 0) s += crop[i] * params[i * hidden + o];
    h[o] = Math.max(0, s);
  }
  const base = (inDim + 1) * hidden;
  const logits = Array.from({ length: CLASSES }, (_, o) => h.reduce((s, v, i) => s + v * params[base + i * CLASSES + o], params[base + hidden * CLASSES + o]));
  const m = Math.max(...logits);
  return m + Math.log(logits.reduce((s, l) => s + Math.exp(l - m), 0)) - logits[label];
}

it('the window gradient is unbiased with and without the learned baseline, which cuts its variance', { timeout: 300_000 }, async () => {
  const { ctx, cache } = await gpu();
  // A short run: the classifier tells crops apart, the baseline is fitted, the glimpse still hesitates.
  const { nets, final, config } = await trainAttention(ctx, cache, { version: 'v2', batch: 128, iterations: 150, seed: 3 }, { reportEvery: 150 });
  console.log(`after 150 updates: test accuracy ${final.accuracy.toFixed(3)}, window hits ${final.windowHits?.toFixed(3)}`);
  const rows = 1 << 13;
  async function perRowGradients(baseline: boolean) {
    const clock = new Clock(ctx, 'estimator clock');
    clock.set(1000);
    const g = await attentionGraph(ctx, cache, nets, { rows, clock, stream: ATTENTION_STREAM.test, baseline });
    await runOnce(ctx, g.dispatches); // ticks first: both graphs draw the batch and windows of step 1001
    const view = g.graph.grad(g.windowLogits!);
    const grad = await view.tensor.read();
    const logits = await g.windowLogits!.view.tensor.read();
    const perRow = Array.from({ length: rows }, (_, r) => Array.from({ length: WINDOWS }, (_, k) => grad[view.offset + r * view.rowStride + k] * rows)); // the graph averages over rows
    return { perRow, logits, canvas: await g.data.canvas.read(), labels: await g.data.label.read() };
  }
  const plain = await perRowGradients(false);
  const based = await perRowGradients(true);

  // The exact expected gradient per row, from the classifier on every window of the same canvas.
  const classifier = await nets.classifier.params.read();
  const exact = new Array(WINDOWS).fill(0);
  const exactRows: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const canvas = plain.canvas.subarray(r * CANVAS * CANVAS, (r + 1) * CANVAS * CANVAS);
    let label = 0;
    for (let c = 1; c < CLASSES; c++) if (plain.labels[r * CLASSES + c] > plain.labels[r * CLASSES + label]) label = c;
    const ce = Array.from({ length: WINDOWS }, (_, k) => crossEntropy(classifier, config.hidden, windowPixels(canvas, k), label));
    const l = Array.from({ length: WINDOWS }, (_, k) => plain.logits[r * WINDOWS + k]);
    const m = Math.max(...l), z = l.reduce((s, x) => s + Math.exp(x - m), 0);
    const p = l.map((x) => Math.exp(x - m) / z);
    const mean = p.reduce((s, pk, k) => s + pk * ce[k], 0);
    exactRows.push(p.map((pk, k) => pk * (ce[k] - mean)));
    exactRows[r].forEach((x, k) => (exact[k] += x / rows));
  }
  const stats = (samples: number[][]) => {
    const mean = new Array(WINDOWS).fill(0), sq = new Array(WINDOWS).fill(0);
    for (const s of samples) s.forEach((x, k) => ((mean[k] += x / rows), (sq[k] += (x * x) / rows)));
    const variance = mean.map((m, k) => sq[k] - m * m);
    return { mean, variance, se: variance.map((v) => Math.sqrt(v / rows)) };
  };
  const p = stats(plain.perRow), b = stats(based.perRow);
  const difference = stats(plain.perRow.map((row, r) => row.map((x, k) => based.perRow[r][k] - x)));
  for (let k = 0; k < WINDOWS; k++) {
    expect(Math.abs(p.mean[k] - exact[k]), `window ${k} without baseline: ${p.mean[k]} vs ${exact[k]}`).toBeLessThan(4 * p.se[k]);
    expect(Math.abs(b.mean[k] - exact[k]), `window ${k} with baseline: ${b.mean[k]} vs ${exact[k]}`).toBeLessThan(4 * b.se[k]);
    expect(Math.abs(difference.mean[k]), `window ${k}: the baseline moves the mean`).toBeLessThan(4 * difference.se[k]);
  }
  // Row by row, where windows do not cancel: E[<estimate_r, exact_r>] = |exact_r|^2 (a wrong sign
  // or scale of the score term fails this), with a standard error over rows.
  const dot = (a: number[], b: number[]) => a.reduce((s, x, k) => s + x * b[k], 0);
  const want = exactRows.reduce((s, e) => s + dot(e, e), 0) / rows;
  for (const [name, samples] of [['without baseline', plain.perRow], ['with baseline', based.perRow]] as const) {
    const proj = samples.map((x, r) => dot(x, exactRows[r]));
    const m = proj.reduce((s, x) => s + x, 0) / rows;
    const se = Math.sqrt((proj.reduce((s, x) => s + x * x, 0) / rows - m * m) / rows);
    console.log(`${name}: mean <estimate, exact> ${m.toExponential(3)} +- ${se.toExponential(2)}, mean |exact|^2 ${want.toExponential(3)}`);
    expect(Math.abs(m - want), name).toBeLessThan(4 * se);
  }
  expect(want).toBeGreaterThan(1e-3);
  const total = (x: number[]) => x.reduce((s, v) => s + v, 0);
  const ratio = total(b.variance) / total(p.variance);
  console.log(`exact window gradient ${exact.map((x) => x.toFixed(4)).join(' ')}; variance with / without baseline ${total(b.variance).toExponential(3)} / ${total(p.variance).toExponential(3)} = ${ratio.toFixed(3)}`);
  expect(ratio).toBeLessThan(0.5);
});

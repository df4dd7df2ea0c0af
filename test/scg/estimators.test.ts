/**
 * Gradient estimators of the stochastic computation graph on the abstract example of Schulman et
 * al. (2015): parameters theta feed a Gaussian node x and a categorical node k, and the objective
 * L = c + e sums a cost of the sample alone, c = (x - 1)^2, a cost of sample and parameters
 * together, e = mu x, and a cost of the categorical sample, f = <onehot(k), v>. With parameters
 * given per row, every row's gradient is one sample of the estimator, so its mean and standard
 * error come from 2^16 rows. Expected gradients (sigma = exp(log sigma), p = softmax(logits)):
 *   d/dmu = 2 (mu - 1) + 2 mu,  d/dlog sigma = 2 sigma^2,  d/dlogit_j = p_j (v_j - <p, v>).
 */
import { describe, expect, it } from 'vitest';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { broadcastRow, matrix } from '../../src/gpu/view.js';
import { Clock } from '../../src/rng/clock.js';
import { type GaussianEstimator, Graph } from '../../src/scg/graph.js';
import { gpu } from '../helpers/gpu.js';

const N = 1 << 16;
const mu = 0.3, logStd = -0.2, logits = [0.2, -0.4, 0.7], v = [4.5, 2, 3.5];
const K = logits.length, width = 2 + K;

function expected(): number[] {
  const sigma = Math.exp(logStd);
  const z = logits.reduce((s, l) => s + Math.exp(l), 0);
  const p = logits.map((l) => Math.exp(l) / z);
  const mean = p.reduce((s, pk, k) => s + pk * v[k], 0);
  return [2 * (mu - 1) + 2 * mu, 2 * sigma * sigma, ...p.map((pk, k) => pk * (v[k] - mean))];
}

/** Mean and standard error of each gradient component over the rows. */
async function estimate(estimator: GaussianEstimator, baselines: boolean, seed = 7) {
  const { ctx, cache } = await gpu();
  const theta = f32(ctx, 'theta', [N, width], Array.from({ length: N }, () => [mu, logStd, ...logits]).flat());
  const ones = f32(ctx, 'ones', [N, 1], new Float32Array(N).fill(1));
  const values = f32(ctx, 'v', [K], v);
  const sigma2 = Math.exp(2 * logStd);
  const p = logits.map((l) => Math.exp(l) / logits.reduce((s, x) => s + Math.exp(x), 0));
  // Baselines: the expected downstream cost of each node (constants, so independent of the samples).
  const bx = f32(ctx, 'baseline x', [N, 1], new Float32Array(N).fill((mu - 1) ** 2 + sigma2 + mu * mu));
  const bk = f32(ctx, 'baseline k', [N, 1], new Float32Array(N).fill(p.reduce((s, pk, k) => s + pk * v[k], 0)));

  const g = new Graph(ctx, cache, { agents: 1, rows: N, clock: new Clock(ctx), label: 'toy scg' });
  const col = (t: typeof theta, cols: number) => matrix(t, { rows: N, cols });
  const th = g.input(col(theta, width), { grad: true, label: 'theta' });
  const m = g.slice(th, 0, 1, 'mu'), ls = g.slice(th, 1, 1, 'log sigma'), lg = g.slice(th, 2, K, 'logits');
  const one = g.input(col(ones, 1), { label: '1' });
  const x = g.gaussian(m, ls, { estimator, seed, stream: 3, label: 'x', baseline: baselines ? g.input(col(bx, 1)) : undefined }).sample;
  const k = g.categorical(lg, { estimator: 'score', seed, stream: 4, label: 'k', baseline: baselines ? g.input(col(bk, 1)) : undefined }).sample;
  g.sumCost(g.square(g.add(x, one, 1, -1)), { label: 'c' });
  g.sumCost(g.mul(m, x), { label: 'e' });
  g.sumCost(k, { weights: broadcastRow(values, { agents: 1, rows: N, cols: K }), label: 'f' });
  const { forward, backward } = await g.compile();
  await runOnce(ctx, [...forward, ...backward]);
  const grad = await g.gradTensor(theta).read();
  const mean = new Array(width).fill(0), sq = new Array(width).fill(0);
  for (let r = 0; r < N; r++) for (let j = 0; j < width; j++) {
    const x = grad[r * width + j] * N; // the graph averages over rows
    mean[j] += x / N;
    sq[j] += (x * x) / N;
  }
  const variance = mean.map((m, j) => sq[j] - m * m);
  return { mean, variance, se: variance.map((s) => Math.sqrt(s / N)) };
}

describe('stochastic computation graph estimators (L = c + e + f, 2^16 samples)', () => {
  const want = expected();

  it.each(['pathwise', 'score'] as const)('%s Gaussian node with a score-function categorical: unbiased within 4 standard errors', async (estimator) => {
    const { mean, se } = await estimate(estimator, false);
    mean.forEach((m, j) => expect(Math.abs(m - want[j]), `component ${j}: ${m} vs ${want[j]} (se ${se[j]})`).toBeLessThan(4 * se[j]));
  });

  it('pathwise has lower variance than the score function on the Gaussian node', async () => {
    const pathwise = await estimate('pathwise', false);
    const score = await estimate('score', false);
    // mu and log sigma: variance per sample.
    console.log(`per-sample variance pathwise / score: mu ${pathwise.variance[0].toFixed(2)} / ${score.variance[0].toFixed(2)}, log sigma ${pathwise.variance[1].toFixed(2)} / ${score.variance[1].toFixed(2)}`);
    expect(pathwise.variance[0]).toBeLessThan(score.variance[0] / 2);
    expect(pathwise.variance[1]).toBeLessThan(score.variance[1] / 2);
  });

  it('a baseline keeps the mean and reduces the variance of score-function terms', async () => {
    const plain = await estimate('score', false);
    const based = await estimate('score', true);
    based.mean.forEach((m, j) => expect(Math.abs(m - want[j]), `component ${j}`).toBeLessThan(4 * based.se[j]));
    // Total variance of each node's parameter gradient (a baseline scales every component's
    // noise differently; the sum is what a gradient step sees).
    const total = (x: number[], from: number, to: number) => x.slice(from, to).reduce((s, y) => s + y, 0);
    const gaussian = total(based.variance, 0, 2) / total(plain.variance, 0, 2);
    const categorical = total(based.variance, 2, width) / total(plain.variance, 2, width);
    console.log(`variance with / without baseline: Gaussian node ${gaussian.toFixed(3)}, categorical node ${categorical.toFixed(3)}`);
    expect(gaussian).toBeLessThan(0.8);
    expect(categorical).toBeLessThan(0.8);
  });
});

describe('Gumbel-softmax (pathwise) categorical node, K = 2', () => {
  // With two classes the relaxed sample is y_0 = sigmoid((l_0 - l_1 + L) / tau), L = g_0 - g_1
  // ~ Logistic(0, 1), so the relaxed objective E[<y, v>] has a gradient given by a 1-D integral,
  // computed here by quadrature in float64: the estimator must be unbiased for it.
  const l = [0.4, -0.3], w = [2.5, -1], tau = 0.7;
  const sig = (x: number) => 1 / (1 + Math.exp(-x));

  function relaxedGradient(): number[] {
    const d = l[0] - l[1];
    let integral = 0;
    const h = 1e-3;
    for (let x = -40; x <= 40; x += h) {
      const s = sig((d + x) / tau);
      integral += ((s * (1 - s)) / tau) * sig(x) * (1 - sig(x)) * h;
    }
    return [(w[0] - w[1]) * integral, -(w[0] - w[1]) * integral];
  }

  it('is unbiased for the relaxed objective within 4 standard errors', async () => {
    const { ctx, cache } = await gpu();
    const logitsT = f32(ctx, 'logits', [N, 2], Array.from({ length: N }, () => l).flat());
    const weights = f32(ctx, 'w', [2], w);
    const g = new Graph(ctx, cache, { agents: 1, rows: N, clock: new Clock(ctx), label: 'gumbel scg' });
    const lg = g.input(matrix(logitsT, { rows: N, cols: 2 }), { grad: true, label: 'logits' });
    const y = g.categorical(lg, { estimator: 'gumbel-softmax', tau, seed: 5, stream: 4 }).sample;
    g.sumCost(y, { weights: broadcastRow(weights, { agents: 1, rows: N, cols: 2 }) });
    const { forward, backward } = await g.compile();
    await runOnce(ctx, [...forward, ...backward]);
    const grad = await g.gradTensor(logitsT).read();
    const want = relaxedGradient();
    for (let j = 0; j < 2; j++) {
      let m = 0, sq = 0;
      for (let r = 0; r < N; r++) {
        const x = grad[r * 2 + j] * N;
        m += x / N;
        sq += (x * x) / N;
      }
      const se = Math.sqrt((sq - m * m) / N);
      expect(Math.abs(m - want[j]), `logit ${j}: ${m} vs ${want[j]} (se ${se})`).toBeLessThan(4 * se);
    }
  });
});

describe('binary node, L = <b, v> with b_d ~ Bernoulli(sigmoid(l_d))', () => {
  // Score function: unbiased for dE[L]/dl_d = v_d sigmoid'(l_d). Binary Concrete: unbiased for
  // the relaxed objective E[<sigmoid((l + L) / tau), v>], L ~ Logistic(0, 1), whose gradient
  // v_d E[s (1 - s) / tau] is a 1-D integral (quadrature in float64); straight-through applies
  // that same per-sample gradient at the hard sample, so it has the same expectation.
  const l = [0.6, -0.4, 1.3], v = [2, -1.5, 0.8], tau = 0.6, D = l.length;
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const relaxed = (ld: number) => {
    let integral = 0;
    const h = 1e-3;
    for (let x = -40; x <= 40; x += h) {
      const s = sig((ld + x) / tau);
      integral += ((s * (1 - s)) / tau) * sig(x) * (1 - sig(x)) * h;
    }
    return integral;
  };
  const want = {
    score: l.map((ld, d) => v[d] * sig(ld) * (1 - sig(ld))),
    concrete: l.map((ld, d) => v[d] * relaxed(ld)),
    'straight-through': l.map((ld, d) => v[d] * relaxed(ld)),
  };

  it.each(['score', 'concrete', 'straight-through'] as const)('%s is unbiased for its objective within 4 standard errors', async (estimator) => {
    const { ctx, cache } = await gpu();
    const logitsT = f32(ctx, 'logits', [N, D], Array.from({ length: N }, () => l).flat());
    const weights = f32(ctx, 'v', [D], v);
    const g = new Graph(ctx, cache, { agents: 1, rows: N, clock: new Clock(ctx), label: 'binary scg' });
    const lg = g.input(matrix(logitsT, { rows: N, cols: D }), { grad: true, label: 'logits' });
    const b = g.binary(lg, { estimator, tau, seed: 11, stream: 4 }).sample;
    g.sumCost(b, { weights: broadcastRow(weights, { agents: 1, rows: N, cols: D }) });
    const { forward, backward } = await g.compile();
    await runOnce(ctx, [...forward, ...backward]);
    const grad = await g.gradTensor(logitsT).read();
    for (let d = 0; d < D; d++) {
      let m = 0, sq = 0;
      for (let r = 0; r < N; r++) {
        const x = grad[r * D + d] * N; // the graph averages over rows
        m += x / N;
        sq += (x * x) / N;
      }
      const se = Math.sqrt((sq - m * m) / N);
      expect(Math.abs(m - want[estimator][d]), `unit ${d}: ${m} vs ${want[estimator][d]} (se ${se})`).toBeLessThan(4 * se);
    }
  });
});

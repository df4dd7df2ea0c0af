import { describe, expect, it } from 'vitest';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { matrix } from '../../src/gpu/view.js';
import { Clock } from '../../src/rng/clock.js';
import { agentKey, gumbel4, uniform4 } from '../../src/rng/philox.js';
import { BinaryUnit } from '../../src/sample/bernoulli.js';
import { GumbelSoftmax } from '../../src/sample/categorical.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError } from '../helpers/random.js';
import { dot, finiteDifference } from '../reference/dense.js';

const seed = 77, stream = 9, step = 3;

function softmax(v: ArrayLike<number>): number[] {
  const m = Math.max(...Array.from(v));
  const e = Array.from(v, (x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

describe('Gumbel-softmax', () => {
  const agents = 2, rows = 37, classes = 7, tau = 0.7;
  const logitData = randomArray(agents * rows * classes, 41, -2, 2);
  // Row r of agent a: key agentKey((seed, stream), a), counter (r, step, k / 4, 0).
  const gumbelRow = (flat: number) => Array.from({ length: classes }, (_, k) => gumbel4(agentKey([seed, stream], Math.floor(flat / rows)), [flat % rows, step, Math.floor(k / 4), 0])[k % 4]);
  const relaxed = (logits: ArrayLike<number>, g: number[]) => softmax(Array.from(logits, (l, k) => (l + g[k]) / tau));

  async function setup(hard: boolean) {
    const { ctx, cache } = await gpu();
    const logits = matrix(f32(ctx, 'logits', [logitData.length], logitData), { agents, rows, cols: classes });
    const clock = new Clock(ctx);
    clock.set(step);
    const head = new GumbelSoftmax(ctx, { logits, clock, seed, stream, tau, hard });
    const y = matrix(f32(ctx, 'y', [agents * rows * classes]), { agents, rows, cols: classes });
    return { ctx, cache, head, y, logits };
  }

  it.each([false, true])('sample (hard %s): soft, one-hot, index and log p match float64 with the same Gumbel noise', async (hard) => {
    const { ctx, cache, head, y } = await setup(hard);
    await runOnce(ctx, [await head.sample(cache, y)]);
    const [soft, out, index, logp] = await Promise.all([head.soft.read(), y.tensor.read(), head.index.read(), head.logp.read()]);
    const refSoft: number[] = [];
    for (let flat = 0; flat < agents * rows; flat++) {
      const l = logitData.subarray(flat * classes, (flat + 1) * classes);
      const g = gumbelRow(flat);
      const s = relaxed(l, g);
      refSoft.push(...s);
      const perturbed = Array.from(l, (v, k) => v + g[k]);
      expect(index[flat]).toBe(perturbed.indexOf(Math.max(...perturbed)));
      expect(logp[flat]).toBeCloseTo(Math.log(softmax(l)[index[flat]]), 5);
      for (let k = 0; k < classes; k++) {
        const expected = hard ? (k === index[flat] ? 1 : 0) : soft[flat * classes + k];
        expect(out[flat * classes + k]).toBe(expected);
      }
    }
    expect(relError(soft, refSoft)).toBeLessThan(1e-4);
  });

  it.each([false, true])('backward (hard %s) matches finite differences of float64 <dy, softmax((l + g) / tau)>', async (hard) => {
    const { ctx, cache, head, y } = await setup(hard);
    const dyData = randomArray(agents * rows * classes, 42);
    const dy = matrix(f32(ctx, 'dy', [dyData.length], dyData), { agents, rows, cols: classes });
    const grad = matrix(f32(ctx, 'grad', [dyData.length]), { agents, rows, cols: classes });
    await runOnce(ctx, [await head.sample(cache, y), await head.backward(cache, dy, grad)]);
    const got = await grad.tensor.read();
    const ref: number[] = [];
    for (let flat = 0; flat < agents * rows; flat++) {
      const g = gumbelRow(flat);
      const dyRow = dyData.subarray(flat * classes, (flat + 1) * classes);
      ref.push(...finiteDifference(Float64Array.from(logitData.subarray(flat * classes, (flat + 1) * classes)), (t) => dot(dyRow, relaxed(t, g))));
    }
    expect(relError(got, ref)).toBeLessThan(1e-4);
  });

  it('score: w * grad log softmax(logits)[index] matches finite differences', async () => {
    const { ctx, cache, head, y } = await setup(false);
    const wData = randomArray(agents * rows, 43);
    const grad = matrix(f32(ctx, 'grad', [agents * rows * classes]), { agents, rows, cols: classes });
    await runOnce(ctx, [await head.sample(cache, y), await head.score(cache, { weight: f32(ctx, 'w', [wData.length], wData), logitsGrad: grad })]);
    const [got, index] = await Promise.all([grad.tensor.read(), head.index.read()]);
    const ref: number[] = [];
    for (let flat = 0; flat < agents * rows; flat++) {
      const l = Float64Array.from(logitData.subarray(flat * classes, (flat + 1) * classes));
      ref.push(...finiteDifference(l, (t) => wData[flat] * Math.log(softmax(t)[index[flat]])));
    }
    expect(relError(got, ref)).toBeLessThan(1e-4);
  });

  it('hard sample frequencies match softmax(logits) within 4 standard errors over 2^16 samples', async () => {
    const { ctx, cache } = await gpu();
    const n = 1 << 16;
    const row = [0.3, -1.2, 1.1, 0.0, -0.4];
    const probs = softmax(row);
    const logits = matrix(f32(ctx, 'logits', [n * row.length], Array.from({ length: n }, () => row).flat()), { rows: n, cols: row.length });
    const head = new GumbelSoftmax(ctx, { logits, clock: new Clock(ctx), seed: 5, stream: 1, tau: 0.5, hard: true });
    const y = matrix(f32(ctx, 'y', [n * row.length]), { rows: n, cols: row.length });
    await runOnce(ctx, [await head.sample(cache, y)]);
    const out = await y.tensor.read();
    for (let k = 0; k < row.length; k++) {
      let count = 0;
      for (let i = 0; i < n; i++) count += out[i * row.length + k];
      const se = Math.sqrt((probs[k] * (1 - probs[k])) / n);
      expect(Math.abs(count / n - probs[k]), `class ${k}`).toBeLessThan(4 * se);
    }
  });
});

describe('binary units (Gumbel-sigmoid, straight-through Bernoulli)', () => {
  const agents = 2, rows = 37, dim = 6, tau = 0.8;
  const logitData = randomArray(agents * rows * dim, 51, -2, 2);
  const noiseAt = (flat: number, d: number) => {
    const u = uniform4(agentKey([seed, stream], Math.floor(flat / rows)), [flat % rows, step, Math.floor(d / 4), 0])[d % 4];
    return Math.log(u) - Math.log(1 - u);
  };
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

  async function setup(hard: boolean) {
    const { ctx, cache } = await gpu();
    const logits = matrix(f32(ctx, 'logits', [logitData.length], logitData), { agents, rows, cols: dim });
    const clock = new Clock(ctx);
    clock.set(step);
    const unit = new BinaryUnit(ctx, { logits, clock, seed, stream, tau, hard });
    const y = matrix(f32(ctx, 'y', [logitData.length]), { agents, rows, cols: dim });
    return { ctx, cache, unit, y };
  }

  it.each([false, true])('sample (hard %s) and backward match float64 with the same logistic noise', async (hard) => {
    const { ctx, cache, unit, y } = await setup(hard);
    const dyData = randomArray(logitData.length, 52);
    const dy = matrix(f32(ctx, 'dy', [dyData.length], dyData), { agents, rows, cols: dim });
    const grad = matrix(f32(ctx, 'grad', [dyData.length]), { agents, rows, cols: dim });
    await runOnce(ctx, [await unit.sample(cache, y), await unit.backward(cache, dy, grad)]);
    const [soft, out, got] = await Promise.all([unit.soft.read(), y.tensor.read(), grad.tensor.read()]);
    const refSoft: number[] = [];
    const refGrad: number[] = [];
    for (let i = 0; i < logitData.length; i++) {
      const flat = Math.floor(i / dim), d = i % dim;
      const noise = noiseAt(flat, d);
      refSoft.push(sigmoid((logitData[i] + noise) / tau));
      refGrad.push(...finiteDifference(Float64Array.of(logitData[i]), (t) => dyData[i] * sigmoid((t[0] + noise) / tau)));
      expect(out[i]).toBe(hard ? (soft[i] > 0.5 ? 1 : 0) : soft[i]);
    }
    expect(relError(soft, refSoft)).toBeLessThan(1e-4);
    expect(relError(got, refGrad)).toBeLessThan(1e-4);
  });

  it('score: w * (b - sigmoid(logit)) for the hard sample', async () => {
    const { ctx, cache, unit, y } = await setup(true);
    const wData = randomArray(agents * rows, 53);
    const grad = matrix(f32(ctx, 'grad', [logitData.length]), { agents, rows, cols: dim });
    await runOnce(ctx, [await unit.sample(cache, y), await unit.score(cache, { sample: y, weight: f32(ctx, 'w', [wData.length], wData), logitsGrad: grad })]);
    const [b, got] = await Promise.all([y.tensor.read(), grad.tensor.read()]);
    const ref = Array.from(logitData, (l, i) => wData[Math.floor(i / dim)] * (b[i] - sigmoid(l)));
    expect(relError(got, ref)).toBeLessThan(1e-5);
  });

  it('hard sample frequencies match sigmoid(logit) within 4 standard errors over 2^16 samples', async () => {
    const { ctx, cache } = await gpu();
    const n = 1 << 16;
    const row = [-1.5, -0.2, 0.4, 2.0];
    const logits = matrix(f32(ctx, 'logits', [n * row.length], Array.from({ length: n }, () => row).flat()), { rows: n, cols: row.length });
    const unit = new BinaryUnit(ctx, { logits, clock: new Clock(ctx), seed: 8, stream: 2, tau: 0.3, hard: true });
    const y = matrix(f32(ctx, 'y', [n * row.length]), { rows: n, cols: row.length });
    await runOnce(ctx, [await unit.sample(cache, y)]);
    const out = await y.tensor.read();
    row.forEach((l, d) => {
      let count = 0;
      for (let i = 0; i < n; i++) count += out[i * row.length + d];
      const p = sigmoid(l);
      expect(Math.abs(count / n - p), `unit ${d}`).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    });
  });

  it('draw keys the noise (float64 with counter word draw); accumulate adds into the gradient; mode is [logit > 0]', async () => {
    const { ctx, cache } = await gpu();
    const logits = matrix(f32(ctx, 'logits', [logitData.length], logitData), { agents, rows, cols: dim });
    const clock = new Clock(ctx);
    clock.set(step);
    const draw = 3;
    const unit = new BinaryUnit(ctx, { logits, clock, seed, stream, tau, draw, accumulate: true });
    const y = matrix(f32(ctx, 'y', [logitData.length]), { agents, rows, cols: dim });
    const mode = matrix(f32(ctx, 'mode', [logitData.length]), { agents, rows, cols: dim });
    const dyData = randomArray(logitData.length, 54);
    const before = randomArray(logitData.length, 55);
    const dy = matrix(f32(ctx, 'dy', [dyData.length], dyData), { agents, rows, cols: dim });
    const grad = matrix(f32(ctx, 'grad', [before.length], before), { agents, rows, cols: dim });
    await runOnce(ctx, [await unit.sample(cache, y), await unit.backward(cache, dy, grad), await unit.mode(cache, mode)]);
    const [soft, got, m] = await Promise.all([unit.soft.read(), grad.tensor.read(), mode.tensor.read()]);
    const refSoft: number[] = [], refGrad: number[] = [];
    for (let i = 0; i < logitData.length; i++) {
      const flat = Math.floor(i / dim), d = i % dim;
      const u = uniform4(agentKey([seed, stream], Math.floor(flat / rows)), [flat % rows, step, Math.floor(d / 4), draw])[d % 4];
      const sft = sigmoid((logitData[i] + Math.log(u) - Math.log(1 - u)) / tau);
      refSoft.push(sft);
      refGrad.push(before[i] + (dyData[i] * sft * (1 - sft)) / tau);
      expect(m[i], `mode ${i}`).toBe(logitData[i] > 0 ? 1 : 0);
    }
    expect(relError(soft, refSoft)).toBeLessThan(1e-4);
    expect(relError(got, refGrad)).toBeLessThan(1e-4);
  });

  it('sampling without a clock is refused naming the sampler; the mode needs none', async () => {
    const { ctx, cache } = await gpu();
    const logits = matrix(f32(ctx, 'l', [4], [1, -1, 2, -2]), { rows: 1, cols: 4 });
    const unit = new BinaryUnit(ctx, { logits, seed: 1, stream: 1, label: 'gate' });
    const y = matrix(f32(ctx, 'y', [4]), { rows: 1, cols: 4 });
    await expect(unit.sample(cache, y)).rejects.toThrow(/gate\.clock: .*expected a clock/);
    await runOnce(ctx, [await unit.mode(cache, y)]);
    expect(Array.from(await y.tensor.read())).toEqual([1, 0, 1, 0]);
  });

  it('rejects a non-positive temperature naming the field', async () => {
    const { ctx } = await gpu();
    const logits = matrix(f32(ctx, 'l', [4]), { rows: 1, cols: 4 });
    expect(() => new BinaryUnit(ctx, { logits, clock: new Clock(ctx), seed: 1, stream: 1, tau: 0, label: 'gate' })).toThrow(/gate\.tau: got 0, expected a finite temperature > 0/);
    expect(() => new GumbelSoftmax(ctx, { logits, clock: new Clock(ctx), seed: -1, stream: 1 })).toThrow(/seed: got -1/);
  });
});

describe('categorical mode and score of an observed sample', () => {
  it('score_observed on the one-hot sample equals the score of its index; mode is the argmax (float64)', async () => {
    const { ctx, cache } = await gpu();
    const agents = 2, rows = 37, K = 5;
    const logitsData = randomArray(agents * rows * K, 61, -2, 2);
    const logits = matrix(f32(ctx, 'logits', [logitsData.length], logitsData), { agents, rows, cols: K });
    const clock = new Clock(ctx);
    const cat = new GumbelSoftmax(ctx, { logits, clock, seed: 3, stream: 4, hard: true });
    const y = matrix(f32(ctx, 'y', [agents * rows * K]), { agents, rows, cols: K });
    const weight = f32(ctx, 'w', [agents * rows], randomArray(agents * rows, 62));
    const g1 = matrix(f32(ctx, 'g1', [agents * rows * K]), { agents, rows, cols: K });
    const g2 = matrix(f32(ctx, 'g2', [agents * rows * K]), { agents, rows, cols: K });
    const mode = matrix(f32(ctx, 'mode', [agents * rows * K]), { agents, rows, cols: K });
    await runOnce(ctx, [
      await cat.sample(cache, y),
      await cat.score(cache, { weight, logitsGrad: g1 }),
      await cat.scoreObserved(cache, { observed: y, weight, logitsGrad: g2 }),
      await cat.mode(cache, mode),
    ]);
    const [a, b, m] = await Promise.all([g1.tensor.read(), g2.tensor.read(), mode.tensor.read()]);
    expect(relError(b, a)).toBeLessThan(1e-6);
    const want: number[] = [];
    for (let r = 0; r < agents * rows; r++) {
      const row = Array.from(logitsData.subarray(r * K, (r + 1) * K));
      const best = row.indexOf(Math.max(...row));
      for (let k = 0; k < K; k++) want.push(k === best ? 1 : 0);
    }
    expect(Array.from(m)).toEqual(want);
  });
});

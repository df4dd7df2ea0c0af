import { describe, expect, it } from 'vitest';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { columns, matrix } from '../../src/gpu/view.js';
import { Clock } from '../../src/rng/clock.js';
import { agentKey, normal4 } from '../../src/rng/philox.js';
import { DiagGaussian } from '../../src/sample/gaussian.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError } from '../helpers/random.js';
import { finiteDifference } from '../reference/dense.js';

const agents = 2, rows = 37, dim = 5;
const seed = 99, stream = 4, step = 17;

/** Float64 reference of one row: action and log-probability from mu, log sigma and noise z. */
function gaussianRow(mu: ArrayLike<number>, logStd: ArrayLike<number>, z: ArrayLike<number>, squash: boolean) {
  const a: number[] = [];
  let logp = 0;
  for (let d = 0; d < mu.length; d++) {
    const ls = Math.min(Math.max(logStd[d], -20), 2);
    const u = mu[d] + Math.exp(ls) * z[d];
    logp += -0.5 * z[d] * z[d] - ls - 0.5 * Math.log(2 * Math.PI);
    if (squash) {
      a.push(Math.tanh(u));
      logp -= Math.log(1 - Math.tanh(u) ** 2);
    } else a.push(u);
  }
  return { a, logp };
}

describe.each([false, true])('diagonal Gaussian (squash %s)', (squash) => {
  // Network-like output: [mu | log sigma] side by side in one 2*dim-wide buffer.
  const outData = randomArray(agents * rows * 2 * dim, 5, -1, 1);
  const daData = randomArray(agents * rows * dim, 6);
  const dlogpData = randomArray(agents * rows, 7);

  async function setup() {
    const { ctx, cache } = await gpu();
    const out = matrix(f32(ctx, 'out', [outData.length], outData), { agents, rows, cols: 2 * dim });
    const clock = new Clock(ctx);
    clock.set(step);
    const head = new DiagGaussian(ctx, { mu: columns(out, 0, dim), logStd: columns(out, dim, dim), clock, seed, stream, squash });
    const action = matrix(f32(ctx, 'action', [agents * rows * dim]), { agents, rows, cols: dim });
    return { ctx, cache, head, action, clock };
  }

  const rowsRef = (a: number, r: number) => {
    const base = (a * rows + r) * 2 * dim;
    return { mu: outData.subarray(base, base + dim), logStd: outData.subarray(base + dim, base + 2 * dim) };
  };

  it('infer recovers the noise of given actions (float64), reparameterize and mode recompute actions', async () => {
    const { ctx, cache, head, action } = await setup();
    const given = randomArray(agents * rows * dim, 8, squash ? -0.95 : -2, squash ? 0.95 : 2);
    const givenView = matrix(f32(ctx, 'given', [given.length], given), { agents, rows, cols: dim });
    await runOnce(ctx, [await head.infer(cache, givenView, action)]);
    const [z, a] = await Promise.all([head.noise.read(), action.tensor.read()]);
    const refZ: number[] = [];
    for (let ag = 0; ag < agents; ag++) for (let r = 0; r < rows; r++) {
      const { mu, logStd } = rowsRef(ag, r);
      for (let d = 0; d < dim; d++) {
        const x = given[(ag * rows + r) * dim + d];
        const u = squash ? Math.atanh(x) : x;
        refZ.push((u - mu[d]) / Math.exp(Math.min(Math.max(logStd[d], -20), 2)));
      }
    }
    expect(relError(z, refZ)).toBeLessThan(1e-4);
    expect(relError(a, given)).toBeLessThan(1e-5);
    // Re-evaluating from the kept noise gives the same actions; the mode is tanh(mu) (or mu).
    action.tensor.fill(0);
    await runOnce(ctx, [await head.reparameterize(cache, action)]);
    expect(relError(await action.tensor.read(), given)).toBeLessThan(1e-5);
    await runOnce(ctx, [await head.mode(cache, action)]);
    const mode = await action.tensor.read();
    const refMode: number[] = [];
    for (let ag = 0; ag < agents; ag++) for (let r = 0; r < rows; r++) for (const m of rowsRef(ag, r).mu) refMode.push(squash ? Math.tanh(m) : m);
    expect(relError(mode, refMode)).toBeLessThan(1e-5);
  });

  it('sample: noise is Philox N(0,1) at (row, clock, d/4); action and log p match float64', async () => {
    const { ctx, cache, head, action } = await setup();
    await runOnce(ctx, [await head.sample(cache, action)]);
    const [z, a, logp] = await Promise.all([head.noise.read(), action.tensor.read(), head.logp.read()]);
    const refZ: number[] = [];
    const refA: number[] = [];
    const refLogp: number[] = [];
    for (let ag = 0; ag < agents; ag++) {
      for (let r = 0; r < rows; r++) {
        const flat = ag * rows + r;
        const zr = Array.from({ length: dim }, (_, d) => normal4(agentKey([seed, stream], ag), [r, step, Math.floor(d / 4), 0])[d % 4]);
        refZ.push(...zr);
        // Use the GPU's float32 noise so the comparison isolates the head's arithmetic.
        const { mu, logStd } = rowsRef(ag, r);
        const ref = gaussianRow(mu, logStd, z.subarray(flat * dim, (flat + 1) * dim), squash);
        refA.push(...ref.a);
        refLogp.push(ref.logp);
      }
    }
    expect(relError(z, refZ)).toBeLessThan(1e-5);
    expect(relError(a, refA)).toBeLessThan(1e-5);
    expect(relError(logp, refLogp)).toBeLessThan(1e-5);
  });

  it('backward (pathwise, z fixed) matches finite differences of float64 L = <da, a> + <dlogp, log p>', async () => {
    const { ctx, cache, head, action } = await setup();
    const grad = matrix(f32(ctx, 'grad', [agents * rows * 2 * dim]), { agents, rows, cols: 2 * dim });
    const da = matrix(f32(ctx, 'da', [daData.length], daData), { agents, rows, cols: dim });
    const dlogp = f32(ctx, 'dlogp', [agents * rows], dlogpData);
    await runOnce(ctx, [
      await head.sample(cache, action),
      await head.backward(cache, { action: da, logp: dlogp, mu: columns(grad, 0, dim), logStd: columns(grad, dim, dim) }),
    ]);
    const [z, g] = await Promise.all([head.noise.read(), grad.tensor.read()]);
    const ref: number[] = [];
    for (let ag = 0; ag < agents; ag++) {
      for (let r = 0; r < rows; r++) {
        const flat = ag * rows + r;
        const zr = Array.from(z.subarray(flat * dim, (flat + 1) * dim));
        const theta = Float64Array.from(outData.subarray(flat * 2 * dim, (flat + 1) * 2 * dim));
        const loss = (t: Float64Array) => {
          const { a, logp } = gaussianRow(t.subarray(0, dim), t.subarray(dim), zr, squash);
          return a.reduce((s, v, d) => s + v * daData[flat * dim + d], 0) + logp * dlogpData[flat];
        };
        ref.push(...finiteDifference(theta, loss));
      }
    }
    expect(relError(g, ref)).toBeLessThan(1e-4);
  });

  it('score: w * grad log N(x; mu, sigma) matches the analytic float64 formula', async () => {
    const { ctx, cache, head } = await setup();
    const xData = randomArray(agents * rows * dim, 8, -2, 2);
    const wData = randomArray(agents * rows, 9);
    const x = matrix(f32(ctx, 'x', [xData.length], xData), { agents, rows, cols: dim });
    const grad = matrix(f32(ctx, 'grad', [agents * rows * 2 * dim]), { agents, rows, cols: 2 * dim });
    await runOnce(ctx, [await head.score(cache, { x, weight: f32(ctx, 'w', [wData.length], wData), mu: columns(grad, 0, dim), logStd: columns(grad, dim, dim) })]);
    const g = await grad.tensor.read();
    const ref: number[] = [];
    for (let ag = 0; ag < agents; ag++) {
      for (let r = 0; r < rows; r++) {
        const flat = ag * rows + r;
        const { mu, logStd } = rowsRef(ag, r);
        // d/dmu and d/dlog sigma of log N(x; mu, sigma), by finite differences of the density.
        const theta = Float64Array.from([...mu, ...logStd]);
        const logN = (t: Float64Array) => {
          let s = 0;
          for (let d = 0; d < dim; d++) {
            const sigma = Math.exp(t[dim + d]);
            s += -0.5 * ((xData[flat * dim + d] - t[d]) / sigma) ** 2 - t[dim + d];
          }
          return wData[flat] * s;
        };
        ref.push(...finiteDifference(theta, logN));
      }
    }
    expect(relError(g, ref)).toBeLessThan(1e-4);
  });

  it('each clock tick draws fresh noise; the same clock value reproduces it', async () => {
    const { ctx, cache, head, action, clock } = await setup();
    const sample = await head.sample(cache, action);
    await runOnce(ctx, [sample]);
    const first = Array.from(await head.noise.read());
    await runOnce(ctx, [await clock.tick(cache), sample]);
    const second = Array.from(await head.noise.read());
    expect(second).not.toEqual(first);
    expect(await clock.read()).toBe(step + 1);
    clock.set(step);
    await runOnce(ctx, [sample]);
    expect(Array.from(await head.noise.read())).toEqual(first);
  });
});

describe('estimators of grad E_{x ~ N(mu, sigma)}[x^2] = (2 mu, 2 sigma)', () => {
  it('pathwise and score function are unbiased within 4 standard errors; pathwise has lower variance', async () => {
    const { ctx, cache } = await gpu();
    const n = 1 << 16;
    const mu = 0.7, sigma = 1.3;
    const params = matrix(f32(ctx, 'params', [n * 2], Array.from({ length: n }, () => [mu, Math.log(sigma)]).flat()), { rows: n, cols: 2 });
    const clock = new Clock(ctx);
    const head = new DiagGaussian(ctx, { mu: columns(params, 0, 1), logStd: columns(params, 1, 1), clock, seed: 1234, stream: 1 });
    const x = matrix(f32(ctx, 'x', [n]), { rows: n, cols: 1 });
    await runOnce(ctx, [await head.sample(cache, x)]);
    const xs = await x.tensor.read();

    // Pathwise: dF/dx = 2x, pushed back through x = mu + sigma z by the backward kernel.
    const dfdx = f32(ctx, 'dfdx', [n], Array.from(xs, (v) => 2 * v));
    const pathGrad = matrix(f32(ctx, 'path grad', [n * 2]), { rows: n, cols: 2 });
    await runOnce(ctx, [await head.backward(cache, { action: matrix(dfdx, { rows: n, cols: 1 }), mu: columns(pathGrad, 0, 1), logStd: columns(pathGrad, 1, 1) })]);
    // Score function: F(x) * grad log p(x), F(x) = x^2 as the per-sample weight.
    const weight = f32(ctx, 'weight', [n], Array.from(xs, (v) => v * v));
    const sfGrad = matrix(f32(ctx, 'sf grad', [n * 2]), { rows: n, cols: 2 });
    await runOnce(ctx, [await head.score(cache, { x, weight, mu: columns(sfGrad, 0, 1), logStd: columns(sfGrad, 1, 1) })]);

    const stats = (g: Float32Array, col: number, chain: number) => {
      // chain converts d/dlog sigma into d/dsigma (divide by sigma).
      let s = 0, s2 = 0;
      for (let i = 0; i < n; i++) {
        const v = g[i * 2 + col] * chain;
        s += v;
        s2 += v * v;
      }
      const mean = s / n;
      const variance = s2 / n - mean * mean;
      return { mean, variance, se: Math.sqrt(variance / n) };
    };
    const [pg, sg] = await Promise.all([pathGrad.tensor.read(), sfGrad.tensor.read()]);
    const expected = [2 * mu, 2 * sigma];
    for (let col = 0; col < 2; col++) {
      const chain = col === 1 ? 1 / sigma : 1;
      const p = stats(pg, col, chain);
      const s = stats(sg, col, chain);
      expect(Math.abs(p.mean - expected[col]), `pathwise ${col}`).toBeLessThan(4 * p.se);
      expect(Math.abs(s.mean - expected[col]), `score function ${col}`).toBeLessThan(4 * s.se);
      expect(p.variance, `variance ${col}`).toBeLessThan(s.variance);
    }
  });
});

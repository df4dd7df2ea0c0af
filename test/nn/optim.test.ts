import { describe, expect, it } from 'vitest';
import { PipelineCache } from '../../src/gpu/kernel.js';
import { Recorder, runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { matrix } from '../../src/gpu/view.js';
import { Adam } from '../../src/nn/adam.js';
import { mseLoss } from '../../src/nn/loss.js';
import { polyak, polyakPair } from '../../src/nn/polyak.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError } from '../helpers/random.js';

describe('MSE loss', () => {
  it.each([
    { subgroups: true, rows: 37 },
    { subgroups: true, rows: 1031 },
    { subgroups: false, rows: 37 },
    { subgroups: false, rows: 1031 },
  ])('loss and gradient match float64 on strided views, per agent, with scale (%o)', async ({ subgroups, rows }) => {
    const { ctx } = await gpu();
    // Both workgroup reductions: subgroup operations (where the adapter has them) and the tree.
    const cache = new PipelineCache(ctx, { subgroups });
    expect(cache.subgroups).toBe(subgroups && ctx.hasFeature('subgroups'));
    const agents = 3, cols = 3, width = 7;
    const pData = randomArray(agents * rows * width, 1);
    const tData = randomArray(agents * rows * cols, 2);
    const pred = matrix(f32(ctx, 'pred', [pData.length], pData), { agents, rows, cols, offset: 2, rowStride: width });
    const target = matrix(f32(ctx, 'target', [tData.length], tData), { agents, rows, cols });
    const grad = matrix(f32(ctx, 'grad', [agents * rows * cols]), { agents, rows, cols });
    const loss = f32(ctx, 'loss', [10], randomArray(10, 3));
    await runOnce(ctx, [await mseLoss(cache, pred, target, grad, loss, { lossOffset: 1, lossAgentStride: 3, scale: 0.5 })]);
    const [gotLoss, gotGrad] = await Promise.all([loss.read(), grad.tensor.read()]);
    for (let a = 0; a < agents; a++) {
      let sum = 0;
      const refGrad: number[] = [];
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const e = pData[2 + a * rows * width + r * width + c] - tData[a * rows * cols + r * cols + c];
          sum += e * e;
          refGrad.push((0.5 * 2 * e) / (rows * cols));
        }
      }
      expect(relError([gotLoss[1 + 3 * a]], [(0.5 * sum) / (rows * cols)])).toBeLessThan(1e-5);
      expect(relError(gotGrad.subarray(a * rows * cols, (a + 1) * rows * cols), refGrad)).toBeLessThan(1e-5);
    }
  });
});

/** Float64 Adam exactly as torch.optim.Adam (no weight decay), with optional global-norm clipping. */
function adamReference(p: Float64Array, grad: (p: Float64Array) => Float64Array, steps: number, lr: number, maxNorm: number): Float64Array[] {
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const m = new Float64Array(p.length);
  const v = new Float64Array(p.length);
  const history: Float64Array[] = [];
  for (let t = 1; t <= steps; t++) {
    const g = grad(p);
    if (maxNorm > 0) {
      const norm = Math.sqrt(g.reduce((s, x) => s + x * x, 0));
      if (norm > maxNorm) for (let i = 0; i < g.length; i++) g[i] *= maxNorm / norm;
    }
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      p[i] -= (lr * (m[i] / (1 - b1 ** t))) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
    }
    history.push(Float64Array.from(p));
  }
  return history;
}

describe('Adam', () => {
  it.each([
    { maxNorm: 0, clocked: false },
    { maxNorm: 0.5, clocked: false },
    { maxNorm: 0, clocked: true },
    { maxNorm: 0.5, clocked: true },
  ])('50 steps on a random quadratic match float64 Adam step by step (%o)', async ({ maxNorm, clocked }) => {
    const { ctx, cache } = await gpu();
    const agents = 2, n = 301, lr = 0.01;
    const p0 = randomArray(agents * n, 21, -2, 2);
    const targetData = randomArray(agents * n, 22, -2, 2);
    const params = f32(ctx, 'params', [agents, n], p0);
    const grads = f32(ctx, 'grads', [agents, n]);
    const target = matrix(f32(ctx, 'target', [agents * n], targetData), { agents, rows: 1, cols: n });
    const loss = f32(ctx, 'loss', [agents]);
    const adam = new Adam(ctx, params, grads, agents, { lr, maxGradNorm: maxNorm });
    // Loss mean (p - target)^2: gradient 2 (p - target) / n, computed on the GPU each step.
    const pView = matrix(params, { agents, rows: 1, cols: n });
    const gView = matrix(grads, { agents, rows: 1, cols: n });
    // Clocked: the step count follows from a clock ticked once per step (warm-up 3 steps).
    const clock = new Clock(ctx);
    clock.set(3);
    const steps = clocked
      ? [await clock.tick(cache), ...(await adam.step(cache, { clock: clock.tensor, warmup: 3, stepsPerBlock: 1, updatesPerBlock: 1, index: 0, delay: 1 }))]
      : await adam.step(cache);
    // prepare is only dispatched when the step count is not clocked or clipping needs the norm.
    expect(steps.length).toBe(clocked ? (maxNorm > 0 ? 3 : 2) : 2);
    const program = new Recorder(ctx, 'adam quadratic').add(await mseLoss(cache, pView, target, gView, loss), ...steps);
    const refs = Array.from({ length: agents }, (_, a) => {
      const t = targetData.subarray(a * n, (a + 1) * n);
      const grad = (p: Float64Array) => p.map((x, i) => (2 * (x - t[i])) / n);
      return adamReference(Float64Array.from(p0.subarray(a * n, (a + 1) * n)), grad, 50, lr, maxNorm);
    });
    let worst = 0;
    for (let step = 0; step < 50; step++) {
      await program.run(1);
      const got = await params.read();
      for (let a = 0; a < agents; a++) worst = Math.max(worst, relError(got.subarray(a * n, (a + 1) * n), refs[a][step]));
    }
    expect(worst).toBeLessThan(1e-5);
    // Adam made real progress (a test that barely moves would pass trivially).
    const moved = relError(refs[0][49], p0.subarray(0, n));
    expect(moved).toBeGreaterThan(0.1);
    const state = await adam.state.read();
    if (!clocked) {
      expect(state[0]).toBe(50);
      expect(state[4]).toBe(50);
    }
  });

  it('rejects bad hyper-parameters naming the field', async () => {
    const { ctx } = await gpu();
    const p = f32(ctx, 'p', [4]);
    expect(() => new Adam(ctx, p, f32(ctx, 'g', [4]), 1, { lr: -1 }, 'critic.adam')).toThrow(/critic\.adam\.lr: got -1, expected a finite number > 0/);
    expect(() => new Adam(ctx, p, f32(ctx, 'g', [4]), 1, { beta1: 1 })).toThrow(/beta1/);
    expect(() => new Adam(ctx, p, f32(ctx, 'g', [5]), 1)).toThrow(/equal sizes/);
  });
});

describe('Polyak averaging', () => {
  it('target = (1 - tau) target + tau online over the whole buffer', async () => {
    const { ctx, cache } = await gpu();
    const n = 1000 * 3 + 7;
    const online = randomArray(n, 31);
    const target = randomArray(n, 32);
    const tOnline = f32(ctx, 'online', [n], online);
    const tTarget = f32(ctx, 'target', [n], target);
    const d = await polyak(cache, tOnline, tTarget, 0.005);
    await new Recorder(ctx).add(d).run(3);
    const ref = Float64Array.from(target);
    for (let k = 0; k < 3; k++) for (let i = 0; i < n; i++) ref[i] = 0.995 * ref[i] + 0.005 * online[i];
    expect(relError(await tTarget.read(), ref)).toBeLessThan(1e-6);
    await expect(polyak(cache, tOnline, tTarget, 1.5)).rejects.toThrow(/polyak\.tau: got 1.5, expected a number in \[0, 1\]/);
  });

  it('polyak_pair averages two networks in one dispatch, each like polyak_update', async () => {
    const { ctx, cache } = await gpu();
    const sizes = [777, 1301];
    const data = sizes.map((n, k) => ({ online: randomArray(n, 40 + k), target: randomArray(n, 50 + k) }));
    const tensors = data.map((d, k) => ({ online: f32(ctx, `on${k}`, [d.online.length], d.online), target: f32(ctx, `tg${k}`, [d.target.length], d.target) }));
    await runOnce(ctx, [await polyakPair(cache, tensors[0], tensors[1], 0.1)]);
    for (const [k, d] of data.entries()) {
      const ref = d.target.map((t, i) => 0.9 * t + 0.1 * d.online[i]);
      expect(relError(await tensors[k].target.read(), ref), `network ${k}`).toBeLessThan(1e-6);
    }
  });
});

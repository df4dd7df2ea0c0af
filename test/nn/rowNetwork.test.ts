/**
 * The parameter half of row programs (shaders/fused/param_update.wgsl) against float64: weight
 * gradients summed over a random tape, one Adam step (step count from the clock), Polyak of the
 * target and of a second network, the metric means, and the clock's commit - on odd sizes and
 * two agents.
 */
import { describe, expect, it } from 'vitest';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32, u32 } from '../../src/gpu/tensor.js';
import { Adam } from '../../src/nn/adam.js';
import { Mlp } from '../../src/nn/mlp.js';
import { paramUpdateDispatch, tapeWidth } from '../../src/nn/rowNetwork.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError } from '../helpers/random.js';

describe('row-program parameter update', () => {
  it('gradients from the tape, Adam, Polyak of both targets, metric means and the clock commit match float64', async () => {
    const { ctx, cache } = await gpu();
    const agents = 2, rows = 37, extra = 2;
    const net = Mlp.create(ctx, { sizes: [5, 7, 3], hidden: 'relu', output: 'tanh', agents }, { seed: 3, label: 'net' });
    const target = Mlp.create(ctx, net.spec, { seed: 4, stream: 1, label: 'target' });
    const other = Mlp.create(ctx, { sizes: [4, 6, 1], agents }, { seed: 5, label: 'other' });
    const otherTarget = Mlp.create(ctx, other.spec, { seed: 6, label: 'other target' });
    const W = tapeWidth(net) + extra;
    const tapeData = randomArray(agents * rows * W, 11);
    const tape = f32(ctx, 'tape', [agents, rows, W], tapeData);
    const opt = new Adam(ctx, net.params, net.grads, agents, { lr: 3e-3 }, 'adam');
    const m0 = randomArray(opt.m.size, 12, -0.01, 0.01), v0 = randomArray(opt.v.size, 13, 1e-6, 1e-4);
    opt.m.write(m0);
    opt.v.write(v0);
    // Step count from the clock (nn/adam.wgsl): clock 9 in slot 1, warm-up 4, one update per step: t = 5.
    const clock = u32(ctx, 'clock', [4], [8, 9, 0, 0]);
    const metricsData = randomArray(agents * 8, 14);
    const metrics = f32(ctx, 'metrics', [agents, 8], metricsData);
    const [p0, t0, o0, ot0] = await Promise.all([net.params.read(), target.params.read(), other.params.read(), otherTarget.params.read()]);
    const tau = Math.fround(0.05);
    await runOnce(ctx, [await paramUpdateDispatch(cache, {
      net, opt, tape, rows, tapeWidth: W, steps: { warmup: 4, stepsPerBlock: 1, updatesPerBlock: 1, index: 0, delay: 1 },
      clock, clockSlot: 1, commitClock: true, tau, target, second: { online: other, target: otherTarget },
      metrics: { tensor: metrics, width: 8, col: tapeWidth(net), slots: [2, 6], counter: 5 }, label: 'update',
    })]);
    const [p1, t1, ot1, m1, v1, mx, c1] = await Promise.all([net.params.read(), target.params.read(), otherTarget.params.read(), opt.m.read(), opt.v.read(), metrics.read(), clock.read()]);

    // float64: g = sum_r [x_l, 1]^T delta_l over the tape's rows, then Adam at t = 5, then Polyak,
    // with the settings as the GPU holds them (float32: 1 - beta2 differs from 0.001 by 1e-5).
    const t = 5, b1 = Math.fround(0.9), b2 = Math.fround(0.999), eps = Math.fround(1e-8), lr = Math.fround(3e-3);
    const want = { p: [] as number[], m: [] as number[], v: [] as number[], target: [] as number[] };
    for (let a = 0; a < agents; a++) {
      let xAt = 0;
      let dAt = net.layers.reduce((s, l) => s + l.inDim, 0);
      for (const layer of net.layers) {
        for (let i = 0; i <= layer.inDim; i++) {
          for (let j = 0; j < layer.outDim; j++) {
            let g = 0;
            for (let r = 0; r < rows; r++) {
              const row = (a * rows + r) * W;
              g += (i === layer.inDim ? 1 : tapeData[row + xAt + i]) * tapeData[row + dAt + j];
            }
            const k = a * net.paramsPerAgent + layer.offset + i * layer.outDim + j;
            const m = b1 * m0[k] + (1 - b1) * g;
            const v = b2 * v0[k] + (1 - b2) * g * g;
            const p = p0[k] - (lr * (m / (1 - b1 ** t))) / (Math.sqrt(v / (1 - b2 ** t)) + eps);
            want.m[k] = m;
            want.v[k] = v;
            want.p[k] = p;
            want.target[k] = (1 - tau) * t0[k] + tau * p;
          }
        }
        xAt += layer.inDim;
        dAt += layer.outDim;
      }
    }
    expect(relError(m1, want.m)).toBeLessThan(1e-5);
    expect(relError(v1, want.v)).toBeLessThan(1e-5);
    expect(relError(p1, want.p)).toBeLessThan(1e-5);
    expect(relError(t1, want.target)).toBeLessThan(1e-5);
    expect(relError(ot1, Array.from(ot0, (x, i) => (1 - tau) * x + tau * o0[i]))).toBeLessThan(1e-6);
    // Metrics: means of the tape's extra columns into slots 2 and 6, the counter in slot 5.
    for (let a = 0; a < agents; a++) {
      for (const [c, slot] of [[0, 2], [1, 6]]) {
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += tapeData[(a * rows + r) * W + tapeWidth(net) + c];
        expect(mx[a * 8 + slot]).toBeCloseTo(metricsData[a * 8 + slot] + sum / rows, 5);
      }
      expect(mx[a * 8 + 5]).toBeCloseTo(metricsData[a * 8 + 5] + 1, 5);
      expect(mx[a * 8 + 0]).toBe(Math.fround(metricsData[a * 8 + 0]));
    }
    expect(Array.from(c1)).toEqual([9, 9, 0, 0]); // slot 1 committed to slot 0
  });

  it('refuses gradient clipping, which needs the per-layer program', async () => {
    const { ctx, cache } = await gpu();
    const net = Mlp.create(ctx, { sizes: [2, 3] }, { seed: 1 });
    const opt = new Adam(ctx, net.params, net.grads, 1, { maxGradNorm: 1 }, 'clipped');
    const tape = f32(ctx, 'tape', [1, 4, tapeWidth(net)]);
    await expect(paramUpdateDispatch(cache, {
      net, opt, tape, rows: 4, tapeWidth: tapeWidth(net), steps: { warmup: 0, stepsPerBlock: 1, updatesPerBlock: 1, index: 0, delay: 1 },
      clock: u32(ctx, 'c', [4]), clockSlot: 0, commitClock: false, metrics: { tensor: f32(ctx, 'm', [8]), width: 8, col: 0, slots: [], counter: 0 }, label: 'clipped',
    })).rejects.toThrow(/clipped max gradient norm: got 1, expected 0 in a row program/);
  });
});

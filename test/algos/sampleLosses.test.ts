/**
 * The loss kernels on stored Gaussian samples for graph nodes (shaders/rl/sample_losses.wgsl)
 * against float64 references on random inputs: log pi of stored samples, PPO's clipped surrogate
 * with its metrics and (clipped) value loss, RWR's weighted log-likelihood; each VJP against the float64 analytic gradient and against central finite
 * differences of the float64 forward (rows within 1e-3 of a clipping kink left out of the latter).
 */
import { describe, expect, it } from 'vitest';
import { logProbDispatch, surrogateBackwardDispatch, surrogateDispatch, valueLossBackwardDispatch, valueLossDispatch, weightedNllBackwardDispatch, weightedNllDispatch } from '../../src/algos/common/sampleLosses.js';
import { LOG_STD_RANGE } from '../../src/algos/common/segmentRows.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { matrix } from '../../src/gpu/view.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError, rng } from '../helpers/random.js';

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
const A = 3, ROWS = 150, CLIP = 0.2;
// The heads sit in columns 1..6 of an 8-wide tensor; the segment record is [x (3) | log pi_old | A | G | V_old | pad].
const HEAD_WIDTH = 8, SEG_WIDTH = 8;
const col = { x: 0, oldLogp: 3, adv: 4, ret: 5, oldValue: 6 };

function clampLogStd(ls: number): number {
  return Math.min(LOG_STD_RANGE[1], Math.max(LOG_STD_RANGE[0], ls));
}

function logProb(heads: ArrayLike<number>, x: ArrayLike<number>): number {
  let total = 0;
  for (let k = 0; k < A; k++) {
    const ls = clampLogStd(heads[A + k]);
    const z = (x[k] - heads[k]) / Math.exp(ls);
    total += -0.5 * z * z - ls - HALF_LOG_TWO_PI;
  }
  return total;
}

/** [loss, approx KL, clipped, entropy] of one row in float64. */
function surrogate(heads: ArrayLike<number>, x: ArrayLike<number>, oldLogp: number, adv: number): number[] {
  const logRatio = logProb(heads, x) - oldLogp;
  const ratio = Math.exp(logRatio);
  let entropy = 0;
  for (let k = 0; k < A; k++) entropy += clampLogStd(heads[A + k]) + 0.5 + HALF_LOG_TWO_PI;
  const clipped = Math.min(Math.max(ratio, 1 - CLIP), 1 + CLIP);
  return [Math.max(-adv * ratio, -adv * clipped), ratio - 1 - logRatio, Math.abs(ratio - 1) > CLIP ? 1 : 0, entropy];
}

function valueLoss(v: number, ret: number, oldRaw: number, stats: [number, number], clipValue: boolean): number {
  const old = (oldRaw - stats[0]) / stats[1];
  const plain = 0.5 * (v - ret) ** 2;
  if (!clipValue) return plain;
  const vClip = old + Math.min(Math.max(v - old, -CLIP), CLIP);
  return Math.max(plain, 0.5 * (vClip - ret) ** 2);
}

/** Random rows: log sigma partly beyond the clamp's top, log pi_old near log pi so ratios straddle 1 +- eps. */
function inputs(seed: number) {
  const next = rng(seed);
  const heads = randomArray(ROWS * HEAD_WIDTH, seed, -1, 1);
  for (let r = 0; r < ROWS; r++) for (let k = 0; k < A; k++) heads[r * HEAD_WIDTH + 1 + A + k] = Math.fround(r % 7 === 3 && k === 1 ? 2.3 : -1 + 1.5 * next());
  const segment = randomArray(ROWS * SEG_WIDTH, seed + 1, -1.5, 1.5);
  for (let r = 0; r < ROWS; r++) {
    const h = heads.subarray(r * HEAD_WIDTH + 1, r * HEAD_WIDTH + 1 + 2 * A);
    const x = segment.subarray(r * SEG_WIDTH, r * SEG_WIDTH + A);
    segment[r * SEG_WIDTH + col.oldLogp] = Math.fround(logProb(h, x) + 0.8 * (next() - 0.5));
    segment[r * SEG_WIDTH + col.adv] = Math.fround(2 * next() - 1 || 0.5);
  }
  return { heads, segment };
}

describe('loss kernels on stored Gaussian samples, for graph nodes', () => {
  it('log pi(x), the clipped surrogate and its metrics match float64', async () => {
    const { ctx, cache } = await gpu();
    const { heads, segment } = inputs(11);
    const headsT = f32(ctx, 'heads', [ROWS, HEAD_WIDTH], heads), segT = f32(ctx, 'segment', [ROWS, SEG_WIDTH], segment);
    const outT = f32(ctx, 'out', [ROWS, 4]), logpT = f32(ctx, 'logp', [ROWS, 2]);
    const hv = matrix(headsT, { rows: ROWS, cols: 2 * A, offset: 1, rowStride: HEAD_WIDTH });
    const seg = (c: number, cols = 1) => matrix(segT, { rows: ROWS, cols, offset: c, rowStride: SEG_WIDTH });
    const views = { heads: hv, x: seg(col.x, A), oldLogp: seg(col.oldLogp), adv: seg(col.adv), out: matrix(outT, { rows: ROWS, cols: 4 }) };
    await runOnce(ctx, [await surrogateDispatch(cache, views, CLIP), await logProbDispatch(cache, { heads: hv, x: views.x, out: matrix(logpT, { rows: ROWS, cols: 1, offset: 1, rowStride: 2 }) })]);
    const [out, logp] = await Promise.all([outT.read(), logpT.read()]);
    const want: number[] = [], wantLogp: number[] = [], gotLogp: number[] = [];
    let clippedRows = 0;
    for (let r = 0; r < ROWS; r++) {
      const h = heads.subarray(r * HEAD_WIDTH + 1, r * HEAD_WIDTH + 1 + 2 * A), x = segment.subarray(r * SEG_WIDTH, r * SEG_WIDTH + A);
      const s = surrogate(h, x, segment[r * SEG_WIDTH + col.oldLogp], segment[r * SEG_WIDTH + col.adv]);
      want.push(...s);
      clippedRows += s[2];
      wantLogp.push(logProb(h, x));
      gotLogp.push(logp[r * 2 + 1]);
    }
    expect(clippedRows).toBeGreaterThan(20);
    expect(clippedRows).toBeLessThan(ROWS - 20);
    expect(relError(gotLogp, wantLogp)).toBeLessThan(1e-5);
    // Approx KL (ratio - 1) - log ratio cancels in float32: its error is that of log ratio (~1e-6
    // absolute), relative to KLs of ~0.1.
    const tolerance = [1e-5, 1e-4, 1e-5, 1e-5];
    for (let c = 0; c < 4; c++) {
      const pick = (a: ArrayLike<number>) => Array.from({ length: ROWS }, (_, r) => a[r * 4 + c]);
      expect(relError(pick(out), pick(want)), `column ${c}`).toBeLessThan(tolerance[c]);
    }
  });

  it('the surrogate VJP matches float64 and central differences (loss and entropy twins)', async () => {
    const { ctx, cache } = await gpu();
    const { heads, segment } = inputs(12);
    const dout = randomArray(ROWS * 4, 13, 0.2, 1);
    const start = randomArray(ROWS * 2 * A, 14, -0.5, 0.5); // dheads is added to
    const headsT = f32(ctx, 'heads', [ROWS, HEAD_WIDTH], heads), segT = f32(ctx, 'segment', [ROWS, SEG_WIDTH], segment);
    const outT = f32(ctx, 'out', [ROWS, 4]), doutT = f32(ctx, 'dout', [ROWS, 4], dout), dheadsT = f32(ctx, 'dheads', [ROWS, 2 * A], start);
    const seg = (c: number, cols = 1) => matrix(segT, { rows: ROWS, cols, offset: c, rowStride: SEG_WIDTH });
    const views = { heads: matrix(headsT, { rows: ROWS, cols: 2 * A, offset: 1, rowStride: HEAD_WIDTH }), x: seg(col.x, A), oldLogp: seg(col.oldLogp), adv: seg(col.adv), out: matrix(outT, { rows: ROWS, cols: 4 }) };
    await runOnce(ctx, [await surrogateBackwardDispatch(cache, views, matrix(doutT, { rows: ROWS, cols: 4 }), matrix(dheadsT, { rows: ROWS, cols: 2 * A }), CLIP)]);
    const got = await dheadsT.read();
    const analytic: number[] = [], fd: number[] = [], gotFd: number[] = [];
    const gotAll = Array.from(got, (g, i) => g - start[i]);
    for (let r = 0; r < ROWS; r++) {
      const h = Array.from(heads.subarray(r * HEAD_WIDTH + 1, r * HEAD_WIDTH + 1 + 2 * A)), x = segment.subarray(r * SEG_WIDTH, r * SEG_WIDTH + A);
      const old = segment[r * SEG_WIDTH + col.oldLogp], adv = segment[r * SEG_WIDTH + col.adv];
      const weighted = (hh: number[]) => {
        const s = surrogate(hh, x, old, adv);
        return dout[r * 4] * s[0] + dout[r * 4 + 3] * s[3];
      };
      const ratio = Math.exp(logProb(h, x) - old);
      const unclippedIsMax = -adv * ratio >= -adv * Math.min(Math.max(ratio, 1 - CLIP), 1 + CLIP);
      const dlogp = unclippedIsMax ? -adv * ratio * dout[r * 4] : 0;
      const nearKink = Math.abs(ratio - 1 - CLIP) < 1e-3 || Math.abs(ratio - 1 + CLIP) < 1e-3;
      for (let j = 0; j < 2 * A; j++) {
        const k = j % A, ls = clampLogStd(h[A + k]), z = (x[k] - h[k]) / Math.exp(ls);
        const inRange = h[A + k] >= LOG_STD_RANGE[0] && h[A + k] <= LOG_STD_RANGE[1];
        analytic.push(j < A ? (dlogp * z) / Math.exp(ls) : inRange ? dlogp * (z * z - 1) + dout[r * 4 + 3] : 0);
        if (nearKink) continue;
        const step = 1e-6, up = [...h], down = [...h];
        up[j] += step;
        down[j] -= step;
        fd.push((weighted(up) - weighted(down)) / (2 * step));
        gotFd.push(gotAll[r * 2 * A + j]);
      }
    }
    expect(relError(gotAll, analytic)).toBeLessThan(1e-5);
    expect(fd.length).toBeGreaterThan(ROWS * A);
    expect(relError(gotFd, fd)).toBeLessThan(1e-4);
    // The clamped log sigma (2.3 > 2) gets no gradient from the loss or the entropy.
    expect(gotAll[3 * 2 * A + A + 1]).toBe(0);
  });

  it.each([true, false])('the value loss (clipped %s) and its VJP match float64 and central differences', async (clipValue) => {
    const { ctx, cache } = await gpu();
    const { segment } = inputs(21);
    const stats: [number, number] = [0.7, 1.9];
    const v = randomArray(ROWS, 22, -1.5, 1.5);
    // V_old (raw) near V so both the clipped and the plain term win on some rows.
    const next = rng(23);
    for (let r = 0; r < ROWS; r++) segment[r * SEG_WIDTH + col.oldValue] = Math.fround(stats[0] + stats[1] * (v[r] + 0.6 * (next() - 0.5)));
    const dout = randomArray(ROWS, 24, 0.2, 1), start = randomArray(ROWS * 2, 25, -0.5, 0.5);
    const vT = f32(ctx, 'v', [ROWS, 1], v), segT = f32(ctx, 'segment', [ROWS, SEG_WIDTH], segment), statsT = f32(ctx, 'stats', [1, 2], stats);
    const outT = f32(ctx, 'out', [ROWS, 1]), doutT = f32(ctx, 'dout', [ROWS, 1], dout), dvT = f32(ctx, 'dv', [ROWS, 2], start);
    const seg = (c: number) => matrix(segT, { rows: ROWS, cols: 1, offset: c, rowStride: SEG_WIDTH });
    const views = { v: matrix(vT, { rows: ROWS, cols: 1 }), ret: seg(col.ret), oldValue: seg(col.oldValue), stats: statsT, out: matrix(outT, { rows: ROWS, cols: 1 }) };
    const o = { clip: CLIP, clipValue };
    await runOnce(ctx, [await valueLossDispatch(cache, views, o), await valueLossBackwardDispatch(cache, views, matrix(doutT, { rows: ROWS, cols: 1 }), matrix(dvT, { rows: ROWS, cols: 1, offset: 1, rowStride: 2 }), o)]);
    const [out, dv] = await Promise.all([outT.read(), dvT.read()]);
    const want: number[] = [], fd: number[] = [], gotFd: number[] = [];
    let clippedWins = 0;
    for (let r = 0; r < ROWS; r++) {
      const ret = segment[r * SEG_WIDTH + col.ret], old = segment[r * SEG_WIDTH + col.oldValue];
      const f = (x: number) => valueLoss(x, ret, old, stats, clipValue);
      want.push(f(v[r]));
      if (f(v[r]) > 0.5 * (v[r] - ret) ** 2 + 1e-9) clippedWins++;
      const oldStd = (old - stats[0]) / stats[1];
      if (Math.abs(Math.abs(v[r] - oldStd) - CLIP) < 1e-3) continue;
      fd.push((dout[r] * (f(v[r] + 1e-6) - f(v[r] - 1e-6))) / 2e-6);
      gotFd.push(dv[r * 2 + 1] - start[r * 2 + 1]);
    }
    if (clipValue) expect(clippedWins).toBeGreaterThan(10);
    expect(relError(out, want)).toBeLessThan(1e-5);
    expect(fd.length).toBeGreaterThan(ROWS * 0.9);
    expect(relError(gotFd, fd)).toBeLessThan(1e-4);
    // Column 0 of dV's tensor is not its view: untouched.
    for (let r = 0; r < ROWS; r++) expect(dv[r * 2]).toBe(Math.fround(start[r * 2]));
  });

  it("RWR's weighted -log pi(x), its entropy column and its VJP match float64 and central differences", async () => {
    const { ctx, cache } = await gpu();
    const { heads, segment } = inputs(31);
    const dout = randomArray(ROWS * 2, 32, 0.2, 1), start = randomArray(ROWS * 2 * A, 33, -0.5, 0.5);
    const headsT = f32(ctx, 'heads', [ROWS, HEAD_WIDTH], heads), segT = f32(ctx, 'segment', [ROWS, SEG_WIDTH], segment);
    const outT = f32(ctx, 'out', [ROWS, 2]), doutT = f32(ctx, 'dout', [ROWS, 2], dout), dheadsT = f32(ctx, 'dheads', [ROWS, 2 * A], start);
    const seg = (c: number, cols = 1) => matrix(segT, { rows: ROWS, cols, offset: c, rowStride: SEG_WIDTH });
    const views = { heads: matrix(headsT, { rows: ROWS, cols: 2 * A, offset: 1, rowStride: HEAD_WIDTH }), x: seg(col.x, A), weights: seg(col.adv), out: matrix(outT, { rows: ROWS, cols: 2 }) };
    await runOnce(ctx, [await weightedNllDispatch(cache, views), await weightedNllBackwardDispatch(cache, views, matrix(doutT, { rows: ROWS, cols: 2 }), matrix(dheadsT, { rows: ROWS, cols: 2 * A }))]);
    const [out, got] = await Promise.all([outT.read(), dheadsT.read()]);
    const want: number[] = [], fd: number[] = [];
    for (let r = 0; r < ROWS; r++) {
      const h = Array.from(heads.subarray(r * HEAD_WIDTH + 1, r * HEAD_WIDTH + 1 + 2 * A)), x = segment.subarray(r * SEG_WIDTH, r * SEG_WIDTH + A);
      const w = segment[r * SEG_WIDTH + col.adv];
      want.push(-w * logProb(h, x), surrogate(h, x, 0, 1)[3]);
      // Only the first column's twin carries gradient (the entropy is reported, not optimized).
      const f = (hh: number[]) => dout[r * 2] * -w * logProb(hh, x);
      for (let j = 0; j < 2 * A; j++) {
        const up = [...h], down = [...h];
        up[j] += 1e-6;
        down[j] -= 1e-6;
        fd.push((f(up) - f(down)) / 2e-6);
      }
    }
    expect(relError(out, want)).toBeLessThan(1e-5);
    expect(relError(Array.from(got, (g, i) => g - start[i]), fd)).toBeLessThan(1e-4);
    expect(got[3 * 2 * A + A + 1]).toBe(Math.fround(start[3 * 2 * A + A + 1])); // clamped log sigma: no gradient
  });

  it('refuses views of the wrong shape or spread over two tensors, before any GPU work', async () => {
    const { ctx, cache } = await gpu();
    const h = matrix(f32(ctx, 'h', [4, 6]), { rows: 4, cols: 6 });
    const s = f32(ctx, 's', [4, 8]), other = f32(ctx, 'o', [4, 1]);
    const seg = (c: number, cols = 1) => matrix(s, { rows: 4, cols, offset: c, rowStride: 8 });
    const out = matrix(f32(ctx, 'out', [4, 4]), { rows: 4, cols: 4 });
    await expect(surrogateDispatch(cache, { heads: h, x: seg(0, 2), oldLogp: seg(3), adv: seg(4), out }, CLIP)).rejects.toThrow(/x.*\[1 x 4 x 3\]/);
    await expect(surrogateDispatch(cache, { heads: h, x: seg(0, 3), oldLogp: matrix(other, { rows: 4, cols: 1 }), adv: seg(4), out }, CLIP)).rejects.toThrow(/oldLogp.*a view into s/);
  });
});

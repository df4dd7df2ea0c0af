/**
 * The hard-attention example's kernels against float64 references: the data set (canvas, coarse
 * view, label, glyph window) drawn on the GPU equals glyphs.ts's examples exactly; the crop of a
 * chosen window; the cross-entropy cost and its VJP, with a finite-difference check.
 */
import { describe, expect, it } from 'vitest';
import { GlyphBatch, cropDispatch } from '../../src/attention/data.js';
import { CANVAS, CELL, CLASSES, COARSE, WINDOWS, glyphExample, windowPixels } from '../../src/attention/glyphs.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { matrix } from '../../src/gpu/view.js';
import { crossEntropy, crossEntropyBackward } from '../../src/nn/crossEntropy.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, rng } from '../helpers/random.js';

describe('cluttered-glyph data set', () => {
  it('the GPU draws exactly the float64 reference examples (canvas, coarse view, label, window)', async () => {
    const { ctx, cache } = await gpu();
    const rows = 200, seed = 9, stream = 31, step = 17;
    const clock = new Clock(ctx);
    clock.set(step);
    const batch = new GlyphBatch(ctx, rows, { seed, stream }, clock);
    await runOnce(ctx, [await batch.generate(cache)]);
    const [canvas, coarse, label, cell] = await Promise.all([batch.canvas.read(), batch.coarse.read(), batch.label.read(), batch.cell.read()]);
    const labels = new Set<number>(), windows = new Set<number>();
    for (let r = 0; r < rows; r++) {
      const e = glyphExample(seed, stream, step, r);
      labels.add(e.label);
      windows.add(e.window);
      expect(Array.from(canvas.subarray(r * CANVAS * CANVAS, (r + 1) * CANVAS * CANVAS)), `canvas ${r}`).toEqual(Array.from(e.canvas));
      expect(Array.from(coarse.subarray(r * COARSE * COARSE, (r + 1) * COARSE * COARSE)), `coarse ${r}`).toEqual(Array.from(e.coarse));
      expect(Array.from(label.subarray(r * CLASSES, (r + 1) * CLASSES)), `label ${r}`).toEqual(Array.from({ length: CLASSES }, (_, k) => (k === e.label ? 1 : 0)));
      expect(cell[r]).toBe(e.window);
      // The glyph lies inside its window: at least 7 of its pixels are lit there.
      expect(windowPixels(e.canvas, e.window).reduce((s, x) => s + x, 0)).toBeGreaterThanOrEqual(7);
    }
    expect(labels.size).toBe(CLASSES);
    expect(windows.size).toBe(WINDOWS);
  });

  it('a new clock step draws new examples', async () => {
    const a = glyphExample(1, 20, 0, 5), b = glyphExample(1, 20, 1, 5);
    expect(Array.from(a.canvas)).not.toEqual(Array.from(b.canvas));
  });
});

describe('crop of the chosen window', () => {
  it('equals sum_k window_k * pixels of window k, for one-hot and relaxed choices', async () => {
    const { ctx, cache } = await gpu();
    const rows = 70;
    const canvas = randomArray(rows * CANVAS * CANVAS, 3, 0.1, 1);
    const next = rng(4);
    const choice = new Float64Array(rows * WINDOWS);
    for (let r = 0; r < rows; r++) {
      if (r % 2 === 0) choice[r * WINDOWS + Math.floor(next() * WINDOWS)] = 1;
      else for (let k = 0; k < WINDOWS; k++) choice[r * WINDOWS + k] = Math.fround(0.05 + next());
    }
    // The choice lies in columns 2..10 of a wider tensor, as graph values may.
    const wide = new Float32Array(rows * 12);
    for (let r = 0; r < rows; r++) for (let k = 0; k < WINDOWS; k++) wide[r * 12 + 2 + k] = choice[r * WINDOWS + k];
    const canvasT = f32(ctx, 'canvas', [rows, CANVAS * CANVAS], canvas);
    const choiceT = f32(ctx, 'choice', [rows, 12], wide);
    const cropT = f32(ctx, 'crop', [rows, CELL * CELL]);
    const crop = matrix(cropT, { rows, cols: CELL * CELL });
    await runOnce(ctx, [await cropDispatch(cache, canvasT, matrix(choiceT, { rows, cols: WINDOWS, offset: 2, rowStride: 12 }), crop)]);
    const got = await cropT.read();
    let worst = 0;
    for (let r = 0; r < rows; r++) {
      const image = canvas.subarray(r * CANVAS * CANVAS, (r + 1) * CANVAS * CANVAS);
      const want = new Array(CELL * CELL).fill(0);
      for (let k = 0; k < WINDOWS; k++) windowPixels(image, k).forEach((x, j) => (want[j] += choice[r * WINDOWS + k] * x));
      want.forEach((w, j) => (worst = Math.max(worst, Math.abs(got[r * CELL * CELL + j] - w) / Math.max(1, Math.abs(w)))));
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('refuses a window view of the wrong width', async () => {
    const { ctx, cache } = await gpu();
    const t = f32(ctx, 'w', [4, 8]);
    await expect(cropDispatch(cache, f32(ctx, 'c', [4, CANVAS * CANVAS]), matrix(t, { rows: 4, cols: 8 }), matrix(f32(ctx, 'o', [4, 64]), { rows: 4, cols: 64 }))).rejects.toThrow(/window.*\[1 x rows x 9\]/);
  });
});

describe('cross-entropy cost', () => {
  const rows = 50, K = 7;
  const ceRef = (l: ArrayLike<number>, t: ArrayLike<number>, r: number) => {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, l[r * K + k]);
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(l[r * K + k] - m);
    const lse = m + Math.log(s);
    let c = 0;
    for (let k = 0; k < K; k++) c += t[r * K + k] * (lse - l[r * K + k]);
    return c;
  };

  async function run(logits: Float64Array, target: Float64Array, dce: Float64Array) {
    const { ctx, cache } = await gpu();
    const lT = f32(ctx, 'logits', [rows, K], logits), tT = f32(ctx, 'target', [rows, K], target);
    const ceT = f32(ctx, 'ce', [rows]), dceT = f32(ctx, 'dce', [rows], dce);
    const init = randomArray(rows * K, 8); // backward adds into what is there
    const dlT = f32(ctx, 'dlogits', [rows, K], init);
    const views = { logits: matrix(lT, { rows, cols: K }), target: matrix(tT, { rows, cols: K }), ce: matrix(ceT, { rows, cols: 1 }) };
    await runOnce(ctx, [await crossEntropy(cache, views), await crossEntropyBackward(cache, views, matrix(dceT, { rows, cols: 1 }), matrix(dlT, { rows, cols: K }))]);
    const dl = await dlT.read();
    return { ce: await ceT.read(), dlogits: Array.from(dl, (x, i) => x - init[i]) };
  }

  it('matches the float64 reference and its finite-difference gradient (one-hot and soft targets)', async () => {
    const logits = randomArray(rows * K, 5, -3, 3);
    const target = new Float64Array(rows * K);
    const next = rng(6);
    for (let r = 0; r < rows; r++) {
      if (r % 2 === 0) target[r * K + Math.floor(next() * K)] = 1;
      else for (let k = 0; k < K; k++) target[r * K + k] = Math.fround(0.1 + next());
    }
    const dce = randomArray(rows, 7, 0.5, 2);
    const { ce, dlogits } = await run(logits, target, dce);
    for (let r = 0; r < rows; r++) {
      expect(Math.abs(ce[r] - ceRef(logits, target, r))).toBeLessThan(1e-5 * Math.max(1, ceRef(logits, target, r)));
      for (let k = 0; k < K; k++) {
        const h = 1e-6, plus = Float64Array.from(logits), minus = Float64Array.from(logits);
        plus[r * K + k] += h;
        minus[r * K + k] -= h;
        const fd = (dce[r] * (ceRef(plus, target, r) - ceRef(minus, target, r))) / (2 * h);
        expect(Math.abs(dlogits[r * K + k] - fd), `row ${r} class ${k}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)) + 1e-6);
      }
    }
  });
});

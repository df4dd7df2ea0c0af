/**
 * GRU and LSTM cells over sequences against the float64 reference (test/reference/recurrent.ts):
 * outputs, the carried state and episode resets; backpropagation through time - full and truncated
 * every 2 steps - against central differences of the reference (in float64), for the parameters
 * of two agents and the inputs.
 */
import { describe, expect, it } from 'vitest';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { matrix } from '../../src/gpu/view.js';
import { RecurrentCell } from '../../src/nn/recurrent.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError } from '../helpers/random.js';
import { type CellShape, cellReference } from '../reference/recurrent.js';

const AGENTS = 2, IN = 3, H = 5, T = 6, B = 4;

function problem(kind: 'gru' | 'lstm', seed: number) {
  const shape: CellShape = { kind, inDim: IN, hidden: H, steps: T, batch: B };
  const S = kind === 'gru' ? H : 2 * H;
  const G = (kind === 'gru' ? 3 : 4) * H;
  const per = (IN + 1) * G + (H + 1) * G;
  const params = randomArray(AGENTS * per, seed, -0.6, 0.6);
  const x = randomArray(AGENTS * T * B * IN, seed + 1, -1.5, 1.5);
  const h0 = randomArray(AGENTS * B * S, seed + 2, -0.8, 0.8);
  const w = randomArray(AGENTS * T * B * H, seed + 3, -1, 1); // L = sum w . h
  // Episodes end before (t, b) for a few rows, including step 0 of sequence 1.
  const resets = new Float64Array(AGENTS * T * B);
  for (const [t, b] of [[0, 1], [2, 0], [3, 2], [4, 1], [5, 3]]) for (let a = 0; a < AGENTS; a++) resets[(a * T + t) * B + b] = 1;
  return { shape, S, per, params, x, h0, w, resets };
}

type Problem = ReturnType<typeof problem>;

/** Per agent: the reference's loss sum w . h and its run, optionally with frozen boundary states. */
function referenceLoss(pr: Problem, a: number, params: ArrayLike<number>, x: ArrayLike<number>, frozen?: { every: number; states: number[][][] }) {
  const { shape, S, per } = pr;
  const p = Array.from({ length: per }, (_, i) => params[a * per + i]);
  const xs = Array.from({ length: T * B * IN }, (_, i) => x[a * T * B * IN + i]);
  const h0 = Array.from({ length: B }, (_, b) => Array.from({ length: S }, (_, k) => pr.h0[(a * B + b) * S + k]));
  const resets = Array.from({ length: T * B }, (_, i) => pr.resets[a * T * B + i]);
  const run = cellReference(shape, p, xs, h0, resets, frozen);
  let loss = 0;
  run.hs.forEach((h, r) => h.forEach((v, j) => (loss += v * pr.w[(a * T * B + r) * H + j])));
  return { loss, run };
}

/** Time-major rows (t * B + b) of [AGENTS x T * B x cols] data reordered env-major (b * T + t). */
function envMajor(data: ArrayLike<number>, cols: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(data.length);
  for (let a = 0; a < AGENTS; a++) for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let c = 0; c < cols; c++) {
    out[((a * B + b) * T + t) * cols + c] = data[((a * T + t) * B + b) * cols + c];
  }
  return out;
}

/**
 * Forward and backward on the GPU. The gradient buffers start full of junk: backward must overwrite
 * them (or, with `accumulate`, add to them: the junk is subtracted again here).
 */
async function gpuRun(pr: Problem, o: { truncation?: number; carry?: boolean; order?: 'time' | 'env'; accumulate?: boolean } = {}) {
  const { ctx, cache } = await gpu();
  if (o.order === 'env') pr = { ...pr, x: envMajor(pr.x, IN), resets: envMajor(pr.resets, 1), w: envMajor(pr.w, H) };
  const cell = RecurrentCell.create(ctx, { kind: pr.shape.kind, inDim: IN, hidden: H, agents: AGENTS }, { seed: 1 });
  cell.params.write(pr.params);
  const xT = f32(ctx, 'x', [AGENTS, T * B, IN], pr.x);
  const h0 = f32(ctx, 'h0', [AGENTS, B, pr.S], pr.h0);
  const resets = f32(ctx, 'resets', [AGENTS, T * B], pr.resets);
  const junk = randomArray(AGENTS * pr.per, 99, -3, 3);
  cell.grads.write(junk);
  const dx = f32(ctx, 'dx', [AGENTS, T * B, IN], randomArray(AGENTS * T * B * IN, 98, -3, 3));
  const seq = cell.bind(cache, matrix(xT, { agents: AGENTS, rows: T * B, cols: IN }), { steps: T, h0, resets, carry: o.carry, truncation: o.truncation, order: o.order });
  seq.outputGrad.tensor.write(pr.w);
  const backward = await seq.backward({ inputGrad: matrix(dx, { agents: AGENTS, rows: T * B, cols: IN }), accumulateParams: o.accumulate });
  await runOnce(ctx, [...(await seq.forward()), ...backward]);
  const grads = await cell.grads.read();
  return { hs: await seq.output.tensor.read(), h0After: await h0.read(), grads: o.accumulate ? grads.map((g, i) => g - junk[i]) : grads, dx: await dx.read() };
}

/**
 * The same problem as a closed loop (cell.loop): each step's input a view of its own into a
 * trajectory tensor ([agents x B x T blocks of IN + 2 columns], as SVG(inf)'s rollout lays steps
 * out), forwardStep 0..T-1, then backwardStep T-1..0 with the input gradient into the twin's views.
 */
async function gpuLoop(pr: Problem, o: { truncation?: number } = {}) {
  const { ctx, cache } = await gpu();
  const cell = RecurrentCell.create(ctx, { kind: pr.shape.kind, inDim: IN, hidden: H, agents: AGENTS }, { seed: 1 });
  cell.params.write(pr.params);
  const W = T * (IN + 2);
  const traj = new Float64Array(AGENTS * B * W).fill(7);
  for (let a = 0; a < AGENTS; a++) for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let c = 0; c < IN; c++) {
    traj[(a * B + b) * W + t * (IN + 2) + 1 + c] = pr.x[((a * T + t) * B + b) * IN + c];
  }
  const x = f32(ctx, 'traj', [AGENTS, B, W], traj);
  const dx = f32(ctx, 'traj grad', [AGENTS, B, W]);
  const at = (tensor: typeof x, t: number) => matrix(tensor, { agents: AGENTS, rows: B, cols: IN, offset: t * (IN + 2) + 1, rowStride: W });
  const h0 = f32(ctx, 'h0', [AGENTS, B, pr.S], pr.h0);
  const resets = f32(ctx, 'resets', [AGENTS, T * B], pr.resets);
  cell.grads.write(randomArray(AGENTS * pr.per, 99, -3, 3)); // the last step's backward overwrites them
  const seq = cell.loop(cache, { steps: T, batch: B, h0, resets, truncation: o.truncation });
  seq.outputGrad.tensor.write(pr.w);
  const list = [];
  for (let t = 0; t < T; t++) list.push(...(await seq.forwardStep(t, at(x, t))));
  for (let t = T - 1; t >= 0; t--) list.push(...(await seq.backwardStep(t, at(x, t), { accumulateParams: t < T - 1, inputGrad: at(dx, t) })));
  await runOnce(ctx, list);
  const trajGrad = await dx.read();
  const dxTime = new Float64Array(AGENTS * T * B * IN);
  for (let a = 0; a < AGENTS; a++) for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let c = 0; c < IN; c++) {
    dxTime[((a * T + t) * B + b) * IN + c] = trajGrad[(a * B + b) * W + t * (IN + 2) + 1 + c];
  }
  const untouched = trajGrad.filter((_, i) => (i % W) % (IN + 2) === 0 || (i % W) % (IN + 2) === IN + 1);
  return { hs: await seq.output.tensor.read(), grads: await cell.grads.read(), dx: dxTime, untouched, seq, h0After: await h0.read() };
}

describe.each(['gru', 'lstm'] as const)('%s cell in a closed loop (one step at a time)', (kind) => {
  it.each([6, 2])('gives the whole sequence\'s outputs and gradients (BPTT truncated every %d steps), resets included', async (K) => {
    const pr = problem(kind, kind === 'gru' ? 70 : 80);
    const whole = await gpuRun(pr, { truncation: K });
    const loop = await gpuLoop(pr, { truncation: K });
    // The whole sequence is checked against central differences above; the loop computes the same sums.
    expect(relError(loop.hs, whole.hs)).toBeLessThan(1e-6);
    expect(relError(loop.grads, whole.grads)).toBeLessThan(1e-5);
    expect(relError(loop.dx, whole.dx)).toBeLessThan(1e-5);
    expect(loop.untouched.every((v) => v === 0)).toBe(true);
    expect(Array.from(loop.h0After)).toEqual(Array.from(Float32Array.from(pr.h0))); // no carry: h0 stays
  });

  it('refuses a step out of range, a wrong step input, and the whole-sequence passes', async () => {
    const { ctx, cache } = await gpu();
    const cell = RecurrentCell.create(ctx, { kind, inDim: IN, hidden: H }, { seed: 1 });
    const seq = cell.loop(cache, { steps: 3, batch: 4, h0: f32(ctx, 'h0', [4 * cell.stateWidth]) });
    const x = matrix(f32(ctx, 'x', [4, IN]), { rows: 4, cols: IN });
    await expect(seq.forwardStep(3, x)).rejects.toThrow(/step.*0\.\.2|step/);
    await expect(seq.forwardStep(0, matrix(f32(ctx, 'x5', [5, IN]), { rows: 5, cols: IN }))).rejects.toThrow(/input of step 0.*\[1 x 4 x 3\]/);
    await expect(seq.forward()).rejects.toThrow(/closed loop has no sequence input/);
    expect(() => cell.loop(cache, { steps: 3, batch: 0, h0: f32(ctx, 'h0b', [1]) })).toThrow(/batch/);
  });
});

describe.each(['gru', 'lstm'] as const)('%s cell', (kind) => {
  it('outputs and the carried state match the float64 reference, resets included', async () => {
    const pr = problem(kind, kind === 'gru' ? 10 : 20);
    const got = await gpuRun(pr, { carry: true });
    const wantH: number[] = [], wantFinal: number[] = [];
    for (let a = 0; a < AGENTS; a++) {
      const { run } = referenceLoss(pr, a, pr.params, pr.x);
      run.hs.forEach((h) => wantH.push(...h));
      run.final.forEach((s) => wantFinal.push(...s));
    }
    expect(relError(got.hs, wantH)).toBeLessThan(1e-5);
    expect(relError(got.h0After, wantFinal)).toBeLessThan(1e-5);
  });

  it.each([6, 2])('backpropagation through time truncated every %d steps matches central differences of the reference', async (K) => {
    const pr = problem(kind, kind === 'gru' ? 30 : 40);
    const got = await gpuRun(pr, { truncation: K });
    const eps = 1e-6;
    const wantP = new Float64Array(pr.params.length), wantX = new Float64Array(pr.x.length);
    for (let a = 0; a < AGENTS; a++) {
      // Truncated BPTT differentiates the loss with the states entering steps K, 2K, ... held at their values.
      const frozen = K < T ? { every: K, states: referenceLoss(pr, a, pr.params, pr.x).run.entering } : undefined;
      const loss = (p: ArrayLike<number>, x: ArrayLike<number>) => referenceLoss(pr, a, p, x, frozen).loss;
      for (let i = a * pr.per; i < (a + 1) * pr.per; i++) {
        const plus = Float64Array.from(pr.params), minus = Float64Array.from(pr.params);
        plus[i] += eps;
        minus[i] -= eps;
        wantP[i] = (loss(plus, pr.x) - loss(minus, pr.x)) / (2 * eps);
      }
      for (let i = a * T * B * IN; i < (a + 1) * T * B * IN; i++) {
        const plus = Float64Array.from(pr.x), minus = Float64Array.from(pr.x);
        plus[i] += eps;
        minus[i] -= eps;
        wantX[i] = (loss(pr.params, plus) - loss(pr.params, minus)) / (2 * eps);
      }
    }
    console.log(`${kind} K=${K}: params ${relError(got.grads, wantP).toExponential(2)}, inputs ${relError(got.dx, wantX).toExponential(2)}, max grad ${Math.max(...wantP.map(Math.abs)).toFixed(3)}`);
    expect(relError(got.grads, wantP)).toBeLessThan(1e-4);
    expect(relError(got.dx, wantX)).toBeLessThan(1e-4);
    if (K < T) {
      // Truncation changes the gradient (else the test would not tell them apart).
      const full = await gpuRun(pr, { truncation: T });
      expect(relError(full.grads, wantP)).toBeGreaterThan(1e-2);
    }
  });

  it('accumulateParams adds the gradients to those already there (two losses, one cell)', async () => {
    const pr = problem(kind, 60);
    const plain = await gpuRun(pr);
    const added = await gpuRun(pr, { accumulate: true });
    expect(relError(added.grads, plain.grads)).toBeLessThan(1e-5);
  });

  it('env-major rows (b * T + t, as segments store them) give the same outputs and gradients', async () => {
    const pr = problem(kind, 50);
    const time = await gpuRun(pr, { truncation: 3, carry: true });
    const env = await gpuRun(pr, { truncation: 3, carry: true, order: 'env' });
    expect(relError(env.hs, envMajor(time.hs, H))).toBeLessThan(1e-6);
    expect(relError(env.h0After, time.h0After)).toBeLessThan(1e-6);
    expect(relError(env.grads, time.grads)).toBeLessThan(1e-5);
    expect(relError(env.dx, envMajor(time.dx, IN))).toBeLessThan(1e-5);
  });

  it('refuses inputs that are not whole sequences, and a wrong h0', async () => {
    const { ctx, cache } = await gpu();
    const cell = RecurrentCell.create(ctx, { kind, inDim: IN, hidden: H }, { seed: 1 });
    const x = matrix(f32(ctx, 'x', [7, IN]), { rows: 7, cols: IN });
    expect(() => cell.bind(cache, x, { steps: 2, h0: f32(ctx, 'h0', [4 * cell.stateWidth]) })).toThrow(/input rows.*a multiple of steps \(2\)/);
    const x8 = matrix(f32(ctx, 'x8', [8, IN]), { rows: 8, cols: IN });
    expect(() => cell.bind(cache, x8, { steps: 2, h0: f32(ctx, 'h0b', [3]) })).toThrow(/h0/);
    expect(() => RecurrentCell.create(ctx, { kind: 'rnn' as 'gru', inDim: 1, hidden: 1 }, { seed: 1 })).toThrow(/kind.*gru, lstm/);
  });
});

/**
 * Float64 reference of GRU and LSTM cells (PyTorch's equations) over time-major sequences with
 * episode resets, in the parameter layout of src/nn/recurrent.ts. `frozen` replaces the state
 * entering the steps t with t % K == 0 (t > 0) by given values: the function whose gradient is
 * backpropagation through time truncated every K steps.
 */
export interface CellShape {
  kind: 'gru' | 'lstm';
  inDim: number;
  hidden: number;
  steps: number;
  batch: number;
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/** y = [v, 1] W_aug for one W_aug block (rows: inputs then bias; columns: outputs). */
function affine(p: ArrayLike<number>, offset: number, v: number[], out: number): number[] {
  const y = new Array(out).fill(0);
  for (let o = 0; o < out; o++) {
    let s = p[offset + v.length * out + o];
    for (let i = 0; i < v.length; i++) s += v[i] * p[offset + i * out + o];
    y[o] = s;
  }
  return y;
}

export interface CellRun {
  /** h_t, [steps * batch x hidden]. */
  hs: number[][];
  /** The state after the last step, [batch][state]. */
  final: number[][];
  /** The state entering each step (after resets), [steps][batch][state]. */
  entering: number[][][];
}

export function cellReference(shape: CellShape, p: ArrayLike<number>, x: ArrayLike<number>, h0: number[][], resets: ArrayLike<number> | null, frozen?: { every: number; states: number[][][] }): CellRun {
  const { kind, inDim, hidden: H, steps, batch } = shape;
  const G = (kind === 'gru' ? 3 : 4) * H;
  const hOffset = (inDim + 1) * G;
  const hs: number[][] = [];
  const entering: number[][][] = [];
  let state = h0.map((s) => [...s]);
  for (let t = 0; t < steps; t++) {
    const keep = (b: number) => (resets ? 1 - resets[t * batch + b] : 1);
    let s = state.map((v, b) => v.map((e) => e * keep(b)));
    if (frozen && t > 0 && t % frozen.every === 0) s = frozen.states[t].map((v) => [...v]);
    entering.push(s);
    const next: number[][] = [];
    for (let b = 0; b < batch; b++) {
      const xv = Array.from({ length: inDim }, (_, i) => x[(t * batch + b) * inDim + i]);
      const hPrev = s[b].slice(0, H);
      const px = affine(p, 0, xv, G), ph = affine(p, hOffset, hPrev, G);
      const h = new Array(H), c = new Array(H);
      for (let j = 0; j < H; j++) {
        if (kind === 'gru') {
          const r = sig(px[j] + ph[j]), z = sig(px[H + j] + ph[H + j]);
          const n = Math.tanh(px[2 * H + j] + r * ph[2 * H + j]);
          h[j] = (1 - z) * n + z * hPrev[j];
        } else {
          const i = sig(px[j] + ph[j]), f = sig(px[H + j] + ph[H + j]), g = Math.tanh(px[2 * H + j] + ph[2 * H + j]), o = sig(px[3 * H + j] + ph[3 * H + j]);
          c[j] = f * s[b][H + j] + i * g;
          h[j] = o * Math.tanh(c[j]);
        }
      }
      hs.push(h);
      next.push(kind === 'gru' ? h : [...h, ...c]);
    }
    state = next;
  }
  return { hs, final: state, entering };
}

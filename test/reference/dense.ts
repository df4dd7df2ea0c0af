/**
 * Float64 references for dense layers, written plainly (loops, no tricks) so they can be trusted
 * as the oracle: forward, analytic backward, and central finite differences of the forward.
 */
import type { Activation } from '../../src/nn/linear.js';
import type { Mlp } from '../../src/nn/mlp.js';

export function act(a: Activation, z: number): number {
  if (a === 'relu') return Math.max(z, 0);
  if (a === 'tanh') return Math.tanh(z);
  return z;
}

/** y[r, o] = act(sum_i x[r, i] w[i, o] + b[o]) with w_aug = [w; b] row-major (in + 1) x out. */
export function denseForward(x: Float64Array, wAug: Float64Array, rows: number, inDim: number, outDim: number, a: Activation): Float64Array {
  const y = new Float64Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outDim; o++) {
      let z = wAug[inDim * outDim + o];
      for (let i = 0; i < inDim; i++) z += x[r * inDim + i] * wAug[i * outDim + o];
      y[r * outDim + o] = act(a, z);
    }
  }
  return y;
}

/** Central finite differences of L(theta) = sum(g * f(theta)) with respect to every entry of theta. */
export function finiteDifference(theta: Float64Array, loss: (t: Float64Array) => number, h = 1e-6): Float64Array {
  const grad = new Float64Array(theta.length);
  const t = Float64Array.from(theta);
  for (let i = 0; i < t.length; i++) {
    const keep = t[i];
    t[i] = keep + h;
    const up = loss(t);
    t[i] = keep - h;
    const down = loss(t);
    t[i] = keep;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** `net`'s output on one input row x in float64, from one agent's parameter block (its layers' W_aug at their offsets). */
export function mlpForward(net: Mlp, params: ArrayLike<number>, x: readonly number[]): number[] {
  let h = [...x];
  for (const layer of net.layers) {
    const out: number[] = [];
    for (let j = 0; j < layer.outDim; j++) {
      let z = params[layer.offset + layer.inDim * layer.outDim + j];
      for (let i = 0; i < layer.inDim; i++) z += h[i] * params[layer.offset + i * layer.outDim + j];
      out.push(act(layer.activation, z));
    }
    h = out;
  }
  return h;
}

/** Agent a's block of a tensor of `net`-shaped vectors (parameters, gradients), in float64. */
export function agentBlock(net: Mlp, all: ArrayLike<number>, a: number): Float64Array {
  return Float64Array.from(Array.prototype.slice.call(all, a * net.paramsPerAgent, (a + 1) * net.paramsPerAgent) as number[]);
}

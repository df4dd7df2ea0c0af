/**
 * The fixed linear map from a discrete policy's samples (one-hot rows, or bits) to normalized
 * actions: a one-layer identity-activation network that is never trained, so graphs
 * differentiate through it like through any network (pathwise estimators of discrete policies).
 */
import type { GpuContext } from '../../gpu/context.js';
import { Mlp } from '../../nn/mlp.js';

/** a_j = sum_i w(i, j) x_i + b(j), the same for every agent. */
export function fixedDecoder(ctx: GpuContext, o: { agents: number; inDim: number; outDim: number; seed: number; weight: (i: number, j: number) => number; bias: (j: number) => number }): Mlp {
  const { agents, inDim, outDim } = o;
  const decoder = Mlp.create(ctx, { sizes: [inDim, outDim], hidden: 'identity', output: 'identity', agents }, { seed: o.seed, stream: 9, label: 'action decoder' });
  // W_aug is (in + 1) x out, row-major, the bias row last.
  const w = new Float32Array(agents * (inDim + 1) * outDim);
  for (let agent = 0; agent < agents; agent++) {
    const base = agent * (inDim + 1) * outDim;
    for (let i = 0; i < inDim; i++) for (let j = 0; j < outDim; j++) w[base + i * outDim + j] = o.weight(i, j);
    for (let j = 0; j < outDim; j++) w[base + inDim * outDim + j] = o.bias(j);
  }
  decoder.params.write(w);
  return decoder;
}

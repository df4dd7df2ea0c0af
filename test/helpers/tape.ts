/** Reading the tapes row programs write (shaders/fused/mlp_row.wgsl's mlp_tape_write). */
import type { Mlp } from '../../src/nn/mlp.js';

/** dL/dW_aug summed over the rows of a tape in float64, as fused/param_update.wgsl sums it. */
export function tapeGradients(net: Mlp, tape: Float32Array, rows: number, width: number): Float64Array {
  const g = new Float64Array(net.agents * net.paramsPerAgent);
  for (let a = 0; a < net.agents; a++) {
    let xAt = 0;
    let dAt = net.layers.reduce((s, l) => s + l.inDim, 0);
    for (const layer of net.layers) {
      for (let r = 0; r < rows; r++) {
        const row = (a * rows + r) * width;
        for (let i = 0; i <= layer.inDim; i++) {
          const x = i === layer.inDim ? 1 : tape[row + xAt + i];
          for (let j = 0; j < layer.outDim; j++) g[a * net.paramsPerAgent + layer.offset + i * layer.outDim + j] += x * tape[row + dAt + j];
        }
      }
      xAt += layer.inDim;
      dAt += layer.outDim;
    }
  }
  return g;
}

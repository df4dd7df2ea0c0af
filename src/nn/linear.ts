/**
 * Dispatches of one dense layer (shaders/nn/linear.wgsl): forward with bias and activation
 * fused, backward to the input and backward to the weights and bias. Parameters of a layer are
 * one (in + 1) x out block "W_aug" (weights, then the bias row) inside a network's parameter
 * buffer; gradients use the same layout in a buffer of the same size.
 */
import { ConfigError } from '../errors.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../gpu/kernel.js';
import { shaders } from '../gpu/shaders.js';
import type { Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import type { MatrixView } from '../gpu/view.js';

export type Activation = 'identity' | 'relu' | 'tanh';
export const ACTIVATIONS: readonly Activation[] = ['identity', 'relu', 'tanh'];
const ACT_ID: Record<Activation, number> = { identity: 0, relu: 1, tanh: 2 };

/** Where a layer's parameters live inside a parameter buffer of [agents x paramsPerAgent]. */
export interface LayerParams {
  readonly inDim: number;
  readonly outDim: number;
  readonly activation: Activation;
  /** Offset of this layer's W_aug inside one agent's block. */
  readonly offset: number;
  readonly paramsPerAgent: number;
  readonly agents: number;
}

export interface Tiles {
  TM: number;
  TN: number;
  TK: number;
  RM: number;
  RN: number;
}

/**
 * Tile shape per problem size. Small outputs are latency-bound (many small workgroups keep more
 * of the GPU busy); large ones throughput-bound (bigger tiles reuse each load more).
 */
export function chooseTiles(m: number, n: number): Tiles {
  if (m * n <= 512 * 256) return { TM: 16, TN: 16, TK: 16, RM: 1, RN: 1 };
  if (m * n <= 4096 * 256) return { TM: 32, TN: 32, TK: 16, RM: 2, RN: 2 };
  return { TM: 64, TN: 64, TK: 8, RM: 4, RN: 4 };
}

interface Operand {
  offset: number;
  agentStride: number;
  strideI: number;
  strideJ: number;
}

function gemmDispatch(
  cache: PipelineCache,
  entry: 'forward' | 'backward_input' | 'backward_weight',
  act: Activation,
  dims: { m: number; n: number; k: number; agents: number; ones: number; accumulate: boolean },
  a: Operand & { tensor: Tensor },
  b: Operand & { tensor: Tensor },
  y: Tensor,
  c: Operand & { tensor: Tensor },
  label: string,
  tiles: Tiles = chooseTiles(dims.m, dims.n),
): Promise<Dispatch> {
  const params = uniform()
    .u32(dims.m).u32(dims.n).u32(dims.k).u32(dims.accumulate ? 1 : 0)
    .u32(a.offset).u32(a.agentStride).u32(a.strideI).u32(a.strideJ)
    .u32(b.offset).u32(b.agentStride).u32(b.strideI).u32(b.strideJ)
    .u32(c.offset).u32(c.agentStride).u32(c.strideI).u32(c.strideJ)
    .u32(dims.ones).u32(0).u32(0).u32(0)
    .build(cache.ctx, label);
  const kernel = { shader: shaders.linear, entryPoint: entry, constants: { ...tiles, ACT: ACT_ID[act] } };
  const workgroups = [Math.ceil(dims.n / tiles.TN), Math.ceil(dims.m / tiles.TM), dims.agents] as const;
  return makeDispatch(cache, kernel, { 0: params, 1: a.tensor, 2: b.tensor, 3: y, 4: c.tensor }, workgroups, label);
}

function checkView(what: string, view: MatrixView, rows: number, cols: number, agents: number): void {
  if (view.rows !== rows || view.cols !== cols || view.agents !== agents) {
    throw new ConfigError(
      what,
      `[${view.agents} x ${view.rows} x ${view.cols}]`,
      `a view of [agents x rows x cols] = [${agents} x ${rows} x ${cols}]`,
    );
  }
}

function weightOperand(layer: LayerParams, params: Tensor, transposed: boolean): Operand & { tensor: Tensor } {
  return {
    tensor: params,
    offset: layer.offset,
    agentStride: layer.paramsPerAgent,
    strideI: transposed ? 1 : layer.outDim,
    strideJ: transposed ? layer.outDim : 1,
  };
}

function viewOperand(view: MatrixView, transposed = false): Operand & { tensor: Tensor } {
  return {
    tensor: view.tensor,
    offset: view.offset,
    agentStride: view.agentStride,
    strideI: transposed ? 1 : view.rowStride,
    strideJ: transposed ? view.rowStride : 1,
  };
}

/** y = act(x W + b). */
export async function linearForward(
  cache: PipelineCache,
  layer: LayerParams,
  params: Tensor,
  x: MatrixView,
  y: MatrixView,
  label = 'linear forward',
  tiles?: Tiles,
): Promise<Dispatch> {
  checkView(`${label}: input`, x, x.rows, layer.inDim, layer.agents);
  checkView(`${label}: output`, y, x.rows, layer.outDim, layer.agents);
  const dims = { m: x.rows, n: layer.outDim, k: layer.inDim + 1, agents: layer.agents, ones: layer.inDim, accumulate: false };
  return gemmDispatch(cache, 'forward', layer.activation, dims, viewOperand(x), weightOperand(layer, params, false), params, viewOperand(y), label, tiles);
}

/** dx (+)= (dy * act'(y)) W^T. */
export async function linearBackwardInput(
  cache: PipelineCache,
  layer: LayerParams,
  params: Tensor,
  y: MatrixView,
  dy: MatrixView,
  dx: MatrixView,
  accumulate = false,
  label = 'linear backward_input',
  tiles?: Tiles,
): Promise<Dispatch> {
  checkView(`${label}: output`, y, y.rows, layer.outDim, layer.agents);
  checkView(`${label}: output gradient`, dy, y.rows, layer.outDim, layer.agents);
  checkView(`${label}: input gradient`, dx, y.rows, layer.inDim, layer.agents);
  sameLayout(label, y, dy);
  const dims = { m: y.rows, n: layer.inDim, k: layer.outDim, agents: layer.agents, ones: 0xffffffff, accumulate };
  return gemmDispatch(cache, 'backward_input', layer.activation, dims, viewOperand(dy), weightOperand(layer, params, true), y.tensor, viewOperand(dx), label, tiles);
}

/** grads[W_aug] (+)= [x, 1]^T (dy * act'(y)). */
export async function linearBackwardWeight(
  cache: PipelineCache,
  layer: LayerParams,
  x: MatrixView,
  y: MatrixView,
  dy: MatrixView,
  grads: Tensor,
  accumulate = false,
  label = 'linear backward_weight',
  tiles?: Tiles,
): Promise<Dispatch> {
  checkView(`${label}: input`, x, x.rows, layer.inDim, layer.agents);
  checkView(`${label}: output`, y, x.rows, layer.outDim, layer.agents);
  checkView(`${label}: output gradient`, dy, x.rows, layer.outDim, layer.agents);
  sameLayout(label, y, dy);
  const dims = { m: layer.inDim + 1, n: layer.outDim, k: x.rows, agents: layer.agents, ones: layer.inDim, accumulate };
  const c = weightOperand(layer, grads, false);
  return gemmDispatch(cache, 'backward_weight', layer.activation, dims, viewOperand(x, true), viewOperand(dy), y.tensor, c, label, tiles);
}

// The kernel reads act'(y) at dy's index, so y and dy must be laid out alike.
function sameLayout(label: string, y: MatrixView, dy: MatrixView): void {
  if (y.offset !== dy.offset || y.rowStride !== dy.rowStride || y.agentStride !== dy.agentStride) {
    throw new ConfigError(`${label}: output gradient layout`, `offset ${dy.offset}, strides ${dy.rowStride}/${dy.agentStride}`, `the output's (offset ${y.offset}, strides ${y.rowStride}/${y.agentStride})`);
  }
}

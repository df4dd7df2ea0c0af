/**
 * Dispatches of one dense layer (shaders/nn/linear.wgsl): forward with bias and activation
 * fused, backward to the input and backward to the weights and bias. Parameters of a layer are
 * one (in + 1) x out block "W_aug" (weights, then the bias row) inside a network's parameter
 * buffer; gradients use the same layout in a buffer of the same size.
 */
import { ConfigError } from '../errors.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../gpu/kernel.js';
import type { ShaderSource } from '../gpu/shaders.js';
import linearWgsl from '../../shaders/nn/linear.wgsl?raw';
import { f32, type Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import type { MatrixView } from '../gpu/view.js';

const LINEAR: ShaderSource = { path: 'nn/linear.wgsl', code: linearWgsl };

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
 * Tile shape per problem size and device. On a GPU, small outputs are latency-bound (many small
 * workgroups keep more of it busy) and large ones throughput-bound (bigger tiles reuse each load
 * more). CPU adapters run a workgroup's invocations in turn and pay for every barrier per
 * invocation, and llvmpipe turns every workgroup-memory read at a lane-dependent index into one
 * load per lane; there 4 x 4 outputs per invocation win (each tile value read serves four
 * products). Measured on lavapipe (forward / fused backward, ms): 2048x64x64 with 16x16 tiles of
 * 2 x 2 per invocation 14.0 / 31.0, of 4 x 4 8.0 / 17.0, 32x32 tiles of 4 x 4 5.0 / 14.6;
 * 2048x64x2 (a policy head) 2.7 / 6.8, 1.8 / 3.5, 2.5 / 5.1; 64x64x64 0.51 / 0.77, 0.26 / 0.58,
 * 0.21 / 0.50 (bench/results/linear-tiles-llvmpipe-2026-12-02.md). In order of summation the
 * shapes agree (every output sums k = 0, 1, ... in turn), so they give the same bits.
 */
export function chooseTiles(m: number, n: number, software = false): Tiles {
  if (software) return m >= 32 && n >= 32 && m * n > 64 * 64 ? { TM: 32, TN: 32, TK: 16, RM: 4, RN: 4 } : { TM: 16, TN: 16, TK: 16, RM: 4, RN: 4 };
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

type Dims = { m: number; n: number; k: number; agents: number; ones: number; accumulate: boolean };
type Bound = Operand & { tensor: Tensor };

function gemmUniform(cache: PipelineCache, dims: Dims, a: Operand, b: Operand, c: Operand, label: string): GPUBuffer {
  return uniform()
    .u32(dims.m).u32(dims.n).u32(dims.k).u32(dims.accumulate ? 1 : 0)
    .u32(a.offset).u32(a.agentStride).u32(a.strideI).u32(a.strideJ)
    .u32(b.offset).u32(b.agentStride).u32(b.strideI).u32(b.strideJ)
    .u32(c.offset).u32(c.agentStride).u32(c.strideI).u32(c.strideJ)
    .u32(dims.ones).u32(dims.agents).u32(0).u32(0)
    .build(cache.ctx, label);
}

// Every entry point of linear.wgsl binds 0-8; the single-problem ones fill the fused backward's
// second operands with these (one read-only, one writable: WebGPU forbids binding one buffer
// both ways in a dispatch).
const dummies = new WeakMap<object, { read: Tensor; write: Tensor }>();
function dummy(cache: PipelineCache): { read: Tensor; write: Tensor } {
  let d = dummies.get(cache.ctx);
  if (!d) {
    d = cache.ctx.persistent(() => ({ read: f32(cache.ctx, 'linear unused (read)', [4]), write: f32(cache.ctx, 'linear unused (write)', [4]) }));
    dummies.set(cache.ctx, d);
  }
  return d;
}

/** One GEMM problem of linear.wgsl: C (+)= act-aware A B, with `y` the layer output the backward entries read act'(y) from. */
interface Gemm {
  entry: 'forward' | 'backward_input' | 'backward_weight';
  activation: Activation;
  dims: Dims;
  a: Bound;
  b: Bound;
  y: Tensor;
  c: Bound;
  label: string;
  tiles?: Tiles;
}

function gemmDispatch(cache: PipelineCache, g: Gemm): Promise<Dispatch> {
  const { dims, a, b, c, label } = g;
  const tiles = g.tiles ?? chooseTiles(dims.m, dims.n, cache.softwareTiles);
  const params = gemmUniform(cache, dims, a, b, c, label);
  const kernel = { shader: LINEAR, entryPoint: g.entry, constants: { ...tiles, ACT: ACT_ID[g.activation] } };
  const workgroups = [Math.ceil(dims.n / tiles.TN), Math.ceil(dims.m / tiles.TM), dims.agents] as const;
  const { read, write } = dummy(cache);
  return makeDispatch(cache, kernel, { 0: params, 1: a.tensor, 2: b.tensor, 3: g.y, 4: c.tensor, 5: read, 6: read, 7: write }, workgroups, label);
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

/** How a layer dispatch is named and tiled (default: chooseTiles for the problem and device). */
export interface LayerCall {
  label?: string;
  tiles?: Tiles;
}

/** y = act(x W + b). */
export async function linearForward(cache: PipelineCache, layer: LayerParams, o: { params: Tensor; x: MatrixView; y: MatrixView }, call: LayerCall = {}): Promise<Dispatch> {
  const label = call.label ?? 'linear forward';
  checkView(`${label}: input`, o.x, o.x.rows, layer.inDim, layer.agents);
  checkView(`${label}: output`, o.y, o.x.rows, layer.outDim, layer.agents);
  const dims = { m: o.x.rows, n: layer.outDim, k: layer.inDim + 1, agents: layer.agents, ones: layer.inDim, accumulate: false };
  return gemmDispatch(cache, { entry: 'forward', activation: layer.activation, dims, a: viewOperand(o.x), b: weightOperand(layer, o.params, false), y: o.params, c: viewOperand(o.y), label, tiles: call.tiles });
}

/** dx (+)= (dy * act'(y)) W^T; with `accumulate`, added to dx. */
export async function linearBackwardInput(
  cache: PipelineCache,
  layer: LayerParams,
  o: { params: Tensor; y: MatrixView; dy: MatrixView; dx: MatrixView },
  call: LayerCall & { accumulate?: boolean } = {},
): Promise<Dispatch> {
  const label = call.label ?? 'linear backward_input';
  const { y, dy, dx } = o;
  checkView(`${label}: output`, y, y.rows, layer.outDim, layer.agents);
  checkView(`${label}: output gradient`, dy, y.rows, layer.outDim, layer.agents);
  checkView(`${label}: input gradient`, dx, y.rows, layer.inDim, layer.agents);
  sameLayout(label, y, dy);
  const dims = { m: y.rows, n: layer.inDim, k: layer.outDim, agents: layer.agents, ones: 0xffffffff, accumulate: call.accumulate ?? false };
  return gemmDispatch(cache, { entry: 'backward_input', activation: layer.activation, dims, a: viewOperand(dy), b: weightOperand(layer, o.params, true), y: y.tensor, c: viewOperand(dx), label, tiles: call.tiles });
}

/** grads[W_aug] (+)= [x, 1]^T (dy * act'(y)); with `accumulate`, added to the gradients. */
export async function linearBackwardWeight(
  cache: PipelineCache,
  layer: LayerParams,
  o: { grads: Tensor; x: MatrixView; y: MatrixView; dy: MatrixView },
  call: LayerCall & { accumulate?: boolean } = {},
): Promise<Dispatch> {
  const label = call.label ?? 'linear backward_weight';
  const { x, y, dy } = o;
  checkView(`${label}: input`, x, x.rows, layer.inDim, layer.agents);
  checkView(`${label}: output`, y, x.rows, layer.outDim, layer.agents);
  checkView(`${label}: output gradient`, dy, x.rows, layer.outDim, layer.agents);
  sameLayout(label, y, dy);
  const dims = { m: layer.inDim + 1, n: layer.outDim, k: x.rows, agents: layer.agents, ones: layer.inDim, accumulate: call.accumulate ?? false };
  return gemmDispatch(cache, { entry: 'backward_weight', activation: layer.activation, dims, a: viewOperand(x, true), b: viewOperand(dy), y: y.tensor, c: weightOperand(layer, o.grads, false), label, tiles: call.tiles });
}

// The kernel reads act'(y) at dy's index, so y and dy must be laid out alike.
function sameLayout(label: string, y: MatrixView, dy: MatrixView): void {
  if (y.offset !== dy.offset || y.rowStride !== dy.rowStride || y.agentStride !== dy.agentStride) {
    throw new ConfigError(`${label}: output gradient layout`, `offset ${dy.offset}, strides ${dy.rowStride}/${dy.agentStride}`, `the output's (offset ${y.offset}, strides ${y.rowStride}/${y.agentStride})`);
  }
}

/**
 * Both gradients of a layer in one dispatch (the fused `backward` entry point): parameter
 * gradients into `grads` and, when `dx` is given, the input gradient. Equal to
 * linearBackwardWeight followed by linearBackwardInput, one dependent dispatch shorter.
 */
export async function linearBackward(
  cache: PipelineCache,
  layer: LayerParams,
  o: { params: Tensor; grads: Tensor; x: MatrixView; y: MatrixView; dy: MatrixView; dx: MatrixView },
  options: LayerCall & { accumulateParams?: boolean; accumulateInput?: boolean } = {},
): Promise<Dispatch> {
  const { params, grads, x, y, dy, dx } = o;
  const label = options.label ?? 'linear backward';
  checkView(`${label}: input`, x, x.rows, layer.inDim, layer.agents);
  checkView(`${label}: output`, y, x.rows, layer.outDim, layer.agents);
  checkView(`${label}: output gradient`, dy, x.rows, layer.outDim, layer.agents);
  checkView(`${label}: input gradient`, dx, x.rows, layer.inDim, layer.agents);
  sameLayout(label, y, dy);
  const w: Dims = { m: layer.inDim + 1, n: layer.outDim, k: x.rows, agents: layer.agents, ones: layer.inDim, accumulate: options.accumulateParams ?? false };
  const i: Dims = { m: y.rows, n: layer.inDim, k: layer.outDim, agents: layer.agents, ones: 0xffffffff, accumulate: options.accumulateInput ?? false };
  const tiles = options.tiles ?? chooseTiles(Math.max(w.m, i.m), Math.max(w.n, i.n), cache.softwareTiles);
  const gw = gemmUniform(cache, w, viewOperand(x, true), viewOperand(dy), weightOperand(layer, grads, false), `${label} (weights)`);
  const gi = gemmUniform(cache, i, viewOperand(dy), weightOperand(layer, params, true), viewOperand(dx), `${label} (input)`);
  const kernel = { shader: LINEAR, entryPoint: 'backward', constants: { ...tiles, ACT: ACT_ID[layer.activation] } };
  const workgroups = [Math.max(Math.ceil(w.n / tiles.TN), Math.ceil(i.n / tiles.TN)), Math.max(Math.ceil(w.m / tiles.TM), Math.ceil(i.m / tiles.TM)), 2 * layer.agents] as const;
  return makeDispatch(cache, kernel, { 0: gw, 1: x.tensor, 2: dy.tensor, 3: y.tensor, 4: grads, 5: dy.tensor, 6: params, 7: dx.tensor, 8: gi }, workgroups, label);
}

/**
 * Dispatches of the small deterministic and cost nodes of a stochastic computation graph
 * (shaders/scg/ops.wgsl): elementwise maps with their vector-Jacobian products, per-row costs
 * with their gradient seeds, and buffer clearing.
 */
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../gpu/kernel.js';
import { type ShaderSource, view, withReduce } from '../gpu/shaders.js';
import scgOpsWgsl from '../../shaders/scg/ops.wgsl?raw';
import type { Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import type { MatrixView } from '../gpu/view.js';

const SCG_OPS: ShaderSource = withReduce('scg/ops.wgsl', [view], scgOpsWgsl);

export type MapOp = 'add' | 'mul' | 'square';
export type CostOp = 'sum' | 'squaredError' | 'dot';
const OP_ID: Record<MapOp | CostOp, number> = { add: 0, mul: 1, square: 2, sum: 0, squaredError: 3, dot: 4 };

interface OpsArgs {
  op: MapOp | CostOp;
  a: MatrixView;
  b?: MatrixView;
  out?: MatrixView;
  dout?: MatrixView;
  alpha?: number;
  beta?: number;
  accumulate?: boolean;
  metricSlot?: number;
  metricWidth?: number;
}

function params(cache: PipelineCache, x: OpsArgs, label: string): GPUBuffer {
  const { a } = x;
  return uniform()
    .u32(a.rows).u32(a.cols).u32(x.accumulate ? 1 : 0).u32(x.metricSlot ?? 0)
    .f32(x.alpha ?? 1).f32(x.beta ?? 1).u32(x.metricWidth ?? 1).u32(0)
    .view(a).view(x.b ?? a).view(x.out ?? a).view(x.dout ?? a)
    .build(cache.ctx, label);
}

const kernel = (op: MapOp | CostOp, entryPoint: string) => ({ shader: SCG_OPS, entryPoint, constants: { OP: OP_ID[op] } });

const rowGroups = (v: MatrixView): [number, number] => [groups(v.rows, 64), v.agents];

/** out = op(a, b) elementwise (out += with `accumulate`). */
export function mapDispatch(cache: PipelineCache, x: OpsArgs & { out: MatrixView }, label: string): Promise<Dispatch> {
  const bindings = { 0: params(cache, x, label), 1: x.a.tensor, 2: (x.b ?? x.a).tensor, 3: x.out.tensor };
  return makeDispatch(cache, kernel(x.op, 'map'), bindings, rowGroups(x.a), label);
}

/** `out` (the gradient of input `which`) += dout * d op / d input. */
export function mapBackwardDispatch(cache: PipelineCache, which: 'a' | 'b', x: OpsArgs & { out: MatrixView; dout: MatrixView }, label: string): Promise<Dispatch> {
  const bindings = { 0: params(cache, x, label), 1: x.a.tensor, 2: (x.b ?? x.a).tensor, 3: x.out.tensor, 4: x.dout.tensor };
  return makeDispatch(cache, kernel(x.op, `map_backward_${which}`), bindings, rowGroups(x.a), label);
}

/** cost[agent, row] = per-row cost of `a` (and `b`); its mean over rows added to metrics[slot]. */
export function rowCostDispatch(cache: PipelineCache, x: OpsArgs & { cost: Tensor<'f32'>; metrics: Tensor<'f32'> }, label: string): Promise<Dispatch> {
  const bindings = { 0: params(cache, x, label), 1: x.a.tensor, 2: (x.b ?? x.a).tensor, 5: x.cost, 6: x.metrics };
  return makeDispatch(cache, kernel(x.op, 'row_cost'), bindings, [x.a.agents], label);
}

/** `out` (a's gradient) += d mean_rows(cost) / d a. */
export function rowCostBackwardDispatch(cache: PipelineCache, x: OpsArgs & { out: MatrixView }, label: string): Promise<Dispatch> {
  const bindings = { 0: params(cache, x, label), 1: x.a.tensor, 2: (x.b ?? x.a).tensor, 3: x.out.tensor };
  return makeDispatch(cache, kernel(x.op, 'row_cost_backward'), bindings, rowGroups(x.a), label);
}

/** Zeroes a whole tensor. */
export function clearDispatch(cache: PipelineCache, t: Tensor<'f32'>, label = `clear ${t.label}`): Promise<Dispatch> {
  const u = uniform().u32(t.size).u32(1).u32(0).u32(0).f32(0).f32(0).u32(0).u32(0);
  for (let i = 0; i < 4; i++) u.view({ offset: 0, rowStride: 0, agentStride: 0 });
  const n = groups(t.size, 64);
  const max = cache.ctx.limits.maxComputeWorkgroupsPerDimension;
  const gx = Math.min(n, max);
  return makeDispatch(cache, kernel('add', 'clear'), { 0: u.build(cache.ctx, label), 3: t }, [gx, Math.ceil(n / gx)], label);
}

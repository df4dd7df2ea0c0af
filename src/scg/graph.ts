/**
 * A stochastic computation graph over GPU tensors (Schulman et al. 2015, "Gradient Estimation
 * Using Stochastic Computation Graphs"): deterministic nodes (MLPs, elementwise ops, custom
 * kernels such as env dynamics), stochastic nodes that say how their gradient is estimated, and
 * cost nodes. `compile()` turns the graph into a forward and a backward dispatch list (the
 * surrogate's gradient, averaged over rows: compile.ts).
 *
 * This class is the graph's API; the work is in values.ts (values, twins, metric slots),
 * deterministic.ts, stochastic.ts, costs.ts and compile.ts.
 */
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import type { MatrixView } from '../gpu/view.js';
import type { Mlp } from '../nn/mlp.js';
import { type Compiled, compile } from './compile.js';
import { type SumCostOptions, counter, squaredError, sumCost } from './costs.js';
import { type CustomNode, type RecurrentLoop, custom, input, join, map, mlp, recurrent, recurrentLoop, selectColumns, slice } from './deterministic.js';
import type { RecurrentCell, SequenceOptions } from '../nn/recurrent.js';
import {
  type BinaryEstimator,
  type BinaryNode,
  type CategoricalEstimator,
  type CategoricalNode,
  type GaussianNode,
  type GaussianOptions,
  type NoiseOptions,
  binary,
  categorical,
  gaussian,
} from './stochastic.js';
import { type Cost, type GraphOptions, GraphState, type Value, isCost } from './values.js';

// The types of the graph's API, where its users look for them.
export type { BinaryEstimator, BinaryNode, CategoricalEstimator, CategoricalNode, Compiled, Cost, GaussianNode, GraphOptions, RecurrentLoop, Value };
export type { GaussianEstimator } from './stochastic.js';

export class Graph {
  private readonly s: GraphState;

  constructor(ctx: GpuContext, cache: PipelineCache, options: GraphOptions) {
    this.s = new GraphState(ctx, cache, options);
  }

  get ctx(): GpuContext {
    return this.s.ctx;
  }
  get agents(): number {
    return this.s.agents;
  }
  get rows(): number {
    return this.s.rows;
  }
  get label(): string {
    return this.s.label;
  }
  /** The [agents x width] tensor costs report their means into. */
  get metrics(): Tensor<'f32'> {
    return this.s.metrics;
  }
  get metricWidth(): number {
    return this.s.metricWidth;
  }

  /** The twin gradient tensor of a value tensor (allocated on first use). */
  gradTensor(t: Tensor<'f32'>): Tensor<'f32'> {
    return this.s.gradTensor(t);
  }

  /** dSurrogate/dValue after backward: the value's view in its twin tensor. */
  grad(v: Value | MatrixView): MatrixView {
    return this.s.grad(v);
  }

  // ---- deterministic nodes (deterministic.ts) ----

  /** Data, or (with `grad`) a leaf whose gradient the caller reads (e.g. per-row parameters). */
  input(view: MatrixView, options: { grad?: boolean; label?: string } = {}): Value {
    return input(this.s, view, options);
  }

  /** Columns [from, from + count) of a value (no dispatch: the same memory). */
  slice(v: Value, from: number, count: number, label = `${v.label}[${from}:${from + count}]`): Value {
    return slice(this.s, v, from, count, label);
  }

  /** Values lying side by side in one tensor, as one value (no dispatch). */
  join(parts: readonly Value[], label = parts.map((p) => p.label).join('|')): Value {
    return join(this.s, parts, label);
  }

  /** y = net(x), trained (parameter gradients) or, with `train: false`, a fixed function of x. */
  mlp(net: Mlp, x: Value, options: { train?: boolean; into?: MatrixView; label?: string } = {}): Value {
    return mlp(this.s, net, x, options);
  }

  /** h_t of a GRU or LSTM cell over time-major sequences (rows t * batch + b), with backpropagation through time. */
  recurrent(cell: RecurrentCell, x: Value, options: Omit<SequenceOptions, 'output' | 'outputGrad'> & { train?: boolean }): Value {
    return recurrent(this.s, cell, x, options);
  }

  /**
   * A recurrent cell in a closed loop over `steps` steps of this graph's rows (e.g. a policy in a
   * differentiable simulator, whose next observation depends on its last action): add step t
   * with `loop.step(t, x_t, h_{t-1})`. h0 (data, [agents x rows x stateWidth]) is the state
   * before step 0; `resets` (dense [agents x steps * rows], time-major) zero the state entering a step.
   */
  recurrentLoop(cell: RecurrentCell, options: { steps: number; h0: Tensor<'f32'>; resets?: Tensor<'f32'>; truncation?: number; train?: boolean; label?: string }): RecurrentLoop {
    return recurrentLoop(this.s, cell, options);
  }

  /** Columns `selection` of a value, in order (e.g. an env's limited sensors): a slice if adjacent, else one copy per run. */
  selectColumns(v: Value, selection: readonly number[], label = `${v.label}[${selection.join(',')}]`): Value {
    return selectColumns(this.s, v, selection, label);
  }

  /** alpha a + beta b (written `into` a view, if given). */
  add(a: Value, b: Value, alpha = 1, beta = 1, label = `${a.label}+${b.label}`, into?: MatrixView): Value {
    return map(this.s, 'add', a, b, alpha, beta, label, into);
  }

  /** alpha a b (elementwise). */
  mul(a: Value, b: Value, alpha = 1, label = `${a.label}*${b.label}`): Value {
    return map(this.s, 'mul', a, b, alpha, 0, label);
  }

  /** alpha a. */
  scale(a: Value, alpha: number, label = `${alpha}*${a.label}`): Value {
    return map(this.s, 'add', a, null, alpha, 0, label);
  }

  /** alpha a^2. */
  square(a: Value, alpha = 1, label = `${a.label}^2`): Value {
    return map(this.s, 'square', a, null, alpha, 0, label);
  }

  /** A node with hand-written dispatches; its backward adds into the inputs' twin tensors (`gradTensor`). */
  custom(spec: CustomNode): Value[] {
    return custom(this.s, spec);
  }

  // ---- stochastic nodes (stochastic.ts) ----

  /** a ~ N(mu, diag(exp(logStd)^2)), tanh-squashed with `squash`; pathwise or score function. */
  gaussian(mu: Value, logStd: Value, options: GaussianOptions): GaussianNode {
    return gaussian(this.s, mu, logStd, options);
  }

  /** A categorical sample from softmax(logits): Gumbel-softmax, straight-through or score function. */
  categorical(logits: Value, options: NoiseOptions & { estimator: CategoricalEstimator; tau?: number; observed?: MatrixView }): CategoricalNode {
    return categorical(this.s, logits, options);
  }

  /** Binary units b ~ Bernoulli(sigmoid(logits)): binary Concrete, straight-through or score function. */
  binary(logits: Value, options: NoiseOptions & { estimator: BinaryEstimator; tau?: number; observed?: MatrixView }): BinaryNode {
    return binary(this.s, logits, options);
  }

  // ---- costs (costs.ts) ----

  /** Cost per row: scale * sum of the value's columns (weighted if asked); its mean goes to a metric slot. */
  sumCost(a: Value, options: SumCostOptions = {}): Cost {
    return sumCost(this.s, a, options);
  }

  /** Cost per row: scale * |prediction - target|^2, the target held constant. */
  squaredError(prediction: Value, target: MatrixView, options: { scale?: number; label?: string } = {}): Cost {
    return squaredError(this.s, prediction, target, options);
  }

  /** A metric slot that counts forward passes (a constant cost of 1 per row; no gradient). */
  counter(label = 'count', metricSlot?: number): Cost {
    return counter(this.s, label, metricSlot);
  }

  /** The next free metric slot, for a kernel outside the graph that reports into the same tensor. */
  reserveMetricSlot(label: string): number {
    return this.s.metricSlot(label);
  }

  /** The graph's forward and backward dispatch lists. */
  compile(): Promise<Compiled> {
    return compile(this.s);
  }

  /** The cost values, in creation order (their metric slots name what they report). */
  get costs(): Cost[] {
    return this.s.values.filter(isCost);
  }
}

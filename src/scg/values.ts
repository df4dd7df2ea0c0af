/**
 * The state a stochastic computation graph is built on: values (views of GPU tensors), their
 * gradient twins, the nodes in creation order, and the metric slots costs report into. The node
 * builders (deterministic.ts, stochastic.ts, costs.ts) add to it; compile.ts reads it.
 *
 * Every value is a [agents x rows x cols] view; a value's gradient is the same view in a twin
 * tensor allocated per value tensor, so values placed side by side in one tensor (`into`, `join`)
 * have gradients side by side too, and a network reading [s | a] needs no copy.
 */
import { ConfigError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { type MatrixView, matrix } from '../gpu/view.js';
import type { Mlp } from '../nn/mlp.js';
import type { Clock } from '../rng/clock.js';

export interface Value {
  readonly id: number;
  readonly label: string;
  readonly view: MatrixView;
  /** Some trainable quantity is upstream along a differentiable path. */
  readonly requiresGrad: boolean;
}

/** A cost node's value: its per-row cost, dense [agents x rows x 1]. */
export interface Cost extends Value {
  /** Column of the graph's metrics tensor that accumulates the mean cost of every forward pass. */
  readonly metricSlot: number;
}

export function isCost(v: Value): v is Cost {
  return 'metricSlot' in v;
}

/** One backward pass being compiled: what earlier (later-created) nodes already wrote. */
export interface BackwardPass {
  /**
   * Whether a node already wrote `net`'s parameter gradients in this pass (and marks that one
   * has now): the first use in backward order writes them, later ones add. (Any network with a
   * gradient buffer: an Mlp, a recurrent cell.)
   */
  wroteParams(net: { readonly grads: Tensor<'f32'> }): boolean;
}

/** A score-function node's term: grad log p(sample) times per-row weights (downstream costs - baseline). */
export interface ScoreTerm {
  /** The values whose gradients the term adds to. */
  params: readonly Value[];
  baseline?: Value;
  /** Adds the term's gradients, with `weight` dense [agents x rows] (already divided by rows). */
  dispatch(weight: Tensor<'f32'>): Promise<Dispatch>;
}

export interface Node {
  label: string;
  inputs: readonly Value[];
  outputs: readonly Value[];
  forward: () => Promise<Dispatch[]>;
  /** Adds the gradients of this node's inputs, given its outputs' (null: not differentiable). */
  backward: ((pass: BackwardPass) => Promise<Dispatch[]>) | null;
  score?: ScoreTerm;
}

export interface GraphOptions {
  agents: number;
  rows: number;
  clock: Clock;
  label?: string;
  /** Metrics tensor [agents x width] to accumulate mean costs into, from column `firstSlot`. */
  metrics?: { tensor: Tensor<'f32'>; width: number; firstSlot: number };
}

export class GraphState {
  readonly agents: number;
  readonly rows: number;
  readonly label: string;
  readonly clock: Clock;
  readonly metrics: Tensor<'f32'>;
  readonly metricWidth: number;
  readonly values: Value[] = [];
  readonly nodes: Node[] = [];
  /** Value tensor -> its gradient twin, in creation order (backward clears them all first). */
  readonly twins = new Map<Tensor<'f32'>, Tensor<'f32'>>();
  /** Other gradient tapes that start every backward pass at zero (a closed recurrent loop's state gradients). */
  readonly zeroed = new Set<Tensor<'f32'>>();
  private nextSlot: number;

  constructor(
    readonly ctx: GpuContext,
    readonly cache: PipelineCache,
    options: GraphOptions,
  ) {
    this.agents = options.agents;
    this.rows = options.rows;
    this.label = options.label ?? 'scg';
    this.clock = options.clock;
    const m = options.metrics;
    this.metricWidth = m?.width ?? 8;
    this.metrics = m?.tensor ?? f32(ctx, `${this.label}.metrics`, [this.agents, this.metricWidth]);
    this.nextSlot = m?.firstSlot ?? 0;
  }

  /** Registers a value of this graph's [agents x rows] shape. */
  value(view: MatrixView, label: string, requiresGrad: boolean): Value {
    if (view.agents !== this.agents || view.rows !== this.rows) {
      throw new ConfigError(`${this.label} value ${label}`, `[${view.agents} x ${view.rows} x ${view.cols}]`, `[${this.agents} x ${this.rows} x cols]`);
    }
    const v: Value = { id: this.values.length, label, view, requiresGrad };
    this.values.push(v);
    return v;
  }

  /** A dense [agents x rows x cols] tensor of the graph's own. */
  own(cols: number, label: string): MatrixView {
    return matrix(f32(this.ctx, `${this.label}.${label}`, [this.agents, this.rows, cols]), { agents: this.agents, rows: this.rows, cols });
  }

  /** The twin gradient tensor of a value tensor (allocated on first use). */
  gradTensor(t: Tensor<'f32'>): Tensor<'f32'> {
    let g = this.twins.get(t);
    if (!g) {
      g = f32(this.ctx, `${t.label}.grad`, t.shape);
      this.twins.set(t, g);
    }
    return g;
  }

  /** dSurrogate/dValue after backward: the value's view in its twin tensor. */
  grad(v: Value | MatrixView): MatrixView {
    const view = 'view' in v ? v.view : v;
    return { ...view, tensor: this.gradTensor(view.tensor) };
  }

  /** Zero `t` with the twins before every backward pass. */
  zeroEachPass(t: Tensor<'f32'>): void {
    this.zeroed.add(t);
  }

  push(node: Node): void {
    this.nodes.push(node);
  }

  /** A metric slot: `slot` if given, else the next free one; checked against the width. */
  metricSlot(label: string, slot?: number): number {
    const s = slot ?? this.nextSlot++;
    if (s >= this.metricWidth) throw new ConfigError(`${this.label} metric ${label}`, `slot ${s}`, `below the metrics width ${this.metricWidth}`);
    return s;
  }
}

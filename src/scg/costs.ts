/**
 * Cost nodes: per-row costs whose mean over rows is the objective, each also added (as a mean)
 * to a slot of the graph's metrics tensor every forward pass.
 */
import { ConfigError } from '../errors.js';
import { f32 } from '../gpu/tensor.js';
import { type MatrixView, matrix } from '../gpu/view.js';
import { input } from './deterministic.js';
import { type CostOp, rowCostBackwardDispatch, rowCostDispatch } from './ops.js';
import type { Cost, GraphState, Value } from './values.js';

function cost(g: GraphState, op: CostOp, a: Value, b: MatrixView | undefined, scale: number, label: string, metricSlot?: number): Cost {
  const slot = g.metricSlot(`cost ${label}`, metricSlot);
  const tensor = f32(g.ctx, `${g.label}.${label}`, [g.agents, g.rows]);
  const value: Cost = { ...g.value(matrix(tensor, { agents: g.agents, rows: g.rows, cols: 1 }), label, a.requiresGrad), metricSlot: slot };
  g.values[value.id] = value;
  const args = { op, a: a.view, b, alpha: scale, metricSlot: slot, metricWidth: g.metricWidth };
  g.push({
    label,
    inputs: [a],
    outputs: [value],
    forward: async () => [await rowCostDispatch(g.cache, { ...args, cost: tensor, metrics: g.metrics }, label)],
    backward: a.requiresGrad ? async () => [await rowCostBackwardDispatch(g.cache, { ...args, out: g.grad(a) }, `${label} backward`)] : null,
  });
  return value;
}

export interface SumCostOptions {
  scale?: number;
  /** Per-column weights (e.g. discounts), [agents x rows x cols] or a broadcast row. */
  weights?: MatrixView;
  label?: string;
  /** Report into this metric slot (costs may share one: a sum) instead of a slot of its own. */
  metricSlot?: number;
}

/** Cost per row: scale * sum of the value's columns (weighted by `weights` if given). */
export function sumCost(g: GraphState, a: Value, options: SumCostOptions = {}): Cost {
  return cost(g, options.weights ? 'dot' : 'sum', a, options.weights, options.scale ?? 1, options.label ?? `cost(${a.label})`, options.metricSlot);
}

/** Cost per row: scale * |prediction - target|^2, the target held constant. */
export function squaredError(g: GraphState, prediction: Value, target: MatrixView, options: { scale?: number; label?: string } = {}): Cost {
  if (target.cols !== prediction.view.cols) throw new ConfigError(`${g.label} squared error target`, target.cols, `${prediction.view.cols} columns`);
  return cost(g, 'squaredError', prediction, target, options.scale ?? 1, options.label ?? `mse(${prediction.label})`);
}

/** A metric slot that counts forward passes (a constant cost of 1 per row; no gradient). */
export function counter(g: GraphState, label = 'count', metricSlot?: number): Cost {
  const ones = f32(g.ctx, `${g.label}.${label}.ones`, [g.agents, g.rows], new Float32Array(g.agents * g.rows).fill(1));
  return sumCost(g, input(g, matrix(ones, { agents: g.agents, rows: g.rows, cols: 1 }), { label }), { label, metricSlot });
}

/**
 * Deterministic nodes of a stochastic computation graph: inputs, column slices and joins (no
 * dispatch: views of the same memory), networks, elementwise maps, and custom nodes with
 * hand-written dispatches and their VJP (e.g. a simulator step). Each builder registers its
 * output values and a node with a forward and (where differentiable) a backward pass.
 */
import { ConfigError } from '../errors.js';
import type { Dispatch } from '../gpu/kernel.js';
import { type MatrixView, columns, matrix } from '../gpu/view.js';
import type { Mlp } from '../nn/mlp.js';
import type { RecurrentCell, SequenceOptions } from '../nn/recurrent.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { type MapOp, mapBackwardDispatch, mapDispatch } from './ops.js';
import type { GraphState, Value } from './values.js';

/** Data, or (with `grad`) a leaf whose gradient the caller reads. */
export function input(g: GraphState, view: MatrixView, options: { grad?: boolean; label?: string } = {}): Value {
  const v = g.value(view, options.label ?? view.tensor.label, options.grad ?? false);
  if (v.requiresGrad) g.gradTensor(view.tensor);
  return v;
}

/** Columns [from, from + count) of a value. */
export function slice(g: GraphState, v: Value, from: number, count: number, label: string): Value {
  const out = g.value(columns(v.view, from, count), label, v.requiresGrad);
  g.push({ label, inputs: [v], outputs: [out], forward: async () => [], backward: async () => [] });
  return out;
}

/** Values lying side by side in one tensor, as one value. */
export function join(g: GraphState, parts: readonly Value[], label: string): Value {
  const first = parts[0].view;
  let cols = 0;
  for (const p of parts) {
    const v = p.view;
    if (v.tensor !== first.tensor || v.rowStride !== first.rowStride || v.agentStride !== first.agentStride || v.offset !== first.offset + cols) {
      throw new ConfigError(`${g.label} join ${label}`, p.label, 'values in adjacent columns of one tensor (place them there with `into`)');
    }
    cols += v.cols;
  }
  const out = g.value({ ...first, cols }, label, parts.some((p) => p.requiresGrad));
  g.push({ label, inputs: parts, outputs: [out], forward: async () => [], backward: async () => [] });
  return out;
}

/**
 * y = net(x). With `train`, the network's parameter gradients are computed (a network used by
 * several nodes of one graph accumulates them); without, it is a fixed function still
 * differentiated with respect to its input.
 */
export function mlp(g: GraphState, net: Mlp, x: Value, options: { train?: boolean; into?: MatrixView; label?: string } = {}): Value {
  const label = options.label ?? net.label;
  const train = options.train ?? true;
  const requiresGrad = train || x.requiresGrad;
  const out = options.into ?? g.own(net.outDim, `${label}.out`);
  if (requiresGrad && net.layers.length === 1 && x.view.tensor === out.tensor) {
    throw new ConfigError(`${g.label} ${label}`, 'input and output in one tensor', 'separate tensors for a one-layer network (its backward reads one and writes the other)');
  }
  const batch = net.bind(g.cache, x.view, { label, output: out, outputGrad: requiresGrad ? g.grad(out) : undefined });
  const y = g.value(batch.output, label, requiresGrad);
  g.push({
    label,
    inputs: [x],
    outputs: [y],
    forward: () => batch.forward(),
    backward: requiresGrad
      ? (pass) =>
          batch.backward({
            paramGrads: train,
            accumulateParams: train && pass.wroteParams(net),
            inputGrad: x.requiresGrad ? g.grad(x) : undefined,
            accumulateInput: true,
          })
      : null,
  });
  return y;
}

/**
 * h_t of a recurrent cell over time-major sequences (`x` rows t * batch + b; the graph's rows are
 * steps * batch), with backpropagation through time (truncated every `truncation` steps) into
 * the cell's parameters (with `train`) and into `x` where it needs gradients.
 */
export function recurrent(g: GraphState, cell: RecurrentCell, x: Value, options: Omit<SequenceOptions, 'output' | 'outputGrad'> & { train?: boolean }): Value {
  const label = options.label ?? cell.label;
  const train = options.train ?? true;
  const requiresGrad = train || x.requiresGrad;
  const out = g.own(cell.hidden, `${label}.out`);
  const seq = cell.bind(g.cache, x.view, { ...options, label, output: out, outputGrad: requiresGrad ? g.grad(out) : undefined });
  const y = g.value(seq.output, label, requiresGrad);
  g.push({
    label,
    inputs: [x],
    outputs: [y],
    forward: () => seq.forward(),
    backward: requiresGrad
      ? (pass) => seq.backward({ paramGrads: train, accumulateParams: train && pass.wroteParams(cell), inputGrad: x.requiresGrad ? g.grad(x) : undefined, accumulateInput: true })
      : null,
  });
  return y;
}

/** A recurrent cell in a closed loop (`Graph.recurrentLoop`): one node per step. */
export interface RecurrentLoop {
  /**
   * h_t from x_t (graph rows = the loop's batch) and the previous step's h (null at t = 0: the
   * loop's h0, data). Steps are added in order 0, 1, ...; step t's input may depend on h_{t-1}.
   */
  step(t: number, x: Value, previous: Value | null): Value;
}

/**
 * A recurrent cell whose input at step t is computed in the graph from earlier steps (a policy
 * acting in a differentiable simulator): step t's node runs the cell's step t forward, and
 * backward (in reverse creation order, so after step t + 1's) carries the state gradient step
 * t + 1 left, into the parameters (with `train`) and x_t. The state-gradient tape is zeroed with
 * the twins before every backward pass, so a step whose successor does not run sees none.
 */
export function recurrentLoop(g: GraphState, cell: RecurrentCell, options: { steps: number; h0: Tensor<'f32'>; resets?: Tensor<'f32'>; truncation?: number; train?: boolean; label?: string }): RecurrentLoop {
  const label = options.label ?? cell.label;
  const train = options.train ?? true;
  const steps = options.steps;
  const out = f32(g.ctx, `${g.label}.${label}.out`, [g.agents, steps * g.rows, cell.hidden]);
  const outView = matrix(out, { agents: g.agents, rows: steps * g.rows, cols: cell.hidden });
  const seq = cell.loop(g.cache, { steps, batch: g.rows, h0: options.h0, resets: options.resets, truncation: options.truncation, label, output: outView, outputGrad: { ...outView, tensor: g.gradTensor(out) } });
  let next = 0;
  let previousValue: Value | null = null;
  return {
    step(t, x, previous) {
      if (t !== next) throw new ConfigError(`${g.label} ${label} step`, t, `${next}: steps are added in order`);
      if (t > 0 && previous !== previousValue) throw new ConfigError(`${g.label} ${label} step ${t} previous`, previous?.label ?? 'null', `step ${t - 1}'s output`);
      next++;
      const requiresGrad = train || x.requiresGrad || (previous?.requiresGrad ?? false);
      const y = g.value(seq.outputAt(t), `${label} h${t}`, requiresGrad);
      previousValue = y;
      if (t === 0 && requiresGrad) g.zeroEachPass(seq.stateGrads);
      g.push({
        label: `${label} t${t}`,
        inputs: previous ? [x, previous] : [x],
        outputs: [y],
        forward: () => seq.forwardStep(t, x.view),
        backward: requiresGrad
          ? (pass) => {
              // The first node to run in a pass writes the parameter gradients; the rest add (`train: false`: into the cell's gradient buffer, unread).
              const accumulateParams = pass.wroteParams(cell);
              return seq.backwardStep(t, x.view, { accumulateParams, inputGrad: x.requiresGrad ? g.grad(x) : undefined });
            }
          : null,
      });
      return y;
    },
  };
}

/** Columns `selection` of a value, in that order: a slice where they are adjacent, else copies side by side. */
export function selectColumns(g: GraphState, v: Value, selection: readonly number[], label: string): Value {
  for (const c of selection) if (!Number.isInteger(c) || c < 0 || c >= v.view.cols) throw new ConfigError(`${g.label} ${label} column`, c, `0..${v.view.cols - 1}`);
  if (selection.length === 0) throw new ConfigError(`${g.label} ${label} selection`, '[]', 'at least one column');
  // Runs of adjacent columns: [from, count].
  const runs: [number, number][] = [];
  for (const c of selection) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === c) last[1]++;
    else runs.push([c, 1]);
  }
  if (runs.length === 1) return slice(g, v, runs[0][0], runs[0][1], label);
  const into = g.own(selection.length, label);
  let at = 0;
  const parts = runs.map(([from, count], i) => {
    const part = map(g, 'add', slice(g, v, from, count, `${label} run ${i}`), null, 1, 0, `${label} copy ${i}`, columns(into, at, count));
    at += count;
    return part;
  });
  return join(g, parts, label);
}

/** out = op(alpha a, beta b) elementwise (written `into` a view, if given), with its VJPs. */
export function map(g: GraphState, op: MapOp, a: Value, b: Value | null, alpha: number, beta: number, label: string, into?: MatrixView): Value {
  if (b && b.view.cols !== a.view.cols) throw new ConfigError(`${g.label} ${label}`, `${a.view.cols} and ${b.view.cols} columns`, 'operands of equal width');
  if (into && (into.tensor === a.view.tensor || into.tensor === b?.view.tensor)) {
    throw new ConfigError(`${g.label} ${label} into`, into.tensor.label, "a tensor other than the operands' (one kernel reads those and writes this)");
  }
  const out = g.value(into ?? g.own(a.view.cols, label), label, a.requiresGrad || (b?.requiresGrad ?? false));
  if (out.requiresGrad) g.gradTensor(out.view.tensor);
  const args = { op, a: a.view, b: b?.view, alpha, beta };
  g.push({
    label,
    inputs: b ? [a, b] : [a],
    outputs: [out],
    forward: async () => [await mapDispatch(g.cache, { ...args, out: out.view }, label)],
    backward: async () => [
      ...(a.requiresGrad ? [await mapBackwardDispatch(g.cache, 'a', { ...args, out: g.grad(a), dout: g.grad(out) }, `${label} backward a`)] : []),
      ...(b?.requiresGrad ? [await mapBackwardDispatch(g.cache, 'b', { ...args, out: g.grad(b), dout: g.grad(out) }, `${label} backward b`)] : []),
    ],
  });
  return out;
}

export interface CustomNode {
  label: string;
  inputs: readonly Value[];
  outputs: readonly MatrixView[];
  outputLabels?: readonly string[];
  forward: Dispatch[];
  /** Adds into the twin tensors of the inputs from those of the outputs; required when an input needs gradients. */
  backward?: Dispatch[];
}

/** A node with hand-written dispatches (e.g. a simulator step with its VJP kernel). */
export function custom(g: GraphState, spec: CustomNode): Value[] {
  const requiresGrad = spec.inputs.some((v) => v.requiresGrad);
  if (requiresGrad && !spec.backward) {
    throw new ConfigError(`${g.label} ${spec.label}`, 'no backward', 'a backward pass: an input needs gradients');
  }
  const outputs = spec.outputs.map((view, i) => g.value(view, spec.outputLabels?.[i] ?? `${spec.label}.${i}`, requiresGrad));
  if (requiresGrad) for (const v of [...spec.inputs, ...outputs]) g.gradTensor(v.view.tensor);
  const backward = spec.backward ?? [];
  g.push({ label: spec.label, inputs: spec.inputs, outputs, forward: async () => spec.forward, backward: async () => backward });
  return outputs;
}

/**
 * A trained policy out of pathwise: ONNX (opset 17) or JSON. Both describe the evaluation policy
 * of `loadPolicy`: the MLP (Gemm + Relu/Tanh per layer), the head that turns its output into a
 * normalized action (the Gaussian's mode tanh(mu) or mu, a categorical argmax onto its evenly
 * spaced values, a binary unit's sign), the clip to [-1, 1] and the map onto the env's bounds;
 * the Gaussian's log std is a second output. ONNX graphs take "observations" [batch, obs] and
 * give "actions" [batch, action] in the env's units, float32 throughout. A recurrent policy (a GRU
 * or LSTM cell before the MLP, PyTorch's equations) exports the cell as ONNX's GRU
 * (linear_before_reset = 1, which is PyTorch's form) or LSTM node over one step: the graph also
 * takes the state "h" (and "c") [batch, hidden] and gives the next one as "h_next" ("c_next"),
 * the last outputs (after "log_std"); feed it back step after step, zeros in a row whose episode
 * starts. The JSON of a recurrent policy is version 2 (its first layer reads the cell's h).
 */
import onnxProto from 'onnx-proto';
import type { PolicyHead } from '../algos/common/algorithm.js';
import type { Activation } from '../nn/linear.js';
import type { RecurrentCell } from '../nn/recurrent.js';
import { ConfigError, requireInt } from '../errors.js';
import type { Policy } from './policy.js';

const { onnx } = onnxProto;

export type ExportFormat = 'onnx' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['onnx', 'json'];

export interface PolicyLayer {
  inputs: number;
  outputs: number;
  activation: Activation;
  /** [inputs][outputs]: y = x W + b. */
  weights: number[][];
  bias: number[];
}

/**
 * A recurrent cell, PyTorch's equations with gates in PyTorch's order (`gates`): GRU r, z, n with
 * n = tanh(x W_n + b_n + r (h W_hn + b_hn)), h' = (1 - z) n + z h; LSTM i, f, g, o with
 * c' = f c + i g, h' = o tanh(c'). Weights [inputs][gates x hidden]: y = x W + b, gate k's
 * columns k H .. (k + 1) H - 1.
 */
export interface PolicyCell {
  kind: 'gru' | 'lstm';
  gates: string[];
  inputs: number;
  hidden: number;
  inputWeights: number[][];
  inputBias: number[];
  hiddenWeights: number[][];
  hiddenBias: number[];
}

/** The JSON export: everything needed to run the policy anywhere. */
export interface PolicyJson {
  format: 'pathwise-policy';
  /** 1: the MLP reads the observations; 2: a recurrent cell reads them and the MLP its state. */
  version: 1 | 2;
  algo: string;
  env: string;
  agent: number;
  observationSize: number;
  actionSize: number;
  actionLow: number[];
  actionHigh: number[];
  /** A recurrent cell the observations go through first (its h is the first layer's input), if any. */
  recurrent?: PolicyCell;
  layers: PolicyLayer[];
  head: PolicyHead;
}

/** Rows [inputs][outputs] and the bias of a W_aug block (nn/linear.wgsl's layout: bias row last). */
function weightsOf(params: Float32Array, base: number, inputs: number, outputs: number): { weights: number[][]; bias: number[] } {
  const at = (i: number, o: number) => params[base + i * outputs + o];
  return {
    weights: Array.from({ length: inputs }, (_, i) => Array.from({ length: outputs }, (_, o) => at(i, o))),
    bias: Array.from({ length: outputs }, (_, o) => at(inputs, o)),
  };
}

async function cellJson(cell: RecurrentCell, agent: number): Promise<PolicyCell> {
  const params = await cell.params.read();
  const base = agent * cell.paramsPerAgent;
  const x = weightsOf(params, base + cell.inputLayer.offset, cell.inputLayer.inDim, cell.inputLayer.outDim);
  const h = weightsOf(params, base + cell.hiddenLayer.offset, cell.hiddenLayer.inDim, cell.hiddenLayer.outDim);
  return {
    kind: cell.kind, gates: cell.kind === 'gru' ? ['r', 'z', 'n'] : ['i', 'f', 'g', 'o'], inputs: cell.spec.inDim, hidden: cell.spec.hidden,
    inputWeights: x.weights, inputBias: x.bias, hiddenWeights: h.weights, hiddenBias: h.bias,
  };
}

/** The policy of one agent as layers of plain numbers (read from the GPU). */
export async function policyJson(policy: Policy, agent = 0): Promise<PolicyJson> {
  requireInt(`agent (the checkpoint has ${policy.agents})`, agent, 0, policy.agents - 1);
  const net = policy.network;
  const params = await net.params.read();
  const base = agent * net.paramsPerAgent;
  const layers = net.layers.map((l) => ({ inputs: l.inDim, outputs: l.outDim, activation: l.activation, ...weightsOf(params, base + l.offset, l.inDim, l.outDim) }));
  return {
    format: 'pathwise-policy', version: policy.cell ? 2 : 1, algo: policy.info.run.algo, env: policy.env.name, agent,
    observationSize: policy.observationSize, actionSize: policy.actionSize,
    actionLow: [...policy.env.actionLow], actionHigh: [...policy.env.actionHigh],
    ...(policy.cell ? { recurrent: await cellJson(policy.cell, agent) } : {}),
    layers, head: policy.head,
  };
}

type Node = { opType: string; input: string[]; output: string[]; attribute?: { name: string; type: number; i?: number; f?: number }[] };

/** The ONNX model of a policy's JSON description. */
export function policyOnnx(p: PolicyJson): Uint8Array {
  const nodes: Node[] = [];
  const initializers: { name: string; dims: number[]; floatData?: number[]; int64Data?: number[]; dataType: number }[] = [];
  const floats = (name: string, dims: number[], data: number[]) => void initializers.push({ name, dims, floatData: data, dataType: onnx.TensorProto.DataType.FLOAT });
  const ints = (name: string, data: number[]) => void initializers.push({ name, dims: [data.length], int64Data: data, dataType: onnx.TensorProto.DataType.INT64 });
  const op = (opType: string, input: string[], output: string, attribute?: Node['attribute']) => {
    nodes.push({ opType, input, output: [output], ...(attribute ? { attribute } : {}) });
    return output;
  };
  const int = (name: string, i: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });

  const inputs = [{ name: 'observations', width: p.observationSize }];
  const outputs: { name: string; width: number }[] = [];
  const stateOutputs: { name: string; width: number }[] = []; // after the head's, so log_std stays second
  let x = 'observations';
  const node = (opType: string, input: string[], output: string[], attribute?: Node['attribute']) => void nodes.push({ opType, input, output, ...(attribute ? { attribute } : {}) });
  if (p.recurrent) x = cellNodes(p.recurrent, x, { op, node, floats, ints, int }, inputs, stateOutputs);
  p.layers.forEach((l, k) => {
    floats(`W${k}`, [l.inputs, l.outputs], l.weights.flat());
    floats(`b${k}`, [l.outputs], l.bias);
    x = op('Gemm', [x, `W${k}`, `b${k}`], `z${k}`);
    if (l.activation === 'relu') x = op('Relu', [x], `h${k}`);
    if (l.activation === 'tanh') x = op('Tanh', [x], `h${k}`);
  });
  const A = p.actionSize;
  let a: string;
  switch (p.head.kind) {
    case 'deterministic':
      a = x;
      break;
    case 'gaussian': {
      ints('mu_start', [0]), ints('mu_end', [A]), ints('std_start', [A]), ints('std_end', [2 * A]), ints('axis1', [1]);
      const mu = op('Slice', [x, 'mu_start', 'mu_end', 'axis1'], 'mu');
      outputs.push({ name: op('Slice', [x, 'std_start', 'std_end', 'axis1'], 'log_std'), width: A });
      a = p.head.squash ? op('Tanh', [mu], 'mode') : mu;
      break;
    }
    case 'categorical': {
      const K = p.head.bins;
      ints('groups', [-1, A, K]);
      const index = op('ArgMax', [op('Reshape', [x, 'groups'], 'logit_groups')], 'bin', [int('axis', 2), int('keepdims', 0)]);
      floats('bin_step', [], [2 / (K - 1)]);
      floats('minus_one', [], [-1]);
      a = op('Add', [op('Mul', [op('Cast', [index], 'bin_f', [int('to', onnx.TensorProto.DataType.FLOAT)]), 'bin_step'], 'bin_scaled'), 'minus_one'], 'decoded');
      break;
    }
    case 'binary': {
      floats('zero', [], [0]);
      floats('two', [], [2]);
      floats('minus_one', [], [-1]);
      const bit = op('Cast', [op('Greater', [x, 'zero'], 'on')], 'bit', [int('to', onnx.TensorProto.DataType.FLOAT)]);
      a = op('Add', [op('Mul', [bit, 'two'], 'bit2'), 'minus_one'], 'signed');
      break;
    }
  }
  floats('lo', [], [-1]);
  floats('hi', [], [1]);
  const clipped = op('Clip', [a, 'lo', 'hi'], 'normalized');
  // a_env = low + (a + 1) (high - low) / 2 = a half + mid.
  floats('half', [A], p.actionLow.map((l, j) => (p.actionHigh[j] - l) / 2));
  floats('mid', [A], p.actionLow.map((l, j) => (p.actionHigh[j] + l) / 2));
  op('Add', [op('Mul', [clipped, 'half'], 'scaled'), 'mid'], 'actions');

  const valueInfo = (name: string, width: number) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'pathwise',
    opsetImport: [{ domain: '', version: 17 }],
    docString: `${p.algo} policy for ${p.env} (agent ${p.agent}): observations [batch, ${p.observationSize}] -> actions [batch, ${A}] in the env's bounds${p.recurrent ? `; a ${p.recurrent.kind.toUpperCase()} state: h${p.recurrent.kind === 'lstm' ? ', c' : ''} [batch, ${p.recurrent.hidden}] in (zeros at an episode's start), h_next${p.recurrent.kind === 'lstm' ? ', c_next' : ''} out` : ''}`,
    graph: {
      name: `${p.algo}-${p.env}`,
      node: nodes,
      initializer: initializers,
      input: inputs.map((i) => valueInfo(i.name, i.width)),
      output: [valueInfo('actions', A), ...[...outputs, ...stateOutputs].map((o) => valueInfo(o.name, o.width))],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

interface Builders {
  op: (opType: string, input: string[], output: string, attribute?: Node['attribute']) => string;
  node: (opType: string, input: string[], output: string[], attribute?: Node['attribute']) => void;
  floats: (name: string, dims: number[], data: number[]) => void;
  ints: (name: string, data: number[]) => void;
  int: (name: string, i: number) => { name: string; type: number; i: number };
}

/** ONNX's gate order as indices into PyTorch's: GRU z, r, h of r, z, n; LSTM i, o, f, c of i, f, g, o. */
const ONNX_GATES = { gru: [1, 0, 2], lstm: [0, 3, 1, 2] } as const;

/**
 * One step of the cell as ONNX's GRU or LSTM node: X [1, batch, inputs] (seq_length 1), W and R
 * [1, G H, inputs or H] in ONNX's gate order, B [1, 2 G H] = [W's biases | R's]; returns h_next
 * [batch, H], which is also an output (with c_next), and adds the state inputs.
 */
function cellNodes(c: PolicyCell, x: string, b: Builders, inputs: { name: string; width: number }[], outputs: { name: string; width: number }[]): string {
  const H = c.hidden;
  const order = ONNX_GATES[c.kind];
  const G = order.length;
  // Row g H + j of ONNX's matrices is column order[g] H + j of ours (ours: [inputs][G H]).
  const rows = (w: number[][]) => order.flatMap((k) => Array.from({ length: H }, (_, j) => w.map((row) => row[k * H + j]))).flat();
  const bias = (v: number[]) => order.flatMap((k) => v.slice(k * H, (k + 1) * H));
  b.floats('cell_W', [1, G * H, c.inputs], rows(c.inputWeights));
  b.floats('cell_R', [1, G * H, H], rows(c.hiddenWeights));
  b.floats('cell_B', [1, 2 * G * H], [...bias(c.inputBias), ...bias(c.hiddenBias)]);
  b.ints('axis0', [0]);
  const seq = b.op('Unsqueeze', [x, 'axis0'], 'cell_x');
  inputs.push({ name: 'h', width: H });
  const h0 = b.op('Unsqueeze', ['h', 'axis0'], 'cell_h0');
  const hidden = b.int('hidden_size', H);
  if (c.kind === 'gru') {
    b.node('GRU', [seq, 'cell_W', 'cell_R', 'cell_B', '', h0], ['', 'cell_h1'], [hidden, b.int('linear_before_reset', 1)]);
  } else {
    inputs.push({ name: 'c', width: H });
    const c0 = b.op('Unsqueeze', ['c', 'axis0'], 'cell_c0');
    b.node('LSTM', [seq, 'cell_W', 'cell_R', 'cell_B', '', h0, c0], ['', 'cell_h1', 'cell_c1'], [hidden]);
  }
  // Y_h (and Y_c) are [num_directions = 1, batch, H].
  const h = b.op('Squeeze', ['cell_h1', 'axis0'], 'h_next');
  outputs.push({ name: h, width: H });
  if (c.kind === 'lstm') outputs.push({ name: b.op('Squeeze', ['cell_c1', 'axis0'], 'c_next'), width: H });
  return h;
}

/** The policy in `format`: ONNX bytes or JSON text. */
export async function exportPolicy(policy: Policy, format: string, agent = 0): Promise<Uint8Array | string> {
  if (!EXPORT_FORMATS.includes(format as ExportFormat)) throw new ConfigError('--format', format, `one of ${EXPORT_FORMATS.join(', ')}`);
  const json = await policyJson(policy, agent);
  return format === 'onnx' ? policyOnnx(json) : `${JSON.stringify(json)}\n`;
}

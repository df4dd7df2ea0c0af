/**
 * A trained policy out of pathwise: ONNX (opset 17) or JSON. Both describe the evaluation policy
 * of `loadPolicy`: the MLP (Gemm + Relu/Tanh per layer), the head that turns its output into a
 * normalized action (the Gaussian's mode tanh(mu) or mu, a categorical argmax onto its evenly
 * spaced values, a binary unit's sign), the clip to [-1, 1] and the map onto the env's bounds;
 * the Gaussian's log std is a second output. ONNX graphs take "observations" [batch, obs] and
 * give "actions" [batch, action] in the env's units, float32 throughout.
 */
import onnxProto from 'onnx-proto';
import type { PolicyHead } from '../algos/common/algorithm.js';
import type { Activation } from '../nn/linear.js';
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

/** The JSON export: everything needed to run the policy anywhere. */
export interface PolicyJson {
  format: 'pathwise-policy';
  version: 1;
  algo: string;
  env: string;
  agent: number;
  observationSize: number;
  actionSize: number;
  actionLow: number[];
  actionHigh: number[];
  layers: PolicyLayer[];
  head: PolicyHead;
}

/** The policy of one agent as layers of plain numbers (read from the GPU). */
export async function policyJson(policy: Policy, agent = 0): Promise<PolicyJson> {
  requireInt(`agent (the checkpoint has ${policy.agents})`, agent, 0, policy.agents - 1);
  if (policy.recurrent) throw new ConfigError('export', `a recurrent policy (${policy.recurrent})`, 'a feedforward policy (recurrent cells are not exported yet)');
  const net = policy.network;
  const params = await net.params.read();
  const base = agent * net.paramsPerAgent;
  const layers = net.layers.map((l) => {
    const at = (i: number, o: number) => params[base + l.offset + i * l.outDim + o];
    return {
      inputs: l.inDim,
      outputs: l.outDim,
      activation: l.activation,
      weights: Array.from({ length: l.inDim }, (_, i) => Array.from({ length: l.outDim }, (_, o) => at(i, o))),
      bias: Array.from({ length: l.outDim }, (_, o) => at(l.inDim, o)),
    };
  });
  return {
    format: 'pathwise-policy', version: 1, algo: policy.info.run.algo, env: policy.env.name, agent,
    observationSize: policy.observationSize, actionSize: policy.actionSize,
    actionLow: [...policy.env.actionLow], actionHigh: [...policy.env.actionHigh], layers, head: policy.head,
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

  let x = 'observations';
  p.layers.forEach((l, k) => {
    floats(`W${k}`, [l.inputs, l.outputs], l.weights.flat());
    floats(`b${k}`, [l.outputs], l.bias);
    x = op('Gemm', [x, `W${k}`, `b${k}`], `z${k}`);
    if (l.activation === 'relu') x = op('Relu', [x], `h${k}`);
    if (l.activation === 'tanh') x = op('Tanh', [x], `h${k}`);
  });
  const A = p.actionSize;
  const outputs: { name: string; width: number }[] = [];
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
    docString: `${p.algo} policy for ${p.env} (agent ${p.agent}): observations [batch, ${p.observationSize}] -> actions [batch, ${A}] in the env's bounds`,
    graph: {
      name: `${p.algo}-${p.env}`,
      node: nodes,
      initializer: initializers,
      input: [valueInfo('observations', p.observationSize)],
      output: [valueInfo('actions', A), ...outputs.map((o) => valueInfo(o.name, o.width))],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** The policy in `format`: ONNX bytes or JSON text. */
export async function exportPolicy(policy: Policy, format: string, agent = 0): Promise<Uint8Array | string> {
  if (!EXPORT_FORMATS.includes(format as ExportFormat)) throw new ConfigError('--format', format, `one of ${EXPORT_FORMATS.join(', ')}`);
  const json = await policyJson(policy, agent);
  return format === 'onnx' ? policyOnnx(json) : `${JSON.stringify(json)}\n`;
}

/**
 * Cross-entropy of a softmax classifier per row, -sum_k target_k log softmax(logits)_k, and its
 * VJP (shaders/nn/cross_entropy.wgsl): a cost for classifiers trained through a stochastic
 * computation graph (the hard-attention example's v2).
 */
import { ConfigError } from '../errors.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../gpu/kernel.js';
import { type ShaderSource, view } from '../gpu/shaders.js';
import crossEntropyWgsl from '../../shaders/nn/cross_entropy.wgsl?raw';
import { uniform } from '../gpu/uniform.js';
import type { MatrixView } from '../gpu/view.js';

const CROSS_ENTROPY: ShaderSource = { path: 'nn/cross_entropy.wgsl (after common/view.wgsl)', code: `${view}\n${crossEntropyWgsl}` };

export interface CrossEntropyViews {
  logits: MatrixView;
  /** One-hot labels (or any distribution over the classes), the logits' shape. */
  target: MatrixView;
  /** Per-row cross-entropy, [agents x rows x 1]; in backward its gradient twin has this layout. */
  ce: MatrixView;
}

function check(label: string, v: CrossEntropyViews): void {
  const { logits, target, ce } = v;
  if (target.agents !== logits.agents || target.rows !== logits.rows || target.cols !== logits.cols) {
    throw new ConfigError(`${label} target`, `[${target.agents} x ${target.rows} x ${target.cols}]`, `the logits' shape [${logits.agents} x ${logits.rows} x ${logits.cols}]`);
  }
  if (ce.agents !== logits.agents || ce.rows !== logits.rows || ce.cols !== 1) {
    throw new ConfigError(`${label} output`, `[${ce.agents} x ${ce.rows} x ${ce.cols}]`, `[${logits.agents} x ${logits.rows} x 1]`);
  }
}

function params(cache: PipelineCache, v: CrossEntropyViews, dlogits: MatrixView, label: string): GPUBuffer {
  return uniform().u32(v.logits.rows).u32(v.logits.cols).u32(0).u32(0).view(v.logits).view(v.target).view(v.ce).view(dlogits).build(cache.ctx, label);
}

/** ce = -sum_k target_k log softmax(logits)_k per row. */
export async function crossEntropy(cache: PipelineCache, v: CrossEntropyViews, label = 'cross-entropy'): Promise<Dispatch> {
  check(label, v);
  const bindings = { 0: params(cache, v, v.logits, label), 1: v.logits.tensor, 2: v.target.tensor, 3: v.ce.tensor };
  return makeDispatch(cache, { shader: CROSS_ENTROPY, entryPoint: 'forward' }, bindings, [groups(v.logits.rows, 64), v.logits.agents], label);
}

/** dlogits += dce * (softmax(logits) sum_k target_k - target), with dce laid out as `v.ce` in `dce`'s tensor. */
export async function crossEntropyBackward(cache: PipelineCache, v: CrossEntropyViews, dce: MatrixView, dlogits: MatrixView, label = 'cross-entropy backward'): Promise<Dispatch> {
  check(label, v);
  if (dce.agents !== v.ce.agents || dce.rows !== v.ce.rows || dce.cols !== 1) {
    throw new ConfigError(`${label} dce`, `[${dce.agents} x ${dce.rows} x ${dce.cols}]`, `the cost's shape [${v.ce.agents} x ${v.ce.rows} x 1]`);
  }
  if (dce.offset !== v.ce.offset || dce.rowStride !== v.ce.rowStride || dce.agentStride !== v.ce.agentStride) {
    throw new ConfigError(`${label} dce`, 'a different layout', "the cost's layout (its gradient twin)");
  }
  if (dlogits.rows !== v.logits.rows || dlogits.cols !== v.logits.cols || dlogits.agents !== v.logits.agents) {
    throw new ConfigError(`${label} dlogits`, `[${dlogits.agents} x ${dlogits.rows} x ${dlogits.cols}]`, "the logits' shape");
  }
  const bindings = { 0: params(cache, v, dlogits, label), 1: v.logits.tensor, 2: v.target.tensor, 4: dce.tensor, 5: dlogits.tensor };
  return makeDispatch(cache, { shader: CROSS_ENTROPY, entryPoint: 'backward' }, bindings, [groups(v.logits.rows, 64), v.logits.agents], label);
}

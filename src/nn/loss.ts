/** Mean squared error and its gradient in one dispatch (shaders/nn/loss.wgsl). */
import { ConfigError, requireNumber } from '../errors.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../gpu/kernel.js';
import { type ShaderSource, withReduce } from '../gpu/shaders.js';
import lossWgsl from '../../shaders/nn/loss.wgsl?raw';
import type { Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import type { MatrixView } from '../gpu/view.js';

const LOSS: ShaderSource = withReduce('nn/loss.wgsl', [], lossWgsl);

export interface MseOptions {
  /** Where agent a's loss goes in `loss`: element lossOffset + a * lossAgentStride. */
  lossOffset?: number;
  lossAgentStride?: number;
  /** Multiplies loss and gradient (e.g. 0.5 for the 1/2-MSE convention). Default 1. */
  scale?: number;
  label?: string;
}

/** loss[a] = scale * mean (pred - target)^2 and grad = d loss / d pred, per agent. */
export async function mseLoss(cache: PipelineCache, pred: MatrixView, target: MatrixView, grad: MatrixView, loss: Tensor<'f32'>, options: MseOptions = {}): Promise<Dispatch> {
  const label = options.label ?? 'mse';
  for (const [name, v] of [['target', target], ['grad', grad]] as const) {
    if (v.rows !== pred.rows || v.cols !== pred.cols || v.agents !== pred.agents) {
      throw new ConfigError(`${label} ${name}`, `[${v.agents} x ${v.rows} x ${v.cols}]`, `the prediction's shape [${pred.agents} x ${pred.rows} x ${pred.cols}]`);
    }
  }
  const lossOffset = options.lossOffset ?? 0;
  const lossAgentStride = options.lossAgentStride ?? 1;
  if (lossOffset + (pred.agents - 1) * lossAgentStride >= loss.size) {
    throw new ConfigError(`${label} loss slot`, lossOffset, `a slot inside ${loss.label} (${loss.size} elements)`);
  }
  const scale = requireNumber(`${label}.scale`, options.scale ?? 1, -1e30, 1e30);
  const params = uniform()
    .u32(pred.rows).u32(pred.cols)
    .u32(pred.offset).u32(pred.rowStride).u32(pred.agentStride)
    .u32(target.offset).u32(target.rowStride).u32(target.agentStride)
    .u32(grad.offset).u32(grad.rowStride).u32(grad.agentStride)
    .u32(lossOffset).u32(lossAgentStride).f32(scale).u32(0).u32(0)
    .build(cache.ctx, label);
  return makeDispatch(
    cache,
    { shader: LOSS, entryPoint: 'mse_forward_backward' },
    { 0: params, 1: pred.tensor, 2: target.tensor, 3: grad.tensor, 4: loss },
    [pred.agents],
    label,
  );
}

/** TD(0) and policy (-Q) losses with gradients and running metrics (shaders/rl/critic_losses.wgsl). */
import { type Dispatch, type PipelineCache, makeDispatch } from '../../gpu/kernel.js';
import { shaders } from '../../gpu/shaders.js';
import type { Tensor } from '../../gpu/tensor.js';
import { uniform } from '../../gpu/uniform.js';
import type { MatrixView } from '../../gpu/view.js';

/** Per agent: [critic loss, mean Q, actor loss, critic updates, actor updates, 3 spare] sums. */
export const METRICS_WIDTH = 8;

export interface TdColumns {
  /** Minibatch rows [agents, rows, width] holding reward and terminated at these columns. */
  batch: Tensor<'f32'>;
  width: number;
  rewardCol: number;
  terminatedCol: number;
}

function params(cache: PipelineCache, rows: number, cols: TdColumns, gamma: number, label: string): GPUBuffer {
  return uniform().u32(rows).u32(cols.width).u32(cols.rewardCol).u32(cols.terminatedCol).f32(gamma).u32(0).u32(0).u32(0).build(cache.ctx, label);
}

/** y = r + gamma (1 - terminated) Q'; loss mean (Q - y)^2 and dQ into `dq`. */
export function tdLossDispatch(cache: PipelineCache, q: MatrixView, qTarget: MatrixView, dq: MatrixView, cols: TdColumns, gamma: number, metrics: Tensor<'f32'>): Promise<Dispatch> {
  return makeDispatch(
    cache,
    { shader: shaders.criticLosses, entryPoint: 'td_mse' },
    { 0: params(cache, q.rows, cols, gamma, 'td loss'), 1: q.tensor, 2: qTarget.tensor, 3: cols.batch, 4: dq.tensor, 5: metrics },
    [q.agents],
    'td loss',
  );
}

/** loss -mean Q(s, pi(s)); dQ = -1/B into `dq`. */
export function policyLossDispatch(cache: PipelineCache, q: MatrixView, dq: MatrixView, metrics: Tensor<'f32'>): Promise<Dispatch> {
  const cols = { batch: q.tensor, width: 1, rewardCol: 0, terminatedCol: 0 };
  return makeDispatch(
    cache,
    { shader: shaders.criticLosses, entryPoint: 'policy_loss' },
    { 0: params(cache, q.rows, cols, 0, 'policy loss'), 1: q.tensor, 4: dq.tensor, 5: metrics },
    [q.agents],
    'policy loss',
  );
}

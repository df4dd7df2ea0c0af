/** TD(0) and policy (-Q) losses with gradients and running metrics (shaders/rl/critic_losses.wgsl). */
import { type Dispatch, type PipelineCache, makeDispatch } from '../../gpu/kernel.js';
import { type ShaderSource, withReduce } from '../../gpu/shaders.js';
import criticLossesWgsl from '../../../shaders/rl/critic_losses.wgsl?raw';
import type { Tensor } from '../../gpu/tensor.js';
import { uniform } from '../../gpu/uniform.js';
import type { MatrixView } from '../../gpu/view.js';

const CRITIC_LOSSES: ShaderSource = withReduce('rl/critic_losses.wgsl', [], criticLossesWgsl);

/** Per agent: [critic loss, mean Q, actor loss, critic updates, actor updates, 3 spare] sums. */
export const METRICS_WIDTH = 8;
/** The slots the loss kernels add into (fixed in rl/critic_losses.wgsl). */
export const LOSS_SLOTS = { criticLoss: 0, meanQ: 1, actorLoss: 2, criticUpdates: 3, actorUpdates: 4 } as const;

export interface TdColumns {
  /** Minibatch rows [agents, rows, width] holding reward and terminated at these columns. */
  batch: Tensor<'f32'>;
  width: number;
  rewardCol: number;
  terminatedCol: number;
}

/** The TD columns of a minibatch with `r` and `terminated` blocks. */
export function tdColumns(batch: { tensor: Tensor<'f32'>; width: number; col(name: 'r' | 'terminated'): number }): TdColumns {
  return { batch: batch.tensor, width: batch.width, rewardCol: batch.col('r'), terminatedCol: batch.col('terminated') };
}

function params(cache: PipelineCache, rows: number, cols: TdColumns, gamma: number, label: string): GPUBuffer {
  return uniform().u32(rows).u32(cols.width).u32(cols.rewardCol).u32(cols.terminatedCol).f32(gamma).u32(0).u32(0).u32(0).build(cache.ctx, label);
}

/** y = r + gamma (1 - terminated) Q'; loss mean (Q - y)^2 and dQ into `dq`. */
export function tdLossDispatch(cache: PipelineCache, q: MatrixView, qTarget: MatrixView, dq: MatrixView, cols: TdColumns, gamma: number, metrics: Tensor<'f32'>): Promise<Dispatch> {
  return makeDispatch(
    cache,
    { shader: CRITIC_LOSSES, entryPoint: 'td_mse' },
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
    { shader: CRITIC_LOSSES, entryPoint: 'policy_loss' },
    { 0: params(cache, q.rows, cols, 0, 'policy loss'), 1: q.tensor, 4: dq.tensor, 5: metrics },
    [q.agents],
    'policy loss',
  );
}

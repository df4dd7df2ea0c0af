/**
 * Returns of an on-policy segment (shaders/rl/returns.wgsl): discounted and bootstrapped
 * returns-to-go (REINFORCE), or generalized advantage estimates and their returns (PPO), standardized.
 */
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../../gpu/kernel.js';
import { type ShaderSource, withReduce } from '../../gpu/shaders.js';
import returnsWgsl from '../../../shaders/rl/returns.wgsl?raw';
import type { Tensor } from '../../gpu/tensor.js';
import { uniform } from '../../gpu/uniform.js';

const RETURNS: ShaderSource = withReduce('rl/returns.wgsl', [], returnsWgsl);

export interface SegmentLayout {
  envs: number;
  steps: number;
  /** Floats per (env, step) record. */
  width: number;
  /** Columns of reward (then terminated, truncated), V(s') (standardized units) and the return. */
  rewardCol: number;
  valueCol: number;
  returnCol: number;
  gamma: number;
}

/** What GAE adds: lambda and the columns of V(s) and of the advantage. */
export interface GaeLayout extends SegmentLayout {
  lambda: number;
  stateValueCol: number;
  advCol: number;
  /** Shift the standardized advantages to positive weights (rllab's positive_adv, RWR). */
  positive?: boolean;
}

function returnsUniform(cache: PipelineCache, o: SegmentLayout & Partial<GaeLayout>): GPUBuffer {
  return uniform()
    .u32(o.envs).u32(o.steps).u32(o.width).u32(o.rewardCol).u32(o.valueCol).u32(o.returnCol).f32(o.gamma).f32(o.lambda ?? 0)
    .u32(o.stateValueCol ?? 0).u32(o.advCol ?? 0).u32(0).u32(0)
    .build(cache.ctx, 'returns');
}

/** Returns-to-go of the segment, then normalized (shaders/rl/returns.wgsl). */
export function returnsDispatches(
  cache: PipelineCache,
  segment: Tensor<'f32'>,
  stats: Tensor<'f32'>,
  o: SegmentLayout,
): Promise<Dispatch[]> {
  const u = returnsUniform(cache, o);
  const agents = segment.shape[0];
  return Promise.all([
    makeDispatch(cache, { shader: RETURNS, entryPoint: 'discounted_returns' }, { 0: u, 1: segment, 2: stats }, [groups(o.envs, 64), agents], 'returns'),
    makeDispatch(cache, { shader: RETURNS, entryPoint: 'normalize_returns' }, { 0: u, 1: segment, 2: stats }, [agents], 'normalize returns'),
  ]);
}

/**
 * GAE(lambda) advantages and returns of the segment (V(s) left in raw units), the returns
 * standardized (their statistics kept for the next segment's values), the advantages standardized
 * (and, with `positive`, shifted to positive weights).
 */
export function gaeDispatches(cache: PipelineCache, segment: Tensor<'f32'>, stats: Tensor<'f32'>, o: GaeLayout): Promise<Dispatch[]> {
  const u = returnsUniform(cache, o);
  const agents = segment.shape[0];
  const bind = { 0: u, 1: segment, 2: stats };
  return Promise.all([
    makeDispatch(cache, { shader: RETURNS, entryPoint: 'gae' }, bind, [groups(o.envs, 64), agents], 'gae'),
    makeDispatch(cache, { shader: RETURNS, entryPoint: 'normalize_returns' }, bind, [agents], 'normalize returns'),
    makeDispatch(cache, { shader: RETURNS, entryPoint: 'standardize_advantages' }, { 0: u, 1: segment }, [agents], 'standardize advantages'),
    ...(o.positive ? [makeDispatch(cache, { shader: RETURNS, entryPoint: 'shift_advantages_positive' }, { 0: u, 1: segment }, [agents], 'advantages to positive weights')] : []),
  ]);
}

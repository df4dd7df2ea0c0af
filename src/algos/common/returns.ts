/** Discounted, bootstrapped returns-to-go of an on-policy segment, standardized (shaders/rl/returns.wgsl). */
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

/** Returns-to-go of the segment, then normalized (shaders/rl/returns.wgsl). */
export function returnsDispatches(
  cache: PipelineCache,
  segment: Tensor<'f32'>,
  stats: Tensor<'f32'>,
  o: SegmentLayout,
): Promise<Dispatch[]> {
  const u = uniform().u32(o.envs).u32(o.steps).u32(o.width).u32(o.rewardCol).u32(o.valueCol).u32(o.returnCol).f32(o.gamma).u32(0).build(cache.ctx, 'returns');
  const agents = segment.shape[0];
  return Promise.all([
    makeDispatch(cache, { shader: RETURNS, entryPoint: 'discounted_returns' }, { 0: u, 1: segment, 2: stats }, [groups(o.envs, 64), agents], 'returns'),
    makeDispatch(cache, { shader: RETURNS, entryPoint: 'normalize_returns' }, { 0: u, 1: segment, 2: stats }, [agents], 'normalize returns'),
  ]);
}

/** Polyak averaging target = (1 - tau) target + tau online over a whole buffer (shaders/nn/polyak.wgsl). */
import { ConfigError, requireNumber } from '../errors.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../gpu/kernel.js';
import { shaders } from '../gpu/shaders.js';
import type { Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';

export async function polyak(cache: PipelineCache, online: Tensor<'f32'>, target: Tensor<'f32'>, tau: number, label = 'polyak'): Promise<Dispatch> {
  requireNumber(`${label}.tau`, tau, 0, 1);
  if (online.size !== target.size) {
    throw new ConfigError(`${label} target`, `${target.size} elements`, `the online buffer's ${online.size} elements`);
  }
  const params = uniform().u32(online.size).f32(tau).build(cache.ctx, label);
  const g = groups(online.size, 256);
  const x = Math.min(g, cache.ctx.limits.maxComputeWorkgroupsPerDimension);
  return makeDispatch(cache, { shader: shaders.polyak, entryPoint: 'polyak_update' }, { 0: params, 1: online, 2: target }, [x, Math.ceil(g / x)], label);
}

/** Polyak averaging target = (1 - tau) target + tau online over whole buffers (shaders/nn/polyak.wgsl). */
import { ConfigError, requireNumber } from '../errors.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../gpu/kernel.js';
import type { ShaderSource } from '../gpu/shaders.js';
import polyakWgsl from '../../shaders/nn/polyak.wgsl?raw';
import type { Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';

const POLYAK: ShaderSource = { path: 'nn/polyak.wgsl', code: polyakWgsl };

function grid(cache: PipelineCache, count: number): [number, number] {
  const g = groups(count, 256);
  const x = Math.min(g, cache.ctx.limits.maxComputeWorkgroupsPerDimension);
  return [x, Math.ceil(g / x)];
}

function checkPair(label: string, online: Tensor<'f32'>, target: Tensor<'f32'>): void {
  if (online.size !== target.size) {
    throw new ConfigError(`${label} target`, `${target.size} elements`, `the online buffer's ${online.size} elements`);
  }
}

export async function polyak(cache: PipelineCache, online: Tensor<'f32'>, target: Tensor<'f32'>, tau: number, label = 'polyak'): Promise<Dispatch> {
  requireNumber(`${label}.tau`, tau, 0, 1);
  checkPair(label, online, target);
  const params = uniform().u32(online.size).f32(tau).u32(0).u32(0).build(cache.ctx, label);
  return makeDispatch(cache, { shader: POLYAK, entryPoint: 'polyak_update' }, { 0: params, 1: online, 2: target }, grid(cache, online.size), label);
}

/** Two networks' targets (e.g. actor and critic) in one dispatch. */
export async function polyakPair(
  cache: PipelineCache,
  first: { online: Tensor<'f32'>; target: Tensor<'f32'> },
  second: { online: Tensor<'f32'>; target: Tensor<'f32'> },
  tau: number,
  label = 'polyak pair',
): Promise<Dispatch> {
  requireNumber(`${label}.tau`, tau, 0, 1);
  checkPair(label, first.online, first.target);
  checkPair(label, second.online, second.target);
  const params = uniform().u32(first.online.size).f32(tau).u32(second.online.size).u32(0).build(cache.ctx, label);
  const bindings = { 0: params, 1: first.online, 2: first.target, 3: second.online, 4: second.target };
  return makeDispatch(cache, { shader: POLYAK, entryPoint: 'polyak_pair' }, bindings, grid(cache, first.online.size + second.online.size), label);
}

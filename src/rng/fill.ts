/** Dispatches that fill a tensor with counter-based random numbers (shaders/common/rng_fill.wgsl). */
import { ConfigError } from '../errors.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../gpu/kernel.js';
import { type ShaderSource, withRng } from '../gpu/shaders.js';
import rngFillWgsl from '../../shaders/common/rng_fill.wgsl?raw';
import type { Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';

const RNG_FILL: ShaderSource = withRng('common/rng_fill.wgsl', rngFillWgsl);

export type FillKind = 'raw' | 'uniform' | 'normal' | 'gumbel';

export interface FillOptions {
  /** Philox key: (seed, stream). */
  key: readonly [number, number];
  /** First counter; element i uses (counter.x + i/4, counter.y, counter.z, counter.w). */
  counter?: readonly [number, number, number, number];
}

export async function rngFill(cache: PipelineCache, out: Tensor, kind: FillKind, options: FillOptions): Promise<Dispatch> {
  if ((kind === 'raw') !== (out.dtype === 'u32')) {
    throw new ConfigError(`rngFill(${out.label}).kind`, kind, kind === 'raw' ? 'a u32 tensor for raw bits' : 'an f32 tensor for floats');
  }
  const counter = options.counter ?? [0, 0, 0, 0];
  const params = uniform()
    .u32(counter[0]).u32(counter[1]).u32(counter[2]).u32(counter[3])
    .u32(options.key[0]).u32(options.key[1]).u32(out.size).u32(0)
    .build(cache.ctx, `rng fill ${out.label}`);
  const binding = kind === 'raw' ? 2 : 1;
  return makeDispatch(
    cache,
    { shader: RNG_FILL, entryPoint: `fill_${kind}` },
    { 0: params, [binding]: out },
    [groups(Math.ceil(out.size / 4), 64)],
    `rng fill_${kind} ${out.label}`,
  );
}

/**
 * The dispatches of shaders/rl/cholesky.wgsl: CMA-ES's factor A with C = A A^T (stored as A^T),
 * blocked in rows of 32 so that a factorization is 2 ceil(n / 32) dispatches whose work spreads
 * over the GPU (one workgroup per block panel, a workgroup per 64 elements of every trailing
 * update), refreshed only in generations that are multiples of `every`.
 */
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../../gpu/kernel.js';
import type { ShaderSource } from '../../gpu/shaders.js';
import type { Tensor } from '../../gpu/tensor.js';
import { uniform } from '../../gpu/uniform.js';
import choleskyWgsl from '../../../shaders/rl/cholesky.wgsl?raw';

const CHOLESKY: ShaderSource = { path: 'rl/cholesky.wgsl', code: choleskyWgsl };

/** Rows per panel: a panel's serial steps against the number of dispatches. */
export const CHOLESKY_BLOCK = 32;

export async function choleskyDispatches(
  cache: PipelineCache,
  o: { n: number; full: boolean; every: number },
  b: { state: Tensor<'f32'>; cov: Tensor<'f32'>; factor: Tensor<'f32'> },
): Promise<Dispatch[]> {
  const { n } = o;
  const params = (k0: number, k1: number) =>
    uniform().u32(n).u32(o.full ? 1 : 0).u32(o.every).u32(k0).u32(k1).u32(0).u32(0).u32(0).build(cache.ctx, `cholesky params [${k0}, ${k1})`);
  const dispatch = (entry: 'copy' | 'panel' | 'trailing', k0: number, k1: number, shape: [number, number]) =>
    makeDispatch(cache, { shader: CHOLESKY, entryPoint: entry }, entry === 'trailing' ? { 0: params(k0, k1), 1: b.state, 3: b.factor } : { 0: params(k0, k1), 1: b.state, 2: b.cov, 3: b.factor }, shape, `cholesky ${entry} [${k0}, ${k1})`);
  const list = [await dispatch('copy', 0, 0, [groups(n, 64), o.full ? n : 1])];
  if (!o.full) return list;
  for (let k0 = 0; k0 < n; k0 += CHOLESKY_BLOCK) {
    const k1 = Math.min(n, k0 + CHOLESKY_BLOCK);
    list.push(await dispatch('panel', k0, k1, [1, 1]));
    if (k1 < n) list.push(await dispatch('trailing', k0, k1, [groups(n - k1, 64), n - k1]));
  }
  return list;
}

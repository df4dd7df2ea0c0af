/**
 * The GPU program of one environment: the rng and dual-number libraries, the env's own file, the
 * batched driver (reset, step, statistics; shaders/envs/driver.wgsl) and, for differentiable
 * envs, the vector-Jacobian product entry point (shaders/envs/driver_vjp.wgsl).
 */
import { type ShaderSource, dual, rng, withReduce } from '../gpu/shaders.js';
import driverWgsl from '../../shaders/envs/driver.wgsl?raw';
import driverVjpWgsl from '../../shaders/envs/driver_vjp.wgsl?raw';

export function environmentShader(env: ShaderSource, differentiable: boolean): ShaderSource {
  const path = `${env.path} (with common/rng, common/dual, envs/driver${differentiable ? ', envs/driver_vjp' : ''})`;
  return withReduce(path, [rng, dual], [env.code, driverWgsl, differentiable ? driverVjpWgsl : ''].join('\n'));
}

/**
 * The GPU program of one environment: the rng and dual-number libraries, the env's own file, the
 * batched driver (reset, step, statistics; shaders/envs/driver.wgsl) and, for differentiable
 * envs, the vector-Jacobian product entry point (shaders/envs/driver_vjp.wgsl).
 */
import { type ShaderSource, dual, reduceTreeLibrary, rng, withReduce } from '../gpu/shaders.js';
import driverWgsl from '../../shaders/envs/driver.wgsl?raw';
import driverVjpWgsl from '../../shaders/envs/driver_vjp.wgsl?raw';
import noGoalsWgsl from '../../shaders/fused/no_goals.wgsl?raw';

export function environmentShader(env: ShaderSource, differentiable: boolean): ShaderSource {
  const path = `${env.path} (with common/rng, common/dual, envs/driver${differentiable ? ', envs/driver_vjp' : ''})`;
  return withReduce(path, [rng, dual], [env.code, driverWgsl, differentiable ? driverVjpWgsl : ''].join('\n'));
}

/**
 * The env and its driver as a library for row programs that step it inside a larger kernel
 * (step_env, begin_episode, write_obs): the env's file, the driver, and for envs without goals
 * the goal-reward stand-in (shaders/fused/no_goals.wgsl). The caller prepends common/rng.wgsl and
 * common/dual.wgsl.
 */
export function environmentLibrary(env: ShaderSource, goals: boolean): { code: string; name: string } {
  return {
    code: [reduceTreeLibrary, env.code, driverWgsl, goals ? '' : noGoalsWgsl].join('\n'),
    name: `${env.path}, envs/driver${goals ? '' : ', fused/no_goals'}`,
  };
}

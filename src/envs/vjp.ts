/**
 * Vector-Jacobian product of a differentiable environment's step (shaders/envs/driver_vjp.wgsl):
 * for rows of (state, action) and cotangents of (next state, reward, next observation), the
 * gradient with respect to (state, action). Backpropagation through the true simulator.
 */
import { ConfigError, requireInt } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../gpu/kernel.js';
import { environmentShader } from './program.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import { paramsUniform, resolveParams } from './batch.js';
import { type EnvDefinition, actionDim, obsDim, stateDim } from './types.js';

export class EnvVjp {
  /** [rows, S + A]: the states and actions to differentiate at. */
  readonly input: Tensor<'f32'>;
  /** [rows, S + 1 + O]: cotangents of the next state, the reward and the next full observation. */
  readonly cotangent: Tensor<'f32'>;
  /** [rows, S + A]: gradient with respect to state and action. */
  readonly output: Tensor<'f32'>;
  private dispatchPromise: Promise<Dispatch> | null = null;

  constructor(
    readonly ctx: GpuContext,
    readonly def: EnvDefinition,
    readonly rows: number,
    readonly params: Readonly<Record<string, number>> = {},
  ) {
    if (!def.differentiable) {
      throw new ConfigError('env', def.name, 'a differentiable environment (its step must be smooth almost everywhere)');
    }
    requireInt(`${def.name} vjp rows`, rows, 1, ctx.limits.maxComputeWorkgroupsPerDimension * 64);
    const s = stateDim(def), a = actionDim(def);
    this.input = f32(ctx, `${def.name}.vjp.input`, [rows, s + a]);
    this.cotangent = f32(ctx, `${def.name}.vjp.cotangent`, [rows, s + 1 + obsDim(def)]);
    this.output = f32(ctx, `${def.name}.vjp.output`, [rows, s + a]);
  }

  dispatch(cache: PipelineCache): Promise<Dispatch> {
    if (!this.dispatchPromise) {
      const { ctx, def } = this;
      const driver = uniform().u32(this.rows).u32(1).u32(0).u32(0).u32(1).u32(obsDim(def)).u32(0).u32(0).f32(0).f32(0).u32(0).u32(0);
      for (let i = 0; i < 16; i++) driver.u32(0);
      const bindings = {
        0: paramsUniform(ctx, def, resolveParams(def, this.params)),
        1: driver.build(ctx, `${def.name} vjp driver`),
        10: this.input,
        11: this.cotangent,
        12: this.output,
      };
      const shader = environmentShader(def.shader, true);
      this.dispatchPromise = makeDispatch(cache, { shader, entryPoint: 'vjp' }, bindings, [Math.ceil(this.rows / 64)], `${def.name} vjp`);
    }
    return this.dispatchPromise;
  }
}

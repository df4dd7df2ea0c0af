/**
 * SVG(inf) through the simulator as row programs (shaders/fused/svg_inf.wgsl): a training unit
 * of H env steps is 5 dispatches whatever H -
 *
 *   acting        1: H steps of every env with the current stochastic policy, in one kernel
 *   policyUpdate  4: the H-step rollout of each row from the unit's first states and its
 *                 backward through time (1), the gradient summed over rows and steps (1,
 *                 fused/param_update.wgsl), Adam with global-norm clipping (2, nn/adam.wgsl)
 *
 * against 7 per env step and about 16 per rollout step with one dispatch per layer. The clock:
 * acting reads slot 0 and writes the unit's last step count to slot 1; the rollout draws its
 * noise at that count (as the per-layer program does after its H ticks); the gradient kernel
 * copies it back to slot 0.
 */
import type { EnvBatch } from '../envs/batch.js';
import { stateDim } from '../envs/types.js';
import { ConfigError } from '../errors.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import type { ShaderSource } from '../gpu/shaders.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import type { Adam } from '../nn/adam.js';
import { paramGradientDispatch, tapeWidth } from '../nn/rowNetwork.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import type { GaussianPolicy } from './common/gaussianPolicy.js';
import { boundsAndShapes, rowDispatch, rowModule, rowsUnsupportedOn } from './common/rowProgram.js';
import type { SvgInfConfig } from './svgInf.js';
import gaussianRowWgsl from '../../shaders/fused/gaussian_row.wgsl?raw';
import svgInfWgsl from '../../shaders/fused/svg_inf.wgsl?raw';

/** Storage buffers the acting kernel binds (five of the env's, the clock, the policy, the kept states). */
const STORAGE_BUFFERS = 8;

/** Why SVG(inf) with `config` cannot run as row programs on this device, or null. */
export function svgInfRowsUnsupported(limits: GPUSupportedLimits, config: SvgInfConfig, policy: GaussianPolicy, env: EnvBatch, horizon: number): string | null {
  if (config.dynamics !== 'sim') return '--dynamics model (the learned model runs in the per-layer program)';
  const why = rowsUnsupportedOn(limits, STORAGE_BUFFERS, [policy.net]);
  if (why) return why;
  const bytes = env.agents * env.envs * horizon * (tapeWidth(policy.net) + 2 * env.actionDim + 1) * 4;
  if (bytes > limits.maxStorageBufferBindingSize) return `a rollout tape of ${bytes} bytes (more than maxStorageBufferBindingSize = ${limits.maxStorageBufferBindingSize}: fewer envs or a shorter --horizon)`;
  return null;
}

export interface SvgInfRowParts {
  env: EnvBatch;
  clock: Clock;
  config: SvgInfConfig;
  seed: number;
  horizon: number;
  policy: GaussianPolicy;
  opt: Adam;
  metrics: { tensor: Tensor<'f32'>; width: number; costSlot: number; counterSlot: number };
}

export class SvgInfRows {
  /** Per (row, step): the policy's tape part, its outputs and the row's cost (at step 0). */
  readonly tape: Tensor<'f32'>;
  /** Per (row, step): the state, the action and the noise of the rollout. */
  readonly work: Tensor<'f32'>;
  /** The envs' states when the unit began: where the rollouts start. */
  readonly start: Tensor<'f32'>;
  private readonly shader: ShaderSource;
  private readonly tapeWidth: number;

  constructor(
    readonly cache: PipelineCache,
    readonly p: SvgInfRowParts,
  ) {
    const { env, horizon: H, policy } = p;
    const why = svgInfRowsUnsupported(cache.ctx.limits, p.config, policy, env, H);
    if (why) throw new ConfigError('--program', 'rows', `layers for ${why}`);
    const S = stateDim(env.def), A = env.actionDim, N = env.envs, agents = env.agents;
    this.tapeWidth = tapeWidth(policy.net) + 2 * A + 1;
    this.tape = f32(cache.ctx, 'svg-inf.tape', [agents, N, H, this.tapeWidth]);
    this.work = f32(cache.ctx, 'svg-inf.work', [agents, N, H, S + 2 * A]);
    this.start = f32(cache.ctx, 'svg-inf.start', [agents, N, S]);
    this.shader = rowModule(env, {
      kernel: { path: 'fused/svg_inf.wgsl', code: svgInfWgsl },
      libraries: [{ path: 'fused/gaussian_row.wgsl', code: gaussianRowWgsl }],
      nets: [policy.net],
      weights: [{ name: 'policy', binding: 17 }],
    });
  }

  private params(read: number, write: number, label: string): GPUBuffer {
    const { env, config, seed, horizon, policy } = this.p;
    const u = uniform()
      .u32(env.envs).u32(horizon).u32(seed).u32(Stream.explore)
      .u32(Stream.sample).u32(read).u32(write).u32(this.tapeWidth)
      .f32(config.gamma).f32(-20).f32(2).u32(0);
    boundsAndShapes(u, env, [policy.net]);
    return u.build(this.cache.ctx, label);
  }

  private dispatch(entryPoint: 'act' | 'rollout', params: GPUBuffer, bindings: Record<number, Tensor | GPUBuffer>, label: string): Promise<Dispatch> {
    const { env } = this.p;
    return rowDispatch(this.cache, this.shader, entryPoint, {
      0: env.physicsParams, 16: params, 17: this.p.policy.net.params, 21: this.start, ...bindings,
    }, { rows: env.envs, agents: env.agents }, label);
  }

  /** acting: H steps of every env; the unit's last step count into clock slot 1. */
  acting(): Promise<Dispatch> {
    const { env } = this.p;
    return this.dispatch('act', this.params(0, 1, 'svg-inf act'), {
      1: env.driverParams, 2: env.envState, 3: env.obs, 4: env.nextObs, 6: env.stepOut, 7: env.epStats, 8: this.p.clock.tensor,
    }, 'svg-inf act (rows)');
  }

  /** policyUpdate: rollouts and their backward, the gradient over rows and steps, Adam (clipped). */
  async policyUpdate(): Promise<Dispatch[]> {
    const { env, horizon: H, policy, metrics } = this.p;
    const rollout = await this.dispatch('rollout', this.params(1, 1, 'svg-inf rollout'), { 8: this.p.clock.tensor, 22: this.tape, 23: this.work }, 'svg-inf rollout (rows)');
    const gradient = await paramGradientDispatch(this.cache, {
      net: policy.net, tape: this.tape, rows: env.envs * H, tapeWidth: this.tapeWidth, clock: this.p.clock.tensor, clockSlot: 1, commitClock: true,
      metrics: { tensor: metrics.tensor, width: metrics.width, col: this.tapeWidth - 1, slots: [metrics.costSlot], counter: metrics.counterSlot, scale: 1 / env.envs },
      label: 'svg-inf policy gradient',
    });
    return [rollout, gradient, ...(await this.p.opt.step(this.cache))];
  }
}

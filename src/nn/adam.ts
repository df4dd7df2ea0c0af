/**
 * Adam with bias correction (as torch.optim.Adam) and optional global-norm gradient clipping,
 * for every parameter of a network and every agent in one update dispatch (shaders/nn/adam.wgsl).
 * The step count lives on the GPU, so a recorded step replays with no upload.
 */
import { ConfigError, requireNumber } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../gpu/kernel.js';
import { type ShaderSource, withReduce } from '../gpu/shaders.js';
import adamWgsl from '../../shaders/nn/adam.wgsl?raw';
import { f32, type Tensor, u32 } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';

const ADAM: ShaderSource = withReduce('nn/adam.wgsl', [], adamWgsl);

export interface AdamOptions {
  /** Learning rate. Default 1e-3 (Kingma & Ba 2015). */
  lr?: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
  /** Clip the gradient to this global L2 norm per agent before the update; 0 = no clipping. */
  maxGradNorm?: number;
}

export function validateAdam(options: AdamOptions, field = 'adam'): Required<AdamOptions> {
  const lr = options.lr ?? 1e-3;
  if (!(lr > 0) || !Number.isFinite(lr)) throw new ConfigError(`${field}.lr`, lr, 'a finite number > 0');
  const beta1 = requireNumber(`${field}.beta1`, options.beta1 ?? 0.9, 0, 0.999999);
  const beta2 = requireNumber(`${field}.beta2`, options.beta2 ?? 0.999, 0, 0.999999);
  const eps = options.eps ?? 1e-8;
  if (!(eps > 0) || !Number.isFinite(eps)) throw new ConfigError(`${field}.eps`, eps, 'a finite number > 0');
  const maxGradNorm = requireNumber(`${field}.maxGradNorm`, options.maxGradNorm ?? 0, 0, 1e30);
  return { lr, beta1, beta2, eps, maxGradNorm };
}

/**
 * Where the program steps an optimizer, so its step count follows from the clock (see
 * shaders/nn/adam.wgsl) and no `prepare` dispatch is needed without clipping.
 */
export interface ClockedSteps {
  clock: Tensor<'u32'>;
  /** Env steps of warm-up before the first update. */
  warmup: number;
  stepsPerBlock: number;
  updatesPerBlock: number;
  /** This update's number within its block. */
  index: number;
  /** The optimizer steps on every delay-th update. */
  delay: number;
}

export class Adam {
  readonly options: Required<AdamOptions>;
  readonly m: Tensor<'f32'>;
  readonly v: Tensor<'f32'>;
  /** Per agent: [step count, clip factor bits, gradient norm bits, unused]. */
  readonly state: Tensor<'u32'>;

  constructor(
    readonly ctx: GpuContext,
    readonly params: Tensor<'f32'>,
    readonly grads: Tensor<'f32'>,
    readonly agents: number,
    options: AdamOptions = {},
    readonly label = 'adam',
  ) {
    this.options = validateAdam(options, label);
    if (params.size !== grads.size || params.size % agents !== 0) {
      throw new ConfigError(`${label} buffers`, `${params.size} params, ${grads.size} grads, ${agents} agents`, 'equal sizes divisible by the agent count');
    }
    this.m = f32(ctx, `${label}.m`, [params.size]);
    this.v = f32(ctx, `${label}.v`, [params.size]);
    this.state = u32(ctx, `${label}.state`, [agents, 4]);
  }

  get paramsPerAgent(): number {
    return this.params.size / this.agents;
  }

  /**
   * The dispatches of one step: prepare (step count, clipping) and update; only update when the
   * step count comes from the clock and there is no clipping.
   */
  async step(cache: PipelineCache, clocked?: ClockedSteps): Promise<Dispatch[]> {
    const { lr, beta1, beta2, eps, maxGradNorm } = this.options;
    const count = this.paramsPerAgent;
    const c = clocked ?? { warmup: 0, stepsPerBlock: 1, updatesPerBlock: 1, index: 0, delay: 1 };
    const params = uniform()
      .u32(count).f32(lr).f32(beta1).f32(beta2).f32(eps).f32(maxGradNorm)
      .u32(clocked ? 1 : 0).u32(c.warmup).u32(c.stepsPerBlock).u32(c.updatesPerBlock).u32(c.index).u32(c.delay)
      .build(this.ctx, this.label);
    const prepare = { 0: params, 2: this.grads, 5: this.state };
    const update = { 0: params, 1: this.params, 2: this.grads, 3: this.m, 4: this.v, 5: this.state, 6: clocked?.clock ?? this.unusedClock() };
    const dispatches = [await makeDispatch(cache, { shader: ADAM, entryPoint: 'update' }, update, [groups(count, 256), this.agents], `${this.label} update`)];
    if (!clocked || maxGradNorm > 0) {
      dispatches.unshift(await makeDispatch(cache, { shader: ADAM, entryPoint: 'prepare' }, prepare, [this.agents], `${this.label} prepare`));
    }
    return dispatches;
  }

  private clockStandIn: Tensor<'u32'> | null = null;
  private unusedClock(): Tensor<'u32'> {
    this.clockStandIn ??= u32(this.ctx, `${this.label}.unused_clock`, [4]);
    return this.clockStandIn;
  }

  destroy(): void {
    this.m.destroy();
    this.v.destroy();
    this.state.destroy();
  }
}

/**
 * Diagonal Gaussian head a = mu + sigma z (optionally tanh-squashed) with its reparameterised
 * backward pass, log-probability and score function (shaders/sample/gaussian.wgsl). mu and
 * log sigma are views, typically two column slices of one network output.
 */
import { ConfigError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../gpu/kernel.js';
import { type ShaderSource, withRngAndViews } from '../gpu/shaders.js';
import gaussianWgsl from '../../shaders/sample/gaussian.wgsl?raw';
import { f32, type Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import type { MatrixView } from '../gpu/view.js';
import type { Clock } from '../rng/clock.js';
import { type NoiseKey, checkKey, requireClock, rowGroups, sameShape } from './common.js';

const GAUSSIAN: ShaderSource = withRngAndViews('sample/gaussian.wgsl', gaussianWgsl);

export interface DiagGaussianOptions extends NoiseKey {
  mu: MatrixView;
  logStd: MatrixView;
  /** The step counter mixed into the noise; only drawing samples needs it. */
  clock?: Clock;
  /** a = tanh(mu + sigma z), with the change-of-variables term in log p. Default false. */
  squash?: boolean;
  /** log sigma is clamped to this range (gradient zero outside). Default [-20, 2] as in SAC. */
  logStdRange?: readonly [number, number];
  /** Tells apart several samples of one step (e.g. the time steps of an unrolled rollout). Default 0. */
  draw?: number;
  /** backward and score add into the parameter gradients instead of writing them. Default false. */
  accumulate?: boolean;
  label?: string;
}

/** dL/dmu and dL/dlog sigma must be two views of one tensor (one writable binding). */
function gradTensor(label: string, mu: MatrixView, logStd: MatrixView): Tensor<'f32'> {
  if (mu.tensor !== logStd.tensor) {
    throw new ConfigError(`${label} gradients`, `${mu.tensor.label} and ${logStd.tensor.label}`, 'two views of the same tensor');
  }
  return mu.tensor;
}

export class DiagGaussian {
  /** z of the last sample, dense [agents x rows x dim]: the noise the pathwise gradient holds fixed. */
  readonly noise: Tensor<'f32'>;
  /** log p(a) of the last sample, dense [agents x rows]. */
  readonly logp: Tensor<'f32'>;
  readonly label: string;
  private readonly options: DiagGaussianOptions;

  constructor(
    readonly ctx: GpuContext,
    options: DiagGaussianOptions,
  ) {
    this.label = options.label ?? 'gaussian';
    checkKey(this.label, options);
    sameShape(this.label, 'logStd', options.logStd, options.mu);
    const [lo, hi] = options.logStdRange ?? [-20, 2];
    if (!(lo < hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) {
      throw new ConfigError(`${this.label}.logStdRange`, [lo, hi], 'finite [min, max] with min < max');
    }
    this.options = { ...options, logStdRange: [lo, hi] };
    const { agents, rows, cols } = options.mu;
    this.noise = f32(ctx, `${this.label}.noise`, [agents, rows, cols]);
    this.logp = f32(ctx, `${this.label}.logp`, [agents, rows]);
  }

  private params(input: MatrixView, muGrad: MatrixView, logStdGrad: MatrixView, useLogpGrad: boolean, action: MatrixView, label: string): GPUBuffer {
    const { mu, logStd, seed, stream, logStdRange } = this.options;
    return uniform()
      .u32(mu.rows).u32(mu.cols).u32(seed).u32(stream)
      .f32(logStdRange![0]).f32(logStdRange![1]).u32(useLogpGrad ? 1 : 0).u32(this.options.draw ?? 0)
      .u32(this.options.accumulate ? 1 : 0).u32(0).u32(0).u32(0)
      .view(mu).view(logStd).view(action).view(input).view(muGrad).view(logStdGrad)
      .build(this.ctx, label);
  }

  private kernel(entryPoint: string) {
    return { shader: GAUSSIAN, entryPoint, constants: { SQUASH: this.options.squash ? 1 : 0 } };
  }

  /** Draws a into `action`, keeping z in `noise` and log p(a) in `logp`. */
  async sample(cache: PipelineCache, action: MatrixView): Promise<Dispatch> {
    const { mu, logStd, clock } = this.options;
    const label = `${this.label} sample`;
    sameShape(label, 'action', action, mu);
    const params = this.params(mu, mu, mu, false, action, label);
    const bindings = { 0: params, 1: mu.tensor, 2: logStd.tensor, 3: action.tensor, 4: this.noise, 5: this.logp, 6: requireClock(this.label, clock).tensor };
    return makeDispatch(cache, this.kernel('sample'), bindings, rowGroups(mu), label);
  }

  /**
   * The noise z that reproduces `given` actions (atanh when squashed), kept in `noise` like a
   * sample's, with log p and the recomputed action in `action`: differentiating `action` then
   * holds the inferred noise fixed. `given` and `action` must be different tensors.
   */
  async infer(cache: PipelineCache, given: MatrixView, action: MatrixView): Promise<Dispatch> {
    const { mu, logStd } = this.options;
    const label = `${this.label} infer`;
    sameShape(label, 'given action', given, mu);
    sameShape(label, 'action', action, mu);
    const params = this.params(given, mu, mu, false, action, label);
    const bindings = { 0: params, 1: mu.tensor, 2: logStd.tensor, 3: action.tensor, 4: this.noise, 5: this.logp, 8: given.tensor };
    return makeDispatch(cache, this.kernel('infer'), bindings, rowGroups(mu), label);
  }

  /** a from the noise of the last sample or infer, at the current mu and sigma (noise held fixed). */
  async reparameterize(cache: PipelineCache, action: MatrixView): Promise<Dispatch> {
    const { mu, logStd } = this.options;
    const label = `${this.label} reparameterize`;
    sameShape(label, 'action', action, mu);
    const params = this.params(mu, mu, mu, false, action, label);
    const bindings = { 0: params, 1: mu.tensor, 2: logStd.tensor, 3: action.tensor, 4: this.noise, 5: this.logp };
    return makeDispatch(cache, this.kernel('reparameterize'), bindings, rowGroups(mu), label);
  }

  /** The mode tanh(mu) (or mu) into `action`: acting without noise. */
  async mode(cache: PipelineCache, action: MatrixView): Promise<Dispatch> {
    const { mu } = this.options;
    const label = `${this.label} mode`;
    sameShape(label, 'action', action, mu);
    const params = this.params(mu, mu, mu, false, action, label);
    return makeDispatch(cache, this.kernel('mode'), { 0: params, 1: mu.tensor, 3: action.tensor }, rowGroups(mu), label);
  }

  /**
   * Pathwise gradient with z held fixed: from dL/da (and optionally dL/dlog p, dense
   * [agents x rows]) to dL/dmu and dL/dlog sigma.
   */
  async backward(
    cache: PipelineCache,
    grads: { action: MatrixView; logp?: Tensor<'f32'>; mu: MatrixView; logStd: MatrixView },
  ): Promise<Dispatch> {
    const { mu, logStd } = this.options;
    const label = `${this.label} backward`;
    for (const [name, v] of Object.entries({ 'action gradient': grads.action, 'mu gradient': grads.mu, 'logStd gradient': grads.logStd })) sameShape(label, name, v, mu);
    const params = this.params(grads.action, grads.mu, grads.logStd, grads.logp !== undefined, mu, label);
    const bindings = {
      0: params, 1: mu.tensor, 2: logStd.tensor, 7: this.noise, 8: grads.action.tensor,
      9: grads.logp ?? this.logp, 10: gradTensor(label, grads.mu, grads.logStd),
    };
    return makeDispatch(cache, this.kernel('backward'), bindings, rowGroups(mu), label);
  }

  /** Score function: dL/dmu, dL/dlog sigma of w * log N(x; mu, sigma) for pre-squash samples x. */
  async score(cache: PipelineCache, args: { x: MatrixView; weight: Tensor<'f32'>; mu: MatrixView; logStd: MatrixView }): Promise<Dispatch> {
    const { mu, logStd } = this.options;
    const label = `${this.label} score`;
    for (const [name, v] of Object.entries({ x: args.x, 'mu gradient': args.mu, 'logStd gradient': args.logStd })) sameShape(label, name, v, mu);
    const params = this.params(args.x, args.mu, args.logStd, false, mu, label);
    const bindings = { 0: params, 1: mu.tensor, 2: logStd.tensor, 8: args.x.tensor, 9: args.weight, 10: gradTensor(label, args.mu, args.logStd) };
    return makeDispatch(cache, this.kernel('score'), bindings, rowGroups(mu), label);
  }

  destroy(): void {
    this.noise.destroy();
    this.logp.destroy();
  }
}

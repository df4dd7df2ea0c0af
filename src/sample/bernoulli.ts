/**
 * Binary stochastic units: the binary Concrete (Gumbel-sigmoid) relaxation with temperature tau,
 * its straight-through variant (a hard 0/1 sample forward, the relaxation's gradient backward),
 * and the Bernoulli score function (shaders/sample/bernoulli.wgsl).
 */
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../gpu/kernel.js';
import { type ShaderSource, withRngAndViews } from '../gpu/shaders.js';
import bernoulliWgsl from '../../shaders/sample/bernoulli.wgsl?raw';
import { f32, type Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import type { MatrixView } from '../gpu/view.js';
import type { Clock } from '../rng/clock.js';
import { type NoiseKey, checkKey, requireClock, checkTemperature, sameShape } from './common.js';

const BERNOULLI: ShaderSource = withRngAndViews('sample/bernoulli.wgsl', bernoulliWgsl);

export interface BinaryUnitOptions extends NoiseKey {
  logits: MatrixView;
  /** The step counter mixed into the noise; only drawing samples needs it. */
  clock?: Clock;
  /** Temperature of the relaxation. Default 1. */
  tau?: number;
  /** Straight-through: output the hard sample in {0, 1}. */
  hard?: boolean;
  /** Tells apart several samples of one step. Default 0. */
  draw?: number;
  /** backward and score add into the logits gradient instead of writing it. Default false. */
  accumulate?: boolean;
  label?: string;
}

export class BinaryUnit {
  /** The relaxed sample sigmoid((logit + L) / tau), dense [agents x rows x dim]. */
  readonly soft: Tensor<'f32'>;
  readonly label: string;
  readonly tau: number;

  constructor(
    readonly ctx: GpuContext,
    private readonly options: BinaryUnitOptions,
  ) {
    this.label = options.label ?? 'binary';
    checkKey(this.label, options);
    this.tau = checkTemperature(this.label, options.tau ?? 1);
    const { agents, rows, cols } = options.logits;
    this.soft = f32(ctx, `${this.label}.soft`, [agents, rows, cols]);
  }

  private params(y: MatrixView, input: MatrixView, logitsGrad: MatrixView, label: string): GPUBuffer {
    const { logits, seed, stream } = this.options;
    return uniform()
      .u32(logits.rows).u32(logits.cols).u32(seed).u32(stream)
      .f32(this.tau).u32(this.options.draw ?? 0).u32(this.options.accumulate ? 1 : 0).u32(0)
      .view(logits).view(y).view(input).view(logitsGrad)
      .build(this.ctx, label);
  }

  private dispatch(cache: PipelineCache, entryPoint: string, bindings: Record<number, Tensor | GPUBuffer>, label: string): Promise<Dispatch> {
    const { logits } = this.options;
    const kernel = { shader: BERNOULLI, entryPoint, constants: { HARD: this.options.hard ? 1 : 0 } };
    return makeDispatch(cache, kernel, bindings, [Math.ceil((logits.rows * logits.cols) / 64), logits.agents], label);
  }

  async sample(cache: PipelineCache, y: MatrixView): Promise<Dispatch> {
    const { logits, clock } = this.options;
    const label = `${this.label} sample`;
    sameShape(label, 'output', y, logits);
    return this.dispatch(cache, 'sample', { 0: this.params(y, y, y, label), 1: logits.tensor, 2: y.tensor, 3: this.soft, 4: requireClock(this.label, clock).tensor }, label);
  }

  /** The more probable value, [logit > 0], into `y` (acting without noise). */
  async mode(cache: PipelineCache, y: MatrixView): Promise<Dispatch> {
    const label = `${this.label} mode`;
    sameShape(label, 'output', y, this.options.logits);
    return this.dispatch(cache, 'mode', { 0: this.params(y, y, y, label), 1: this.options.logits.tensor, 2: y.tensor }, label);
  }

  /** dL/dlogits from dL/dy through the relaxation (straight through when hard). */
  async backward(cache: PipelineCache, dy: MatrixView, logitsGrad: MatrixView): Promise<Dispatch> {
    const label = `${this.label} backward`;
    sameShape(label, 'output gradient', dy, this.options.logits);
    sameShape(label, 'logits gradient', logitsGrad, this.options.logits);
    return this.dispatch(cache, 'backward', { 0: this.params(dy, dy, logitsGrad, label), 5: this.soft, 6: dy.tensor, 8: logitsGrad.tensor }, label);
  }

  /** Score function: dL/dlogits of w * log p(b) for samples b in {0, 1} (e.g. the hard output). */
  async score(cache: PipelineCache, args: { sample: MatrixView; weight: Tensor<'f32'>; logitsGrad: MatrixView }): Promise<Dispatch> {
    const { logits } = this.options;
    const label = `${this.label} score`;
    sameShape(label, 'sample', args.sample, logits);
    sameShape(label, 'logits gradient', args.logitsGrad, logits);
    const bindings = { 0: this.params(logits, args.sample, args.logitsGrad, label), 1: logits.tensor, 6: args.sample.tensor, 7: args.weight, 8: args.logitsGrad.tensor };
    return this.dispatch(cache, 'score', bindings, label);
  }

  destroy(): void {
    this.soft.destroy();
  }
}

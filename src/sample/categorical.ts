/**
 * Categorical sampling by Gumbel-max, the Gumbel-softmax relaxation with temperature tau, its
 * straight-through variant (hard one-hot forward, soft gradient backward), and the categorical
 * score function (shaders/sample/categorical.wgsl).
 */
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../gpu/kernel.js';
import { type ShaderSource, withRngAndViews } from '../gpu/shaders.js';
import categoricalWgsl from '../../shaders/sample/categorical.wgsl?raw';
import { f32, type Tensor, u32 } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import type { MatrixView } from '../gpu/view.js';
import type { Clock } from '../rng/clock.js';
import { type NoiseKey, checkKey, requireClock, checkTemperature, rowGroups, sameShape } from './common.js';

const CATEGORICAL: ShaderSource = withRngAndViews('sample/categorical.wgsl', categoricalWgsl);

export interface GumbelSoftmaxOptions extends NoiseKey {
  logits: MatrixView;
  /** The step counter mixed into the noise; only drawing samples needs it. */
  clock?: Clock;
  /** Temperature of the relaxation. Default 1. */
  tau?: number;
  /** Straight-through: the output is the one-hot sample, the gradient the relaxation's. */
  hard?: boolean;
  /** Tells apart several samples of one step (e.g. the time steps of an unrolled rollout). Default 0. */
  draw?: number;
  /** backward and score add into the logits gradient instead of writing it. Default false. */
  accumulate?: boolean;
  label?: string;
}

export class GumbelSoftmax {
  /** The relaxed sample softmax((logits + g) / tau), dense [agents x rows x classes]. */
  readonly soft: Tensor<'f32'>;
  /** The exact categorical sample argmax(logits + g), dense [agents x rows]. */
  readonly index: Tensor<'u32'>;
  /** log softmax(logits)[index], dense [agents x rows]. */
  readonly logp: Tensor<'f32'>;
  readonly label: string;
  readonly tau: number;

  constructor(
    readonly ctx: GpuContext,
    private readonly options: GumbelSoftmaxOptions,
  ) {
    this.label = options.label ?? 'gumbel-softmax';
    checkKey(this.label, options);
    this.tau = checkTemperature(this.label, options.tau ?? 1);
    const { agents, rows, cols } = options.logits;
    this.soft = f32(ctx, `${this.label}.soft`, [agents, rows, cols]);
    this.index = u32(ctx, `${this.label}.index`, [agents, rows]);
    this.logp = f32(ctx, `${this.label}.logp`, [agents, rows]);
  }

  private params(y: MatrixView, dy: MatrixView, logitsGrad: MatrixView, label: string): GPUBuffer {
    const { logits, seed, stream } = this.options;
    return uniform()
      .u32(logits.rows).u32(logits.cols).u32(seed).u32(stream)
      .f32(this.tau).u32(this.options.draw ?? 0).u32(this.options.accumulate ? 1 : 0).u32(0)
      .view(logits).view(y).view(dy).view(logitsGrad)
      .build(this.ctx, label);
  }

  private kernel(entryPoint: string) {
    return { shader: CATEGORICAL, entryPoint, constants: { HARD: this.options.hard ? 1 : 0 } };
  }

  /** Draws a sample into `y` (one-hot if hard, else relaxed), plus soft, index and log p. */
  async sample(cache: PipelineCache, y: MatrixView): Promise<Dispatch> {
    const { logits, clock } = this.options;
    const label = `${this.label} sample`;
    sameShape(label, 'output', y, logits);
    const bindings = { 0: this.params(y, y, y, label), 1: logits.tensor, 2: y.tensor, 3: this.soft, 4: this.index, 5: this.logp, 6: requireClock(this.label, clock).tensor };
    return makeDispatch(cache, this.kernel('sample'), bindings, rowGroups(logits), label);
  }

  /** The most probable class, one-hot, into `y` (acting without noise). */
  async mode(cache: PipelineCache, y: MatrixView): Promise<Dispatch> {
    const { logits } = this.options;
    const label = `${this.label} mode`;
    sameShape(label, 'output', y, logits);
    return makeDispatch(cache, this.kernel('mode'), { 0: this.params(y, y, y, label), 1: logits.tensor, 2: y.tensor }, rowGroups(logits), label);
  }

  /** Score function of a one-hot sample drawn earlier (`observed`): dL/dlogits of w * log p(observed). */
  async scoreObserved(cache: PipelineCache, args: { observed: MatrixView; weight: Tensor<'f32'>; logitsGrad: MatrixView }): Promise<Dispatch> {
    const { logits } = this.options;
    const label = `${this.label} score (observed)`;
    sameShape(label, 'observed sample', args.observed, logits);
    sameShape(label, 'logits gradient', args.logitsGrad, logits);
    const bindings = { 0: this.params(logits, args.observed, args.logitsGrad, label), 1: logits.tensor, 8: args.observed.tensor, 10: args.weight, 11: args.logitsGrad.tensor };
    return makeDispatch(cache, this.kernel('score_observed'), bindings, rowGroups(logits), label);
  }

  /** dL/dlogits from dL/dy through the relaxation (straight through when hard). */
  async backward(cache: PipelineCache, dy: MatrixView, logitsGrad: MatrixView): Promise<Dispatch> {
    const { logits } = this.options;
    const label = `${this.label} backward`;
    sameShape(label, 'output gradient', dy, logits);
    sameShape(label, 'logits gradient', logitsGrad, logits);
    const bindings = { 0: this.params(dy, dy, logitsGrad, label), 7: this.soft, 8: dy.tensor, 11: logitsGrad.tensor };
    return makeDispatch(cache, this.kernel('backward'), bindings, rowGroups(logits), label);
  }

  /** Score function: dL/dlogits of w * log p(index) (index defaults to the last sample). */
  async score(cache: PipelineCache, args: { weight: Tensor<'f32'>; logitsGrad: MatrixView; index?: Tensor<'u32'> }): Promise<Dispatch> {
    const { logits } = this.options;
    const label = `${this.label} score`;
    sameShape(label, 'logits gradient', args.logitsGrad, logits);
    const bindings = { 0: this.params(logits, logits, args.logitsGrad, label), 1: logits.tensor, 9: args.index ?? this.index, 10: args.weight, 11: args.logitsGrad.tensor };
    return makeDispatch(cache, this.kernel('score'), bindings, rowGroups(logits), label);
  }

  destroy(): void {
    this.soft.destroy();
    this.index.destroy();
    this.logp.destroy();
  }
}

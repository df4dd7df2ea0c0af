/** The entropy coefficient of soft actor-critic: a constant, or tuned toward a target entropy (shaders/rl/temperature.wgsl). */
import type { GpuContext } from '../../gpu/context.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../../gpu/kernel.js';
import { type ShaderSource, withReduce } from '../../gpu/shaders.js';
import temperatureWgsl from '../../../shaders/rl/temperature.wgsl?raw';
import { f32, type Tensor } from '../../gpu/tensor.js';
import { uniform } from '../../gpu/uniform.js';
import type { MatrixView } from '../../gpu/view.js';

const TEMPERATURE: ShaderSource = withReduce('rl/temperature.wgsl', [], temperatureWgsl);

export interface TemperatureOptions {
  mode: 'off' | 'fixed' | 'auto';
  /** alpha (the initial one with 'auto'). */
  alpha: number;
  /** Adam learning rate of log alpha. */
  lr: number;
  targetEntropy: number;
}

export class Temperature {
  private constructor(
    /** Per agent: [alpha, log alpha, Adam m, Adam v, step, 0, 0, 0]. */
    readonly state: Tensor<'f32'>,
    readonly options: TemperatureOptions,
  ) {}

  static create(ctx: GpuContext, agents: number, options: TemperatureOptions): Temperature {
    const alpha = options.mode === 'off' ? 0 : options.alpha;
    const init = Array.from({ length: agents }, () => [alpha, Math.log(Math.max(alpha, 1e-30)), 0, 0, 0, 0, 0, 0]).flat();
    return new Temperature(f32(ctx, 'temperature', [agents, 8], init), options);
  }

  /** alpha of each agent, seen by every one of `rows` rows (a broadcast view: read only). */
  alphaView(rows: number): MatrixView {
    return { tensor: this.state, agents: this.state.shape[0], rows, cols: 1, offset: 0, rowStride: 0, agentStride: 8 };
  }

  /** One Adam step on log alpha ('auto'; otherwise alpha is only reported) from a batch's log-probabilities. */
  update(cache: PipelineCache, logp: Tensor<'f32'>, rows: number, metrics: { tensor: Tensor<'f32'>; width: number; slot: number }): Promise<Dispatch> {
    const learn = this.options.mode === 'auto' ? 1 : 0;
    const u = uniform().u32(rows).u32(learn).u32(metrics.width).u32(metrics.slot).f32(this.options.lr).f32(this.options.targetEntropy).u32(0).u32(0);
    const bindings = { 0: u.build(cache.ctx, 'temperature'), 1: logp, 2: this.state, 3: metrics.tensor };
    return makeDispatch(cache, { shader: TEMPERATURE, entryPoint: 'update' }, bindings, [this.state.shape[0]], 'temperature');
  }
}

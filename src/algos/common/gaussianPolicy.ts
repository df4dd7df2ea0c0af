/**
 * The stochastic policy of the SVG family and REINFORCE: an MLP from observation to
 * [mu | log sigma], a = tanh(mu + sigma z) (squashed, SAC-style) or a = mu + sigma z (clipped to
 * the action box by the env), normalized to [-1, 1]. Acting samples it; evaluation takes its mode.
 */
import type { EnvBatch } from '../../envs/batch.js';
import type { GpuContext } from '../../gpu/context.js';
import type { Dispatch, PipelineCache } from '../../gpu/kernel.js';
import { f32, type Tensor } from '../../gpu/tensor.js';
import { type MatrixView, columns, matrix } from '../../gpu/view.js';
import { Mlp } from '../../nn/mlp.js';
import { Clock } from '../../rng/clock.js';
import { Stream } from '../../rng/philox.js';
import { DiagGaussian } from '../../sample/gaussian.js';
import type { DeterministicPolicy } from './algorithm.js';
import { exploreDispatch } from './explore.js';

export class GaussianPolicy {
  private constructor(
    readonly net: Mlp,
    readonly actionDim: number,
    readonly squash: boolean,
  ) {}

  static create(ctx: GpuContext, obsDim: number, actionDim: number, hidden: readonly number[], agents: number, o: { seed: number; squash: boolean; label?: string }): GaussianPolicy {
    const net = Mlp.create(ctx, { sizes: [obsDim, ...hidden, 2 * actionDim], hidden: 'relu', agents }, { seed: o.seed, stream: 1, label: o.label ?? 'policy' });
    return new GaussianPolicy(net, actionDim, o.squash);
  }

  /** The [mu | log sigma] columns of a network output. */
  heads(out: MatrixView): { mu: MatrixView; logStd: MatrixView } {
    return { mu: columns(out, 0, this.actionDim), logStd: columns(out, this.actionDim, this.actionDim) };
  }

  /**
   * Acting in `env`: forward on its observations, a sample (or the mode), and the env's action
   * buffer in its bounds. `action` receives the normalized actions (and `x`, when given, keeps them
   * for a score-function update). Returns the dispatches and the sampler (its z and log p).
   */
  async acting(cache: PipelineCache, env: EnvBatch, clock: Clock, o: { seed: number; action: Tensor<'f32'>; noise?: boolean; label?: string }): Promise<{ dispatches: Dispatch[]; sampler: DiagGaussian }> {
    const label = o.label ?? `${this.net.label} (acting)`;
    const ctx = this.net.ctx;
    const batch = this.net.bind(cache, env.obsView, { label });
    const { mu, logStd } = this.heads(batch.output);
    const sampler = new DiagGaussian(ctx, { mu, logStd, clock, seed: o.seed, stream: Stream.explore, squash: this.squash, label: `${label} sample` });
    const rows = env.envs, agents = env.agents;
    const normalized = matrix(o.action, { agents, rows, cols: this.actionDim });
    const draw = o.noise ?? true ? await sampler.sample(cache, normalized) : await sampler.mode(cache, normalized);
    // exploreDispatch without noise maps the normalized action onto the env's bounds.
    const scratch = f32(ctx, `${label} ou`, [agents * rows, this.actionDim]);
    const toEnv = await exploreDispatch(cache, env, normalized, f32(ctx, `${label} replay action`, [agents * rows, this.actionDim]), scratch, clock, {
      noise: 'none', sigma: 0, ouTheta: 0, ouDt: 1, warmup: 0, seed: o.seed, stream: Stream.explore,
    });
    return { dispatches: [...(await batch.forward()), draw, toEnv], sampler };
  }

  /** The mode of the policy on `input` (evaluation). */
  async mode(cache: PipelineCache, input: MatrixView): Promise<DeterministicPolicy> {
    const ctx = this.net.ctx;
    const batch = this.net.bind(cache, input, { label: `${this.net.label} (eval)` });
    const { mu, logStd } = this.heads(batch.output);
    const out = matrix(f32(ctx, `${this.net.label} mode`, [input.agents, input.rows, this.actionDim]), { agents: input.agents, rows: input.rows, cols: this.actionDim });
    const sampler = new DiagGaussian(ctx, { mu, logStd, clock: new Clock(ctx, 'mode clock (unused)'), seed: 0, stream: 0, squash: this.squash });
    return { forward: [...(await batch.forward()), await sampler.mode(cache, out)], input, output: out };
  }
}

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
import type { Graph, Value } from '../../scg/graph.js';
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
   * buffer in its bounds; during the first `warmup` env steps, uniformly random actions instead.
   * `action` receives the normalized actions taken (what a replay buffer stores).
   */
  async acting(cache: PipelineCache, env: EnvBatch, clock: Clock, o: { seed: number; action: Tensor<'f32'>; noise?: boolean; warmup?: number; label?: string }): Promise<{ dispatches: Dispatch[]; sampler: DiagGaussian }> {
    const label = o.label ?? `${this.net.label} (acting)`;
    const ctx = this.net.ctx;
    const batch = this.net.bind(cache, env.obsView, { label });
    const { mu, logStd } = this.heads(batch.output);
    const sampler = new DiagGaussian(ctx, { mu, logStd, clock, seed: o.seed, stream: Stream.explore, squash: this.squash, label: `${label} sample` });
    const rows = env.envs, agents = env.agents;
    const drawn = matrix(f32(ctx, `${label} drawn`, [agents, rows, this.actionDim]), { agents, rows, cols: this.actionDim });
    const draw = o.noise ?? true ? await sampler.sample(cache, drawn) : await sampler.mode(cache, drawn);
    // Without added noise, exploreDispatch clips to [-1, 1], maps onto the env's bounds and
    // substitutes uniform actions during warm-up.
    const scratch = f32(ctx, `${label} ou`, [agents * rows, this.actionDim]);
    const toEnv = await exploreDispatch(cache, env, drawn, o.action, scratch, clock, {
      noise: 'none', sigma: 0, ouTheta: 0, ouDt: 1, warmup: o.warmup ?? 0, seed: o.seed, stream: Stream.explore,
    });
    return { dispatches: [...(await batch.forward()), draw, toEnv], sampler };
  }

  /** a = tanh(mu(s) + sigma(s) z) (or unsquashed) as graph nodes, pathwise; placed `into`, if given. */
  graphAction(g: Graph, s: Value, o: { seed: number; stream: number; draw?: number; into?: MatrixView; label?: string }): { action: Value; logp: Value } {
    const heads = g.mlp(this.net, s, { label: 'policy' });
    const A = this.actionDim;
    const { sample, logp } = g.gaussian(g.slice(heads, 0, A), g.slice(heads, A, A), { estimator: 'pathwise', squash: this.squash, seed: o.seed, stream: o.stream, draw: o.draw, into: o.into, label: o.label ?? 'a' });
    return { action: sample, logp };
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

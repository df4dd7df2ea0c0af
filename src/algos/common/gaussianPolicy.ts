/**
 * The stochastic policy of the SVG family and REINFORCE: an MLP from observation to
 * [mu | log sigma], a = tanh(mu + sigma z) (squashed, SAC-style) or a = mu + sigma z (clipped to
 * the action box by the env), normalized to [-1, 1]. Acting samples it; evaluation takes its mode.
 */
import type { EnvBatch } from '../../envs/batch.js';
import type { GpuContext } from '../../gpu/context.js';
import type { PipelineCache } from '../../gpu/kernel.js';
import { f32 } from '../../gpu/tensor.js';
import { type MatrixView, columns, matrix } from '../../gpu/view.js';
import type { Activation } from '../../nn/linear.js';
import { Mlp } from '../../nn/mlp.js';
import type { Clock } from '../../rng/clock.js';
import { Stream } from '../../rng/philox.js';
import { DiagGaussian } from '../../sample/gaussian.js';
import type { Graph, Value } from '../../scg/graph.js';
import type { DeterministicPolicy, EvalNetworks, PolicyHead } from './algorithm.js';
import { toEnv } from './explore.js';
import { type ActingOptions, type Actor, type StochasticPolicy, policyEvalNetworks } from './policy.js';

export class GaussianPolicy implements StochasticPolicy {
  private constructor(
    readonly net: Mlp,
    readonly actionDim: number,
    readonly squash: boolean,
  ) {}

  static create(ctx: GpuContext, obsDim: number, actionDim: number, hidden: readonly number[], agents: number, o: { seed: number; squash: boolean; label?: string; activation?: Activation }): GaussianPolicy {
    const net = Mlp.create(ctx, { sizes: [obsDim, ...hidden, 2 * actionDim], hidden: o.activation ?? 'relu', agents }, { seed: o.seed, stream: 1, label: o.label ?? 'policy' });
    return new GaussianPolicy(net, actionDim, o.squash);
  }

  get sampleWidth(): number {
    return this.actionDim;
  }

  /** The [mu | log sigma] columns of a network output. */
  heads(out: MatrixView): { mu: MatrixView; logStd: MatrixView } {
    return { mu: columns(out, 0, this.actionDim), logStd: columns(out, this.actionDim, this.actionDim) };
  }

  /**
   * Acting in `env`: forward on its observations, a sample (or the mode), and the env's action
   * buffer in its bounds; during the first `warmup` env steps, uniformly random actions instead.
   */
  async acting(cache: PipelineCache, env: EnvBatch, clock: Clock, o: ActingOptions): Promise<Actor> {
    const label = o.label ?? `${this.net.label} (acting)`;
    const ctx = this.net.ctx;
    const batch = this.net.bind(cache, o.input ?? env.obsView, { label });
    const { mu, logStd } = this.heads(batch.output);
    const sampler = new DiagGaussian(ctx, { mu, logStd, clock, seed: o.seed, stream: Stream.explore, squash: this.squash, label: `${label} sample` });
    const rows = env.envs, agents = env.agents;
    const own = matrix(f32(ctx, `${label} drawn`, [agents, rows, this.actionDim]), { agents, rows, cols: this.actionDim });
    const bounds = toEnv(cache, env, clock, { action: o.action, seed: o.seed, warmup: o.warmup, label });
    const forward = await batch.forward();
    return {
      step: async (into = own) => [...forward, (o.noise ?? true) ? await sampler.sample(cache, into) : await sampler.mode(cache, into), await bounds.dispatch(into)],
    };
  }

  /** a = tanh(mu(s) + sigma(s) z) (or unsquashed) as graph nodes, pathwise; placed `into`, if given. */
  graphAction(g: Graph, s: Value, o: { seed: number; stream: number; draw?: number; into?: MatrixView; label?: string }): { action: Value; logp: Value } {
    const heads = g.mlp(this.net, s, { label: 'policy' });
    const A = this.actionDim;
    const { sample, logp } = g.gaussian(g.slice(heads, 0, A), g.slice(heads, A, A), { estimator: 'pathwise', squash: this.squash, seed: o.seed, stream: o.stream, draw: o.draw, into: o.into, label: o.label ?? 'a' });
    return { action: sample, logp };
  }

  observedSamples(g: Graph, out: Value, observed: MatrixView, o: { seed: number; stream: number; baseline?: Value }): Value[] {
    const A = this.actionDim;
    return [g.gaussian(g.slice(out, 0, A), g.slice(out, A, A), { estimator: 'score', observed, seed: o.seed, stream: o.stream, baseline: o.baseline, label: 'x' }).sample];
  }

  /** The mode of the policy on `input` (evaluation). */
  async mode(cache: PipelineCache, input: MatrixView): Promise<DeterministicPolicy> {
    const ctx = this.net.ctx;
    const batch = this.net.bind(cache, input, { label: `${this.net.label} (eval)` });
    const { mu, logStd } = this.heads(batch.output);
    const out = matrix(f32(ctx, `${this.net.label} mode`, [input.agents, input.rows, this.actionDim]), { agents: input.agents, rows: input.rows, cols: this.actionDim });
    const sampler = new DiagGaussian(ctx, { mu, logStd, seed: 0, stream: 0, squash: this.squash });
    const release = () => {
      batch.destroy();
      out.tensor.destroy();
      sampler.destroy();
    };
    return { forward: [...(await batch.forward()), await sampler.mode(cache, out)], input, output: out, release };
  }

  get head(): PolicyHead {
    return { kind: 'gaussian', squash: this.squash };
  }

  evalNetworks(): EvalNetworks {
    return policyEvalNetworks(this);
  }
}

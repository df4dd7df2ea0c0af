/**
 * A discrete-action policy for continuous-action envs: each action dimension takes one of K
 * evenly spaced values c_k = -1 + 2k / (K - 1) of the normalized box (K = 2: bang-bang, e.g.
 * cartpole pushed left or right). The network outputs A groups of K logits; each group is a
 * categorical node, and a fixed linear decoder maps the A one-hot rows to the normalized action,
 * a_d = sum_k c_k y_dk. Pathwise methods differentiate through the one-hot samples with
 * Gumbel-softmax or straight-through (Jang et al. 2017); REINFORCE uses their score function.
 */
import type { EnvBatch } from '../../envs/batch.js';
import { ConfigError } from '../../errors.js';
import type { GpuContext } from '../../gpu/context.js';
import type { PipelineCache } from '../../gpu/kernel.js';
import { f32 } from '../../gpu/tensor.js';
import { type MatrixView, columns, matrix } from '../../gpu/view.js';
import { Mlp } from '../../nn/mlp.js';
import type { Clock } from '../../rng/clock.js';
import { Stream } from '../../rng/philox.js';
import { GumbelSoftmax } from '../../sample/categorical.js';
import type { CategoricalEstimator, Graph, Value } from '../../scg/graph.js';
import type { DeterministicPolicy, EvalNetworks, PolicyHead } from './algorithm.js';
import { fixedDecoder } from './decoder.js';
import { toEnv } from './explore.js';
import { type ActingOptions, type Actor, type StochasticPolicy, policyEvalNetworks } from './policy.js';

export class CategoricalPolicy implements StochasticPolicy {
  private constructor(
    readonly net: Mlp,
    /** The fixed one-hot -> action map (never trained). */
    readonly decoder: Mlp,
    readonly actionDim: number,
    readonly bins: number,
    readonly tau: number,
  ) {}

  static create(ctx: GpuContext, obsDim: number, actionDim: number, hidden: readonly number[], agents: number, o: { seed: number; bins: number; tau: number }): CategoricalPolicy {
    if (!Number.isInteger(o.bins) || o.bins < 2) throw new ConfigError('--action-bins', o.bins, 'an integer >= 2');
    const K = o.bins, A = actionDim;
    const net = Mlp.create(ctx, { sizes: [obsDim, ...hidden, A * K], hidden: 'relu', agents }, { seed: o.seed, stream: 1, label: 'policy' });
    // Row d * K + k of the one-hot input holds value c_k of dimension d.
    const decoder = fixedDecoder(ctx, { agents, inDim: A * K, outDim: A, seed: o.seed, weight: (i, j) => (Math.floor(i / K) === j ? -1 + (2 * (i % K)) / (K - 1) : 0), bias: () => 0 });
    return new CategoricalPolicy(net, decoder, A, K, o.tau);
  }

  get sampleWidth(): number {
    return this.actionDim * this.bins;
  }

  private oneHot(label: string, agents: number, rows: number): MatrixView {
    const cols = this.actionDim * this.bins;
    return matrix(f32(this.net.ctx, label, [agents, rows, cols]), { agents, rows, cols });
  }

  /** The one-hot groups as graph nodes and the decoded action (placed `into`, if given). */
  graphAction(g: Graph, s: Value, o: { estimator: CategoricalEstimator; seed: number; stream: number; draw?: number; into?: MatrixView; label?: string }): { action: Value } {
    const label = o.label ?? 'a';
    const logits = g.mlp(this.net, s, { label: 'policy' });
    const K = this.bins;
    const onehot = this.oneHot(`${label}.onehot`, g.agents, g.rows);
    const groups: Value[] = [];
    for (let d = 0; d < this.actionDim; d++) {
      groups.push(g.categorical(g.slice(logits, d * K, K), { estimator: o.estimator, tau: this.tau, seed: o.seed, stream: o.stream, draw: (o.draw ?? 0) * 16 + d, into: columns(onehot, d * K, K), label: `${label}${d}` }).sample);
    }
    return { action: g.mlp(this.decoder, g.join(groups), { train: false, into: o.into, label: `${label} (decoded)` }) };
  }

  observedSamples(g: Graph, out: Value, observed: MatrixView, o: { seed: number; stream: number; baseline?: Value }): Value[] {
    const K = this.bins;
    return Array.from({ length: this.actionDim }, (_, d) =>
      g.categorical(g.slice(out, d * K, K), { estimator: 'score', observed: columns(observed, d * K, K), seed: o.seed, stream: o.stream, baseline: o.baseline, label: `x${d}` }).sample,
    );
  }

  /** Acting in `env`: a one-hot sample per action dimension (or the mode), the decoded action to the env. */
  async acting(cache: PipelineCache, env: EnvBatch, clock: Clock, o: ActingOptions): Promise<Actor> {
    const label = o.label ?? 'policy (acting)';
    const K = this.bins;
    const batch = this.net.bind(cache, o.input ?? env.obsView, { label });
    const samplers = Array.from({ length: this.actionDim }, (_, d) =>
      new GumbelSoftmax(this.net.ctx, { logits: columns(batch.output, d * K, K), clock, seed: o.seed, stream: Stream.explore, draw: d, hard: true, label: `${label} sample ${d}` }));
    const own = this.oneHot(`${label} onehot`, env.agents, env.envs);
    const decoded = this.decoder.bind(cache, own, { label: `${label} decode` });
    const bounds = toEnv(cache, env, clock, { action: o.action, seed: o.seed, warmup: o.warmup, label });
    const forward = await batch.forward();
    return {
      step: async (into = own) => {
        const draws = await Promise.all(samplers.map((s, d) => ((o.noise ?? true) ? s.sample(cache, columns(into, d * K, K)) : s.mode(cache, columns(into, d * K, K)))));
        // The decoder reads the one-hot rows where they were written.
        const decode = into === own ? decoded : this.decoder.bind(cache, into, { label: `${label} decode`, output: decoded.output, outputGrad: decoded.outputGrad });
        return [...forward, ...draws, ...(await decode.forward()), await bounds.dispatch(decoded.output)];
      },
    };
  }

  /** The most probable value of every action dimension (evaluation). */
  async mode(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    const K = this.bins;
    const batch = this.net.bind(cache, obs, { label: 'policy (eval)' });
    const onehot = this.oneHot('policy mode onehot', obs.agents, obs.rows);
    const samplers = Array.from({ length: this.actionDim }, (_, d) => new GumbelSoftmax(this.net.ctx, { logits: columns(batch.output, d * K, K), seed: 0, stream: 0, hard: true }));
    const modes = await Promise.all(samplers.map((s, d) => s.mode(cache, columns(onehot, d * K, K))));
    const decoded = this.decoder.bind(cache, onehot, { label: 'decode (eval)' });
    const release = () => {
      for (const x of [batch, decoded, ...samplers]) x.destroy();
      onehot.tensor.destroy();
    };
    return { forward: [...(await batch.forward()), ...modes, ...(await decoded.forward())], input: obs, output: decoded.output, release };
  }

  get head(): PolicyHead {
    return { kind: 'categorical', bins: this.bins };
  }

  evalNetworks(): EvalNetworks {
    return policyEvalNetworks(this);
  }
}

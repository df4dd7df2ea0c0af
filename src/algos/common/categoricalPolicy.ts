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
import type { Dispatch, PipelineCache } from '../../gpu/kernel.js';
import { f32, type Tensor } from '../../gpu/tensor.js';
import { type MatrixView, columns, matrix } from '../../gpu/view.js';
import { Mlp } from '../../nn/mlp.js';
import { Clock } from '../../rng/clock.js';
import { Stream } from '../../rng/philox.js';
import { GumbelSoftmax } from '../../sample/categorical.js';
import type { CategoricalEstimator, Graph, Value } from '../../scg/graph.js';
import type { DeterministicPolicy } from './algorithm.js';
import { exploreDispatch } from './explore.js';

export class CategoricalPolicy {
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
    const decoder = Mlp.create(ctx, { sizes: [A * K, A], hidden: 'identity', output: 'identity', agents }, { seed: o.seed, stream: 9, label: 'action decoder' });
    // W_aug is (in + 1) x out, row-major, the bias row last (zero).
    const w = new Float32Array(agents * (A * K + 1) * A);
    for (let agent = 0; agent < agents; agent++) {
      for (let d = 0; d < A; d++) for (let k = 0; k < K; k++) w[agent * (A * K + 1) * A + (d * K + k) * A + d] = -1 + (2 * k) / (K - 1);
    }
    decoder.params.write(w);
    return new CategoricalPolicy(net, decoder, A, K, o.tau);
  }

  /** The one-hot groups as graph nodes and the decoded action (placed `into`, if given). */
  graphAction(g: Graph, s: Value, o: { estimator: CategoricalEstimator; seed: number; stream: number; draw?: number; into?: MatrixView; label?: string }): { action: Value } {
    const label = o.label ?? 'a';
    const logits = g.mlp(this.net, s, { label: 'policy' });
    const K = this.bins;
    const onehot = matrix(f32(this.net.ctx, `${label}.onehot`, [g.agents, g.rows, this.actionDim * K]), { agents: g.agents, rows: g.rows, cols: this.actionDim * K });
    const groups: Value[] = [];
    for (let d = 0; d < this.actionDim; d++) {
      groups.push(g.categorical(g.slice(logits, d * K, K), { estimator: o.estimator, tau: this.tau, seed: o.seed, stream: o.stream, draw: (o.draw ?? 0) * 16 + d, into: columns(onehot, d * K, K), label: `${label}${d}` }).sample);
    }
    return { action: g.mlp(this.decoder, g.join(groups), { train: false, into: o.into, label: `${label} (decoded)` }) };
  }

  /**
   * Acting in `env`: a one-hot sample per action dimension (or the mode) into `onehot` when
   * given (what REINFORCE stores), the decoded action to the env; uniform random actions during
   * `warmup`. `action` receives the normalized actions taken (what a replay buffer stores).
   */
  async acting(
    cache: PipelineCache,
    env: EnvBatch,
    clock: Clock,
    o: { seed: number; action: Tensor<'f32'>; noise?: boolean; warmup?: number; onehot?: MatrixView; label?: string },
  ): Promise<{ dispatches: Dispatch[] }> {
    const label = o.label ?? 'policy (acting)';
    const ctx = this.net.ctx;
    const rows = env.envs, agents = env.agents, K = this.bins;
    const batch = this.net.bind(cache, env.obsView, { label });
    const onehot = o.onehot ?? matrix(f32(ctx, `${label} onehot`, [agents, rows, this.actionDim * K]), { agents, rows, cols: this.actionDim * K });
    const draws: Dispatch[] = [];
    for (let d = 0; d < this.actionDim; d++) {
      const sampler = new GumbelSoftmax(ctx, { logits: columns(batch.output, d * K, K), clock, seed: o.seed, stream: Stream.explore, draw: d, hard: true, label: `${label} sample ${d}` });
      const y = columns(onehot, d * K, K);
      draws.push(o.noise ?? true ? await sampler.sample(cache, y) : await sampler.mode(cache, y));
    }
    const decoded = this.decoder.bind(cache, onehot, { label: `${label} decode` });
    const toEnv = await exploreDispatch(cache, env, decoded.output, o.action, f32(ctx, `${label} ou`, [agents * rows, this.actionDim]), clock, {
      noise: 'none', sigma: 0, ouTheta: 0, ouDt: 1, warmup: o.warmup ?? 0, seed: o.seed, stream: Stream.explore,
    });
    return { dispatches: [...(await batch.forward()), ...draws, ...(await decoded.forward()), toEnv] };
  }

  /** The most probable value of every action dimension (evaluation). */
  async mode(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    const ctx = this.net.ctx, K = this.bins;
    const batch = this.net.bind(cache, obs, { label: 'policy (eval)' });
    const onehot = matrix(f32(ctx, 'policy mode onehot', [obs.agents, obs.rows, this.actionDim * K]), { agents: obs.agents, rows: obs.rows, cols: this.actionDim * K });
    const modes: Dispatch[] = [];
    for (let d = 0; d < this.actionDim; d++) {
      const sampler = new GumbelSoftmax(ctx, { logits: columns(batch.output, d * K, K), clock: new Clock(ctx, 'mode clock (unused)'), seed: 0, stream: 0, hard: true });
      modes.push(await sampler.mode(cache, columns(onehot, d * K, K)));
    }
    const decoded = this.decoder.bind(cache, onehot, { label: 'decode (eval)' });
    return { forward: [...(await batch.forward()), ...modes, ...(await decoded.forward())], input: obs, output: decoded.output };
  }
}

/**
 * A bang-bang policy of binary stochastic units: one unit per action dimension, b_d ~
 * Bernoulli(sigmoid(logit_d(s))), and the action a_d = 2 b_d - 1 (the ends of the normalized box,
 * e.g. cartpole pushed left or right). Pathwise methods differentiate through the bits with the
 * binary Concrete relaxation or straight through it (Maddison et al. 2017; Bengio et al. 2013);
 * REINFORCE uses their score function. A categorical policy with 2 bins represents the same
 * choices with two logits per dimension; this one is the seeds' "binary (sigmoid) units".
 */
import type { EnvBatch } from '../../envs/batch.js';
import type { GpuContext } from '../../gpu/context.js';
import type { PipelineCache } from '../../gpu/kernel.js';
import { f32 } from '../../gpu/tensor.js';
import { type MatrixView, matrix } from '../../gpu/view.js';
import { Mlp } from '../../nn/mlp.js';
import type { Clock } from '../../rng/clock.js';
import { Stream } from '../../rng/philox.js';
import { BinaryUnit } from '../../sample/bernoulli.js';
import type { BinaryEstimator, Graph, Value } from '../../scg/graph.js';
import type { DeterministicPolicy, EvalNetworks, PolicyHead } from './algorithm.js';
import { fixedDecoder } from './decoder.js';
import { toEnv } from './explore.js';
import { type ActingOptions, type Actor, type StochasticPolicy, policyEvalNetworks } from './policy.js';

export class BinaryPolicy implements StochasticPolicy {
  private constructor(
    readonly net: Mlp,
    /** The fixed bits -> action map a = 2 b - 1 (never trained). */
    readonly decoder: Mlp,
    readonly actionDim: number,
    readonly tau: number,
  ) {}

  static create(ctx: GpuContext, obsDim: number, actionDim: number, hidden: readonly number[], agents: number, o: { seed: number; tau: number }): BinaryPolicy {
    const A = actionDim;
    const net = Mlp.create(ctx, { sizes: [obsDim, ...hidden, A], hidden: 'relu', agents }, { seed: o.seed, stream: 1, label: 'policy' });
    const decoder = fixedDecoder(ctx, { agents, inDim: A, outDim: A, seed: o.seed, weight: (i, j) => (i === j ? 2 : 0), bias: () => -1 });
    return new BinaryPolicy(net, decoder, A, o.tau);
  }

  get sampleWidth(): number {
    return this.actionDim;
  }

  private bits(label: string, agents: number, rows: number): MatrixView {
    return matrix(f32(this.net.ctx, label, [agents, rows, this.actionDim]), { agents, rows, cols: this.actionDim });
  }

  /** The bits as a graph node and the decoded action (placed `into`, if given). */
  graphAction(g: Graph, s: Value, o: { estimator: BinaryEstimator; seed: number; stream: number; draw?: number; into?: MatrixView; label?: string }): { action: Value } {
    const label = o.label ?? 'a';
    const logits = g.mlp(this.net, s, { label: 'policy' });
    const bits = g.binary(logits, { estimator: o.estimator, tau: this.tau, seed: o.seed, stream: o.stream, draw: o.draw, into: this.bits(`${label}.bits`, g.agents, g.rows), label: `${label} bits` });
    return { action: g.mlp(this.decoder, bits.sample, { train: false, into: o.into, label: `${label} (decoded)` }) };
  }

  observedSamples(g: Graph, out: Value, observed: MatrixView, o: { seed: number; stream: number; baseline?: Value }): Value[] {
    return [g.binary(out, { estimator: 'score', observed, seed: o.seed, stream: o.stream, baseline: o.baseline, label: 'x' }).sample];
  }

  /** Acting in `env`: bits (or the mode), the decoded action to the env. */
  async acting(cache: PipelineCache, env: EnvBatch, clock: Clock, o: ActingOptions): Promise<Actor> {
    const label = o.label ?? 'policy (acting)';
    const batch = this.net.bind(cache, o.input ?? env.obsView, { label });
    const unit = new BinaryUnit(this.net.ctx, { logits: batch.output, clock, seed: o.seed, stream: Stream.explore, hard: true, label: `${label} sample` });
    const own = this.bits(`${label} bits`, env.agents, env.envs);
    const decoded = this.decoder.bind(cache, own, { label: `${label} decode` });
    const bounds = toEnv(cache, env, clock, { action: o.action, seed: o.seed, warmup: o.warmup, label });
    const forward = await batch.forward();
    return {
      step: async (into = own) => {
        const draw = (o.noise ?? true) ? await unit.sample(cache, into) : await unit.mode(cache, into);
        const decode = into === own ? decoded : this.decoder.bind(cache, into, { label: `${label} decode`, output: decoded.output, outputGrad: decoded.outputGrad });
        return [...forward, draw, ...(await decode.forward()), await bounds.dispatch(decoded.output)];
      },
    };
  }

  /** The more probable value of every bit (evaluation). */
  async mode(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    const batch = this.net.bind(cache, obs, { label: 'policy (eval)' });
    const bits = this.bits('policy mode bits', obs.agents, obs.rows);
    const unit = new BinaryUnit(this.net.ctx, { logits: batch.output, seed: 0, stream: 0, hard: true });
    const decoded = this.decoder.bind(cache, bits, { label: 'decode (eval)' });
    const release = () => {
      for (const x of [batch, decoded, unit]) x.destroy();
      bits.tensor.destroy();
    };
    return { forward: [...(await batch.forward()), await unit.mode(cache, bits), ...(await decoded.forward())], input: obs, output: decoded.output, release };
  }

  get head(): PolicyHead {
    return { kind: 'binary' };
  }

  evalNetworks(): EvalNetworks {
    return policyEvalNetworks(this);
  }
}

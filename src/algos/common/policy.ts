/**
 * What the stochastic policies (Gaussian, categorical, binary) offer the algorithms that act
 * with them, learn from their stored samples (REINFORCE) and evaluate their mode.
 */
import type { EnvBatch } from '../../envs/batch.js';
import type { Dispatch, PipelineCache } from '../../gpu/kernel.js';
import type { Tensor } from '../../gpu/tensor.js';
import type { MatrixView } from '../../gpu/view.js';
import type { Mlp } from '../../nn/mlp.js';
import type { Clock } from '../../rng/clock.js';
import type { Graph, Value } from '../../scg/graph.js';
import { type AlgorithmParts, type Build, BuiltAlgorithm, type DeterministicPolicy, type EvalNetworks, type PolicyHead } from './algorithm.js';

export interface ActingOptions {
  seed: number;
  /** Receives the normalized actions taken (what a replay buffer stores). */
  action: Tensor<'f32'>;
  /** Sample (default) or take the mode. */
  noise?: boolean;
  /** Env steps (clock values) with uniformly random actions instead. */
  warmup?: number;
  label?: string;
  /** What the network reads (default: the env's observations; a recurrent policy's hidden state). */
  input?: MatrixView;
}

/** A policy acting in an env batch: its forward pass and samplers, bound once. */
export interface Actor {
  /**
   * One acting step's dispatches: forward, a sample (or the mode) written to `into` - the
   * action, one-hot rows or bits, as REINFORCE stores them - or to the actor's own buffer, and
   * the actions onto the env's bounds.
   */
  step(into?: MatrixView): Promise<Dispatch[]>;
}

export interface StochasticPolicy {
  readonly net: Mlp;
  readonly actionDim: number;
  /** Columns of one stored sample: the action (Gaussian), one-hot rows (categorical), bits (binary). */
  readonly sampleWidth: number;
  /** The policy acting in `env` (on its observations). */
  acting(cache: PipelineCache, env: EnvBatch, clock: Clock, o: ActingOptions): Promise<Actor>;
  /** Score-function nodes of samples drawn while acting (`observed`), given the network's output `out`. */
  observedSamples(g: Graph, out: Value, observed: MatrixView, o: { seed: number; stream: number; baseline?: Value }): Value[];
  /** The mode of the policy on `obs` (evaluation). */
  mode(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy>;
  evalNetworks(): EvalNetworks;
  /** How the network's output becomes the evaluation action. */
  readonly head: PolicyHead;
}

/** The mode alone, for `pathwise eval`: the policy's parameters by checkpoint name. */
export function policyEvalNetworks(policy: StochasticPolicy): EvalNetworks {
  return { tensors: { 'policy.params': policy.net.params }, policy: (cache, obs) => policy.mode(cache, obs), network: policy.net, head: policy.head };
}

/** An algorithm that evaluates the mode of its stochastic policy. */
export abstract class PolicyAlgorithm<C, P extends StochasticPolicy = StochasticPolicy> extends BuiltAlgorithm<C> {
  constructor(
    b: Build<C>,
    readonly policy: P,
    parts: AlgorithmParts,
  ) {
    super(b, parts);
  }

  evalPolicy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    return this.policy.mode(cache, obs);
  }
}

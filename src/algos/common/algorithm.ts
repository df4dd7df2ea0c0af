/**
 * What the training loop needs from an algorithm: the programs it replays, the tensors that make
 * up its state (for checkpoints), its metrics table, and a deterministic policy for evaluation.
 * Every algorithm class also offers the static half the registry uses (AlgorithmClass).
 */
import type { RecurrentCell } from '../../nn/recurrent.js';
import type { EnvBatch } from '../../envs/batch.js';
import type { EnvDefinition } from '../../envs/types.js';
import type { GpuContext } from '../../gpu/context.js';
import type { Dispatch, PipelineCache } from '../../gpu/kernel.js';
import type { Recorder } from '../../gpu/recorder.js';
import type { Tensor } from '../../gpu/tensor.js';
import type { MatrixView } from '../../gpu/view.js';
import type { Clock } from '../../rng/clock.js';
import type { Mlp } from '../../nn/mlp.js';
import type { MetricTable } from './metrics.js';

export interface Program {
  recorder: Recorder;
  /** Env steps (clock ticks) one replay of the recorder takes. */
  iterations: number;
}

export interface Algorithm {
  readonly name: string;
  readonly env: EnvBatch;
  readonly clock: Clock;
  /** Acting only (random actions), for the first env steps. */
  readonly warmup: Program;
  /** Acting and learning. */
  readonly train: Program;
  /** Env steps per env spent in `warmup` before `train` starts. */
  readonly warmupIterations: number;
  /** Every tensor whose contents a resumed run needs, by a stable name (common/state.ts). */
  readonly state: Readonly<Record<string, Tensor>>;
  /** Where the learning metrics accumulate and what each one is (common/metrics.ts). */
  readonly metrics: MetricTable;
  /** Set when `--program auto` fell back from row programs to one dispatch per layer, and why. */
  readonly programNote?: string;
  /** The policy without exploration noise on `obs`, for evaluation. */
  evalPolicy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy>;
}

/** Acting with a deterministic policy, for evaluation: forward pass of the policy on `obs`. */
export interface DeterministicPolicy {
  /** Dispatches computing normalized actions ([-1, 1]) into `output` from `input`. */
  forward: Dispatch[];
  input: MatrixView;
  output: MatrixView;
  /** Frees the buffers the forward pass allocated (activations, samples); the networks stay. */
  release(): void;
  /**
   * A policy with a state (a recurrent cell's): the dispatches that start the rows whose env began
   * a new episode at its last step from a zero state again (from the env's step flags), to run
   * before `forward` when episodes follow one another in the same rows (`env` has the policy's
   * agents and rows). Without them the state is carried across episodes.
   */
  episodeResets?(cache: PipelineCache, env: EnvBatch): Promise<Dispatch[]>;
  /** That state, [agents x rows x state width] (for tests and diagnostics). */
  state?: Tensor<'f32'>;
}

/** The evaluation policy alone, for `pathwise eval`: its tensors by checkpoint name and its forward pass. */
export interface EvalNetworks {
  tensors: Record<string, Tensor>;
  policy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy>;
  /** The network the policy runs and how its output becomes an action (for export). */
  network: Mlp;
  head: PolicyHead;
  /** The kind of the recurrent cell before `network` (gru, lstm), if any. */
  recurrent?: string;
  /** That cell (its parameters, for export). */
  cell?: RecurrentCell;
}

/**
 * How a policy network's output becomes the normalized action ([-1, 1]) of evaluation, so the
 * policy can leave pathwise (src/api/export.ts) and act the same elsewhere.
 */
export type PolicyHead =
  /** The output (after the network's own output activation) is the action. */
  | { kind: 'deterministic' }
  /** `[mu | log std]`: the mode tanh(mu) (squashed) or mu. */
  | { kind: 'gaussian'; squash: boolean }
  /** Groups of `bins` logits per action dimension: the first argmax k gives -1 + 2k / (bins - 1). */
  | { kind: 'categorical'; bins: number }
  /** One logit per action dimension: 1 where it is > 0, else -1. */
  | { kind: 'binary' };

/** Run settings an algorithm's constraints may look at. */
export interface RunShape {
  env: string;
  envs: number;
  agents: number;
  sensors: string;
  obsNoise: number;
  sysid: number;
}

/** The static side of an algorithm class, for the registry. */
export interface AlgorithmClass<C> {
  create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: C, seed: number): Promise<Algorithm>;
  evalNetworks(ctx: GpuContext, env: EnvBatch, config: C, seed: number): EvalNetworks;
  /** Throws a ConfigError when the algorithm cannot run with these settings (before any GPU work). */
  check?(run: RunShape, def: EnvDefinition, config: C): void;
}

/** What building an algorithm's programs needs; each algorithm's phases share it (and add their parts). */
export interface Build<C> {
  ctx: GpuContext;
  cache: PipelineCache;
  env: EnvBatch;
  clock: Clock;
  config: C;
  seed: number;
}

/** The programs, state and metrics `create` assembles. */
export interface AlgorithmParts {
  warmup: Program;
  train: Program;
  warmupIterations: number;
  state: Record<string, Tensor>;
  metrics: MetricTable;
}

/** An algorithm built from its parts; subclasses name it and say how it acts for evaluation. */
export abstract class BuiltAlgorithm<C> implements Algorithm {
  abstract readonly name: string;
  readonly env: EnvBatch;
  readonly clock: Clock;
  readonly config: C;
  readonly warmup: Program;
  readonly train: Program;
  readonly warmupIterations: number;
  readonly state: Record<string, Tensor>;
  readonly metrics: MetricTable;

  constructor(b: Build<C>, parts: AlgorithmParts) {
    this.env = b.env;
    this.clock = b.clock;
    this.config = b.config;
    this.warmup = parts.warmup;
    this.train = parts.train;
    this.warmupIterations = parts.warmupIterations;
    this.state = parts.state;
    this.metrics = parts.metrics;
  }

  abstract evalPolicy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy>;
}

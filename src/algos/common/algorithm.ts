/**
 * What the training loop needs from an algorithm: the programs it replays, the tensors that make
 * up its state (for checkpoints), its metrics, and a deterministic policy for evaluation.
 */
import type { EnvBatch } from '../../envs/batch.js';
import type { Dispatch, PipelineCache } from '../../gpu/kernel.js';
import type { Recorder } from '../../gpu/recorder.js';
import type { Tensor } from '../../gpu/tensor.js';
import type { MatrixView } from '../../gpu/view.js';
import type { Clock } from '../../rng/clock.js';

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
  /** Every tensor whose contents a resumed run needs, by a stable name. */
  readonly state: Readonly<Record<string, Tensor>>;
  /** Reads and clears the learning metrics since the last call, per agent. */
  readMetrics(): Promise<Record<string, number>[]>;
  /** The policy without exploration noise on `obs`, for evaluation. */
  evalPolicy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy>;
}

/** Acting with a deterministic policy, for evaluation: forward pass of the policy on `obs`. */
export interface DeterministicPolicy {
  /** Dispatches computing normalized actions ([-1, 1]) into `output` from `input`. */
  forward: Dispatch[];
  input: MatrixView;
  output: MatrixView;
}

/** x / n, or NaN before the first update (a metric averaged over updates). */
export function perUpdate(x: number, n: number): number {
  return n > 0 ? x / n : Number.NaN;
}

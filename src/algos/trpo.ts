/**
 * TRPO, trust region policy optimization (Schulman et al. 2015; rllab's TRPO, Duan et al. 2016):
 * TNPG's natural gradient direction s (conjugate gradient with GPU Fisher-vector products,
 * common/naturalGradient.ts) and its KL-scaled step beta s, then a backtracking line search on
 * the surrogate with the KL constraint, entirely on the GPU: candidates theta + ratio^k beta s
 * for k < K (1 dispatch), every record under every candidate - the surrogate's gain
 * (pi_k / pi_old - 1) A and KL(pi_old || pi_k) - in one (the agent dimension holds the
 * candidates), and the choice (1): the first candidate whose mean gain is positive and whose mean
 * KL is within step_size, or no step at all when none passes (rllab's rule).
 */
import type { EnvBatch } from '../envs/batch.js';
import type { EnvDefinition } from '../envs/types.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import type { Clock } from '../rng/clock.js';
import type { EvalNetworks, RunShape } from './common/algorithm.js';
import type { GaussianPolicy } from './common/gaussianPolicy.js';
import { buildNaturalGradient, checkNpg, npgNetworks, npgSchema } from './common/naturalGradient.js';
import { type OptionValues, resolveOptions } from './common/options.js';
import { PolicyAlgorithm } from './common/policy.js';

export const trpoSchema = {
  ...npgSchema,
  backtrackRatio: { kind: 'number', default: 0.8, min: 0, exclusiveMin: true, max: 1, help: 'each backtrack shrinks the step by this factor (rllab backtrack_ratio: 0.8)' },
  maxBacktracks: { kind: 'number', default: 15, min: 1, max: 64, integer: true, help: 'candidate steps of the line search (rllab max_backtracks: 15)' },
} as const;

export type TrpoConfig = OptionValues<typeof trpoSchema>;

export function trpoConfig(given: Readonly<Record<string, unknown>> = {}): TrpoConfig {
  return resolveOptions(trpoSchema, given);
}

export class Trpo extends PolicyAlgorithm<TrpoConfig, GaussianPolicy> {
  readonly name = 'trpo';

  static check(run: RunShape, def: EnvDefinition, config: TrpoConfig): void {
    checkNpg(run, def, config);
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: TrpoConfig, seed: number): Promise<Trpo> {
    const lineSearch = { backtrackRatio: config.backtrackRatio, maxBacktracks: config.maxBacktracks };
    const step = { kind: 'natural', stepSize: config.stepSize, cgIterations: config.cgIterations, damping: config.damping, lineSearch } as const;
    const { learner, parts } = await buildNaturalGradient('trpo', ctx, cache, env, clock, config, seed, step);
    return new Trpo({ ...learner, config }, learner.policy, parts);
  }

  static evalNetworks(ctx: GpuContext, env: EnvBatch, config: TrpoConfig, seed: number): EvalNetworks {
    return npgNetworks(ctx, env, config, seed).policy.evalNetworks();
  }
}

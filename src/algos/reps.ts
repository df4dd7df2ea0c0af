/**
 * REPS, relative entropy policy search (Peters et al. 2010; rllab's REPS, Duan et al. 2016), on
 * the GPU. A training unit of T env steps per env: the segment (as TNPG's), then REPS's dual
 * minimized over the temperature eta and the linear value parameters v of rllab's features (one
 * dispatch, common/repsDual.ts and shaders/rl/reps.wgsl), whose Bellman errors weigh every record
 * by exp(delta / eta) so that the reweighted distribution stays within KL epsilon of the sampled
 * one; then the policy's weighted maximum-likelihood fit to those weights (as RWR's).
 *
 * rllab minimizes the dual and fits the policy by 50 iterations of L-BFGS each; here `dualSteps`
 * Adam steps on (log eta, v in standardized feature units) inside the dual's kernel, and
 * `fitSteps` full-batch Adam steps for the fit. A segment's end counts as a path's end (zero
 * features after it), as rllab's complete paths have. With `--recurrent gru|lstm` the policy reads
 * a cell's state and the fit runs through the graph (weightedFitRecurrent.ts).
 */
import type { EnvBatch } from '../envs/batch.js';
import type { EnvDefinition } from '../envs/types.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import type { Clock } from '../rng/clock.js';
import type { EvalNetworks, RunShape } from './common/algorithm.js';
import type { GaussianPolicy } from './common/gaussianPolicy.js';
import { batchSchema, buildNaturalGradient, checkNpg } from './common/naturalGradient.js';
import { type OptionValues, resolveOptions } from './common/options.js';
import { PolicyAlgorithm } from './common/policy.js';
import { type RecurrentPolicy, checkRecurrent, recurrentSchema } from './common/recurrentPolicy.js';
import { recurrentWeightedFit, weightedFitNetworks } from './weightedFitRecurrent.js';

export const repsSchema = {
  ...batchSchema,
  ...recurrentSchema,
  epsilon: { kind: 'number', default: 0.5, min: 0, exclusiveMin: true, help: 'the KL bound of the reweighted distribution (rllab epsilon: 0.5)' },
  dualSteps: { kind: 'number', default: 200, min: 1, integer: true, help: 'Adam steps on the dual per update (rllab: 50 L-BFGS-B iterations)' },
  dualLr: { kind: 'number', default: 0.05, min: 0, exclusiveMin: true, help: 'Adam learning rate on (log eta, standardized v) (ours)' },
  fitSteps: { kind: 'number', default: 50, min: 1, integer: true, help: 'Adam steps of the weighted maximum-likelihood fit per update (rllab: 50 L-BFGS iterations)' },
  fitLr: { kind: 'number', default: 3e-3, min: 0, exclusiveMin: true, help: 'Adam learning rate of the fit (ours: 1e-2 collapsed the policy\'s spread on cartpole)' },
} as const;

export type RepsConfig = OptionValues<typeof repsSchema>;

export function repsConfig(given: Readonly<Record<string, unknown>> = {}): RepsConfig {
  return resolveOptions(repsSchema, given);
}

export class Reps extends PolicyAlgorithm<RepsConfig, GaussianPolicy | RecurrentPolicy> {
  readonly name = 'reps';

  static check(run: RunShape, def: EnvDefinition, config: RepsConfig): void {
    checkNpg(run, def, config);
    if (config.recurrent !== 'none') checkRecurrent(run, config.segment, config);
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: RepsConfig, seed: number): Promise<Reps> {
    const step = { kind: 'reps', epsilon: config.epsilon, dualSteps: config.dualSteps, dualLr: config.dualLr, fitSteps: config.fitSteps, fitLr: config.fitLr } as const;
    if (config.recurrent !== 'none') {
      const { policy, value } = weightedFitNetworks(ctx, env, config, seed);
      const { learner, parts } = await recurrentWeightedFit('reps', ctx, cache, env, clock, config, seed, step, policy as RecurrentPolicy, value);
      return new Reps({ ...learner, config }, policy, parts);
    }
    const { learner, parts } = await buildNaturalGradient('reps', ctx, cache, env, clock, config, seed, step);
    return new Reps({ ...learner, config }, learner.policy, parts);
  }

  static evalNetworks(ctx: GpuContext, env: EnvBatch, config: RepsConfig, seed: number): EvalNetworks {
    return weightedFitNetworks(ctx, env, config, seed).policy.evalNetworks();
  }
}

/**
 * RWR, reward-weighted regression in its episodic form (Peters & Schaal 2007; Kober & Peters
 * 2009; rllab's ERWR, the RWR column of Duan et al. 2016), on the GPU. A training unit of T env
 * steps per env is rllab's: the segment and its GAE advantages (common/naturalGradient.ts, as
 * TNPG), standardized and shifted to positive weights w = A - min A + 1e-8 (rllab's positive_adv),
 * then a weighted maximum-likelihood fit of the Gaussian policy - maximize
 * (1 / M) sum_r w_r log pi(x_r | s_r) over every record - and the value net's fit.
 *
 * rllab fits by 20 iterations of L-BFGS; this takes `fitSteps` full-batch Adam steps instead
 * (each 4 dispatches: the weighted log-likelihood's gradient rows over every record, their sum,
 * Adam), which keeps the fit on the GPU with no line search. With `--recurrent gru|lstm` the
 * policy reads a cell's state and the fit runs through the graph (weightedFitRecurrent.ts).
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

export const rwrSchema = {
  ...batchSchema,
  ...recurrentSchema,
  gaeLambda: { kind: 'number', default: 1, min: 0, max: 1, help: 'GAE lambda (rllab: 1, returns minus the baseline)' },
  fitSteps: { kind: 'number', default: 20, min: 1, integer: true, help: 'Adam steps of the weighted maximum-likelihood fit per update (rllab: 20 L-BFGS iterations)' },
  fitLr: { kind: 'number', default: 1e-2, min: 0, exclusiveMin: true, help: 'Adam learning rate of the fit (ours)' },
} as const;

export type RwrConfig = OptionValues<typeof rwrSchema>;

export function rwrConfig(given: Readonly<Record<string, unknown>> = {}): RwrConfig {
  return resolveOptions(rwrSchema, given);
}

export class Rwr extends PolicyAlgorithm<RwrConfig, GaussianPolicy | RecurrentPolicy> {
  readonly name = 'rwr';

  static check(run: RunShape, def: EnvDefinition, config: RwrConfig): void {
    checkNpg(run, def, config);
    if (config.recurrent !== 'none') checkRecurrent(run, config.segment, config);
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: RwrConfig, seed: number): Promise<Rwr> {
    if (config.recurrent !== 'none') {
      const { policy, value } = weightedFitNetworks(ctx, env, config, seed);
      const step = { kind: 'weighted', fitSteps: config.fitSteps, fitLr: config.fitLr } as const;
      const { learner, parts } = await recurrentWeightedFit('rwr', ctx, cache, env, clock, config, seed, step, policy as RecurrentPolicy, value);
      return new Rwr({ ...learner, config }, policy, parts);
    }
    const step = { kind: 'weighted', fitSteps: config.fitSteps, fitLr: config.fitLr } as const;
    const { learner, parts } = await buildNaturalGradient('rwr', ctx, cache, env, clock, config, seed, step);
    return new Rwr({ ...learner, config }, learner.policy, parts);
  }

  static evalNetworks(ctx: GpuContext, env: EnvBatch, config: RwrConfig, seed: number): EvalNetworks {
    return weightedFitNetworks(ctx, env, config, seed).policy.evalNetworks();
  }
}

/**
 * TNPG, the truncated natural policy gradient (Kakade 2002; rllab's TNPG, Duan et al. 2016),
 * entirely on the GPU. Every training unit of T env steps per env is
 *
 *   collect        1 dispatch: the segment (common/segmentRows.ts, as PPO)
 *   returns        3: GAE(lambda) advantages and returns, both standardized (rl/returns.wgsl)
 *   policyUpdate   the vanilla gradient g over all M = N T records (2: rows, sum), conjugate
 *                  gradient on (F + damping I) s = g with F the policy's Fisher matrix (1 + 3 per
 *                  iteration: the Fisher-vector product's rows by forward and reverse mode, its
 *                  sum, the CG step), then one more product and the step theta += beta s with
 *                  beta = sqrt(2 step_size / s^T (F + damping I) s), the step whose mean KL is
 *                  step_size in the quadratic model (3) - common/naturalGradient.ts
 *   valueUpdate    the value net fitted to the standardized returns: epochs of shuffled
 *                  minibatches (4 each: rows, sum, Adam)
 *
 * rllab fits a linear feature baseline where this fits a small network; the Fisher matrix is the
 * Gaussian's closed form (diag(1 / sigma^2, 2) in (mu, log sigma)) through the network's Jacobian,
 * averaged over every record of the segment.
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

export const tnpgSchema = npgSchema;

export type TnpgConfig = OptionValues<typeof tnpgSchema>;

export function tnpgConfig(given: Readonly<Record<string, unknown>> = {}): TnpgConfig {
  return resolveOptions(tnpgSchema, given);
}

export class Tnpg extends PolicyAlgorithm<TnpgConfig, GaussianPolicy> {
  readonly name = 'tnpg';

  static check(run: RunShape, def: EnvDefinition, config: TnpgConfig): void {
    checkNpg(run, def, config);
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: TnpgConfig, seed: number): Promise<Tnpg> {
    const step = { kind: 'natural', stepSize: config.stepSize, cgIterations: config.cgIterations, damping: config.damping } as const;
    const { learner, parts } = await buildNaturalGradient('tnpg', ctx, cache, env, clock, config, seed, step);
    return new Tnpg({ ...learner, config }, learner.policy, parts);
  }

  static evalNetworks(ctx: GpuContext, env: EnvBatch, config: TnpgConfig, seed: number): EvalNetworks {
    return npgNetworks(ctx, env, config, seed).policy.evalNetworks();
  }
}

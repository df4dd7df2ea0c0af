/**
 * CEM: the cross-entropy method over policy parameters (Szita & Lorincz 2006), the gradient-free
 * baseline of the rllab comparison (Duan et al. 2016). Each generation:
 *
 *   theta_i ~ N(mu, diag sigma^2), i = 1..P          (the population: P networks side by side)
 *   R_i = mean return of theta_i's deterministic policy over E episodes (E envs each)
 *   elites = the ceil(elite * P) best;  mu, sigma^2 <- their mean and variance (+ extra noise^2)
 *
 * The population is the networks' agent dimension and a generation is one episode of every env
 * (common/populationSearch.ts, shared with CMA-ES).
 */
import type { EnvBatch } from '../envs/batch.js';
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../gpu/kernel.js';
import { runOnce } from '../gpu/recorder.js';
import { type ShaderSource, withRng } from '../gpu/shaders.js';
import cemWgsl from '../../shaders/rl/cem.wgsl?raw';
import { f32, type Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import type { MatrixView } from '../gpu/view.js';
import type { Mlp } from '../nn/mlp.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import type { EnvDefinition } from '../envs/types.js';
import { type AlgorithmParts, type Build, BuiltAlgorithm, type DeterministicPolicy, type EvalNetworks, type RunShape } from './common/algorithm.js';
import { checkPopulation, meanEvalNetworks, meanNetwork, meanPolicy, populationActing, populationParts } from './common/populationSearch.js';
import { type OptionValues, resolveOptions } from './common/options.js';

const CEM: ShaderSource = withRng('rl/cem.wgsl', cemWgsl);

export const cemSchema = {
  policyHidden: { kind: 'list', default: [16], min: 1, help: 'hidden layer widths of the policy (ours: CEM searches every parameter, so small networks)' },
  population: { kind: 'number', default: 64, min: 2, max: 256, integer: true, help: 'parameter vectors per generation; --envs must be a multiple (ours)' },
  eliteFraction: { kind: 'number', default: 0.2, min: 0, exclusiveMin: true, max: 1, help: 'fraction of the population that refits the distribution (rllab: 0.2)' },
  initStd: { kind: 'number', default: 0.3, min: 0, exclusiveMin: true, help: 'initial standard deviation of every parameter (ours; rllab: 1)' },
  extraNoise: { kind: 'number', default: 0.02, min: 0, help: 'standard deviation added to every parameter after a refit, against premature collapse (ours)' },
} as const;

export type CemConfig = OptionValues<typeof cemSchema>;

export function cemConfig(given: Readonly<Record<string, unknown>> = {}): CemConfig {
  return resolveOptions(cemSchema, given);
}

export class Cem extends BuiltAlgorithm<CemConfig> {
  readonly name = 'cem';

  private constructor(
    b: Build<CemConfig>,
    /** The network holding the search distribution's mean (the evaluation policy). */
    readonly mean: Mlp,
    parts: AlgorithmParts,
  ) {
    super(b, parts);
  }

  /** Checks that the envs split evenly over the population (before any GPU work). */
  static check(run: Pick<RunShape, 'envs' | 'agents'>, _def: EnvDefinition, config: CemConfig): void {
    checkPopulation('cem', run, config.population);
  }

  static evalNetworks(ctx: GpuContext, env: EnvBatch, config: CemConfig, seed: number): EvalNetworks {
    return meanEvalNetworks(ctx, env, config.policyHidden, seed);
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: CemConfig, seed: number): Promise<Cem> {
    Cem.check(env, env.def, config);
    const P = config.population;
    const mean = meanNetwork(ctx, env, config.policyHidden, seed);
    const acting = await populationActing(cache, env, clock, { name: 'cem', mean, population: P, seed });
    const stats = f32(ctx, 'cem.stats', [8]);
    const elites = Math.max(1, Math.ceil(config.eliteFraction * P));
    const kernel = cemKernels(cache, { envs: env.envs, population: P, elites, seed, initStd: config.initStd, extraNoise: config.extraNoise }, {
      episode: acting.episode, population: acting.population.params, mean: mean.params, clock: clock.tensor, stats,
    });

    // The first population, drawn around the initial network.
    await runOnce(ctx, [await kernel(true)]);

    const parts = populationParts(ctx, { name: 'cem', env, clock, acting, mean, update: [await kernel()], stats, sigma: 'mean_sigma', other: { 'cem.stats': stats } });
    return new Cem({ ctx, cache, env, clock, config, seed }, mean, parts);
  }

  evalPolicy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    return meanPolicy(cache, this.mean, obs);
  }
}

export interface CemBuffers {
  /** [envs, 2]: the episode return and alive flag of every env (common/populationSearch.ts). */
  episode: Tensor<'f32'>;
  /** [P, count] parameters of the population; [count] of the mean. */
  population: Tensor<'f32'>;
  mean: Tensor<'f32'>;
  clock: Tensor<'u32'>;
  /** [8]: sums of best return, elite return, mean sigma, generations (common/populationSearch.ts POPULATION_STATS). */
  stats: Tensor<'f32'>;
}

/** The refit of shaders/rl/cem.wgsl for one population (`init`: the first draw around the mean). */
export function cemKernels(
  cache: PipelineCache,
  o: { envs: number; population: number; elites: number; seed: number; initStd: number; extraNoise: number },
  b: CemBuffers,
): (init?: boolean) => Promise<Dispatch> {
  const count = b.mean.size;
  const params = (init: boolean) =>
    uniform().u32(o.envs).u32(o.population).u32(o.envs / o.population).u32(o.elites).u32(count).u32(init ? 1 : 0).u32(o.seed).u32(Stream.sample)
      .f32(o.initStd).f32(o.extraNoise).u32(0).u32(0).build(cache.ctx, 'cem params');
  return (init = false) =>
    makeDispatch(cache, { shader: CEM, entryPoint: 'update' }, { 0: params(init), 1: b.episode, 3: b.population, 4: b.mean, 5: b.clock, 6: b.stats }, [1], 'cem update');
}

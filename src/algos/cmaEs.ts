/**
 * CMA-ES: the covariance matrix adaptation evolution strategy over policy parameters (Hansen &
 * Ostermeier 2001), the CMA-ES column of the rllab comparison (Duan et al. 2016). Each generation:
 *
 *   x_i = m + sigma A z_i, z_i ~ N(0, I), i = 1..lambda     (C = A A^T; the population: networks side by side)
 *   R_i = mean return of x_i's deterministic policy over E episodes (E envs each)
 *   m, the evolution paths, sigma and C <- the mu best with log-rank weights (shaders/rl/cma_es.wgsl)
 *
 * Constants follow Hansen's tutorial (arXiv:1604.00772, table 1); the factor A is a Cholesky
 * factor recomputed every few generations on the GPU (blocked: common/cholesky.ts). `--covariance diagonal` is the separable
 * variant (Ros & Hansen 2008) for policies beyond the full matrix's size. Acting is shared with
 * CEM (common/populationSearch.ts).
 */
import type { EnvBatch } from '../envs/batch.js';
import { observationWidth } from '../envs/batch.js';
import { actionDim, type EnvDefinition } from '../envs/types.js';
import { ConfigError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../gpu/kernel.js';
import { runOnce } from '../gpu/recorder.js';
import { type ShaderSource, rng, withReduce } from '../gpu/shaders.js';
import { f32, type Tensor, u32 } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import type { MatrixView } from '../gpu/view.js';
import type { Mlp } from '../nn/mlp.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import cmaEsWgsl from '../../shaders/rl/cma_es.wgsl?raw';
import { type AlgorithmParts, type Build, BuiltAlgorithm, type DeterministicPolicy, type EvalNetworks, type RunShape } from './common/algorithm.js';
import { type OptionValues, resolveOptions } from './common/options.js';
import { choleskyDispatches } from './common/cholesky.js';
import { checkPopulation, meanEvalNetworks, meanNetwork, meanPolicy, populationActing, populationParts } from './common/populationSearch.js';

const CMA_ES: ShaderSource = withReduce('rl/cma_es.wgsl', [rng], cmaEsWgsl);

/** The largest policy a full covariance is kept for: C and A are n x n floats each (64 MiB at 4096). */
export const MAX_FULL_COVARIANCE = 4096;

export const cmaEsSchema = {
  policyHidden: { kind: 'list', default: [16], min: 1, help: 'hidden layer widths of the policy (ours: CMA-ES searches every parameter, so small networks)' },
  population: { kind: 'number', default: 64, min: 4, max: 256, integer: true, help: 'lambda, parameter vectors per generation; --envs must be a multiple (ours: fills the agent dimension; Hansen and rllab: 4 + floor(3 ln n))' },
  sigma0: { kind: 'number', default: 1, min: 0, exclusiveMin: true, help: 'initial step size around the initial network (rllab: 1)' },
  covariance: { kind: 'choice', default: 'full', choices: ['full', 'diagonal'], help: `full covariance (rllab's column; up to ${MAX_FULL_COVARIANCE} parameters) or the separable variant (Ros & Hansen 2008)` },
  decomposeEvery: { kind: 'number', default: 0, min: 0, integer: true, help: "generations between Cholesky factorizations of C; 0: Hansen's lazy interval 1 / (10 n (c_1 + c_mu))" },
} as const;

export type CmaEsConfig = OptionValues<typeof cmaEsSchema>;

export function cmaEsConfig(given: Readonly<Record<string, unknown>> = {}): CmaEsConfig {
  return resolveOptions(cmaEsSchema, given);
}

/** The strategy's constants for n parameters and lambda candidates (Hansen's tutorial, table 1). */
export interface CmaEsConstants {
  n: number;
  lambda: number;
  mu: number;
  /** Recombination weights of ranks 0..mu-1, summing to 1. */
  weights: number[];
  muEff: number;
  cS: number;
  dS: number;
  cC: number;
  c1: number;
  cMu: number;
  /** E|N(0, I)| for n dimensions. */
  chiN: number;
  /** Generations between factorizations. */
  decomposeEvery: number;
}

export function cmaEsConstants(n: number, lambda: number, covariance: string, decomposeEvery = 0): CmaEsConstants {
  const mu = Math.floor(lambda / 2);
  const raw = Array.from({ length: mu }, (_, r) => Math.log((lambda + 1) / 2) - Math.log(r + 1));
  const total = raw.reduce((s, w) => s + w, 0);
  const weights = raw.map((w) => w / total);
  const muEff = 1 / weights.reduce((s, w) => s + w * w, 0);
  const cS = (muEff + 2) / (n + muEff + 5);
  const dS = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cS;
  const cC = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
  let c1 = 2 / ((n + 1.3) ** 2 + muEff);
  let cMu = Math.min(1 - c1, (2 * (0.25 + muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + muEff));
  if (covariance === 'diagonal') {
    // Ros & Hansen 2008: a diagonal C learns n numbers, so it may learn (n + 2) / 3 times faster.
    c1 = Math.min(1, (c1 * (n + 2)) / 3);
    cMu = Math.min(1 - c1, (cMu * (n + 2)) / 3);
  }
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  const lazy = Math.max(1, Math.floor(1 / ((c1 + cMu) * n * 10)));
  return { n, lambda, mu, weights, muEff, cS, dS, cC, c1, cMu, chiN, decomposeEvery: covariance === 'diagonal' ? 1 : decomposeEvery || lazy };
}

/** Parameters of the policy network CMA-ES searches. */
function parameterCount(inputs: number, hidden: readonly number[], outputs: number): number {
  const sizes = [inputs, ...hidden, outputs];
  return sizes.slice(1).reduce((s, out, l) => s + sizes[l] * out + out, 0);
}

export class CmaEs extends BuiltAlgorithm<CmaEsConfig> {
  readonly name = 'cma-es';

  private constructor(
    b: Build<CmaEsConfig>,
    /** The network holding the search distribution's mean m (the evaluation policy). */
    readonly mean: Mlp,
    parts: AlgorithmParts,
  ) {
    super(b, parts);
  }

  /** Envs that split over the population, and a policy small enough for a full covariance (before any GPU work). */
  static check(run: Pick<RunShape, 'envs' | 'agents' | 'sensors'>, def: EnvDefinition, config: CmaEsConfig): void {
    checkPopulation('cma-es', run, config.population);
    const inputs = observationWidth(def, run.sensors === 'positions' ? 'positions' : 'full');
    CmaEs.checkSize(parameterCount(inputs, config.policyHidden, actionDim(def)), config);
  }

  private static checkSize(n: number, config: CmaEsConfig): void {
    if (config.covariance === 'full' && n > MAX_FULL_COVARIANCE) {
      throw new ConfigError('--covariance', 'full', `diagonal for this policy of ${n} parameters (a full covariance is kept for at most ${MAX_FULL_COVARIANCE}; or narrow --policy-hidden)`);
    }
  }

  static evalNetworks(ctx: GpuContext, env: EnvBatch, config: CmaEsConfig, seed: number): EvalNetworks {
    return meanEvalNetworks(ctx, env, config.policyHidden, seed);
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: CmaEsConfig, seed: number): Promise<CmaEs> {
    checkPopulation('cma-es', env, config.population);
    CmaEs.checkSize(parameterCount(env.obsWidth, config.policyHidden, env.actionDim), config);
    const mean = meanNetwork(ctx, env, config.policyHidden, seed);
    const acting = await populationActing(cache, env, clock, { name: 'cma-es', mean, population: config.population, seed });
    const constants = cmaEsConstants(mean.paramsPerAgent, config.population, config.covariance, config.decomposeEvery);
    const strategy = cmaEsStrategy(cache, { envs: env.envs, seed, sigma0: config.sigma0, full: config.covariance === 'full', constants }, {
      episode: acting.episode, population: acting.population.params, mean: mean.params, clock: clock.tensor,
    });
    // C = I, sigma = sigma0 and the first population around the initial network.
    const dispatches = (entries: readonly CmaEsEntry[]) => Promise.all(entries.map((e) => strategy.dispatch(e)));
    await runOnce(ctx, await dispatches(['start', 'draw', 'sample']));

    const update = [...(await dispatches(['rank', 'covariance'])), ...(await strategy.factorize()), ...(await dispatches(['draw', 'sample']))];
    const parts = populationParts(ctx, { name: 'cma-es', env, clock, acting, mean, update, stats: strategy.stats, sigma: 'sigma', other: strategy.state });
    return new CmaEs({ ctx, cache, env, clock, config, seed }, mean, parts);
  }

  evalPolicy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    return meanPolicy(cache, this.mean, obs);
  }
}

export type CmaEsEntry = 'start' | 'draw' | 'sample' | 'rank' | 'covariance';

export interface CmaEsBuffers {
  /** [envs, 2]: the episode return and alive flag of every env. */
  episode: Tensor<'f32'>;
  /** [P, n] parameters of the population; [n] of the mean. */
  population: Tensor<'f32'>;
  mean: Tensor<'f32'>;
  clock: Tensor<'u32'>;
}

export interface CmaEsStrategy {
  dispatch(entry: CmaEsEntry): Promise<Dispatch>;
  /** The refresh of A from C (common/cholesky.ts), a no-op in generations it is not due. */
  factorize(): Promise<Dispatch[]>;
  /** [8]: sums of best return, elite return, sigma, generations (common/populationSearch.ts POPULATION_STATS). */
  stats: Tensor<'f32'>;
  /** The strategy's tensors by checkpoint name: stats, state, paths, cov, factor, noise, ranking. */
  state: Record<string, Tensor>;
}

/** The dispatches of shaders/rl/cma_es.wgsl and the strategy's own tensors. */
export function cmaEsStrategy(
  cache: PipelineCache,
  o: { envs: number; seed: number; sigma0: number; full: boolean; constants: CmaEsConstants },
  b: CmaEsBuffers,
): CmaEsStrategy {
  const { ctx } = cache;
  const k = o.constants, n = k.n, P = k.lambda;
  const t = {
    stats: f32(ctx, 'cma-es.stats', [8]),
    state: f32(ctx, 'cma-es.state', [8]),
    paths: f32(ctx, 'cma-es.paths', [3, n]),
    cov: f32(ctx, 'cma-es.cov', o.full ? [n, n] : [n]),
    factor: f32(ctx, 'cma-es.factor', o.full ? [n, n] : [n]),
    noise: f32(ctx, 'cma-es.noise', [2, P, n]),
    ranking: u32(ctx, 'cma-es.ranking', [P]),
  };
  const weightScale = 1 / Array.from({ length: k.mu }, (_, r) => Math.log((P + 1) / 2) - Math.log(r + 1)).reduce((s, w) => s + w, 0);
  const params = uniform()
    .u32(o.envs).u32(P).u32(o.envs / P).u32(n)
    .u32(k.mu).u32(o.full ? 1 : 0).u32(0).u32(o.seed)
    .u32(Stream.sample).u32(0).u32(0).u32(0)
    .f32(o.sigma0).f32(k.cS).f32(k.dS).f32(k.cC)
    .f32(k.c1).f32(k.cMu).f32(k.muEff).f32(k.chiN)
    .f32(weightScale).f32(1.4 + 2 / (n + 1)).f32(0).f32(0)
    .build(ctx, 'cma-es params');
  const bindings: Record<CmaEsEntry, Record<number, Tensor>> = {
    start: { 6: t.state, 7: t.paths, 8: t.cov, 9: t.factor },
    draw: { 4: b.clock, 10: t.noise },
    sample: { 2: b.population, 3: b.mean, 6: t.state, 9: t.factor, 10: t.noise },
    rank: { 1: b.episode, 3: b.mean, 5: t.stats, 6: t.state, 7: t.paths, 10: t.noise, 11: t.ranking },
    covariance: { 6: t.state, 7: t.paths, 8: t.cov, 10: t.noise, 11: t.ranking },
  };
  const rows = o.full ? n : 1;
  const shape: Record<CmaEsEntry, [number, number]> = {
    start: [groups(n, 64), rows],
    draw: [groups(n, 64), Math.ceil(P / 4)],
    sample: [groups(n, 64), P],
    rank: [1, 1],
    covariance: [groups(n, 64), rows],
  };
  return {
    stats: t.stats,
    factorize: () => choleskyDispatches(cache, { n, full: o.full, every: k.decomposeEvery }, { state: t.state, cov: t.cov, factor: t.factor }),
    dispatch: (entry) => makeDispatch(cache, { shader: CMA_ES, entryPoint: entry }, { 0: params, ...bindings[entry] }, shape[entry], `cma-es ${entry}`),
    state: Object.fromEntries(Object.entries(t).map(([name, tensor]) => [`cma-es.${name}`, tensor])),
  };
}

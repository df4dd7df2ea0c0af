/**
 * Every algorithm by name: its option schema, config validation, construction, evaluation
 * networks and constraints. The trainer, the CLI and the demo look algorithms up here.
 */
import type { EnvBatch } from '../envs/batch.js';
import type { EnvDefinition } from '../envs/types.js';
import { ConfigError, PipelineError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import type { Clock } from '../rng/clock.js';
import type { Algorithm, AlgorithmClass, EvalNetworks, RunShape } from './common/algorithm.js';
import type { Schema } from './common/options.js';
import { Cem, cemConfig, cemSchema } from './cem.js';
import { CmaEs, cmaEsConfig, cmaEsSchema } from './cmaEs.js';
import { Ddpg, ddpgConfig, ddpgSchema } from './ddpg.js';
import { Ppo, ppoConfig, ppoSchema } from './ppo.js';
import { Reinforce, reinforceConfig, reinforceSchema } from './reinforce.js';
import { Tnpg, tnpgConfig, tnpgSchema } from './tnpg.js';
import { Trpo, trpoConfig, trpoSchema } from './trpo.js';
import { Rwr, rwrConfig, rwrSchema } from './rwr.js';
import { Reps, repsConfig, repsSchema } from './reps.js';
import { Svg0, svg0Config, svg0Schema } from './svg0.js';
import { Svg1, svg1Config, svg1Schema } from './svg1.js';
import { SvgInf, svgInfConfig, svgInfSchema } from './svgInf.js';

type Settings = Readonly<Record<string, unknown>>;

export interface AlgorithmEntry {
  name: string;
  summary: string;
  schema: Schema;
  /** Validated settings: the schema's defaults overridden by `given`. */
  config(given: Settings): Record<string, unknown>;
  create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, settings: Settings, seed: number): Promise<Algorithm>;
  evalNetworks(ctx: GpuContext, env: EnvBatch, settings: Settings, seed: number): EvalNetworks;
  check(run: RunShape, def: EnvDefinition, settings: Settings): void;
}

/**
 * Builds the algorithm; with `program: 'auto'` (the default of those that have row programs), a
 * row kernel the driver refuses to build (PipelineError: NVIDIA's Vulkan driver refuses kernels
 * that need more private memory per invocation than it gives) falls back to one dispatch per
 * layer, with the reason in `programNote`. Same initial weights and streams: the program changes
 * the schedule of the arithmetic, not the run's randomness.
 */
async function createWithFallback<C extends Record<string, unknown>>(
  cls: AlgorithmClass<C>, ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: C, seed: number,
): Promise<Algorithm> {
  if (config.program !== 'auto') return cls.create(ctx, cache, env, clock, config, seed);
  try {
    return await ctx.discardOnFailure(() => cls.create(ctx, cache, env, clock, config, seed));
  } catch (e) {
    // Only a refused row kernel (shaders/fused/) has a per-layer program to fall back to.
    if (!(e instanceof PipelineError) || !e.message.includes('creating pipeline fused/')) throw e;
    const algo = await cls.create(ctx, cache, env, clock, { ...config, program: 'layers' }, seed);
    const why = e.message.split('\n')[0];
    return Object.assign(algo, { programNote: `row programs refused by this driver (${why}); running one dispatch per layer (--program layers)` });
  }
}

/** An entry from an algorithm's schema, config function and class; settings are validated on every use. */
function entry<C extends Record<string, unknown>>(name: string, summary: string, schema: Schema, config: (given: Settings) => C, cls: AlgorithmClass<C>): AlgorithmEntry {
  return {
    name,
    summary,
    schema,
    config,
    create: (ctx, cache, env, clock, settings, seed) => createWithFallback(cls, ctx, cache, env, clock, config(settings), seed),
    evalNetworks: (ctx, env, settings, seed) => cls.evalNetworks(ctx, env, config(settings), seed),
    check: (run, def, settings) => cls.check?.(run, def, config(settings)),
  };
}

export const ALGORITHM_ENTRIES: readonly AlgorithmEntry[] = [
  entry('ddpg', 'deep deterministic policy gradient (Lillicrap et al. 2016), TD3 options, HER', ddpgSchema, ddpgConfig, Ddpg),
  entry('svg0', 'SVG(0): pathwise policy gradient through a learned Q (Heess et al. 2015); --entropy auto makes it SAC', svg0Schema, svg0Config, Svg0),
  entry('svg1', 'SVG(1): pathwise policy gradient through one step of a learned model and V (Heess et al. 2015)', svg1Schema, svg1Config, Svg1),
  entry('svg-inf', 'SVG(inf): backpropagation through whole trajectories of the simulator (Heess et al. 2015)', svgInfSchema, svgInfConfig, SvgInf),
  entry('reinforce', 'REINFORCE: score-function policy gradient with a learned value baseline (Williams 1992)', reinforceSchema, reinforceConfig, Reinforce),
  entry('ppo', 'PPO: the clipped surrogate with GAE and minibatch epochs (Schulman et al. 2017), CleanRL\'s defaults, as row programs', ppoSchema, ppoConfig, Ppo),
  entry('tnpg', 'TNPG: the natural policy gradient by conjugate gradient with GPU Fisher-vector products (Kakade 2002; rllab), as row programs', tnpgSchema, tnpgConfig, Tnpg),
  entry('trpo', 'TRPO: the natural gradient direction and a backtracking line search under the KL constraint (Schulman et al. 2015; rllab), as row programs', trpoSchema, trpoConfig, Trpo),
  entry('rwr', 'RWR: reward-weighted regression, a weighted maximum-likelihood fit of the policy with positive advantage weights (Peters & Schaal 2007; rllab ERWR)', rwrSchema, rwrConfig, Rwr),
  entry('reps', 'REPS: relative entropy policy search, a KL-bounded reweighting from its dual and a weighted fit of the policy (Peters et al. 2010; rllab)', repsSchema, repsConfig, Reps),
  entry('cem', 'the cross-entropy method over policy parameters (Szita & Lorincz 2006), gradient-free', cemSchema, cemConfig, Cem),
  entry('cma-es', 'CMA-ES over policy parameters: full covariance with a Cholesky factor on the GPU, or separable (Hansen & Ostermeier 2001; rllab)', cmaEsSchema, cmaEsConfig, CmaEs),
];

export const ALGORITHMS = ALGORITHM_ENTRIES.map((a) => a.name);

export function getAlgorithm(name: string): AlgorithmEntry {
  const found = ALGORITHM_ENTRIES.find((a) => a.name === name);
  if (!found) throw new ConfigError('--algo', name, `one of ${ALGORITHMS.join(', ')}`);
  return found;
}

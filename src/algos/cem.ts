/**
 * CEM: the cross-entropy method over policy parameters (Szita & Lorincz 2006), the gradient-free
 * baseline of the rllab comparison (Duan et al. 2016). Each generation:
 *
 *   theta_i ~ N(mu, diag sigma^2), i = 1..P          (the population: P networks side by side)
 *   R_i = mean return of theta_i's deterministic policy over E episodes (E envs each)
 *   elites = the ceil(elite * P) best;  mu, sigma^2 <- their mean and variance (+ extra noise^2)
 *
 * The population is the networks' agent dimension: the envs of candidate i are envs
 * [i E, (i + 1) E) of the batch, read as a [P x E x obs] view, so one dispatch per layer acts for
 * the whole population. A generation is one episode: every env restarts together.
 */
import { ConfigError } from '../errors.js';
import type { EnvBatch } from '../envs/batch.js';
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../gpu/kernel.js';
import { Recorder, runOnce } from '../gpu/recorder.js';
import { type ShaderSource, withRng } from '../gpu/shaders.js';
import cemWgsl from '../../shaders/rl/cem.wgsl?raw';
import { f32, type Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import { type MatrixView, matrix } from '../gpu/view.js';
import { Mlp } from '../nn/mlp.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import type { EnvDefinition } from '../envs/types.js';
import { networkPolicy } from './common/acting.js';
import { type AlgorithmParts, type Build, BuiltAlgorithm, type DeterministicPolicy, type EvalNetworks, type RunShape } from './common/algorithm.js';
import { toEnv } from './common/explore.js';
import { type MetricTable, counter, mean as meanOver } from './common/metrics.js';
import { trainingState } from './common/state.js';
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
    if (run.agents !== 1) throw new ConfigError('--agents', run.agents, '1 for cem (its population uses the agent dimension)');
    if (run.envs % config.population !== 0) throw new ConfigError('--envs', run.envs, `a multiple of --population (${config.population})`);
  }

  /** The network holding the search distribution's mean (the evaluation policy). */
  static meanNetwork(ctx: GpuContext, env: EnvBatch, config: CemConfig, seed: number): Mlp {
    return Mlp.create(ctx, { sizes: [env.obsWidth, ...config.policyHidden, env.actionDim], hidden: 'relu', output: 'tanh' }, { seed, stream: 1, label: 'policy (mean)' });
  }

  static policy(cache: PipelineCache, mean: Mlp, obs: MatrixView): Promise<DeterministicPolicy> {
    return networkPolicy(cache, mean, obs, 'policy (eval)');
  }

  static evalNetworks(ctx: GpuContext, env: EnvBatch, config: CemConfig, seed: number): EvalNetworks {
    const mean = Cem.meanNetwork(ctx, env, config, seed);
    return { tensors: { 'policy.params': mean.params }, policy: (cache, obs) => Cem.policy(cache, mean, obs) };
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: CemConfig, seed: number): Promise<Cem> {
    Cem.check(env, env.def, config);
    const P = config.population, E = env.envs / P, O = env.obsWidth, A = env.actionDim;
    const mean = Cem.meanNetwork(ctx, env, config, seed);
    const population = Mlp.create(ctx, { ...mean.spec, agents: P }, { seed, stream: 1, label: 'population' });
    const episode = f32(ctx, 'cem.episode', [env.envs, 2]);
    const stats = f32(ctx, 'cem.stats', [8]);
    const elites = Math.max(1, Math.ceil(config.eliteFraction * P));
    const kernel = cemKernels(cache, { envs: env.envs, population: P, elites, seed, initStd: config.initStd, extraNoise: config.extraNoise }, {
      episode, stepOut: env.stepOut, population: population.params, mean: mean.params, clock: clock.tensor, stats,
    });

    // The first population, drawn around the initial network.
    await runOnce(ctx, [await kernel('update', true)]);

    // ---- one generation: every env plays one episode with its candidate's deterministic policy ----
    const obs: MatrixView = matrix(env.obs, { agents: P, rows: E, cols: O });
    const acting = population.bind(cache, obs, { label: 'population (acting)' });
    const flat = matrix(acting.output.tensor, { agents: 1, rows: env.envs, cols: A });
    const act = await toEnv(cache, env, clock, { action: f32(ctx, 'cem.action', [env.envs, A]), seed, label: 'cem' }).dispatch(flat);
    const step: Dispatch[] = [await clock.tick(cache), ...(await acting.forward()), act, env.stepDispatch, await kernel('accumulate')];
    const generation = new Recorder(ctx, 'cem generation').add(env.restartDispatch, await kernel('begin'));
    for (let t = 0; t < env.horizon; t++) generation.add(...step);
    generation.add(await kernel('update'));
    const state = trainingState({ networks: { policy: mean, population }, env, clock, other: { 'cem.stats': stats } });
    const metrics: MetricTable = {
      tensor: stats,
      width: 8,
      specs: [
        meanOver('best_return', STATS.best, 'updates'),
        meanOver('elite_return', STATS.elite, 'updates'),
        meanOver('mean_sigma', STATS.sigma, 'updates'),
        counter('updates', STATS.generations),
      ],
    };
    const warmup = new Recorder(ctx, 'cem warmup').add(...step);
    return new Cem({ ctx, cache, env, clock, config, seed }, mean, {
      warmup: { recorder: warmup, iterations: 1 }, train: { recorder: generation, iterations: env.horizon }, warmupIterations: 0, state, metrics,
    });
  }

  evalPolicy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    return Cem.policy(cache, this.mean, obs);
  }
}

/** Slots of the statistics rl/cem.wgsl adds to every generation. */
const STATS = { best: 0, elite: 1, sigma: 2, generations: 3 } as const;

export type CemEntry = 'begin' | 'accumulate' | 'update';

export interface CemBuffers {
  /** [envs, 2]: the episode return and alive flag of every env. */
  episode: Tensor<'f32'>;
  stepOut: Tensor<'f32'>;
  /** [P, count] parameters of the population; [count] of the mean. */
  population: Tensor<'f32'>;
  mean: Tensor<'f32'>;
  clock: Tensor<'u32'>;
  /** [8]: sums of best return, elite return, mean sigma, generations (STATS). */
  stats: Tensor<'f32'>;
}

/** The dispatches of shaders/rl/cem.wgsl for one population. */
export function cemKernels(
  cache: PipelineCache,
  o: { envs: number; population: number; elites: number; seed: number; initStd: number; extraNoise: number },
  b: CemBuffers,
): (entry: CemEntry, init?: boolean) => Promise<Dispatch> {
  const count = b.mean.size;
  const params = (init: boolean) =>
    uniform().u32(o.envs).u32(o.population).u32(o.envs / o.population).u32(o.elites).u32(count).u32(init ? 1 : 0).u32(o.seed).u32(Stream.sample)
      .f32(o.initStd).f32(o.extraNoise).u32(0).u32(0).build(cache.ctx, 'cem params');
  // The buffers each entry point uses.
  const bindings = {
    begin: { 1: b.episode },
    accumulate: { 1: b.episode, 2: b.stepOut },
    update: { 1: b.episode, 3: b.population, 4: b.mean, 5: b.clock, 6: b.stats },
  };
  return (entry, init = false) =>
    makeDispatch(cache, { shader: CEM, entryPoint: entry }, { 0: params(init), ...bindings[entry] }, [entry === 'update' ? 1 : groups(o.envs, 64)], `cem ${entry}`);
}

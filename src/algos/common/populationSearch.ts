/**
 * What the population methods over policy parameters (CEM, CMA-ES) share: a population of P
 * networks in the agent dimension, each candidate acting deterministically in E = envs / P envs
 * for one episode per generation (every env restarts together), the episode return of each env
 * (shaders/rl/episode_fitness.wgsl), and the network holding the search distribution's mean,
 * which is the evaluation policy.
 */
import type { EnvBatch } from '../../envs/batch.js';
import { ConfigError } from '../../errors.js';
import type { GpuContext } from '../../gpu/context.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../../gpu/kernel.js';
import { Recorder } from '../../gpu/recorder.js';
import type { ShaderSource } from '../../gpu/shaders.js';
import { f32, type Tensor } from '../../gpu/tensor.js';
import { uniform } from '../../gpu/uniform.js';
import { type MatrixView, matrix } from '../../gpu/view.js';
import { Mlp } from '../../nn/mlp.js';
import type { Clock } from '../../rng/clock.js';
import episodeFitnessWgsl from '../../../shaders/rl/episode_fitness.wgsl?raw';
import { networkPolicy } from './acting.js';
import type { AlgorithmParts, DeterministicPolicy, EvalNetworks, RunShape } from './algorithm.js';
import { type MetricTable, counter, mean as meanOver } from './metrics.js';
import { trainingState } from './state.js';
import { toEnv } from './explore.js';

const EPISODE_FITNESS: ShaderSource = { path: 'rl/episode_fitness.wgsl', code: episodeFitnessWgsl };

/** Refuses runs whose envs do not split over the population (before any GPU work). */
export function checkPopulation(algo: string, run: Pick<RunShape, 'envs' | 'agents'>, population: number): void {
  if (run.agents !== 1) throw new ConfigError('--agents', run.agents, `1 for ${algo} (its population uses the agent dimension)`);
  if (run.envs % population !== 0) throw new ConfigError('--envs', run.envs, `a multiple of --population (${population})`);
}

/** The network holding the search distribution's mean (the evaluation policy). */
export function meanNetwork(ctx: GpuContext, env: EnvBatch, hidden: readonly number[], seed: number): Mlp {
  return Mlp.create(ctx, { sizes: [env.obsWidth, ...hidden, env.actionDim], hidden: 'relu', output: 'tanh' }, { seed, stream: 1, label: 'policy (mean)' });
}

export function meanPolicy(cache: PipelineCache, mean: Mlp, obs: MatrixView): Promise<DeterministicPolicy> {
  return networkPolicy(cache, mean, obs, 'policy (eval)');
}

export function meanEvalNetworks(ctx: GpuContext, env: EnvBatch, hidden: readonly number[], seed: number): EvalNetworks {
  const mean = meanNetwork(ctx, env, hidden, seed);
  return { tensors: { 'policy.params': mean.params }, policy: (cache, obs) => meanPolicy(cache, mean, obs), network: mean, head: { kind: 'deterministic' } };
}

/** The dispatches of shaders/rl/episode_fitness.wgsl over `episode` ([envs, 2]: return, alive). */
export async function episodeFitness(cache: PipelineCache, envs: number, episode: Tensor<'f32'>, stepOut: Tensor<'f32'>): Promise<{ begin: Dispatch; accumulate: Dispatch }> {
  const params = uniform().u32(envs).u32(0).u32(0).u32(0).build(cache.ctx, 'episode fitness params');
  const dispatch = (entry: 'begin' | 'accumulate', bindings: Record<number, Tensor>) =>
    makeDispatch(cache, { shader: EPISODE_FITNESS, entryPoint: entry }, { 0: params, ...bindings }, [groups(envs, 64)], `episode fitness ${entry}`);
  return { begin: await dispatch('begin', { 1: episode }), accumulate: await dispatch('accumulate', { 1: episode, 2: stepOut }) };
}

export interface PopulationActing {
  /** [P, count] parameters of the candidates. */
  population: Mlp;
  /** [envs, 2]: the episode return and alive flag of every env. */
  episode: Tensor<'f32'>;
  /** One env step of the whole population: tick, forward, actions, env step, episode returns. */
  step: Dispatch[];
  /** Restart every env and zero the returns: the start of a generation. */
  begin: Dispatch[];
}

/**
 * The population's acting program. The envs of candidate i are envs [i E, (i + 1) E) of the
 * batch, read as a [P x E x obs] view, so one dispatch per layer acts for the whole population.
 */
export async function populationActing(
  cache: PipelineCache,
  env: EnvBatch,
  clock: Clock,
  o: { name: string; mean: Mlp; population: number; seed: number },
): Promise<PopulationActing> {
  const { ctx } = cache;
  const P = o.population, E = env.envs / P;
  const population = Mlp.create(ctx, { ...o.mean.spec, agents: P }, { seed: o.seed, stream: 1, label: 'population' });
  const episode = f32(ctx, `${o.name}.episode`, [env.envs, 2]);
  const fitness = await episodeFitness(cache, env.envs, episode, env.stepOut);
  const obs: MatrixView = matrix(env.obs, { agents: P, rows: E, cols: env.obsWidth });
  const acting = population.bind(cache, obs, { label: 'population (acting)' });
  const flat = matrix(acting.output.tensor, { agents: 1, rows: env.envs, cols: env.actionDim });
  const act = await toEnv(cache, env, clock, { action: f32(ctx, `${o.name}.action`, [env.envs, env.actionDim]), seed: o.seed, label: o.name }).dispatch(flat);
  return {
    population,
    episode,
    step: [await clock.tick(cache), ...(await acting.forward()), act, env.stepDispatch, fitness.accumulate],
    begin: [env.restartDispatch, fitness.begin],
  };
}

/** Slots of the statistics [8] a population method adds to every generation. */
export const POPULATION_STATS = { best: 0, elite: 1, sigma: 2, generations: 3 } as const;

/**
 * The parts of a population method: a generation (every env plays one episode, the env's
 * horizon, with its candidate, then `update`) as the training program, its state and metrics
 * (`stats` [8] in POPULATION_STATS's slots; `sigma` names the spread metric).
 */
export function populationParts(
  ctx: GpuContext,
  o: { name: string; env: EnvBatch; clock: Clock; acting: PopulationActing; mean: Mlp; update: Dispatch[]; stats: Tensor<'f32'>; sigma: string; other: Record<string, Tensor> },
): AlgorithmParts {
  const generation = new Recorder(ctx, `${o.name} generation`).add(...o.acting.begin);
  for (let t = 0; t < o.env.horizon; t++) generation.add(...o.acting.step);
  generation.add(...o.update);
  const metrics: MetricTable = {
    tensor: o.stats,
    width: 8,
    specs: [
      meanOver('best_return', POPULATION_STATS.best, 'updates'),
      meanOver('elite_return', POPULATION_STATS.elite, 'updates'),
      meanOver(o.sigma, POPULATION_STATS.sigma, 'updates'),
      counter('updates', POPULATION_STATS.generations),
    ],
  };
  return {
    warmup: { recorder: new Recorder(ctx, `${o.name} warmup`).add(...o.acting.step), iterations: 1 },
    train: { recorder: generation, iterations: o.env.horizon },
    warmupIterations: 0,
    state: trainingState({ networks: { policy: o.mean, population: o.acting.population }, env: o.env, clock: o.clock, other: o.other }),
    metrics,
  };
}

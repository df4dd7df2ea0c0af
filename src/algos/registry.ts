/**
 * Every algorithm by name: its option schema, config validation, construction, and what it
 * cannot run with. The trainer, the CLI and the demo look algorithms up here.
 */
import type { EnvBatch } from '../envs/batch.js';
import type { EnvDefinition } from '../envs/types.js';
import { ConfigError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import type { Clock } from '../rng/clock.js';
import type { Tensor } from '../gpu/tensor.js';
import type { MatrixView } from '../gpu/view.js';
import type { Algorithm, DeterministicPolicy } from './common/algorithm.js';
import type { CategoricalPolicy } from './common/categoricalPolicy.js';
import type { GaussianPolicy } from './common/gaussianPolicy.js';
import type { Schema } from './common/options.js';
import { ALL_FUSIONS, Ddpg, type DdpgConfig, type Fusions, ddpgConfig, ddpgSchema } from './ddpg.js';
import { Cem, type CemConfig, cemConfig, cemSchema } from './cem.js';
import { Reinforce, type ReinforceConfig, reinforceConfig, reinforceSchema } from './reinforce.js';
import { Svg0, type Svg0Config, svg0Config, svg0Schema } from './svg0.js';
import { Svg1, type Svg1Config, svg1Config, svg1Schema } from './svg1.js';
import { SvgInf, type SvgInfConfig, svgInfConfig, svgInfSchema } from './svgInf.js';

export interface EvalNetworks {
  tensors: Record<string, Tensor>;
  policy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy>;
}

function policyNetworks(policy: GaussianPolicy | CategoricalPolicy): EvalNetworks {
  return { tensors: { 'policy.params': policy.net.params }, policy: (cache, obs) => policy.mode(cache, obs) };
}

/** Run settings an algorithm's constraints may look at. */
export interface RunShape {
  env: string;
  envs: number;
  agents: number;
  sensors: string;
  obsNoise: number;
  sysid: number;
}

export interface AlgorithmEntry {
  name: string;
  summary: string;
  schema: Schema;
  config(given: Readonly<Record<string, unknown>>): Record<string, unknown>;
  create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: Record<string, unknown>, seed: number, fusions?: Fusions): Promise<Algorithm>;
  /**
   * The evaluation policy alone, for `pathwise eval`: its tensors by checkpoint state name (to
   * load) and its noise-free forward pass.
   */
  evalNetworks(ctx: GpuContext, env: EnvBatch, config: Record<string, unknown>, seed: number): EvalNetworks;
  /** Throws a ConfigError when the algorithm cannot run with these settings. */
  check(run: RunShape, def: EnvDefinition, config: Record<string, unknown>): void;
}

/** Algorithms that differentiate the true simulator need its exact, fully observed state. */
function needsSimulator(name: string, run: RunShape, def: EnvDefinition): void {
  if (!def.differentiable || def.goalDim > 0) throw new ConfigError('--env', def.name, `a differentiable env without goals for ${name} (pendulum, cartpole-swingup, acrobot, double-pendulum, reacher)`);
  if (run.sensors !== 'full') throw new ConfigError('--sensors', run.sensors, `full for ${name} through the simulator`);
  if (run.obsNoise !== 0) throw new ConfigError('--obs-noise', run.obsNoise, `0 for ${name} through the simulator`);
  if (run.sysid !== 0) throw new ConfigError('--sysid', run.sysid, `0 for ${name} through the simulator`);
}

export const ALGORITHM_ENTRIES: readonly AlgorithmEntry[] = [
  {
    name: 'ddpg',
    summary: 'deep deterministic policy gradient (Lillicrap et al. 2016), TD3 options, HER',
    schema: ddpgSchema,
    config: ddpgConfig,
    create: (ctx, cache, env, clock, config, seed, fusions) => Ddpg.create(ctx, cache, env, clock, config as DdpgConfig, seed, fusions ?? ALL_FUSIONS),
    evalNetworks: (ctx, env, config, seed) => {
      const { actor } = Ddpg.networks(ctx, env, config as DdpgConfig, seed);
      return { tensors: { 'actor.params': actor.params }, policy: (cache, obs) => Ddpg.policy(cache, actor, obs) };
    },
    check: () => {},
  },
  {
    name: 'svg0',
    summary: 'SVG(0): pathwise policy gradient through a learned Q (Heess et al. 2015); --entropy auto makes it SAC',
    schema: svg0Schema,
    config: svg0Config,
    create: (ctx, cache, env, clock, config, seed) => Svg0.create(ctx, cache, env, clock, config as Svg0Config, seed),
    evalNetworks: (ctx, env, config, seed) => policyNetworks(Svg0.networks(ctx, env, config as Svg0Config, seed).policy),
    check: () => {},
  },
  {
    name: 'svg1',
    summary: 'SVG(1): pathwise policy gradient through one step of a learned model and V (Heess et al. 2015)',
    schema: svg1Schema,
    config: svg1Config,
    create: (ctx, cache, env, clock, config, seed) => Svg1.create(ctx, cache, env, clock, config as Svg1Config, seed),
    evalNetworks: (ctx, env, config, seed) => policyNetworks(Svg1.networks(ctx, env, config as Svg1Config, seed).policy),
    check: () => {},
  },
  {
    name: 'svg-inf',
    summary: 'SVG(inf): backpropagation through whole trajectories of the simulator (Heess et al. 2015)',
    schema: svgInfSchema,
    config: svgInfConfig,
    create: (ctx, cache, env, clock, config, seed) => SvgInf.create(ctx, cache, env, clock, config as SvgInfConfig, seed),
    evalNetworks: (ctx, env, config, seed) => policyNetworks(SvgInf.networks(ctx, env, config as SvgInfConfig, seed).policy),
    check: (run, def, config) => {
      if ((config as SvgInfConfig).dynamics === 'sim') needsSimulator('svg-inf --dynamics sim', run, def);
    },
  },
  {
    name: 'reinforce',
    summary: 'REINFORCE: score-function policy gradient with a learned value baseline (Williams 1992)',
    schema: reinforceSchema,
    config: reinforceConfig,
    create: (ctx, cache, env, clock, config, seed) => Reinforce.create(ctx, cache, env, clock, config as ReinforceConfig, seed),
    evalNetworks: (ctx, env, config, seed) => policyNetworks(Reinforce.networks(ctx, env, config as ReinforceConfig, seed).policy),
    check: () => {},
  },
  {
    name: 'cem',
    summary: 'the cross-entropy method over policy parameters (Szita & Lorincz 2006), gradient-free',
    schema: cemSchema,
    config: cemConfig,
    create: (ctx, cache, env, clock, config, seed) => Cem.create(ctx, cache, env, clock, config as CemConfig, seed),
    evalNetworks: (ctx, env, config, seed) => {
      const mean = Cem.meanNetwork(ctx, env, config as CemConfig, seed);
      return { tensors: { 'policy.params': mean.params }, policy: (cache, obs) => Cem.policy(cache, mean, obs) };
    },
    check: (run, _def, config) => Cem.check(run.envs, run.agents, config as CemConfig),
  },
];

export const ALGORITHMS = ALGORITHM_ENTRIES.map((a) => a.name);

export function getAlgorithm(name: string): AlgorithmEntry {
  const entry = ALGORITHM_ENTRIES.find((a) => a.name === name);
  if (!entry) throw new ConfigError('--algo', name, `one of ${ALGORITHMS.join(', ')}`);
  return entry;
}

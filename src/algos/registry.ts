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
import type { Algorithm } from './common/algorithm.js';
import type { Schema } from './common/options.js';
import { ALL_FUSIONS, Ddpg, type DdpgConfig, type Fusions, ddpgConfig, ddpgSchema } from './ddpg.js';
import { SvgInf, type SvgInfConfig, svgInfConfig, svgInfSchema } from './svgInf.js';

/** Run settings an algorithm's constraints may look at. */
export interface RunShape {
  env: string;
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
    check: () => {},
  },
  {
    name: 'svg-inf',
    summary: 'SVG(inf): backpropagation through whole trajectories of the simulator (Heess et al. 2015)',
    schema: svgInfSchema,
    config: svgInfConfig,
    create: (ctx, cache, env, clock, config, seed) => SvgInf.create(ctx, cache, env, clock, config as SvgInfConfig, seed),
    check: (run, def) => needsSimulator('svg-inf', run, def),
  },
];

export const ALGORITHMS = ALGORITHM_ENTRIES.map((a) => a.name);

export function getAlgorithm(name: string): AlgorithmEntry {
  const entry = ALGORITHM_ENTRIES.find((a) => a.name === name);
  if (!entry) throw new ConfigError('--algo', name, `one of ${ALGORITHMS.join(', ')}`);
  return entry;
}

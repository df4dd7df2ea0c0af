/**
 * Hindsight experience replay (Andrychowicz et al. 2017): relabels the rows of a sampled
 * minibatch with goals achieved later in the same episode, reading the episodes from the replay
 * buffer (shaders/replay/her.wgsl). The env contributes only its goal reward (its WGSL
 * `env_goal_reward` and constants); everything else is the buffer's record layout.
 */
import { ConfigError } from '../errors.js';
import { goalEnvNames } from '../envs/registry.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../gpu/kernel.js';
import { dual, rng } from '../gpu/shaders.js';
import type { Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import herWgsl from '../../shaders/replay/her.wgsl?raw';
import type { ReplayBuffer } from './buffer.js';

export type HerStrategy = 'final' | 'future';

export interface HerOptions {
  strategy: HerStrategy;
  /** Relabeled goals per real one: a row is relabeled with probability k / (1 + k). */
  k: number;
  /** Philox key of the relabeling draws: the run's seed and a stream of their own. */
  seed: number;
  stream: number;
}

/** Where a minibatch keeps what relabeling reads and writes. */
export interface RelabeledRows {
  batch: Tensor<'f32'>;
  rows: number;
  width: number;
  /** Columns where each observation copy's desired goal starts (1 to 4 copies). */
  goalCols: readonly number[];
  rewardCol: number;
  /** The record index each row was drawn from (the sampler's slot column). */
  slotCol: number;
  /** Set to 1 on relabeled rows, 0 on the others. */
  flagCol: number;
  /** Tells apart the minibatches of several updates within one env step. */
  draw: number;
}

/** The dispatch relabeling `rows` in place, one thread per row. */
export async function herRelabelDispatch(cache: PipelineCache, replay: ReplayBuffer, her: HerOptions, rows: RelabeledRows): Promise<Dispatch> {
  const { env, layout } = replay;
  const def = env.def;
  if (def.goalDim === 0) throw new ConfigError('--her', her.strategy, `none for ${def.name}: HER needs a goal environment (${goalEnvNames().join(', ')})`);
  if (rows.goalCols.length < 1 || rows.goalCols.length > 4) throw new ConfigError('her goal columns', rows.goalCols.length, '1 to 4 observation copies');
  const u = uniform()
    .u32(rows.rows).u32(rows.width).u32(replay.capacity).u32(layout.width)
    .u32(env.envs).u32(env.horizon).u32(her.strategy === 'final' ? 1 : 2).u32(her.seed)
    .u32(her.stream).u32(rows.draw).u32(rows.slotCol).u32(rows.rewardCol)
    .u32(rows.flagCol).u32(layout.nextObs + env.obsWidth).u32(layout.time).u32(rows.goalCols.length)
    .f32(her.k / (1 + her.k)).u32(0).u32(0).u32(0);
  for (const c of [...rows.goalCols, 0, 0, 0, 0].slice(0, 4)) u.u32(c);
  const shader = { path: `replay/her.wgsl (after common/rng, common/dual, ${def.shader.path})`, code: [rng, dual, def.shader.code, herWgsl].join('\n') };
  return makeDispatch(cache, { shader, entryPoint: 'her_relabel' },
    { 0: env.physicsParams, 8: replay.clock.tensor, 13: u.build(cache.ctx, 'her'), 14: replay.storage, 15: rows.batch },
    [Math.ceil(rows.rows / 64), env.agents], `${def.name} her_relabel`);
}

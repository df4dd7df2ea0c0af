/**
 * ReplayBuffer: a GPU ring buffer of transitions per agent (shaders/replay/replay.wgsl).
 * `insertStart` (obs, action) runs before the env step, `insertEnd` (reward, terminated, next obs)
 * after it; `sampler` builds a dispatch that fills a minibatch in a layout the algorithm chooses.
 * The write cursor is the clock (env steps taken), so the buffer keeps no counter of its own, and
 * a checkpoint of (storage, clock) restores it exactly.
 */
import { ConfigError, requireInt } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../gpu/kernel.js';
import { type ShaderSource, withRng } from '../gpu/shaders.js';
import replayWgsl from '../../shaders/replay/replay.wgsl?raw';
import { f32, type Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import { type EnvBatch, recordWidth } from '../envs/batch.js';
import { stateDim } from '../envs/types.js';
import type { Clock } from '../rng/clock.js';

const REPLAY: ShaderSource = withRng('replay/replay.wgsl', replayWgsl);

/** Columns of a stored record. */
export interface RecordLayout {
  obs: number;
  action: number;
  reward: number;
  terminated: number;
  nextObs: number;
  /** The env's step index within its episode when the transition started. */
  time: number;
  /** The clock (env steps taken) when the transition was inserted. */
  clock: number;
  /** The env's index within its agent. */
  env: number;
  width: number;
}

/** A copy of `len` record columns from `src` to batch column `dst`. */
export interface Segment {
  src: number;
  dst: number;
  len: number;
}

export interface ReplayOptions {
  /** Transitions kept per agent. */
  capacity: number;
  seed: number;
  /** Philox stream of the sampler. */
  stream: number;
  label?: string;
  /** Name of the user-facing setting, for errors (e.g. '--buffer-size'). */
  field?: string;
}

export class ReplayBuffer {
  readonly layout: RecordLayout;
  readonly storage: Tensor<'f32'>;
  readonly capacity: number;
  private readonly label: string;

  constructor(
    readonly ctx: GpuContext,
    readonly env: EnvBatch,
    readonly actionSource: Tensor<'f32'>,
    readonly clock: Clock,
    readonly options: ReplayOptions,
  ) {
    this.label = options.label ?? 'replay';
    const field = options.field ?? `${this.label}.capacity`;
    const o = env.obsWidth, a = env.actionDim, next = env.obsWidth + env.def.goalDim;
    const tail = o + a + 2 + next;
    this.layout = { obs: 0, action: o, reward: o + a, terminated: o + a + 1, nextObs: o + a + 2, time: tail, clock: tail + 1, env: tail + 2, width: tail + 3 };
    const limit = ctx.limits.maxStorageBufferBindingSize;
    const maxCapacity = Math.floor(limit / (this.layout.width * 4 * env.agents));
    this.capacity = requireInt(field, options.capacity, 1, maxCapacity);
    if (this.capacity < env.envs) {
      throw new ConfigError(field, options.capacity, `at least the number of envs (${env.envs}) and at most ${maxCapacity} (this device's storage-buffer limit)`);
    }
    this.storage = f32(ctx, `${this.label}.storage`, [env.agents, this.capacity, this.layout.width]);
  }

  private params(batch: number, batchWidth: number, segments: readonly Segment[], draw = 0, slotCol = 0xffffffff): GPUBuffer {
    const { env, layout, options } = this;
    if (segments.length > 8) throw new ConfigError(`${this.label} sample layout`, segments.length, 'at most 8 segments');
    const u = uniform()
      .u32(this.capacity).u32(layout.width).u32(env.envs).u32(env.obsWidth)
      .u32(env.actionDim).u32(env.obsWidth + env.def.goalDim).u32(batch).u32(batchWidth)
      .u32(options.seed).u32(options.stream).u32(segments.length).u32(draw)
      .u32(recordWidth(env.def)).u32(stateDim(env.def)).u32(slotCol).u32(0);
    for (let i = 0; i < 8; i++) {
      const s = segments[i] ?? { src: 0, dst: 0, len: 0 };
      u.u32(s.src).u32(s.dst).u32(s.len).u32(0);
    }
    return u.build(this.ctx, `${this.label} params`);
  }

  /** (insert_start, insert_end): around the env step of every iteration. */
  async inserts(cache: PipelineCache): Promise<[Dispatch, Dispatch]> {
    const { env } = this;
    const params = this.params(1, 1, []);
    const groups = [Math.ceil(env.envs / 64), env.agents] as const;
    return Promise.all([
      makeDispatch(cache, { shader: REPLAY, entryPoint: 'insert_start' },
        { 0: params, 1: this.storage, 2: env.obs, 3: this.actionSource, 6: this.clock.tensor, 8: env.envState }, groups, `${this.label} insert_start`),
      makeDispatch(cache, { shader: REPLAY, entryPoint: 'insert_end' },
        { 0: params, 1: this.storage, 4: env.stepOut, 5: env.nextObs, 6: this.clock.tensor }, groups, `${this.label} insert_end`),
    ]);
  }

  /**
   * Fills `batch` ([agents, rows, width]) with uniformly drawn records copied by `segments`.
   * `draw` tells apart the minibatches of several updates within one env step; `slotCol`, when
   * given, receives each row's slot (for hindsight relabeling).
   */
  async sampler(cache: PipelineCache, batch: Tensor<'f32'>, rows: number, segments: readonly Segment[], draw = 0, slotCol?: number): Promise<Dispatch> {
    const width = batch.size / (rows * this.env.agents);
    for (const s of segments) {
      if (s.src + s.len > this.layout.width || s.dst + s.len > width) {
        throw new ConfigError(`${this.label} sample segment`, JSON.stringify(s), `inside a record of ${this.layout.width} and a batch row of ${width} columns`);
      }
    }
    return makeDispatch(cache, { shader: REPLAY, entryPoint: 'sample' },
      { 0: this.params(rows, width, segments, draw, slotCol ?? 0xffffffff), 1: this.storage, 6: this.clock.tensor, 7: batch },
      [Math.ceil(rows / 64), this.env.agents], `${this.label} sample`);
  }
}

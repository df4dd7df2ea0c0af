/**
 * A minibatch laid out in named blocks of columns, [agents x rows x width]: e.g. DDPG's
 * { s, a, s2, a2, sPi, pi, r, terminated }. Networks read adjacent blocks as one view (the
 * critic's input is [s | a], the target critic's [s2 | a2]), so an algorithm chooses its layout
 * once, by name, and never counts columns; the replay sampler fills blocks from record fields.
 */
import { ConfigError } from '../../errors.js';
import type { GpuContext } from '../../gpu/context.js';
import type { Dispatch, PipelineCache } from '../../gpu/kernel.js';
import { f32, type Tensor } from '../../gpu/tensor.js';
import { type MatrixView, columns, matrix } from '../../gpu/view.js';
import type { RecordLayout, ReplayBuffer, Segment } from '../../replay/buffer.js';

/** Fields of a replay record a block can be copied from. */
export type RecordField = 'obs' | 'action' | 'reward' | 'terminated' | 'nextObs';

/** Named blocks of columns in layout order: where each starts and how wide it is. */
export class Blocks<K extends string> {
  readonly width: number;
  private readonly blocks: Readonly<Partial<Record<K, { from: number; count: number }>>>;

  constructor(
    readonly label: string,
    /** Block widths in layout order (a block left undefined is not in this layout). */
    readonly widths: Readonly<Partial<Record<K, number>>>,
  ) {
    let from = 0;
    const blocks: Partial<Record<K, { from: number; count: number }>> = {};
    for (const [name, count] of Object.entries(widths) as [K, number | undefined][]) {
      if (count === undefined) continue;
      blocks[name] = { from, count };
      from += count;
    }
    this.blocks = blocks;
    this.width = from;
  }

  block(name: K): { from: number; count: number } {
    const b = this.blocks[name];
    if (!b) throw new ConfigError(`${this.label} block`, name, `one of ${Object.keys(this.blocks).join(', ')}`);
    return b;
  }

  /** Blocks `first` through `last` (adjacent in layout order) as one column range. */
  span(first: K, last: K = first): { from: number; count: number } {
    const a = this.block(first), b = this.block(last);
    if (b.from < a.from) throw new ConfigError(`${this.label} view`, `${first}..${last}`, 'blocks in layout order');
    return { from: a.from, count: b.from + b.count - a.from };
  }
}

export class Minibatch<K extends string> {
  readonly width: number;
  readonly tensor: Tensor<'f32'>;
  private readonly blocks: Blocks<K>;

  constructor(
    readonly ctx: GpuContext,
    readonly label: string,
    readonly agents: number,
    readonly rows: number,
    /** Block widths in layout order (a block left undefined is not in this layout). */
    widths: Readonly<Partial<Record<K, number>>>,
  ) {
    this.blocks = new Blocks(label, widths);
    this.width = this.blocks.width;
    this.tensor = f32(ctx, label, [agents, rows, this.width]);
  }

  /** A tensor with the same layout (e.g. the gradients of some blocks). */
  like(label: string): Minibatch<K> {
    return new Minibatch(this.ctx, label, this.agents, this.rows, this.blocks.widths);
  }

  /** The first column of block `name`. */
  col(name: K): number {
    return this.blocks.block(name).from;
  }

  /** Blocks `first` through `last` (adjacent in layout order) as one view. */
  view(first: K, last: K = first): MatrixView {
    const { from, count } = this.blocks.span(first, last);
    return columns(matrix(this.tensor, { agents: this.agents, rows: this.rows, cols: this.width }), from, count);
  }

  /**
   * Copies of record fields into blocks, as the replay sampler's segments: blocks that are
   * adjacent here and in the record become one copy.
   */
  segments(record: RecordLayout, from: Partial<Readonly<Record<K, RecordField>>>): Segment[] {
    const out: Segment[] = [];
    for (const [name, field] of Object.entries(from) as [K, RecordField][]) {
      const { from: dst, count } = this.blocks.block(name);
      const src = record[field];
      const last = out.at(-1);
      if (last && last.dst + last.len === dst && last.src + last.len === src) last.len += count;
      else out.push({ src, dst, len: count });
    }
    return out;
  }

  /**
   * The dispatch that fills the blocks of `from` with uniformly drawn transitions of `replay`;
   * `draw` tells apart several minibatches of one env step, `slot` receives each row's record
   * index (for hindsight relabeling).
   */
  sample(cache: PipelineCache, replay: ReplayBuffer, from: Partial<Readonly<Record<K, RecordField>>>, o: { draw?: number; slot?: K } = {}): Promise<Dispatch> {
    return replay.sampler(cache, this.tensor, this.rows, this.segments(replay.layout, from), o.draw ?? 0, o.slot === undefined ? undefined : this.col(o.slot));
  }
}

/**
 * An on-policy segment: T steps of N envs, [agents x N x T x width] in named blocks per step.
 * Acting writes step t's blocks (`at`); the update reads all N * T rows of a block (`flat`).
 */
export class Trajectories<K extends string> {
  readonly width: number;
  readonly tensor: Tensor<'f32'>;
  /** N * T: the rows of a flat view. */
  readonly rows: number;
  private readonly blocks: Blocks<K>;

  constructor(
    ctx: GpuContext,
    label: string,
    readonly agents: number,
    readonly envs: number,
    readonly steps: number,
    widths: Readonly<Partial<Record<K, number>>>,
  ) {
    this.blocks = new Blocks(label, widths);
    this.width = this.blocks.width;
    this.rows = envs * steps;
    this.tensor = f32(ctx, label, [agents, envs, steps, this.width]);
  }

  col(name: K): number {
    return this.blocks.block(name).from;
  }

  /** Blocks `first`..`last` of step t, as [agents x envs x cols]. */
  at(t: number, first: K, last: K = first): MatrixView {
    const { from, count } = this.blocks.span(first, last);
    return matrix(this.tensor, { agents: this.agents, rows: this.envs, cols: count, offset: t * this.width + from, rowStride: this.steps * this.width });
  }

  /** Block `name` of every (env, step), as [agents x (envs * steps) x cols]. */
  flat(name: K): MatrixView {
    const { from, count } = this.blocks.span(name);
    return matrix(this.tensor, { agents: this.agents, rows: this.rows, cols: count, offset: from, rowStride: this.width });
  }
}

/**
 * The row of the off-policy actor-critic methods (DDPG, SVG(0)): the critic's input [s | a], the
 * target critic's [s2 | a2] (a2 drawn from the target or current policy at s2), the policy
 * update's critic input [sPi | pi] (sPi a copy of s, pi the policy's action there), then r and
 * terminated; `extra` blocks follow.
 */
export type ActorCriticColumn = 's' | 'a' | 's2' | 'a2' | 'sPi' | 'pi' | 'r' | 'terminated';

export function actorCriticBatch<E extends string = never>(
  ctx: GpuContext,
  label: string,
  o: { agents: number; rows: number; obs: number; action: number },
  extra?: Readonly<Partial<Record<E, number>>>,
): Minibatch<ActorCriticColumn | E> {
  const base: Record<ActorCriticColumn, number> = { s: o.obs, a: o.action, s2: o.obs, a2: o.action, sPi: o.obs, pi: o.action, r: 1, terminated: 1 };
  // (TypeScript cannot see that a spread of a Record over E is one.)
  return new Minibatch(ctx, label, o.agents, o.rows, { ...base, ...extra } as Partial<Record<ActorCriticColumn | E, number>>);
}

/** Where each replayed block of an actor-critic row comes from (a2 and pi are computed). */
export const ACTOR_CRITIC_FROM_REPLAY = { s: 'obs', a: 'action', s2: 'nextObs', sPi: 'obs', r: 'reward', terminated: 'terminated' } as const;

/**
 * DDPG's iteration as row programs (shaders/fused/ddpg.wgsl, fused/param_update.wgsl): every row
 * - an env while acting, a minibatch row while learning - runs its whole chain in one invocation,
 * and only the sums over rows get dispatches of their own:
 *
 *   acting        1 dispatch: actor forward, exploration, env step, replay insertion
 *   criticUpdate  2: critic rows (sample, HER, targets, TD error, backward), critic parameters (Adam)
 *   actorUpdate   2: actor rows (pi, Q, backward through both), actor parameters (Adam, both targets' Polyak)
 *
 * against 38 dispatches per iteration with one dispatch per layer (ddpg.ts's `layers` program).
 * The clock: an acting dispatch reads the step count from one slot of the clock tensor and its
 * first invocation writes the next count into the other slot (no invocation reads that slot in
 * the same dispatch); the rest of the unit reads the new slot, and the unit's last parameter
 * dispatch copies it back to slot 0, so between units the clock looks as it always does.
 */
import type { EnvBatch } from '../envs/batch.js';
import { ConfigError } from '../errors.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import type { ShaderSource } from '../gpu/shaders.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import type { Adam } from '../nn/adam.js';
import type { Mlp } from '../nn/mlp.js';
import { paramUpdateDispatch, tapeWidth } from '../nn/rowNetwork.js';
import type { ReplayBuffer } from '../replay/buffer.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import { LOSS_SLOTS, METRICS_WIDTH } from './common/criticLosses.js';
import type { DdpgConfig } from './ddpg.js';
import { type ClockSlots, boundsAndShapes, rowDispatch, rowModule, rowsUnsupportedOn } from './common/rowProgram.js';
import ddpgRowsWgsl from '../../shaders/fused/ddpg.wgsl?raw';
import criticRowWgsl from '../../shaders/fused/critic_row.wgsl?raw';
import replayRowWgsl from '../../shaders/fused/replay_row.wgsl?raw';

const NOISE_ID = { none: 0, gaussian: 1, ou: 2 } as const;
const HER_ID = { none: 0, final: 1, future: 2 } as const;

/** Storage buffers a row kernel binds at most (acting: five of the env's, the clock, replay, noise state, the actor). */
const STORAGE_BUFFERS = 9;

/** Why DDPG with `config` cannot run as row programs on this device, or null. */
export function ddpgRowsUnsupported(limits: GPUSupportedLimits, config: DdpgConfig, nets: readonly Mlp[]): string | null {
  if (config.maxGradNorm > 0) return '--max-grad-norm > 0 (global-norm clipping runs in the per-layer program)';
  return rowsUnsupportedOn(limits, STORAGE_BUFFERS, nets);
}

export interface DdpgRowParts {
  env: EnvBatch;
  clock: Clock;
  config: DdpgConfig;
  seed: number;
  warmupIterations: number;
  unit: { steps: number; updates: number };
  nets: { actor: Mlp; critic: Mlp; targetActor: Mlp; targetCritic: Mlp };
  actorOpt: Adam;
  criticOpt: Adam;
  replay: ReplayBuffer;
  ouState: Tensor<'f32'>;
  metrics: Tensor<'f32'>;
}

export class DdpgRows {
  readonly criticTape: Tensor<'f32'>;
  readonly actorTape: Tensor<'f32'>;
  /** The acting kernel's module binds only the actor's weights, the learning kernels' all four networks'. */
  private readonly shaders: { act: ShaderSource; learn: ShaderSource };

  constructor(
    readonly cache: PipelineCache,
    readonly p: DdpgRowParts,
  ) {
    const why = ddpgRowsUnsupported(cache.ctx.limits, p.config, [p.nets.actor, p.nets.critic]);
    if (why) throw new ConfigError('--program', 'rows', `layers for ${why}`);
    const { env, config } = p;
    const B = config.batchSize;
    this.criticTape = f32(cache.ctx, 'ddpg.critic_tape', [env.agents, B, tapeWidth(p.nets.critic) + 2]);
    this.actorTape = f32(cache.ctx, 'ddpg.actor_tape', [env.agents, B, tapeWidth(p.nets.actor) + 1]);
    const module = (what: string, weights: { name: string; binding: number }[]) =>
      rowModule(env, {
        kernel: { path: 'fused/ddpg.wgsl', code: ddpgRowsWgsl },
        libraries: [{ path: 'fused/replay_row.wgsl', code: replayRowWgsl }, { path: 'fused/critic_row.wgsl', code: criticRowWgsl }],
        nets: [p.nets.actor, p.nets.critic],
        weights,
        what,
      });
    const actor = { name: 'actor', binding: 17 };
    this.shaders = {
      act: module('acting', [actor]),
      learn: module('learning', [actor, { name: 'critic', binding: 18 }, { name: 'target_actor', binding: 19 }, { name: 'target_critic', binding: 20 }]),
    };
  }

  private params(o: { draw: number; clockRead: number; clockWrite: number }, label: string): GPUBuffer {
    const { env, config, seed, replay, nets } = this.p;
    const u = uniform()
      .u32(env.envs).u32(config.batchSize).u32(seed).u32(Stream.explore)
      .u32(Stream.replay).u32(Stream.smoothing).u32(Stream.her).u32(HER_ID[config.her as 'none'])
      .u32(this.p.warmupIterations).u32(NOISE_ID[config.noise as 'none']).f32(config.explorationNoise).f32(config.ouTheta)
      .f32(config.ouDt).f32(config.gamma).f32(config.targetPolicyNoise).f32(config.targetNoiseClip)
      .f32(config.herK / (1 + config.herK)).u32(replay.capacity).u32(replay.layout.width).u32(o.draw)
      .u32(o.clockRead).u32(o.clockWrite).u32(this.criticTape.shape[2]).u32(this.actorTape.shape[2]);
    boundsAndShapes(u, env, [nets.actor, nets.critic]);
    return u.build(this.cache.ctx, label);
  }

  /** A row kernel's dispatch: the program's settings, the driver's (binding 1) and `bindings`. */
  private dispatch(entryPoint: 'act' | 'critic_rows' | 'actor_rows', params: GPUBuffer, bindings: Record<number, Tensor | GPUBuffer>, rows: number, label: string): Promise<Dispatch> {
    const { env } = this.p;
    const { actor, critic, targetActor, targetCritic } = this.p.nets;
    const acting = entryPoint === 'act';
    const weights: Record<number, Tensor> = acting ? { 17: actor.params } : { 17: actor.params, 18: critic.params, 19: targetActor.params, 20: targetCritic.params };
    const shader = acting ? this.shaders.act : this.shaders.learn;
    return rowDispatch(this.cache, shader, entryPoint, { 1: env.driverParams, 16: params, ...weights, ...bindings }, { rows, agents: env.agents }, label);
  }

  /** acting: one env step of every env; moves the current step to the other clock slot. */
  async acting(slots: ClockSlots): Promise<Dispatch> {
    const { env, nets, replay } = this.p;
    const write = 1 - slots.read;
    const params = this.params({ draw: 0, clockRead: slots.read, clockWrite: write }, 'ddpg act');
    slots.read = write;
    return this.dispatch('act', params, {
      0: env.physicsParams, 8: this.p.clock.tensor, 2: env.envState, 3: env.obs, 4: env.nextObs, 6: env.stepOut, 7: env.epStats, 21: replay.storage, 24: this.p.ouState,
    }, env.envs, 'ddpg act (rows)');
  }

  /** criticUpdate(draw): the critic rows of the draw-th minibatch of the step, then the critic's parameters. */
  async criticUpdate(draw: number, slots: ClockSlots, commit: boolean): Promise<Dispatch[]> {
    const { nets, config } = this.p;
    const params = this.params({ draw, clockRead: slots.read, clockWrite: slots.read }, `ddpg critic rows ${draw}`);
    const rows = await this.dispatch('critic_rows', params, {
      0: this.p.env.physicsParams, 8: this.p.clock.tensor, 21: this.p.replay.storage, 22: this.criticTape, 23: this.actorTape,
    }, config.batchSize, 'ddpg critic rows');
    const update = await paramUpdateDispatch(this.cache, {
      net: nets.critic, opt: this.p.criticOpt, tape: this.criticTape, rows: config.batchSize, tapeWidth: this.criticTape.shape[2],
      steps: this.steps(draw, 1), clock: this.p.clock.tensor, clockSlot: slots.read, commitClock: commit,
      metrics: { tensor: this.p.metrics, width: METRICS_WIDTH, col: tapeWidth(nets.critic), slots: [LOSS_SLOTS.criticLoss, LOSS_SLOTS.meanQ], counter: LOSS_SLOTS.criticUpdates },
      label: 'ddpg critic parameters',
    });
    return [rows, update];
  }

  /** actorUpdate(index): the actor rows on the last critic update's minibatch, then the actor's parameters and both targets. */
  async actorUpdate(index: number, slots: ClockSlots, commit: boolean): Promise<Dispatch[]> {
    const { nets, config } = this.p;
    const params = this.params({ draw: 0, clockRead: slots.read, clockWrite: slots.read }, 'ddpg actor rows');
    const rows = await this.dispatch('actor_rows', params, { 22: this.criticTape, 23: this.actorTape }, config.batchSize, 'ddpg actor rows');
    const update = await paramUpdateDispatch(this.cache, {
      net: nets.actor, opt: this.p.actorOpt, tape: this.actorTape, rows: config.batchSize, tapeWidth: this.actorTape.shape[2],
      steps: this.steps(index, config.policyDelay), clock: this.p.clock.tensor, clockSlot: slots.read, commitClock: commit,
      tau: config.tau, target: nets.targetActor, second: { online: nets.critic, target: nets.targetCritic },
      metrics: { tensor: this.p.metrics, width: METRICS_WIDTH, col: tapeWidth(nets.actor), slots: [LOSS_SLOTS.actorLoss], counter: LOSS_SLOTS.actorUpdates },
      label: 'ddpg actor parameters',
    });
    return [rows, update];
  }

  private steps(index: number, delay: number) {
    const { warmupIterations: warmup, unit } = this.p;
    return { warmup, stepsPerBlock: unit.steps, updatesPerBlock: unit.updates, index, delay };
  }
}

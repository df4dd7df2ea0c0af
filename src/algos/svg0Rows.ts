/**
 * SVG(0)'s iteration as row programs (shaders/fused/svg0.wgsl, fused/param_update.wgsl), for the
 * tanh-Gaussian policy: every row - an env while acting, a minibatch row while learning - runs
 * its whole chain in one invocation, and only the sums over rows get dispatches of their own:
 *
 *   acting        1 dispatch: policy forward, sample, env step, replay insertion
 *   criticUpdate  2: critic rows (sample, a' ~ pi(s'), soft target, TD error, backward), critic parameters (Adam)
 *   policyUpdate  2: policy rows (a ~ pi(s), Q, backward through the critic, the sample and the
 *                 policy), policy parameters (Adam, the target critic's Polyak); with --entropy
 *                 one more, the temperature's step (rl/temperature.wgsl)
 *
 * against 43 (or more) dispatches with one dispatch per layer and graph node (svg0.ts's layers
 * program). The clock works as in ddpgRows.ts: acting moves the step count to the other slot,
 * the unit's last parameter dispatch copies it back to slot 0.
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
import { LOSS_SLOTS } from './common/criticLosses.js';
import { type ClockSlots, boundsAndShapes, rowDispatch, rowModule, rowsUnsupportedOn } from './common/rowProgram.js';
import type { Temperature } from './common/temperature.js';
import type { Svg0Config } from './svg0.js';
import gaussianRowWgsl from '../../shaders/fused/gaussian_row.wgsl?raw';
import criticRowWgsl from '../../shaders/fused/critic_row.wgsl?raw';
import replayRowWgsl from '../../shaders/fused/replay_row.wgsl?raw';
import svg0Wgsl from '../../shaders/fused/svg0.wgsl?raw';

/** Storage buffers a row kernel binds at most (acting: five of the env's, the clock, replay, the policy). */
const STORAGE_BUFFERS = 8;
/** sample/gaussian.ts's default clamp of log sigma. */
const LOG_STD_RANGE = [-20, 2] as const;

/** Why SVG(0) with `config` cannot run as row programs on this device, or null. */
export function svg0RowsUnsupported(limits: GPUSupportedLimits, config: Svg0Config, nets: readonly Mlp[]): string | null {
  if (config.policy !== 'gaussian') return `--policy ${config.policy} (discrete policies run in the per-layer program)`;
  return rowsUnsupportedOn(limits, STORAGE_BUFFERS, nets);
}

export interface Svg0RowParts {
  env: EnvBatch;
  clock: Clock;
  config: Svg0Config;
  seed: number;
  warmupIterations: number;
  nets: { policy: Mlp; critic: Mlp; targetCritic: Mlp };
  policyOpt: Adam;
  criticOpt: Adam;
  temperature: Temperature;
  replay: ReplayBuffer;
  metrics: { tensor: Tensor<'f32'>; width: number };
  /** The policy update's metric slots (as the per-layer program's graph numbers them). */
  slots: { loss: readonly number[]; updates: number; alpha: number };
}

export class Svg0Rows {
  readonly criticTape: Tensor<'f32'>;
  readonly policyTape: Tensor<'f32'>;
  /** log pi(a|s) of the policy rows, dense [agents, B], for the temperature's step. */
  readonly logp: Tensor<'f32'>;
  /** The acting kernel's module binds only the policy's weights, the learning kernels' all three networks'. */
  private readonly shaders: { act: ShaderSource; learn: ShaderSource };
  private readonly entropy: boolean;

  constructor(
    readonly cache: PipelineCache,
    readonly p: Svg0RowParts,
  ) {
    const { env, config, nets } = p;
    const why = svg0RowsUnsupported(cache.ctx.limits, config, [nets.policy, nets.critic]);
    if (why) throw new ConfigError('--program', 'rows', `layers for ${why}`);
    const B = config.batchSize, agents = env.agents;
    this.entropy = config.entropy !== 'off';
    this.criticTape = f32(cache.ctx, 'svg0.critic_tape', [agents, B, tapeWidth(nets.critic) + 2]);
    this.policyTape = f32(cache.ctx, 'svg0.policy_tape', [agents, B, tapeWidth(nets.policy) + 2]);
    this.logp = f32(cache.ctx, 'svg0.logp', [agents, B]);
    const module = (what: string, weights: { name: string; binding: number }[]) =>
      rowModule(env, {
        kernel: { path: 'fused/svg0.wgsl', code: svg0Wgsl },
        libraries: [{ path: 'fused/replay_row.wgsl', code: replayRowWgsl }, { path: 'fused/critic_row.wgsl', code: criticRowWgsl }, { path: 'fused/gaussian_row.wgsl', code: gaussianRowWgsl }],
        nets: [nets.policy, nets.critic],
        weights,
        what,
      });
    const policy = { name: 'policy', binding: 17 };
    this.shaders = {
      act: module('acting', [policy]),
      learn: module('learning', [policy, { name: 'critic', binding: 18 }, { name: 'target_critic', binding: 19 }]),
    };
  }

  private params(o: { draw: number; clockRead: number; clockWrite: number }, label: string): GPUBuffer {
    const { env, config, seed, replay, nets } = this.p;
    const u = uniform()
      .u32(env.envs).u32(config.batchSize).u32(seed).u32(Stream.explore)
      .u32(Stream.sample).u32(Stream.replay).u32(this.p.warmupIterations).u32(replay.capacity)
      .u32(replay.layout.width).u32(o.draw).u32(o.clockRead).u32(o.clockWrite)
      .u32(this.criticTape.shape[2]).u32(this.policyTape.shape[2]).u32(this.entropy ? 1 : 0).f32(config.gamma)
      .f32(LOG_STD_RANGE[0]).f32(LOG_STD_RANGE[1]).u32(0).u32(0);
    boundsAndShapes(u, env, [nets.policy, nets.critic]);
    return u.build(this.cache.ctx, label);
  }

  private dispatch(entryPoint: 'act' | 'critic_rows' | 'policy_rows', params: GPUBuffer, bindings: Record<number, Tensor | GPUBuffer>, rows: number, label: string): Promise<Dispatch> {
    const { env, nets } = this.p;
    const acting = entryPoint === 'act';
    const weights: Record<number, Tensor> = acting ? { 17: nets.policy.params } : { 17: nets.policy.params, 18: nets.critic.params, 19: nets.targetCritic.params };
    return rowDispatch(this.cache, acting ? this.shaders.act : this.shaders.learn, entryPoint, { 1: env.driverParams, 16: params, ...weights, ...bindings }, { rows, agents: env.agents }, label);
  }

  /** acting: one env step of every env; moves the current step to the other clock slot. */
  async acting(slots: ClockSlots): Promise<Dispatch> {
    const { env, replay } = this.p;
    const write = 1 - slots.read;
    const params = this.params({ draw: 0, clockRead: slots.read, clockWrite: write }, 'svg0 act');
    slots.read = write;
    return this.dispatch('act', params, {
      0: env.physicsParams, 8: this.p.clock.tensor, 2: env.envState, 3: env.obs, 4: env.nextObs, 6: env.stepOut, 7: env.epStats, 21: replay.storage,
    }, env.envs, 'svg0 act (rows)');
  }

  /** criticUpdate(draw): the critic rows of the draw-th minibatch of the step, then the critic's parameters. */
  async criticUpdate(draw: number, slots: ClockSlots): Promise<Dispatch[]> {
    const { nets, config, metrics } = this.p;
    const params = this.params({ draw, clockRead: slots.read, clockWrite: slots.read }, `svg0 critic rows ${draw}`);
    const rows = await this.dispatch('critic_rows', params, {
      8: this.p.clock.tensor, 21: this.p.replay.storage, 22: this.criticTape, 23: this.policyTape, 24: this.p.temperature.state,
    }, config.batchSize, 'svg0 critic rows');
    const update = await paramUpdateDispatch(this.cache, {
      net: nets.critic, opt: this.p.criticOpt, tape: this.criticTape, rows: config.batchSize, tapeWidth: this.criticTape.shape[2],
      steps: this.steps(draw), clock: this.p.clock.tensor, clockSlot: slots.read, commitClock: false,
      metrics: { ...metrics, col: tapeWidth(nets.critic), slots: [LOSS_SLOTS.criticLoss, LOSS_SLOTS.meanQ], counter: LOSS_SLOTS.criticUpdates },
      label: 'svg0 critic parameters',
    });
    return [rows, update];
  }

  /** policyUpdate(index): the policy rows on the last critic update's minibatch, the temperature, the policy's parameters and the target critic. */
  async policyUpdate(index: number, slots: ClockSlots, commit: boolean): Promise<Dispatch[]> {
    const { nets, config, metrics } = this.p;
    const B = config.batchSize;
    const params = this.params({ draw: 0, clockRead: slots.read, clockWrite: slots.read }, 'svg0 policy rows');
    const rows = await this.dispatch('policy_rows', params, {
      8: this.p.clock.tensor, 22: this.criticTape, 23: this.policyTape, 24: this.p.temperature.state, 25: this.logp,
    }, B, 'svg0 policy rows');
    const temperature = this.entropy ? [await this.p.temperature.update(this.cache, this.logp, B, { ...metrics, slot: this.p.slots.alpha })] : [];
    const update = await paramUpdateDispatch(this.cache, {
      net: nets.policy, opt: this.p.policyOpt, tape: this.policyTape, rows: B, tapeWidth: this.policyTape.shape[2],
      steps: this.steps(index), clock: this.p.clock.tensor, clockSlot: slots.read, commitClock: commit,
      tau: config.tau, second: { online: nets.critic, target: nets.targetCritic },
      metrics: { ...metrics, col: tapeWidth(nets.policy), slots: this.p.slots.loss, counter: this.p.slots.updates },
      label: 'svg0 policy parameters',
    });
    return [rows, ...temperature, update];
  }

  private steps(index: number) {
    return { warmup: this.p.warmupIterations, stepsPerBlock: 1, updatesPerBlock: this.p.config.updatesPerStep, index, delay: 1 };
  }
}

/**
 * PPO with the clipped surrogate (Schulman et al. 2017), as CleanRL's ppo_continuous_action.py
 * computes it, entirely in row programs. Every training unit of T env steps per env is
 *
 *   collect   1 dispatch: T steps of every env - policy, Gaussian sample and log-probability,
 *             V(s), env step, V(s') (common/segmentRows.ts)
 *   returns   3: GAE(lambda) advantages and returns, returns standardized (the value net learns
 *             standardized returns; their statistics map V back for the next segment), advantages
 *             standardized (rl/returns.wgsl)
 *   update    per epoch and minibatch, 7: the minibatch rows - record from a per-epoch random
 *             permutation, clipped surrogate, (clipped) value loss, entropy bonus, both networks'
 *             backward passes (fused/ppo.wgsl) - then per network its gradient over the rows
 *             (fused/param_update.wgsl) and Adam with global-norm clipping (nn/adam.wgsl)
 *
 * Differences from CleanRL, each a choice of this on-GPU batch design: the policy's log sigma is a
 * head of its network (CleanRL: a state-independent parameter); advantages are standardized over
 * the whole segment (CleanRL: per minibatch); the value net fits standardized returns (CleanRL:
 * raw returns of normalized rewards); gradients are clipped per network (CleanRL: jointly, one
 * optimizer); no observation normalization and no learning-rate annealing; episodes cut by the
 * time limit bootstrap from V(s') (CleanRL treats them as terminal).
 */
import type { EnvBatch } from '../envs/batch.js';
import type { EnvDefinition } from '../envs/types.js';
import { ConfigError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import type { ShaderSource } from '../gpu/shaders.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import { Adam } from '../nn/adam.js';
import type { Activation } from '../nn/linear.js';
import { Mlp } from '../nn/mlp.js';
import { type CellKind, RecurrentCell } from '../nn/recurrent.js';
import { paramGradientDispatch, tapeWidth } from '../nn/rowNetwork.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import type { Build, EvalNetworks, RunShape } from './common/algorithm.js';
import { GaussianPolicy } from './common/gaussianPolicy.js';
import type { MetricTable } from './common/metrics.js';
import { ppoMetricSpecs } from './common/ppoMetrics.js';
import type { Trajectories } from './common/minibatch.js';
import { type OptionValues, resolveOptions } from './common/options.js';
import { PolicyAlgorithm } from './common/policy.js';
import { RecurrentPolicy, recurrentSchema } from './common/recurrentPolicy.js';
import { checkRecurrentPpo, recurrentPpoLearner, recurrentPpoParts } from './ppoRecurrent.js';
import { gaeDispatches } from './common/returns.js';
import { type ClockSlots, boundsAndShapes, rowDispatch, rowModule } from './common/rowProgram.js';
import { LOG_STD_RANGE, type OnPolicyColumn, SegmentRows, onPolicySegment } from './common/segmentRows.js';
import { trainingState } from './common/state.js';
import gaussianRowWgsl from '../../shaders/fused/gaussian_row.wgsl?raw';
import ppoWgsl from '../../shaders/fused/ppo.wgsl?raw';
import shuffleWgsl from '../../shaders/fused/shuffle.wgsl?raw';

export const ppoSchema = {
  policyHidden: { kind: 'list', default: [64, 64], min: 1, help: 'hidden layer widths of the policy (CleanRL: 64-64)' },
  valueHidden: { kind: 'list', default: [64, 64], min: 1, help: 'hidden layer widths of the value function (CleanRL: 64-64)' },
  activation: { kind: 'choice', default: 'tanh', choices: ['tanh', 'relu'], help: 'hidden activation of both networks (CleanRL: tanh)' },
  lr: { kind: 'number', default: 3e-4, min: 0, exclusiveMin: true, help: 'Adam learning rate of both networks (CleanRL: 3e-4, not annealed here)' },
  segment: { kind: 'number', default: 16, min: 1, integer: true, help: 'env steps T per env per update (CleanRL: 2048 with 1 env; with the default 4096 envs, 16 make 65,536 steps per update)' },
  epochs: { kind: 'number', default: 10, min: 1, integer: true, help: 'passes over each segment (CleanRL update_epochs: 10)' },
  minibatches: { kind: 'number', default: 32, min: 1, integer: true, help: 'minibatches per epoch; must divide envs x segment, with --recurrent the envs (whole sequences) (CleanRL num_minibatches: 32)' },
  gamma: { kind: 'number', default: 0.99, min: 0, max: 1, help: 'discount factor (CleanRL: 0.99)' },
  gaeLambda: { kind: 'number', default: 0.95, min: 0, max: 1, help: 'GAE lambda (CleanRL: 0.95)' },
  clip: { kind: 'number', default: 0.2, min: 0, exclusiveMin: true, help: 'surrogate clipping epsilon, also the value clipping range (CleanRL clip_coef: 0.2)' },
  clipValueLoss: { kind: 'choice', default: 'on', choices: ['on', 'off'], help: 'clip the value loss around the old values (CleanRL clip_vloss: on)' },
  valueCoef: { kind: 'number', default: 0.5, min: 0, help: 'weight of the value loss (CleanRL vf_coef: 0.5)' },
  entropyCoef: { kind: 'number', default: 0, min: 0, help: 'weight of the entropy bonus (CleanRL ent_coef: 0.0)' },
  maxGradNorm: { kind: 'number', default: 0.5, min: 0, help: "clip each network's gradient to this global norm, 0 = off (CleanRL: 0.5, jointly)" },
  ...recurrentSchema,
} as const;

export type PpoConfig = OptionValues<typeof ppoSchema>;

export function ppoConfig(given: Readonly<Record<string, unknown>> = {}): PpoConfig {
  return resolveOptions(ppoSchema, given);
}

/** Metric slots: sums the parameter kernels add (policy: 4 means and a counter; value: a mean and a counter). */
export const PPO_METRIC_SLOTS = { pgLoss: 0, approxKl: 1, clipFraction: 2, entropy: 3, updates: 4, valueLoss: 5, valueUpdates: 6 } as const;
export const PPO_METRICS_WIDTH = 8;
/** Per-row metric columns at the end of the update tape: pg loss, approx KL, clip fraction, entropy, value loss. */
const TAPE_METRICS = 5;

export class Ppo extends PolicyAlgorithm<PpoConfig, GaussianPolicy | RecurrentPolicy> {
  readonly name = 'ppo';

  /** The policy (a recurrent cell before it with --recurrent, its network then reading h_t) and V. */
  static networks(ctx: GpuContext, env: EnvBatch, config: PpoConfig, seed: number): { policy: GaussianPolicy | RecurrentPolicy; value: Mlp } {
    const activation = config.activation as Activation;
    const cell = config.recurrent === 'none' ? null : RecurrentCell.create(ctx, { kind: config.recurrent as CellKind, inDim: env.obsWidth, hidden: config.recurrentWidth, agents: env.agents }, { seed, stream: 3, label: 'recurrent' });
    const head = GaussianPolicy.create(ctx, cell ? config.recurrentWidth : env.obsWidth, env.actionDim, config.policyHidden, env.agents, { seed, squash: false, activation });
    return {
      policy: cell ? new RecurrentPolicy(cell, head, env) : head,
      value: Mlp.create(ctx, { sizes: [env.obsWidth, ...config.valueHidden, 1], hidden: activation, agents: env.agents }, { seed, stream: 2, label: 'value' }),
    };
  }

  static check(run: RunShape, _def: EnvDefinition, config: PpoConfig): void {
    if (config.recurrent !== 'none') return checkRecurrentPpo(run, config);
    const records = run.envs * config.segment;
    if (records % config.minibatches !== 0) {
      throw new ConfigError('--minibatches', config.minibatches, `a divisor of envs x segment = ${records} (${run.envs} x ${config.segment})`);
    }
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: PpoConfig, seed: number): Promise<Ppo> {
    const T = config.segment;
    const { policy, value } = Ppo.networks(ctx, env, config, seed);
    const b = { ctx, cache, env, clock, config, seed };
    if (policy instanceof RecurrentPolicy) return new Ppo(b, policy, await recurrentPpoParts(recurrentPpoLearner(ctx, cache, env, clock, config, seed, policy, value)));
    const adam = (net: Mlp, label: string) => new Adam(ctx, net.params, net.grads, env.agents, { lr: config.lr, maxGradNorm: config.maxGradNorm }, label);
    const l: PpoLearner = {
      ctx, cache, env, clock, config, seed, policy, value,
      policyOpt: adam(policy.net, 'policy.adam'),
      valueOpt: adam(value, 'value.adam'),
      metrics: f32(ctx, 'ppo.metrics', [env.agents, PPO_METRICS_WIDTH]),
      segment: onPolicySegment(ctx, 'ppo.segment', env, T),
      // (mean, std) of the last segment's returns, the value net's units.
      returnStats: f32(ctx, 'ppo.return_stats', [env.agents, 2], Array.from({ length: env.agents }, () => [0, 1]).flat()),
    };
    const slots: ClockSlots = { read: 0 };
    const collect = await new SegmentRows(cache, { env, clock, seed, policy, value, segment: l.segment }).collect(slots);
    const seg = l.segment;
    const returns = await gaeDispatches(cache, seg.tensor, l.returnStats, {
      envs: env.envs, steps: T, width: seg.width, rewardCol: seg.col('reward'), valueCol: seg.col('nextValue'), returnCol: seg.col('ret'),
      gamma: config.gamma, lambda: config.gaeLambda, stateValueCol: seg.col('value'), advCol: seg.col('adv'),
    });
    const update = await new PpoUpdate(l).dispatches(slots.read);
    const unit = new Recorder(ctx, 'ppo train').add(collect, ...returns, ...update);
    const state = trainingState({
      networks: { policy: policy.net, value },
      optimizers: { policy: l.policyOpt, value: l.valueOpt },
      env, clock, metrics: l.metrics, other: { return_stats: l.returnStats },
    });
    const metrics: MetricTable = {
      tensor: l.metrics,
      width: PPO_METRICS_WIDTH,
      specs: ppoMetricSpecs(PPO_METRIC_SLOTS),
    };
    return new Ppo(l, policy, { warmup: { recorder: unit, iterations: T }, train: { recorder: unit, iterations: T }, warmupIterations: 0, state, metrics });
  }

  static evalNetworks(ctx: GpuContext, env: EnvBatch, config: PpoConfig, seed: number): EvalNetworks {
    return Ppo.networks(ctx, env, config, seed).policy.evalNetworks();
  }
}

/** What collection, returns and the update share. */
export interface PpoLearner extends Build<PpoConfig> {
  policy: GaussianPolicy;
  value: Mlp;
  policyOpt: Adam;
  valueOpt: Adam;
  metrics: Tensor<'f32'>;
  segment: Trajectories<OnPolicyColumn>;
  returnStats: Tensor<'f32'>;
}

/** One minibatch update's dispatches: the rows, then per network its gradient and Adam step. */
export interface PpoMinibatch {
  rows: Dispatch;
  policyGradient: Dispatch;
  policyStep: Dispatch[];
  valueGradient: Dispatch;
  valueStep: Dispatch[];
}

/** The epochs of minibatch updates (fused/ppo.wgsl, then each network's gradient and Adam step). */
export class PpoUpdate {
  private readonly shader: ShaderSource;
  /** Per minibatch row: the policy's tape part, the value's, the row's metrics. */
  readonly tape: Tensor<'f32'>;
  readonly batch: number;
  readonly widths: { policy: number; value: number; row: number };

  constructor(private readonly l: PpoLearner) {
    const { env, policy, value, config, segment } = l;
    this.batch = segment.rows / config.minibatches;
    const policyTape = tapeWidth(policy.net), valueTape = tapeWidth(value);
    this.widths = { policy: policyTape, value: valueTape, row: policyTape + valueTape + TAPE_METRICS };
    this.tape = f32(l.ctx, 'ppo.tape', [env.agents, this.batch, this.widths.row]);
    this.shader = rowModule(env, {
      kernel: { path: 'fused/ppo.wgsl', code: ppoWgsl },
      libraries: [{ path: 'fused/gaussian_row.wgsl', code: gaussianRowWgsl }, { path: 'fused/shuffle.wgsl', code: shuffleWgsl }],
      nets: [policy.net, value],
      weights: [{ name: 'policy', binding: 17 }, { name: 'value_net', binding: 18 }],
    });
  }

  private rowsUniform(epoch: number, draw: number, clockSlot: number): GPUBuffer {
    const { config, segment: seg, seed, env, policy, value } = this.l;
    const u = uniform()
      .u32(seg.rows).u32(this.batch).u32(draw).u32(epoch)
      .u32(seed).u32(Stream.replay).u32(clockSlot).u32(seg.width)
      .u32(seg.col('x')).u32(seg.col('logp')).u32(seg.col('value')).u32(seg.col('adv'))
      .u32(seg.col('ret')).u32(this.widths.row).u32(this.widths.policy).u32(this.widths.policy + this.widths.value)
      .f32(config.clip).f32(config.valueCoef).f32(config.entropyCoef).u32(config.clipValueLoss === 'on' ? 1 : 0)
      .f32(LOG_STD_RANGE[0]).f32(LOG_STD_RANGE[1]).u32(0).u32(0);
    // (The bounds are unused here; boundsAndShapes keeps the uniform's tail as every row kernel's.)
    return boundsAndShapes(u, env, [policy.net, value]).build(this.l.ctx, `ppo rows ${epoch}.${draw}`);
  }

  /** Minibatch `draw` of epoch `epoch`, the step count in clock slot `clockSlot` (copied back to slot 0 when `commit`). */
  async minibatch(epoch: number, draw: number, clockSlot: number, commit: boolean): Promise<PpoMinibatch> {
    const { cache, env, clock, policy, value, metrics } = this.l;
    const metricCol = this.widths.policy + this.widths.value;
    const rows = await rowDispatch(cache, this.shader, 'update_rows', {
      1: env.driverParams, 8: clock.tensor, 16: this.rowsUniform(epoch, draw, clockSlot), 17: policy.net.params, 18: value.params,
      21: this.l.segment.tensor, 22: this.tape, 23: this.l.returnStats,
    }, { rows: this.batch, agents: env.agents }, 'ppo minibatch rows');
    const gradient = (net: Mlp, tapeOffset: number, m: { slots: number[]; col: number; counter: number }, commitClock: boolean, label: string) =>
      paramGradientDispatch(cache, {
        net, tape: this.tape, rows: this.batch, tapeWidth: this.widths.row, tapeOffset, clock: clock.tensor, clockSlot, commitClock,
        metrics: { tensor: metrics, width: PPO_METRICS_WIDTH, col: m.col, slots: m.slots, counter: m.counter }, label,
      });
    return {
      rows,
      policyGradient: await gradient(policy.net, 0, { slots: [PPO_METRIC_SLOTS.pgLoss, PPO_METRIC_SLOTS.approxKl, PPO_METRIC_SLOTS.clipFraction, PPO_METRIC_SLOTS.entropy], col: metricCol, counter: PPO_METRIC_SLOTS.updates }, false, 'ppo policy gradient'),
      policyStep: await this.l.policyOpt.step(cache),
      valueGradient: await gradient(value, this.widths.policy, { slots: [PPO_METRIC_SLOTS.valueLoss], col: metricCol + 4, counter: PPO_METRIC_SLOTS.valueUpdates }, commit, 'ppo value gradient'),
      valueStep: await this.l.valueOpt.step(cache),
    };
  }

  /** Every epoch's minibatch updates; the step count is in clock slot `clockSlot`, copied back to slot 0 by the last. */
  async dispatches(clockSlot: number): Promise<Dispatch[]> {
    const { epochs, minibatches } = this.l.config;
    const out: Dispatch[] = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let draw = 0; draw < minibatches; draw++) {
        const m = await this.minibatch(epoch, draw, clockSlot, epoch === epochs - 1 && draw === minibatches - 1);
        out.push(m.rows, m.policyGradient, ...m.policyStep, m.valueGradient, ...m.valueStep);
      }
    }
    return out;
  }
}

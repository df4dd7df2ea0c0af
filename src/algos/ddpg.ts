/**
 * DDPG: deep deterministic policy gradient (Lillicrap et al. 2016), with TD3's options (Fujimoto
 * et al. 2018: policy delay, target policy smoothing) off by default. Every step of it runs on the
 * GPU; this file builds the networks and records one training unit as a fixed list of dispatches.
 *
 *   act:    a = clip(pi(s) + noise, -1, 1) (uniform random during warm-up); step N envs; store
 *           (s, a, r, terminated, s') in the replay buffer
 *   critic: sample B; a' = pi'(s') (+ clipped noise, TD3); y = r + gamma (1 - terminated) Q'(s', a');
 *           minimise mean (Q(s, a) - y)^2 with Adam
 *   actor:  every policyDelay critic updates: maximise mean Q(s, pi(s)) with Adam, then
 *           Polyak-average both targets: theta' <- (1 - tau) theta' + tau theta
 * Actions are normalized to [-1, 1] everywhere (actor tanh output, replay, critic input) and
 * mapped onto the env's bounds only when stepping it.
 */
import { ConfigError } from '../errors.js';
import type { EnvBatch } from '../envs/batch.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { type MatrixView, columns, matrix } from '../gpu/view.js';
import { Adam } from '../nn/adam.js';
import { Mlp } from '../nn/mlp.js';
import { polyak, polyakPair } from '../nn/polyak.js';
import { ReplayBuffer } from '../replay/buffer.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import type { Algorithm, DeterministicPolicy, Program } from './common/algorithm.js';
import { METRICS_WIDTH, policyLossDispatch, tdLossDispatch } from './common/criticLosses.js';
import { NOISE_KINDS, exploreDispatch, smoothTargetDispatch } from './common/explore.js';
import { type OptionValues, resolveOptions } from './common/options.js';

/** DDPG's hyper-parameters; defaults follow CleanRL's ddpg_continuous_action.py unless noted. */
export const ddpgSchema = {
  actorHidden: { kind: 'list', default: [256, 256], min: 1, help: 'hidden layer widths of the actor (CleanRL 256-256; Lillicrap et al. 400-300)' },
  criticHidden: { kind: 'list', default: [256, 256], min: 1, help: 'hidden layer widths of the critic' },
  actorLr: { kind: 'number', default: 3e-4, min: 0, exclusiveMin: true, help: 'Adam learning rate of the actor (CleanRL 3e-4)' },
  criticLr: { kind: 'number', default: 3e-4, min: 0, exclusiveMin: true, help: 'Adam learning rate of the critic (CleanRL 3e-4)' },
  gamma: { kind: 'number', default: 0.99, min: 0, max: 1, help: 'discount factor' },
  tau: { kind: 'number', default: 0.005, min: 0, max: 1, help: 'Polyak averaging rate of the target networks (CleanRL 0.005)' },
  batchSize: { kind: 'number', default: 256, min: 1, integer: true, help: 'minibatch size per update (CleanRL 256)' },
  bufferSize: { kind: 'number', default: 1_000_000, min: 1, integer: true, help: 'replay buffer capacity in transitions per agent (CleanRL 1e6)' },
  noise: { kind: 'choice', default: 'gaussian', choices: NOISE_KINDS, help: 'exploration noise: gaussian (CleanRL), ou (Ornstein-Uhlenbeck, Lillicrap et al.) or none' },
  explorationNoise: { kind: 'number', default: 0.1, min: 0, help: 'noise scale as a fraction of the half action range (CleanRL 0.1; OU: Lillicrap et al. 0.2)' },
  ouTheta: { kind: 'number', default: 0.15, min: 0, help: 'mean reversion of the OU noise (Lillicrap et al. 0.15)' },
  ouDt: { kind: 'number', default: 0.01, min: 0, exclusiveMin: true, help: 'time step of the OU noise' },
  learningStarts: { kind: 'number', default: 25_000, min: 0, integer: true, help: 'env transitions (all envs) with random actions before learning (CleanRL 25e3)' },
  updatesPerStep: { kind: 'number', default: 1, min: 0, exclusiveMin: true, help: 'gradient updates per step of all envs: an integer, or 1/k for one update every k steps' },
  policyDelay: { kind: 'number', default: 1, min: 1, integer: true, help: 'critic updates per actor and target update (TD3: 2)' },
  targetPolicyNoise: { kind: 'number', default: 0, min: 0, help: "TD3's target policy smoothing noise, fraction of the half action range (TD3: 0.2; 0 = off)" },
  targetNoiseClip: { kind: 'number', default: 0.5, min: 0, help: "clip of TD3's smoothing noise (TD3: 0.5)" },
  maxGradNorm: { kind: 'number', default: 0, min: 0, help: 'clip each gradient to this global norm (0 = off)' },
  her: { kind: 'choice', default: 'none', choices: ['none', 'final', 'future'], help: 'hindsight experience replay for goal envs: relabel with the episode\'s final or a future achieved goal (Andrychowicz et al. 2017)' },
  herK: { kind: 'number', default: 4, min: 1, integer: true, help: 'HER: relabeled goals per real one, relabel probability k / (1 + k) (HER paper: 4)' },
} as const;

export type DdpgConfig = OptionValues<typeof ddpgSchema>;

export function ddpgConfig(given: Readonly<Record<string, unknown>> = {}): DdpgConfig {
  const c = resolveOptions(ddpgSchema, given);
  const r = c.updatesPerStep;
  const everyKSteps = Math.abs(1 / r - Math.round(1 / r)) < 1e-9; // r = 1/k
  if (!Number.isInteger(r) && !everyKSteps) {
    throw new ConfigError('--updates-per-step', r, 'an integer >= 1 or 1/k for an integer k (e.g. 0.25)');
  }
  return c;
}

/**
 * Hot-path fusions, each removing dependent dispatches from an update (docs/performance.md).
 * All on by default; the benchmark switches them off one at a time to measure each.
 */
export interface Fusions {
  /** A layer's weight and input gradients in one dispatch. */
  backward: boolean;
  /** Adam's step count from the clock: no prepare dispatch (without clipping). */
  adamFromClock: boolean;
  /** Both targets' Polyak averaging in one dispatch. */
  polyakPair: boolean;
}

export const ALL_FUSIONS: Fusions = { backward: true, adamFromClock: true, polyakPair: true };
export const NO_FUSIONS: Fusions = { backward: false, adamFromClock: false, polyakPair: false };

export interface DdpgNetworks {
  actor: Mlp;
  critic: Mlp;
}

export class Ddpg implements Algorithm {
  readonly name = 'ddpg';
  readonly warmup: Program;
  readonly train: Program;
  readonly warmupIterations: number;
  readonly state: Record<string, Tensor>;
  readonly metrics: Tensor<'f32'>;

  private constructor(
    readonly env: EnvBatch,
    readonly clock: Clock,
    readonly config: DdpgConfig,
    readonly nets: DdpgNetworks,
    parts: { warmup: Program; train: Program; warmupIterations: number; state: Record<string, Tensor>; metrics: Tensor<'f32'> },
  ) {
    this.warmup = parts.warmup;
    this.train = parts.train;
    this.warmupIterations = parts.warmupIterations;
    this.state = parts.state;
    this.metrics = parts.metrics;
  }

  /** Networks of the shapes `config` asks for on `env`, initialised from `seed`. */
  static networks(ctx: GpuContext, env: EnvBatch, config: DdpgConfig, seed: number): DdpgNetworks {
    const o = env.obsWidth, a = env.actionDim, agents = env.agents;
    return {
      actor: Mlp.create(ctx, { sizes: [o, ...config.actorHidden, a], hidden: 'relu', output: 'tanh', agents }, { seed, stream: 1, label: 'actor' }),
      critic: Mlp.create(ctx, { sizes: [o + a, ...config.criticHidden, 1], hidden: 'relu', agents }, { seed, stream: 2, label: 'critic' }),
    };
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: DdpgConfig, seed: number, fusions: Fusions = ALL_FUSIONS): Promise<Ddpg> {
    const { actor, critic } = Ddpg.networks(ctx, env, config, seed);
    const o = env.obsWidth, a = env.actionDim, agents = env.agents, B = config.batchSize;
    const targetActor = Mlp.create(ctx, actor.spec, { seed, stream: 1, label: 'target_actor' });
    const targetCritic = Mlp.create(ctx, critic.spec, { seed, stream: 2, label: 'target_critic' });
    const actorOpt = new Adam(ctx, actor.params, actor.grads, agents, { lr: config.actorLr, maxGradNorm: config.maxGradNorm }, 'actor.adam');
    const criticOpt = new Adam(ctx, critic.params, critic.grads, agents, { lr: config.criticLr, maxGradNorm: config.maxGradNorm }, 'critic.adam');
    const metrics = f32(ctx, 'ddpg.metrics', [agents, METRICS_WIDTH]);

    // ---- acting: a = clip(pi(s) + noise); env step; replay insert ----
    const acting = actor.bind(cache, env.obsView, { label: 'actor (acting)' });
    const action = f32(ctx, 'ddpg.action', [agents * env.envs, a]);
    const ouState = f32(ctx, 'ddpg.ou_state', [agents * env.envs, a]);
    const warmupIterations = Math.ceil(config.learningStarts / env.envs);
    const replay = new ReplayBuffer(ctx, env, action, clock, { capacity: config.bufferSize, seed, stream: Stream.replay, field: '--buffer-size' });
    const [insertStart, insertEnd] = await replay.inserts(cache);
    const explore = await exploreDispatch(cache, env, acting.output, action, ouState, clock, {
      noise: config.noise as 'gaussian', sigma: config.explorationNoise, ouTheta: config.ouTheta, ouDt: config.ouDt,
      warmup: warmupIterations, seed, stream: Stream.explore,
    });
    const act: Dispatch[] = [await clock.tick(cache), ...(await acting.forward()), explore, insertStart, env.stepDispatch, insertEnd];

    // ---- minibatch: [s | a | s' | a' | s | pi(s) | r | terminated (| slot | relabeled, HER)] ----
    const sa = o + a;
    const her = config.her !== 'none';
    const width = 3 * sa + 2 + (her ? 2 : 0);
    const batch = f32(ctx, 'ddpg.batch', [agents, B, width]);
    const grad = f32(ctx, 'ddpg.batch_grad', [agents, B, width]);
    const rows = (t: Tensor<'f32'>) => matrix(t, { agents, rows: B, cols: width });
    const cols = (t: Tensor<'f32'>, from: number, count: number): MatrixView => columns(rows(t), from, count);
    const L = replay.layout;
    const segments = [
      { src: L.obs, dst: 0, len: o + a },
      { src: L.nextObs, dst: sa, len: o },
      { src: L.obs, dst: 2 * sa, len: o },
      { src: L.reward, dst: 3 * sa, len: 2 },
    ];

    // ---- one unit: enough steps and updates that the ratio and the policy delay repeat ----
    const r = config.updatesPerStep;
    const stepsPerBlock = r < 1 ? Math.round(1 / r) : 1;
    const updatesPerBlock = r < 1 ? 1 : r;
    const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
    const blocks = config.policyDelay / gcd(updatesPerBlock, config.policyDelay);
    const clocked = (index: number, delay: number) =>
      fusions.adamFromClock ? { clock: clock.tensor, warmup: warmupIterations, stepsPerBlock, updatesPerBlock, index, delay } : undefined;

    // ---- critic update (draw u: the u-th update of an env step samples its own minibatch) ----
    const targetPolicy = targetActor.bind(cache, cols(batch, sa, o), { label: 'target actor', output: cols(batch, sa + o, a) });
    const targetQ = targetCritic.bind(cache, cols(batch, sa, sa), { label: 'target critic' });
    const q = critic.bind(cache, cols(batch, 0, sa), { label: 'critic' });
    q.fused = fusions.backward;
    const criticMiddle: Dispatch[] = [
      ...(await targetQ.forward()),
      ...(await q.forward()),
      await tdLossDispatch(cache, q.output, targetQ.output, q.outputGrad, { batch, width, rewardCol: 3 * sa, terminatedCol: 3 * sa + 1 }, config.gamma, metrics),
      ...(await q.backward()),
    ];
    const targetForward = await targetPolicy.forward();
    // HER: goals of the three observation copies of a row, relabeled after sampling.
    const G = env.def.goalDim;
    const relabel = async (draw: number): Promise<Dispatch[]> =>
      her
        ? [
            await env.herDispatch(cache, {
              strategy: config.her as 'future', k: config.herK, storage: replay.storage, capacity: replay.capacity, recordWidth: L.width,
              recordNextGoal: L.nextObs + o, recordTime: L.time, batch, rows: B, batchWidth: width,
              goalCols: [o - G, sa + o - G, 2 * sa + o - G], rewardCol: 3 * sa, slotCol: 3 * sa + 2, flagCol: 3 * sa + 3, stream: Stream.her, draw,
            }),
          ]
        : [];
    const criticUpdate = async (draw: number): Promise<Dispatch[]> => [
      await replay.sampler(cache, batch, B, segments, draw, her ? 3 * sa + 2 : undefined),
      ...(await relabel(draw)),
      ...targetForward,
      ...(config.targetPolicyNoise > 0
        ? [await smoothTargetDispatch(cache, cols(batch, sa + o, a), clock, { sigma: config.targetPolicyNoise, clip: config.targetNoiseClip, seed, stream: Stream.smoothing, draw })]
        : []),
      ...criticMiddle,
      ...(await criticOpt.step(cache, clocked(draw, 1))),
    ];

    // ---- actor update: ascend Q(s, pi(s)); then the targets follow ----
    const policy = actor.bind(cache, cols(batch, 2 * sa, o), { label: 'actor', output: cols(batch, 2 * sa + o, a), outputGrad: cols(grad, 2 * sa + o, a) });
    policy.fused = fusions.backward;
    const qPolicy = critic.bind(cache, cols(batch, 2 * sa, sa), { label: 'critic (policy)' });
    const targets = fusions.polyakPair
      ? [await polyakPair(cache, { online: actor.params, target: targetActor.params }, { online: critic.params, target: targetCritic.params }, config.tau, 'polyak actor+critic')]
      : [await polyak(cache, actor.params, targetActor.params, config.tau, 'polyak actor'), await polyak(cache, critic.params, targetCritic.params, config.tau, 'polyak critic')];
    const actorHead: Dispatch[] = [
      ...(await policy.forward()),
      ...(await qPolicy.forward()),
      await policyLossDispatch(cache, qPolicy.output, qPolicy.outputGrad, metrics),
      ...(await qPolicy.backward({ paramGrads: false, inputGrad: cols(grad, 2 * sa, sa) })),
      ...(await policy.backward()),
    ];
    const actorUpdate = async (index: number): Promise<Dispatch[]> => [...actorHead, ...(await actorOpt.step(cache, clocked(index, config.policyDelay))), ...targets];

    const train = new Recorder(ctx, 'ddpg train');
    let updates = 0;
    for (let b = 0; b < blocks; b++) {
      for (let s = 0; s < stepsPerBlock; s++) train.add(...act);
      for (let u = 0; u < updatesPerBlock; u++) {
        train.add(...(await criticUpdate(u)));
        updates += 1;
        if (updates % config.policyDelay === 0) train.add(...(await actorUpdate(u)));
      }
    }
    const warmup = new Recorder(ctx, 'ddpg warmup').add(...act);
    const state: Record<string, Tensor> = {
      'actor.params': actor.params, 'critic.params': critic.params,
      'target_actor.params': targetActor.params, 'target_critic.params': targetCritic.params,
      'actor.adam.m': actorOpt.m, 'actor.adam.v': actorOpt.v, 'actor.adam.state': actorOpt.state,
      'critic.adam.m': criticOpt.m, 'critic.adam.v': criticOpt.v, 'critic.adam.state': criticOpt.state,
      'env.state': env.envState, 'env.obs': env.obs, 'env.ep_stats': env.epStats,
      'ou_state': ouState, 'replay.storage': replay.storage, clock: clock.tensor, metrics,
    };
    return new Ddpg(env, clock, config, { actor, critic }, {
      warmup: { recorder: warmup, iterations: 1 },
      train: { recorder: train, iterations: blocks * stepsPerBlock },
      warmupIterations,
      state,
      metrics,
    });
  }

  /** The deterministic policy a = pi(s), for evaluation. */
  static async policy(cache: PipelineCache, actor: Mlp, input: MatrixView): Promise<DeterministicPolicy> {
    const b = actor.bind(cache, input, { label: 'actor (eval)' });
    return { forward: await b.forward(), input, output: b.output };
  }

  evalPolicy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    return Ddpg.policy(cache, this.nets.actor, obs);
  }

  async readMetrics(): Promise<Record<string, number>[]> {
    const m = await this.metrics.read();
    this.metrics.fill(0);
    return Array.from({ length: this.env.agents }, (_, i) => {
      const [criticLoss, meanQ, actorLoss, criticUpdates, actorUpdates] = m.subarray(i * METRICS_WIDTH, i * METRICS_WIDTH + 5);
      return {
        critic_loss: criticUpdates > 0 ? criticLoss / criticUpdates : Number.NaN,
        mean_q: criticUpdates > 0 ? meanQ / criticUpdates : Number.NaN,
        actor_loss: actorUpdates > 0 ? actorLoss / actorUpdates : Number.NaN,
        critic_updates: criticUpdates,
        actor_updates: actorUpdates,
      };
    });
  }
}

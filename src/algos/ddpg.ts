/**
 * DDPG: deep deterministic policy gradient (Lillicrap et al. 2016), with TD3's options (Fujimoto
 * et al. 2018: policy delay, target policy smoothing) off by default. Every step of it runs on the
 * GPU; this file builds the networks and records one training unit as a fixed list of dispatches.
 *
 *   acting:       a = clip(pi(s) + noise, -1, 1) (uniform random during warm-up); step N envs;
 *                 store (s, a, r, terminated, s') in the replay buffer
 *   criticUpdate: sample B; a' = pi'(s') (+ clipped noise, TD3); y = r + gamma (1 - terminated) Q'(s', a');
 *                 minimise mean (Q(s, a) - y)^2 with Adam
 *   actorUpdate:  every policyDelay critic updates: maximise mean Q(s, pi(s)) with Adam, then
 *                 Polyak-average both targets: theta' <- (1 - tau) theta' + tau theta
 * Actions are normalized to [-1, 1] everywhere (actor tanh output, replay, critic input) and
 * mapped onto the env's bounds only when stepping it.
 */
import { ConfigError } from '../errors.js';
import type { EnvBatch } from '../envs/batch.js';
import { goalEnvNames } from '../envs/registry.js';
import type { EnvDefinition } from '../envs/types.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import type { MatrixView } from '../gpu/view.js';
import { Adam, type ClockedSteps } from '../nn/adam.js';
import { Mlp } from '../nn/mlp.js';
import { polyak, polyakPair } from '../nn/polyak.js';
import { type HerStrategy, herRelabelDispatch } from '../replay/her.js';
import { DdpgRows, ddpgRowsUnsupported } from './ddpgRows.js';
import { chooseProgram } from './common/rowProgram.js';
import { ReplayBuffer } from '../replay/buffer.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import { networkPolicy } from './common/acting.js';
import { type AlgorithmParts, type Build, BuiltAlgorithm, type DeterministicPolicy, type EvalNetworks, type RunShape } from './common/algorithm.js';
import { LOSS_SLOTS, METRICS_WIDTH, policyLossDispatch, tdColumns, tdLossDispatch } from './common/criticLosses.js';
import { NOISE_KINDS, type NoiseKind, exploreDispatch, smoothTargetDispatch } from './common/explore.js';
import { type MetricTable, counter, mean } from './common/metrics.js';
import { ACTOR_CRITIC_FROM_REPLAY, type ActorCriticColumn, type Minibatch, actorCriticBatch } from './common/minibatch.js';
import { type OptionValues, resolveOptions } from './common/options.js';
import { trainingState } from './common/state.js';

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
  program: {
    kind: 'choice', default: 'auto', choices: ['auto', 'rows', 'layers'],
    help: 'how an iteration runs: rows = row programs (5 dispatches: each env or minibatch row runs its whole chain in one invocation), layers = one dispatch per layer (38); auto = rows on CPU adapters where they can run (no gradient clipping, layers up to 256 wide), layers on GPUs (measured faster there)',
  },
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

/** A minibatch row: the actor-critic blocks (a2 = pi'(s2), pi = pi(sPi)) and, with HER, the row's replay slot and whether it was relabeled. */
type Column = ActorCriticColumn | 'slot' | 'relabeled';

/** What the phases of a training unit share. */
interface Learner extends Build<DdpgConfig> {
  fusions: Fusions;
  nets: DdpgNetworks & { targetActor: Mlp; targetCritic: Mlp };
  actorOpt: Adam;
  criticOpt: Adam;
  metrics: MetricTable;
  warmupIterations: number;
  /** A training unit: blocks of `steps` env steps followed by `updates` critic updates. */
  unit: { blocks: number; steps: number; updates: number };
}

export class Ddpg extends BuiltAlgorithm<DdpgConfig> {
  readonly name = 'ddpg';

  private constructor(
    b: Build<DdpgConfig>,
    readonly nets: DdpgNetworks,
    /** The row programs an iteration runs as (5 dispatches), or null: one dispatch per layer (38). */
    readonly rows: DdpgRows | null,
    parts: AlgorithmParts,
  ) {
    super(b, parts);
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
    const agents = env.agents;
    const r = config.updatesPerStep;
    const steps = r < 1 ? Math.round(1 / r) : 1, updates = r < 1 ? 1 : r;
    const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
    const l: Learner = {
      ctx, cache, env, clock, config, seed, fusions,
      nets: {
        actor, critic,
        targetActor: Mlp.create(ctx, actor.spec, { seed, stream: 1, label: 'target_actor' }),
        targetCritic: Mlp.create(ctx, critic.spec, { seed, stream: 2, label: 'target_critic' }),
      },
      actorOpt: new Adam(ctx, actor.params, actor.grads, agents, { lr: config.actorLr, maxGradNorm: config.maxGradNorm }, 'actor.adam'),
      criticOpt: new Adam(ctx, critic.params, critic.grads, agents, { lr: config.criticLr, maxGradNorm: config.maxGradNorm }, 'critic.adam'),
      metrics: {
        tensor: f32(ctx, 'ddpg.metrics', [agents, METRICS_WIDTH]),
        width: METRICS_WIDTH,
        specs: [
          mean('critic_loss', LOSS_SLOTS.criticLoss, 'critic_updates'),
          mean('mean_q', LOSS_SLOTS.meanQ, 'critic_updates'),
          mean('actor_loss', LOSS_SLOTS.actorLoss, 'actor_updates'),
          counter('critic_updates', LOSS_SLOTS.criticUpdates),
          counter('actor_updates', LOSS_SLOTS.actorUpdates),
        ],
      },
      warmupIterations: Math.ceil(config.learningStarts / env.envs),
      // Enough steps and updates that the update ratio and the policy delay repeat.
      unit: { blocks: config.policyDelay / gcd(updates, config.policyDelay), steps, updates },
    };
    const plan = schedule(l.unit, config.policyDelay);
    const program = chooseProgram(config.program, cache.autoRows, () => ddpgRowsUnsupported(ctx.limits, config, [actor, critic]));
    const buffers = replayFor(l);
    const { replay, ouState } = buffers;
    const train = new Recorder(ctx, `ddpg train (${program})`);
    const warmup = new Recorder(ctx, `ddpg warmup (${program})`);
    const rows = program === 'rows' ? new DdpgRows(cache, { ...l, nets: l.nets, replay, ouState, metrics: l.metrics.tensor }) : null;
    if (rows) {
      // Row programs: 1 dispatch per env step, 2 per critic and 2 per actor update (ddpgRows.ts).
      const slots = { read: 0 };
      for (const [i, step] of plan.entries()) {
        const last = i === plan.length - 1;
        if (step.phase === 'act') train.add(await rows.acting(slots));
        else if (step.phase === 'critic') train.add(...(await rows.criticUpdate(step.draw, slots, last)));
        else train.add(...(await rows.actorUpdate(step.index, slots, last)));
      }
      warmup.add(await rows.acting({ read: 0 }), await clock.tick(cache));
    } else {
      const shape = { agents, rows: config.batchSize, obs: env.obsWidth, action: env.actionDim };
      const batch: Minibatch<Column> = actorCriticBatch(ctx, 'ddpg.batch', shape, config.her !== 'none' ? { slot: 1, relabeled: 1 } : {});
      const updateCritic = await criticUpdate(l, replay, batch);
      const updateActor = await actorUpdate(l, batch);
      const act = await acting(l, buffers);
      for (const step of plan) {
        if (step.phase === 'act') train.add(...act);
        else if (step.phase === 'critic') train.add(...(await updateCritic(step.draw)));
        else train.add(...(await updateActor(step.index)));
      }
      warmup.add(...act);
    }
    const state = trainingState({
      networks: { actor, critic, target_actor: l.nets.targetActor, target_critic: l.nets.targetCritic },
      optimizers: { actor: l.actorOpt, critic: l.criticOpt },
      env, replay, clock, metrics: l.metrics.tensor, other: { ou_state: ouState },
    });
    return new Ddpg(l, { actor, critic }, rows, {
      warmup: { recorder: warmup, iterations: 1 }, train: { recorder: train, iterations: l.unit.blocks * steps }, warmupIterations: l.warmupIterations, state, metrics: l.metrics,
    });
  }

  /** The deterministic policy a = pi(s), for evaluation. */
  static policy(cache: PipelineCache, actor: Mlp, input: MatrixView): Promise<DeterministicPolicy> {
    return networkPolicy(cache, actor, input, 'actor (eval)');
  }

  static evalNetworks(ctx: GpuContext, env: EnvBatch, config: DdpgConfig, seed: number): EvalNetworks {
    const { actor } = Ddpg.networks(ctx, env, config, seed);
    return { tensors: { 'actor.params': actor.params }, policy: (cache, obs) => Ddpg.policy(cache, actor, obs), network: actor, head: { kind: 'deterministic' } };
  }

  static check(run: RunShape, def: EnvDefinition, config: DdpgConfig): void {
    if (config.her !== 'none' && def.goalDim === 0) {
      throw new ConfigError('--her', config.her, `none for ${run.env}: HER needs a goal environment (${goalEnvNames().join(', ')})`);
    }
  }

  evalPolicy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    return Ddpg.policy(cache, this.nets.actor, obs);
  }
}

/** The replay buffer, the actions acting stores in it and the OU noise state (both programs'). */
function replayFor(l: Learner): { replay: ReplayBuffer; action: Tensor<'f32'>; ouState: Tensor<'f32'> } {
  const { ctx, env, clock, config, seed } = l;
  const action = f32(ctx, 'ddpg.action', [env.agents * env.envs, env.actionDim]);
  const ouState = f32(ctx, 'ddpg.ou_state', [env.agents * env.envs, env.actionDim]);
  const replay = new ReplayBuffer(ctx, env, action, clock, { capacity: config.bufferSize, seed, stream: Stream.replay, field: '--buffer-size' });
  return { replay, action, ouState };
}

/** acting (per layer): a = clip(pi(s) + noise) (uniform during warm-up); env step; the transitions into replay. */
async function acting(l: Learner, { replay, action, ouState }: ReturnType<typeof replayFor>): Promise<Dispatch[]> {
  const { cache, env, clock, config, seed } = l;
  const policy = l.nets.actor.bind(cache, env.obsView, { label: 'actor (acting)' });
  const [insertStart, insertEnd] = await replay.inserts(cache);
  const explore = await exploreDispatch(cache, env, policy.output, action, ouState, clock, {
    noise: config.noise as NoiseKind, sigma: config.explorationNoise, ouTheta: config.ouTheta, ouDt: config.ouDt,
    warmup: l.warmupIterations, seed, stream: Stream.explore,
  });
  return [await clock.tick(cache), ...(await policy.forward()), explore, insertStart, env.stepDispatch, insertEnd];
}

type Step = { phase: 'act' } | { phase: 'critic'; draw: number } | { phase: 'actor'; index: number };

/** A training unit's phases in order: `steps` env steps, then `updates` critic updates, with an actor update every policyDelay-th. */
function schedule(unit: Learner['unit'], policyDelay: number): Step[] {
  const plan: Step[] = [];
  let done = 0;
  for (let b = 0; b < unit.blocks; b++) {
    for (let s = 0; s < unit.steps; s++) plan.push({ phase: 'act' });
    for (let u = 0; u < unit.updates; u++) {
      plan.push({ phase: 'critic', draw: u });
      done += 1;
      if (done % policyDelay === 0) plan.push({ phase: 'actor', index: u });
    }
  }
  return plan;
}


/** Adam's step count from the clock for the `index`-th update of a block, stepping every `delay`-th. */
function clocked(l: Learner, index: number, delay: number): ClockedSteps | undefined {
  const { warmupIterations: warmup, unit } = l;
  return l.fusions.adamFromClock ? { clock: l.clock.tensor, warmup, stepsPerBlock: unit.steps, updatesPerBlock: unit.updates, index, delay } : undefined;
}

/**
 * criticUpdate(draw): the draw-th minibatch of an env step; a' = pi'(s') (+ TD3 smoothing);
 * y = r + gamma (1 - terminated) Q'(s', a'); one Adam step on mean (Q(s, a) - y)^2.
 */
async function criticUpdate(l: Learner, replay: ReplayBuffer, batch: Minibatch<Column>): Promise<(draw: number) => Promise<Dispatch[]>> {
  const { cache, config, nets, env, seed } = l;
  const her = config.her !== 'none';
  const targetPolicy = nets.targetActor.bind(cache, batch.view('s2'), { label: 'target actor', output: batch.view('a2') });
  const targetQ = nets.targetCritic.bind(cache, batch.view('s2', 'a2'), { label: 'target critic' });
  const q = nets.critic.bind(cache, batch.view('s', 'a'), { label: 'critic', fusedBackward: l.fusions.backward });
  const targetForward = await targetPolicy.forward();
  const criticForwardBackward: Dispatch[] = [
    ...(await targetQ.forward()),
    ...(await q.forward()),
    await tdLossDispatch(cache, q.output, targetQ.output, q.outputGrad, tdColumns(batch), config.gamma, l.metrics.tensor),
    ...(await q.backward()),
  ];
  // HER: the desired goal ends each of the row's three observation copies.
  const goalEnd = env.obsWidth - env.def.goalDim;
  const relabel = async (draw: number): Promise<Dispatch[]> =>
    her
      ? [
          await herRelabelDispatch(cache, replay, { strategy: config.her as HerStrategy, k: config.herK, seed, stream: Stream.her }, {
            batch: batch.tensor, rows: config.batchSize, width: batch.width, goalCols: [batch.col('s') + goalEnd, batch.col('s2') + goalEnd, batch.col('sPi') + goalEnd],
            rewardCol: batch.col('r'), slotCol: batch.col('slot'), flagCol: batch.col('relabeled'), draw,
          }),
        ]
      : [];
  return async (draw) => [
    await batch.sample(cache, replay, ACTOR_CRITIC_FROM_REPLAY, { draw, slot: her ? 'slot' : undefined }),
    ...(await relabel(draw)),
    ...targetForward,
    ...(config.targetPolicyNoise > 0
      ? [await smoothTargetDispatch(cache, batch.view('a2'), l.clock, { sigma: config.targetPolicyNoise, clip: config.targetNoiseClip, seed, stream: Stream.smoothing, draw })]
      : []),
    ...criticForwardBackward,
    ...(await l.criticOpt.step(cache, clocked(l, draw, 1))),
  ];
}

/** actorUpdate(index): one Adam step ascending mean Q(s, pi(s)); then the targets follow (Polyak). */
async function actorUpdate(l: Learner, batch: Minibatch<Column>): Promise<(index: number) => Promise<Dispatch[]>> {
  const { cache, config, nets } = l;
  const grad = batch.like('ddpg.batch_grad');
  const policy = nets.actor.bind(cache, batch.view('sPi'), { label: 'actor', output: batch.view('pi'), outputGrad: grad.view('pi'), fusedBackward: l.fusions.backward });
  const qPolicy = nets.critic.bind(cache, batch.view('sPi', 'pi'), { label: 'critic (policy)' });
  const online = { actor: { online: nets.actor.params, target: nets.targetActor.params }, critic: { online: nets.critic.params, target: nets.targetCritic.params } };
  const targets = l.fusions.polyakPair
    ? [await polyakPair(cache, online.actor, online.critic, config.tau, 'polyak actor+critic')]
    : [await polyak(cache, nets.actor.params, nets.targetActor.params, config.tau, 'polyak actor'), await polyak(cache, nets.critic.params, nets.targetCritic.params, config.tau, 'polyak critic')];
  const ascend: Dispatch[] = [
    ...(await policy.forward()),
    ...(await qPolicy.forward()),
    await policyLossDispatch(cache, qPolicy.output, qPolicy.outputGrad, l.metrics.tensor),
    ...(await qPolicy.backward({ paramGrads: false, inputGrad: grad.view('sPi', 'pi') })),
    ...(await policy.backward()),
  ];
  return async (index) => [...ascend, ...(await l.actorOpt.step(cache, clocked(l, index, config.policyDelay))), ...targets];
}

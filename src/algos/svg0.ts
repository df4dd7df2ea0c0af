/**
 * SVG(0): stochastic value gradients with a learned action-value function (Heess et al. 2015,
 * sec. 4.3, with experience replay). The policy is stochastic, a = tanh(mu(s) + sigma(s) z), and
 * is improved by the pathwise derivative of the critic through a fresh sample with z held fixed:
 *
 *   acting:       a ~ pi(.|s) (uniform during warm-up); step N envs; store (s, a, r, terminated, s')
 *   criticUpdate: sample B; a' ~ pi(.|s'); y = r + gamma (1 - terminated) (Q'(s', a') - alpha log pi(a'|s'));
 *                 minimise mean (Q(s, a) - y)^2 with Adam
 *   policyUpdate: minimise mean [alpha log pi(a|s) - Q(s, a)] with a = tanh(mu(s) + sigma(s) z), by
 *                 backpropagation through Q and the sample (the stochastic computation graph);
 *                 then theta_Q' <- (1 - tau) theta_Q' + tau theta_Q
 * With entropy 'off', alpha = 0: the paper's SVG(0). 'fixed' keeps alpha, 'auto' tunes it toward
 * an entropy target - which makes this the soft actor-critic update (Haarnoja et al. 2018).
 * Discrete policies reparameterize their samples instead: Gumbel-softmax or straight-through
 * categoricals, binary Concrete or straight-through binary units.
 */
import { ConfigError } from '../errors.js';
import type { EnvBatch } from '../envs/batch.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { type MatrixView, matrix } from '../gpu/view.js';
import { Adam, type ClockedSteps } from '../nn/adam.js';
import { Mlp } from '../nn/mlp.js';
import { polyak } from '../nn/polyak.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import { type CategoricalEstimator, Graph, type Value } from '../scg/graph.js';
import { mapDispatch } from '../scg/ops.js';
import type { AlgorithmParts, Build, EvalNetworks } from './common/algorithm.js';
import { LOSS_SLOTS, tdColumns, tdLossDispatch } from './common/criticLosses.js';
import { BinaryPolicy } from './common/binaryPolicy.js';
import { CategoricalPolicy } from './common/categoricalPolicy.js';
import { GaussianPolicy } from './common/gaussianPolicy.js';
import { Temperature } from './common/temperature.js';
import { type OptionValues, resolveOptions } from './common/options.js';
import { type MetricTable, constant, counter, mean } from './common/metrics.js';
import { ACTOR_CRITIC_FROM_REPLAY, type ActorCriticColumn, type Minibatch, actorCriticBatch } from './common/minibatch.js';
import { PolicyAlgorithm } from './common/policy.js';
import { replayActing, stochasticReplay } from './common/replayActing.js';
import { trainingState } from './common/state.js';
import type { ReplayBuffer } from '../replay/buffer.js';
import { Svg0Rows, svg0RowsUnsupported } from './svg0Rows.js';
import { chooseProgram } from './common/rowProgram.js';

/** Defaults follow CleanRL's sac_continuous_action.py unless noted. */
export const svg0Schema = {
  actorHidden: { kind: 'list', default: [256, 256], min: 1, help: 'hidden layer widths of the policy (CleanRL SAC 256-256)' },
  criticHidden: { kind: 'list', default: [256, 256], min: 1, help: 'hidden layer widths of the critic' },
  actorLr: { kind: 'number', default: 3e-4, min: 0, exclusiveMin: true, help: 'Adam learning rate of the policy (CleanRL SAC 3e-4)' },
  criticLr: { kind: 'number', default: 1e-3, min: 0, exclusiveMin: true, help: 'Adam learning rate of the critic (CleanRL SAC 1e-3)' },
  gamma: { kind: 'number', default: 0.99, min: 0, max: 1, help: 'discount factor' },
  tau: { kind: 'number', default: 0.005, min: 0, max: 1, help: 'Polyak averaging rate of the target critic (CleanRL SAC 0.005)' },
  batchSize: { kind: 'number', default: 256, min: 1, integer: true, help: 'minibatch size per update (CleanRL SAC 256)' },
  bufferSize: { kind: 'number', default: 1_000_000, min: 1, integer: true, help: 'replay buffer capacity in transitions per agent (CleanRL SAC 1e6)' },
  learningStarts: { kind: 'number', default: 5000, min: 0, integer: true, help: 'env transitions (all envs) with random actions before learning (CleanRL SAC 5e3)' },
  updatesPerStep: { kind: 'number', default: 1, min: 1, integer: true, help: 'critic and policy updates per step of all envs' },
  entropy: { kind: 'choice', default: 'off', choices: ['off', 'fixed', 'auto'], help: 'entropy bonus: off (SVG(0) as published), fixed alpha, or auto-tuned alpha (SAC)' },
  alpha: { kind: 'number', default: 0.2, min: 0, help: 'entropy coefficient (initial value with --entropy auto; CleanRL SAC 0.2)' },
  alphaLr: { kind: 'number', default: 1e-3, min: 0, exclusiveMin: true, help: 'Adam learning rate of log alpha (CleanRL SAC q_lr 1e-3)' },
  targetEntropy: { kind: 'number', default: 0, min: -1e6, max: 0, help: 'entropy target of --entropy auto (0: -action dimension, as in SAC)' },
  policy: {
    kind: 'choice', default: 'gaussian', choices: ['gaussian', 'gumbel-softmax', 'straight-through', 'binary-concrete', 'binary-straight-through'],
    help: 'policy: tanh-Gaussian; discrete actions (--action-bins values per dimension) through Gumbel-softmax or straight-through samples; or bang-bang binary units through the binary Concrete relaxation or straight through it',
  },
  actionBins: { kind: 'number', default: 2, min: 2, integer: true, help: 'discrete policies: evenly spaced values per action dimension (2: bang-bang)' },
  gumbelTau: { kind: 'number', default: 1, min: 0, exclusiveMin: true, help: 'temperature of the Gumbel-softmax and binary Concrete relaxations (Jang et al. 2017: 1, annealed)' },
  program: {
    kind: 'choice', default: 'auto', choices: ['auto', 'rows', 'layers'],
    help: 'how an iteration runs: rows = row programs (5 dispatches, 6 with --entropy: each env or minibatch row runs its whole chain in one invocation), layers = one dispatch per layer and graph node; auto = rows where they can run (Gaussian policy, layers up to 256 wide) and the driver builds them',
  },
} as const;

export type Svg0Config = OptionValues<typeof svg0Schema>;

export function svg0Config(given: Readonly<Record<string, unknown>> = {}): Svg0Config {
  const c = resolveOptions(svg0Schema, given);
  if (c.policy !== 'gaussian' && c.entropy !== 'off') throw new ConfigError('--entropy', c.entropy, 'off with a discrete --policy (the entropy bonus is for the Gaussian policy)');
  return c;
}

/** Metric slots per agent: the TD loss kernel's, then the policy update's costs, its counter and alpha. */
const METRICS_WIDTH = 8;
const POLICY_SLOTS = { negQ: LOSS_SLOTS.criticUpdates + 1, updates: LOSS_SLOTS.criticUpdates + 2, entropy: LOSS_SLOTS.criticUpdates + 3, alpha: LOSS_SLOTS.criticUpdates + 4 } as const;

export class Svg0 extends PolicyAlgorithm<Svg0Config, Svg0Policy> {
  readonly name = 'svg0';

  private constructor(
    b: Build<Svg0Config>,
    policy: Svg0Policy,
    readonly critic: Mlp,
    /** The row programs an iteration runs as, or null (one dispatch per layer and graph node). */
    readonly rows: Svg0Rows | null,
    parts: AlgorithmParts,
  ) {
    super(b, policy, parts);
  }

  static networks(ctx: GpuContext, env: EnvBatch, config: Svg0Config, seed: number): { policy: Svg0Policy; critic: Mlp } {
    const { obsWidth: o, actionDim: a, agents } = env;
    const hidden = config.actorHidden, tau = config.gumbelTau;
    return {
      policy:
        config.policy === 'gaussian'
          ? GaussianPolicy.create(ctx, o, a, hidden, agents, { seed, squash: true })
          : config.policy.startsWith('binary-')
            ? BinaryPolicy.create(ctx, o, a, hidden, agents, { seed, tau })
            : CategoricalPolicy.create(ctx, o, a, hidden, agents, { seed, bins: config.actionBins, tau }),
      critic: Mlp.create(ctx, { sizes: [env.obsWidth + env.actionDim, ...config.criticHidden, 1], agents: env.agents }, { seed, stream: 2, label: 'critic' }),
    };
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: Svg0Config, seed: number): Promise<Svg0> {
    const { policy, critic } = Svg0.networks(ctx, env, config, seed);
    const A = env.actionDim, agents = env.agents, B = config.batchSize;
    const l: Learner = {
      ctx, cache, env, clock, config, seed, policy, critic,
      targetCritic: Mlp.create(ctx, critic.spec, { seed, stream: 2, label: 'target_critic' }),
      policyOpt: new Adam(ctx, policy.net.params, policy.net.grads, agents, { lr: config.actorLr }, 'policy.adam'),
      criticOpt: new Adam(ctx, critic.params, critic.grads, agents, { lr: config.criticLr }, 'critic.adam'),
      metrics: f32(ctx, 'svg0.metrics', [agents, METRICS_WIDTH]),
      temperature: Temperature.create(ctx, agents, { mode: config.entropy as 'off', alpha: config.alpha, lr: config.alphaLr, targetEntropy: config.targetEntropy === 0 ? -A : config.targetEntropy }),
      batch: actorCriticBatch(ctx, 'svg0.batch', { agents, rows: B, obs: env.obsWidth, action: A }),
      warmupIterations: Math.ceil(config.learningStarts / env.envs),
    };
    const program = chooseProgram(config.program, true, () => svg0RowsUnsupported(ctx.limits, config, [policy.net, critic]));
    const train = new Recorder(ctx, `svg0 train (${program})`);
    const warmup = new Recorder(ctx, `svg0 warmup (${program})`);
    const U = config.updatesPerStep;
    let replay: ReplayBuffer;
    let rows: Svg0Rows | null = null;
    if (program === 'rows') {
      replay = stochasticReplay(env, clock, { seed, bufferSize: config.bufferSize, label: 'svg0' }).replay;
      rows = new Svg0Rows(cache, { ...l, nets: { policy: policy.net, critic, targetCritic: l.targetCritic }, replay, metrics: { tensor: l.metrics, width: METRICS_WIDTH }, slots: policySlots(config) });
      const slots = { read: 0 };
      train.add(await rows.acting(slots));
      for (let u = 0; u < U; u++) train.add(...(await rows.criticUpdate(u, slots)), ...(await rows.policyUpdate(u, slots, u === U - 1)));
      warmup.add(await rows.acting({ read: 0 }), await clock.tick(cache));
    } else {
      const acting = await replayActing(cache, env, clock, policy, { seed, warmup: l.warmupIterations, bufferSize: config.bufferSize, label: 'svg0' });
      replay = acting.replay;
      const updateCritic = await criticUpdate(l, replay);
      const updatePolicy = await policyUpdate(l);
      train.add(...acting.act);
      for (let u = 0; u < U; u++) train.add(...(await updateCritic(u)), ...(await updatePolicy(u)));
      warmup.add(...acting.act);
    }
    const state = trainingState({
      networks: { policy: policy.net, critic, target_critic: l.targetCritic },
      optimizers: { policy: l.policyOpt, critic: l.criticOpt },
      env, replay, clock, metrics: l.metrics, other: { temperature: l.temperature.state },
    });
    const metrics: MetricTable = {
      tensor: l.metrics,
      width: METRICS_WIDTH,
      specs: [
        mean('critic_loss', LOSS_SLOTS.criticLoss, 'critic_updates'),
        mean('mean_q', LOSS_SLOTS.meanQ, 'critic_updates'),
        counter('critic_updates', LOSS_SLOTS.criticUpdates),
        mean('policy_loss', [...policySlots(config).loss], 'policy_updates'),
        counter('policy_updates', POLICY_SLOTS.updates),
        ...(config.entropy === 'auto' ? [mean('alpha', POLICY_SLOTS.alpha, 'policy_updates')] : config.entropy === 'fixed' ? [constant('alpha', config.alpha)] : []),
      ],
    };
    return new Svg0(l, policy, critic, rows, { warmup: { recorder: warmup, iterations: 1 }, train: { recorder: train, iterations: 1 }, warmupIterations: l.warmupIterations, state, metrics });
  }

  static evalNetworks(ctx: GpuContext, env: EnvBatch, config: Svg0Config, seed: number): EvalNetworks {
    return Svg0.networks(ctx, env, config, seed).policy.evalNetworks();
  }
}

/** What the critic and policy updates share. */
interface Learner extends Build<Svg0Config> {
  policy: Svg0Policy;
  critic: Mlp;
  targetCritic: Mlp;
  policyOpt: Adam;
  criticOpt: Adam;
  metrics: Tensor<'f32'>;
  temperature: Temperature;
  batch: Minibatch<ActorCriticColumn>;
  warmupIterations: number;
}

/** The policy update's metric slots: its costs (-Q, and alpha log pi with --entropy), its counter and alpha. */
function policySlots(config: Svg0Config): { loss: readonly number[]; updates: number; alpha: number } {
  const loss = config.entropy !== 'off' ? [POLICY_SLOTS.negQ, POLICY_SLOTS.entropy] : [POLICY_SLOTS.negQ];
  return { loss, updates: POLICY_SLOTS.updates, alpha: POLICY_SLOTS.alpha };
}


/** Adam's step count from the clock: the index-th update of an env step, after warm-up (as the row programs count). */
function clocked(l: Learner, index: number): ClockedSteps {
  return { clock: l.clock.tensor, warmup: l.warmupIterations, stepsPerBlock: 1, updatesPerBlock: l.config.updatesPerStep, index, delay: 1 };
}

/**
 * criticUpdate(draw): the draw-th minibatch of an env step; a2 ~ pi(.|s2) by a forward-only graph
 * (the same policy nodes as the policy update's); y = r + gamma (1 - terminated) (Q'(s2, a2) -
 * alpha log pi(a2|s2)) (alpha = 0 without entropy); one Adam step on mean (Q(s, a) - y)^2.
 */
async function criticUpdate(l: Learner, replay: ReplayBuffer): Promise<(draw: number) => Promise<Dispatch[]>> {
  const { ctx, cache, config, batch, seed } = l;
  const agents = l.env.agents, B = config.batchSize;
  const gn = new Graph(ctx, cache, { agents, rows: B, clock: l.clock, label: 'svg0 next action' });
  const next = svg0Action(gn, l.policy, gn.input(batch.view('s2'), { label: "s'" }), config, { seed, stream: Stream.sample, draw: 1, into: batch.view('a2'), label: "a'" });
  const nextAction = (await gn.compile()).forward;
  const targetQ = l.targetCritic.bind(cache, batch.view('s2', 'a2'), { label: 'target critic' });
  const softTarget = matrix(f32(ctx, 'svg0.soft_target', [agents, B, 1]), { agents, rows: B, cols: 1 });
  const q = l.critic.bind(cache, batch.view('s', 'a'), { label: 'critic' });
  return async (draw) => [
    await batch.sample(cache, replay, ACTOR_CRITIC_FROM_REPLAY, { draw }),
    ...nextAction,
    ...(await targetQ.forward()),
    await mapDispatch(cache, { op: 'add', a: targetQ.output, alpha: 1, beta: 0, out: softTarget }, 'soft target'),
    ...(next.logp && config.entropy !== 'off'
      ? [await mapDispatch(cache, { op: 'mul', a: next.logp.view, b: l.temperature.alphaView(B), alpha: -1, out: softTarget, accumulate: true }, 'soft target entropy')]
      : []),
    ...(await q.forward()),
    await tdLossDispatch(cache, q.output, softTarget, q.outputGrad, tdColumns(batch), config.gamma, l.metrics),
    ...(await q.backward()),
    ...(await l.criticOpt.step(cache, clocked(l, draw))),
  ];
}

/**
 * policyUpdate(index): the stochastic computation graph s -> pi -> a (pathwise) -> Q(s, a) -> cost
 * -Q (+ alpha log pi); one Adam step; alpha's step (SAC); the target critic follows (Polyak).
 */
async function policyUpdate(l: Learner): Promise<(index: number) => Promise<Dispatch[]>> {
  const { ctx, cache, config, batch, seed } = l;
  const B = config.batchSize;
  const g = new Graph(ctx, cache, { agents: l.env.agents, rows: B, clock: l.clock, label: 'svg0 policy', metrics: { tensor: l.metrics, width: METRICS_WIDTH, firstSlot: METRICS_WIDTH } }); // every slot given below
  const s = g.input(batch.view('sPi'), { label: 's' });
  const pi = svg0Action(g, l.policy, s, config, { seed, stream: Stream.sample, draw: 2, into: batch.view('pi'), label: 'a' });
  const qPolicy = g.mlp(l.critic, g.join([s, pi.action]), { train: false, label: 'critic (policy)' });
  g.sumCost(qPolicy, { scale: -1, label: '-Q', metricSlot: POLICY_SLOTS.negQ });
  g.counter('policy updates', POLICY_SLOTS.updates);
  const entropy = pi.logp && config.entropy !== 'off';
  if (pi.logp && entropy) g.sumCost(g.mul(pi.logp, g.input(l.temperature.alphaView(B), { label: 'alpha' })), { label: 'alpha log pi', metricSlot: POLICY_SLOTS.entropy });
  const step = await g.compile();
  const temperature = pi.logp && entropy ? [await l.temperature.update(cache, pi.logp.view.tensor, B, { tensor: l.metrics, width: METRICS_WIDTH, slot: POLICY_SLOTS.alpha })] : [];
  const targetCritic = await polyak(cache, l.critic.params, l.targetCritic.params, config.tau, 'polyak critic');
  return async (index) => [...step.forward, ...step.backward, ...(await l.policyOpt.step(cache, clocked(l, index))), ...temperature, targetCritic];
}

type Svg0Policy = GaussianPolicy | CategoricalPolicy | BinaryPolicy;

/** The policy's reparameterized action as graph nodes: a tanh-Gaussian, or discrete samples decoded. */
function svg0Action(g: Graph, policy: Svg0Policy, s: Value, config: Svg0Config, o: { seed: number; stream: number; draw: number; into: MatrixView; label: string }): { action: Value; logp?: Value } {
  if (policy instanceof GaussianPolicy) return policy.graphAction(g, s, o);
  if (policy instanceof BinaryPolicy) return policy.graphAction(g, s, { ...o, estimator: config.policy === 'binary-concrete' ? 'concrete' : 'straight-through' });
  return policy.graphAction(g, s, { ...o, estimator: config.policy as CategoricalEstimator });
}

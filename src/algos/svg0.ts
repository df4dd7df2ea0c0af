/**
 * SVG(0): stochastic value gradients with a learned action-value function (Heess et al. 2015,
 * sec. 4.3, with experience replay). The policy is stochastic, a = tanh(mu(s) + sigma(s) z), and
 * is improved by the pathwise derivative of the critic through a fresh sample with z held fixed:
 *
 *   act:     a ~ pi(.|s) (uniform during warm-up); step N envs; store (s, a, r, terminated, s')
 *   critic:  sample B; a' ~ pi(.|s'); y = r + gamma (1 - terminated) (Q'(s', a') - alpha log pi(a'|s'));
 *            minimise mean (Q(s, a) - y)^2 with Adam
 *   policy:  minimise mean [alpha log pi(a|s) - Q(s, a)] with a = tanh(mu(s) + sigma(s) z), by
 *            backpropagation through Q and the sample (the stochastic computation graph)
 *   targets: theta_Q' <- (1 - tau) theta_Q' + tau theta_Q
 * With entropy 'off', alpha = 0: the paper's SVG(0). 'fixed' keeps alpha, 'auto' tunes it toward
 * an entropy target - which makes this the soft actor-critic update (Haarnoja et al. 2018).
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
import { polyak } from '../nn/polyak.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import { Graph, type Value } from '../scg/graph.js';
import { mapDispatch } from '../scg/ops.js';
import { type Algorithm, type DeterministicPolicy, type Program, perUpdate } from './common/algorithm.js';
import { tdLossDispatch } from './common/criticLosses.js';
import { CategoricalPolicy } from './common/categoricalPolicy.js';
import { GaussianPolicy } from './common/gaussianPolicy.js';
import { Temperature } from './common/temperature.js';
import { type OptionValues, resolveOptions } from './common/options.js';
import { replayActing } from './common/replayActing.js';

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
  policy: { kind: 'choice', default: 'gaussian', choices: ['gaussian', 'gumbel-softmax', 'straight-through'], help: 'policy: tanh-Gaussian, or discrete actions (--action-bins values per dimension) through Gumbel-softmax or straight-through samples' },
  actionBins: { kind: 'number', default: 2, min: 2, integer: true, help: 'discrete policies: evenly spaced values per action dimension (2: bang-bang)' },
  gumbelTau: { kind: 'number', default: 1, min: 0, exclusiveMin: true, help: 'temperature of the Gumbel-softmax relaxation (Jang et al. 2017: 1, annealed)' },
} as const;

export type Svg0Config = OptionValues<typeof svg0Schema>;

export function svg0Config(given: Readonly<Record<string, unknown>> = {}): Svg0Config {
  const c = resolveOptions(svg0Schema, given);
  if (c.policy !== 'gaussian' && c.entropy !== 'off') throw new ConfigError('--entropy', c.entropy, 'off with a discrete --policy (the entropy bonus is for the Gaussian policy)');
  return c;
}

/** Per agent: [critic loss, mean Q, -, critic updates, policy loss (-Q), policy updates, alpha log pi, alpha]. */
const METRICS_WIDTH = 8;

export class Svg0 implements Algorithm {
  readonly name = 'svg0';

  private constructor(
    readonly env: EnvBatch,
    readonly clock: Clock,
    readonly config: Svg0Config,
    readonly policy: GaussianPolicy | CategoricalPolicy,
    readonly warmup: Program,
    readonly train: Program,
    readonly warmupIterations: number,
    readonly state: Record<string, Tensor>,
    readonly metrics: Tensor<'f32'>,
  ) {}

  static networks(ctx: GpuContext, env: EnvBatch, config: Svg0Config, seed: number): { policy: GaussianPolicy | CategoricalPolicy; critic: Mlp } {
    const { obsWidth: o, actionDim: a, agents } = env;
    return {
      policy:
        config.policy === 'gaussian'
          ? GaussianPolicy.create(ctx, o, a, config.actorHidden, agents, { seed, squash: true })
          : CategoricalPolicy.create(ctx, o, a, config.actorHidden, agents, { seed, bins: config.actionBins, tau: config.gumbelTau }),
      critic: Mlp.create(ctx, { sizes: [env.obsWidth + env.actionDim, ...config.criticHidden, 1], agents: env.agents }, { seed, stream: 2, label: 'critic' }),
    };
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: Svg0Config, seed: number): Promise<Svg0> {
    const { policy, critic } = Svg0.networks(ctx, env, config, seed);
    const o = env.obsWidth, A = env.actionDim, agents = env.agents, B = config.batchSize;
    const targetCritic = Mlp.create(ctx, critic.spec, { seed, stream: 2, label: 'target_critic' });
    const policyOpt = new Adam(ctx, policy.net.params, policy.net.grads, agents, { lr: config.actorLr }, 'policy.adam');
    const criticOpt = new Adam(ctx, critic.params, critic.grads, agents, { lr: config.criticLr }, 'critic.adam');
    const metrics = f32(ctx, 'svg0.metrics', [agents, METRICS_WIDTH]);
    const temperature = Temperature.create(ctx, agents, { mode: config.entropy as 'off', alpha: config.alpha, lr: config.alphaLr, targetEntropy: config.targetEntropy === 0 ? -A : config.targetEntropy });

    // ---- acting: a ~ pi(.|s); env step; replay insert ----
    const warmupIterations = Math.ceil(config.learningStarts / env.envs);
    const { act, replay } = await replayActing(cache, env, clock, policy, { seed, warmup: warmupIterations, bufferSize: config.bufferSize, label: 'svg0' });

    // ---- minibatch: [s | a | s' | a' | s | pi(s) | r | terminated], as DDPG's ----
    const sa = o + A, width = 3 * sa + 2;
    const batch = f32(ctx, 'svg0.batch', [agents, B, width]);
    const cols = (from: number, count: number): MatrixView => columns(matrix(batch, { agents, rows: B, cols: width }), from, count);
    const L = replay.layout;
    const segments = [
      { src: L.obs, dst: 0, len: sa },
      { src: L.nextObs, dst: sa, len: o },
      { src: L.obs, dst: 2 * sa, len: o },
      { src: L.reward, dst: 3 * sa, len: 2 },
    ];

    // ---- critic: y = r + gamma (1 - d) (Q'(s', a') - alpha log pi(a'|s')), a' ~ pi(.|s') ----
    // a' is drawn by a forward-only graph (the same policy nodes as in the update below).
    const gn = new Graph(ctx, cache, { agents, rows: B, clock, label: 'svg0 next action' });
    const next = svg0Action(gn, policy, gn.input(cols(sa, o), { label: "s'" }), config, { seed, stream: Stream.sample, draw: 1, into: cols(sa + o, A), label: "a'" });
    const nextAction = (await gn.compile()).forward;
    const targetQ = targetCritic.bind(cache, cols(sa, sa), { label: 'target critic' });
    const softTarget = matrix(f32(ctx, 'svg0.soft_target', [agents, B, 1]), { agents, rows: B, cols: 1 });
    const q = critic.bind(cache, cols(0, sa), { label: 'critic' });
    const criticUpdate = async (draw: number): Promise<Dispatch[]> => [
        await replay.sampler(cache, batch, B, segments, draw),
        ...nextAction,
        ...(await targetQ.forward()),
        // soft target = Q' - alpha log pi(a'|s') (alpha = 0 without entropy)
        await mapDispatch(cache, { op: 'add', a: targetQ.output, alpha: 1, beta: 0, out: softTarget }, 'soft target'),
        ...(next.logp && config.entropy !== 'off'
          ? [await mapDispatch(cache, { op: 'mul', a: next.logp.view, b: temperature.alphaView(B), alpha: -1, out: softTarget, accumulate: true }, 'soft target entropy')]
          : []),
        ...(await q.forward()),
        await tdLossDispatch(cache, q.output, softTarget, q.outputGrad, { batch, width, rewardCol: 3 * sa, terminatedCol: 3 * sa + 1 }, config.gamma, metrics),
        ...(await q.backward()),
        ...(await criticOpt.step(cache)),
      ];

    // ---- policy: the stochastic computation graph s -> pi -> a (pathwise) -> Q(s, a) -> cost ----
    const g = new Graph(ctx, cache, { agents, rows: B, clock, label: 'svg0 policy', metrics: { tensor: metrics, width: METRICS_WIDTH, firstSlot: 4 } });
    const s = g.input(cols(2 * sa, o), { label: 's' });
    const pi = svg0Action(g, policy, s, config, { seed, stream: Stream.sample, draw: 2, into: cols(2 * sa + o, A), label: 'a' });
    const qPolicy = g.mlp(critic, g.join([s, pi.action]), { train: false, label: 'critic (policy)' });
    g.sumCost(qPolicy, { scale: -1, label: '-Q' }); // slot 4
    g.counter('policy updates'); // slot 5
    if (pi.logp && config.entropy !== 'off') g.sumCost(g.mul(pi.logp, g.input(temperature.alphaView(B), { label: 'alpha' })), { label: 'alpha log pi' }); // slot 6
    const policyStep = await g.compile();
    const policyUpdate: Dispatch[] = [
      ...policyStep.forward,
      ...policyStep.backward,
      ...(await policyOpt.step(cache)),
      ...(pi.logp && config.entropy !== 'off' ? [await temperature.update(cache, pi.logp.view.tensor, B, { tensor: metrics, width: METRICS_WIDTH, slot: 7 })] : []),
      await polyak(cache, critic.params, targetCritic.params, config.tau, 'polyak critic'),
    ];

    const train = new Recorder(ctx, 'svg0 train').add(...act);
    for (let u = 0; u < config.updatesPerStep; u++) train.add(...(await criticUpdate(u)), ...policyUpdate);
    const state: Record<string, Tensor> = {
      'policy.params': policy.net.params, 'critic.params': critic.params, 'target_critic.params': targetCritic.params,
      'policy.adam.m': policyOpt.m, 'policy.adam.v': policyOpt.v, 'policy.adam.state': policyOpt.state,
      'critic.adam.m': criticOpt.m, 'critic.adam.v': criticOpt.v, 'critic.adam.state': criticOpt.state,
      temperature: temperature.state, 'env.state': env.envState, 'env.obs': env.obs, 'env.ep_stats': env.epStats,
      'replay.storage': replay.storage, clock: clock.tensor, metrics,
    };
    return new Svg0(env, clock, config, policy, { recorder: new Recorder(ctx, 'svg0 warmup').add(...act), iterations: 1 }, { recorder: train, iterations: 1 }, warmupIterations, state, metrics);
  }

  evalPolicy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    return this.policy.mode(cache, obs);
  }

  async readMetrics(): Promise<Record<string, number>[]> {
    const m = await this.metrics.read();
    this.metrics.fill(0);
    return Array.from({ length: this.env.agents }, (_, i) => {
      const [criticLoss, meanQ, , criticUpdates, negQ, policyUpdates, entropyCost, alpha] = m.subarray(i * METRICS_WIDTH, (i + 1) * METRICS_WIDTH);
      return {
        critic_loss: perUpdate(criticLoss, criticUpdates),
        mean_q: perUpdate(meanQ, criticUpdates),
        critic_updates: criticUpdates,
        policy_loss: perUpdate(negQ + entropyCost, policyUpdates),
        policy_updates: policyUpdates,
        ...(this.config.entropy !== 'off' ? { alpha: this.config.entropy === 'auto' ? perUpdate(alpha, policyUpdates) : this.config.alpha } : {}),
      };
    });
  }
}

/** The policy's reparameterized action as graph nodes: a tanh-Gaussian, or one-hot samples decoded. */
function svg0Action(
  g: Graph,
  policy: GaussianPolicy | CategoricalPolicy,
  s: Value,
  config: Svg0Config,
  o: { seed: number; stream: number; draw: number; into: MatrixView; label: string },
): { action: Value; logp?: Value } {
  if (policy instanceof GaussianPolicy) return policy.graphAction(g, s, o);
  return policy.graphAction(g, s, { ...o, estimator: config.policy as 'gumbel-softmax' });
}

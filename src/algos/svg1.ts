/**
 * SVG(1): stochastic value gradients through one step of a learned model (Heess et al. 2015,
 * sec. 4.2, with experience replay as their SVG(1)-ER). Learned: a state-value function V, and
 * a model f(s, a) = [predicted s' - s | predicted r] (in observation space). For a replayed real
 * transition (s, a, r, s') the model's noise is inferred; the policy's is drawn afresh:
 *
 *   zeta = s' - s - f_s(s, a)                    the model's residual on this transition
 *   eta ~ N(0, I)                                a_theta = tanh(mu_theta(s) + sigma_theta(s) eta)
 *   valueUpdate:  TD(0) towards r + gamma (1 - terminated) V'(s'), V' Polyak-averaged
 *   modelUpdate:  minimise |f(s, a) - [s' - s | r]|^2
 *   policyUpdate: maximise  r_f(s, a_theta) + gamma (1 - terminated) V(s + f_s(s, a_theta) + zeta)
 *                 by backpropagation through the model and V with eta and zeta held fixed (the
 *                 stochastic computation graph)
 * The paper infers eta too, from the replayed action, and corrects for the behaviour policy with
 * importance weights. Inferred without the weights (as this file did first), a_theta equals the
 * replayed action whatever theta is, so the gradient is a fixed vector per transition: mu drifts
 * until tanh saturates and sigma collapses, and pendulum never learned (-1410 after 160,000 steps,
 * random -1250). A fresh eta needs no weights: zeta is additive noise that does not depend on the
 * action, so s + f_s(s, a_theta) + zeta is the model's one-step prediction with the transition's
 * own noise, as in SVG(0)'s fresh sample through Q.
 */
import type { EnvBatch } from '../envs/batch.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { columns, matrix } from '../gpu/view.js';
import { Adam } from '../nn/adam.js';
import { Mlp } from '../nn/mlp.js';
import { polyak } from '../nn/polyak.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import type { ReplayBuffer } from '../replay/buffer.js';
import { type Compiled, type GaussianNode, Graph } from '../scg/graph.js';
import { mapDispatch } from '../scg/ops.js';
import type { AlgorithmParts, Build, EvalNetworks } from './common/algorithm.js';
import { LOSS_SLOTS, tdColumns, tdLossDispatch } from './common/criticLosses.js';
import { GaussianPolicy } from './common/gaussianPolicy.js';
import { type OptionValues, resolveOptions } from './common/options.js';
import { type MetricTable, counter, mean } from './common/metrics.js';
import { Minibatch } from './common/minibatch.js';
import { PolicyAlgorithm } from './common/policy.js';
import { replayActing } from './common/replayActing.js';
import { trainingState } from './common/state.js';

export const svg1Schema = {
  policyHidden: { kind: 'list', default: [256, 256], min: 1, help: 'hidden layer widths of the policy (as our SVG(0) / DDPG)' },
  valueHidden: { kind: 'list', default: [256, 256], min: 1, help: 'hidden layer widths of V' },
  modelHidden: { kind: 'list', default: [256, 256], min: 1, help: 'hidden layer widths of the model' },
  policyLr: { kind: 'number', default: 3e-4, min: 0, exclusiveMin: true, help: 'Adam learning rate of the policy' },
  criticLr: { kind: 'number', default: 1e-3, min: 0, exclusiveMin: true, help: 'Adam learning rate of V and of the model' },
  gamma: { kind: 'number', default: 0.99, min: 0, max: 1, help: 'discount factor' },
  tau: { kind: 'number', default: 0.005, min: 0, max: 1, help: "Polyak averaging rate of V's target" },
  batchSize: { kind: 'number', default: 256, min: 1, integer: true, help: 'minibatch size per update' },
  bufferSize: { kind: 'number', default: 1_000_000, min: 1, integer: true, help: 'replay buffer capacity in transitions per agent' },
  learningStarts: { kind: 'number', default: 5000, min: 0, integer: true, help: 'env transitions (all envs) with random actions before learning' },
  updatesPerStep: { kind: 'number', default: 1, min: 1, integer: true, help: 'value, model and policy updates (each on a minibatch of its own) per step of all envs' },
} as const;

export type Svg1Config = OptionValues<typeof svg1Schema>;

export function svg1Config(given: Readonly<Record<string, unknown>> = {}): Svg1Config {
  return resolveOptions(svg1Schema, given);
}

/** Metric slots per agent: the TD loss kernel's (V), then the policy graph's and the model graph's. */
const METRICS_WIDTH = 8;

export class Svg1 extends PolicyAlgorithm<Svg1Config, GaussianPolicy> {
  readonly name = 'svg1';

  private constructor(
    b: Build<Svg1Config>,
    policy: GaussianPolicy,
    parts: AlgorithmParts,
    /** The policy update alone: minibatch preparation, then the graph's passes (for gradient checks). */
    readonly policyUpdate: { prepare: Dispatch[]; forward: Dispatch[]; backward: Dispatch[]; action: GaussianNode },
  ) {
    super(b, policy, parts);
  }

  static networks(ctx: GpuContext, env: EnvBatch, config: Svg1Config, seed: number): { policy: GaussianPolicy; value: Mlp; model: Mlp } {
    const o = env.obsWidth, a = env.actionDim, agents = env.agents;
    return {
      policy: GaussianPolicy.create(ctx, o, a, config.policyHidden, agents, { seed, squash: true }),
      value: Mlp.create(ctx, { sizes: [o, ...config.valueHidden, 1], agents }, { seed, stream: 2, label: 'value' }),
      model: Mlp.create(ctx, { sizes: [o + a, ...config.modelHidden, o + 1], agents }, { seed, stream: 3, label: 'model' }),
    };
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: Svg1Config, seed: number): Promise<Svg1> {
    const { policy, value, model } = Svg1.networks(ctx, env, config, seed);
    const o = env.obsWidth, A = env.actionDim, agents = env.agents, B = config.batchSize;
    const adam = (net: Mlp, lr: number, label: string) => new Adam(ctx, net.params, net.grads, agents, { lr }, label);
    const l: Learner = {
      ctx, cache, env, clock, config, seed, policy, value, model,
      targetValue: Mlp.create(ctx, value.spec, { seed, stream: 2, label: 'target_value' }),
      policyOpt: adam(policy.net, config.policyLr, 'policy.adam'),
      valueOpt: adam(value, config.criticLr, 'value.adam'),
      modelOpt: adam(model, config.criticLr, 'model.adam'),
      metrics: f32(ctx, 'svg1.metrics', [agents, METRICS_WIDTH]),
      batch: new Minibatch(ctx, 'svg1.batch', agents, B, { s: o, a: A, s2: o, r: 1, terminated: 1 }),
      derived: new Minibatch(ctx, 'svg1.derived', agents, B, { notDone: 1, ds: o, r: 1 }),
      policyRows: new Minibatch(ctx, 'svg1.policy_rows', agents, B, { s: o, a: A }),
    };
    const warmupIterations = Math.ceil(config.learningStarts / env.envs);
    const { act, replay } = await replayActing(cache, env, clock, policy, { seed, warmup: warmupIterations, bufferSize: config.bufferSize, label: 'svg1' });
    const prepare = await minibatch(l, replay, 0);
    const values = await valueUpdate(l);
    const models = await modelUpdate(l);
    const policies = await policyUpdate(l);

    // U updates per env step, each on a minibatch of its own (replay draw u); the networks'
    // dispatches read the minibatch tensors, so the same dispatches serve every update.
    const train = new Recorder(ctx, 'svg1 train').add(...act);
    for (let u = 0; u < config.updatesPerStep; u++) {
      train.add(...(u === 0 ? prepare : await minibatch(l, replay, u)), ...values.dispatches, ...models.dispatches);
      train.add(...policies.step.forward, ...policies.step.backward, ...(await l.policyOpt.step(cache)));
    }
    const state = trainingState({
      networks: { policy: policy.net, value, target_value: l.targetValue, model },
      optimizers: { policy: l.policyOpt, value: l.valueOpt, model: l.modelOpt },
      env, replay, clock, metrics: l.metrics,
    });
    const metrics: MetricTable = {
      tensor: l.metrics,
      width: METRICS_WIDTH,
      specs: [
        mean('value_loss', LOSS_SLOTS.criticLoss, 'value_updates'),
        mean('mean_v', LOSS_SLOTS.meanQ, 'value_updates'),
        mean('model_loss', models.slot, 'policy_updates'),
        mean('policy_loss', policies.slots.loss, 'policy_updates'),
        counter('value_updates', LOSS_SLOTS.criticUpdates),
        counter('policy_updates', policies.slots.updates),
      ],
    };
    const warmup = { recorder: new Recorder(ctx, 'svg1 warmup').add(...act), iterations: 1 };
    return new Svg1(l, policy, { warmup, train: { recorder: train, iterations: 1 }, warmupIterations, state, metrics }, {
      prepare,
      ...policies.step,
      action: policies.action,
    });
  }

  static evalNetworks(ctx: GpuContext, env: EnvBatch, config: Svg1Config, seed: number): EvalNetworks {
    return Svg1.networks(ctx, env, config, seed).policy.evalNetworks();
  }
}

/** What the updates share: networks, optimizers and the minibatch in three tensors. */
interface Learner extends Build<Svg1Config> {
  policy: GaussianPolicy;
  value: Mlp;
  targetValue: Mlp;
  model: Mlp;
  policyOpt: Adam;
  valueOpt: Adam;
  modelOpt: Adam;
  metrics: Tensor<'f32'>;
  /** Replayed transitions (s, a, s', r, terminated). */
  batch: Minibatch<'s' | 'a' | 's2' | 'r' | 'terminated'>;
  /** Derived per row: 1 - terminated, and the model's target [s' - s | r]. */
  derived: Minibatch<'notDone' | 'ds' | 'r'>;
  /** The policy graph's rows [s | a_theta]. */
  policyRows: Minibatch<'s' | 'a'>;
}

/** The minibatch of update `draw`: both samplers draw the same transitions (same draw index); the policy rows copy s. */
async function minibatch(l: Learner, replay: ReplayBuffer, draw: number): Promise<Dispatch[]> {
  const { ctx, cache, batch, derived } = l;
  const agents = l.env.agents, B = l.config.batchSize;
  const ones = matrix(f32(ctx, 'svg1.ones', [agents, B, 1], new Float32Array(agents * B).fill(1)), { agents, rows: B, cols: 1 });
  return [
    await batch.sample(cache, replay, { s: 'obs', a: 'action', s2: 'nextObs', r: 'reward', terminated: 'terminated' }, { draw }),
    await l.policyRows.sample(cache, replay, { s: 'obs' }, { draw }),
    await mapDispatch(cache, { op: 'add', a: ones, b: batch.view('terminated'), alpha: 1, beta: -1, out: derived.view('notDone') }, '1 - terminated'),
    await mapDispatch(cache, { op: 'add', a: batch.view('s2'), b: batch.view('s'), alpha: 1, beta: -1, out: derived.view('ds') }, "s' - s"),
    await mapDispatch(cache, { op: 'add', a: batch.view('r'), alpha: 1, beta: 0, out: derived.view('r') }, 'r'),
  ];
}

/** value: TD(0) towards r + gamma (1 - terminated) V'(s'); one Adam step; V' follows (Polyak). */
async function valueUpdate(l: Learner): Promise<{ dispatches: Dispatch[] }> {
  const { cache, batch, config } = l;
  const v = l.value.bind(cache, batch.view('s'), { label: 'value' });
  const vNext = l.targetValue.bind(cache, batch.view('s2'), { label: 'target value' });
  return {
    dispatches: [
      ...(await vNext.forward()),
      ...(await v.forward()),
      await tdLossDispatch(cache, v.output, vNext.output, v.outputGrad, tdColumns(batch), config.gamma, l.metrics),
      ...(await v.backward()),
      ...(await l.valueOpt.step(cache)),
      await polyak(cache, l.value.params, l.targetValue.params, config.tau, 'polyak value'),
    ],
  };
}

/** model: one Adam step on |f(s, a) - [s' - s | r]|^2, as a one-cost graph. */
async function modelUpdate(l: Learner): Promise<{ dispatches: Dispatch[]; slot: number }> {
  const { ctx, cache } = l;
  const gm = new Graph(ctx, cache, { agents: l.env.agents, rows: l.config.batchSize, clock: l.clock, label: 'svg1 model', metrics: { tensor: l.metrics, width: METRICS_WIDTH, firstSlot: 7 } });
  const loss = gm.squaredError(gm.mlp(l.model, gm.input(l.batch.view('s', 'a'), { label: '(s, a)' }), { label: 'model' }), l.derived.view('ds', 'r'), { label: 'model loss' });
  const step = await gm.compile();
  return { dispatches: [...step.forward, ...step.backward, ...(await l.modelOpt.step(cache))], slot: loss.metricSlot };
}

/**
 * policy: maximise r_f(s, a_theta) + gamma (1 - d) V(s + f_s(s, a_theta) + zeta) through the model
 * and V, with eta (drawn) and zeta = s' - s - f_s(s, a) (the replayed action's residual) held fixed.
 */
async function policyUpdate(l: Learner): Promise<{ step: Compiled; action: GaussianNode; slots: { loss: number[]; updates: number } }> {
  const { ctx, cache, batch, policyRows, config, seed } = l;
  const agents = l.env.agents, B = config.batchSize, o = l.env.obsWidth, A = l.env.actionDim;
  const g = new Graph(ctx, cache, { agents, rows: B, clock: l.clock, label: 'svg1 policy', metrics: { tensor: l.metrics, width: METRICS_WIDTH, firstSlot: LOSS_SLOTS.criticUpdates + 1 } });
  const s = g.input(policyRows.view('s'), { label: 's' });
  const heads = g.mlp(l.policy.net, s, { label: 'policy' });
  const action = g.gaussian(g.slice(heads, 0, A), g.slice(heads, A, A), {
    estimator: 'pathwise', squash: true, into: policyRows.view('a'), seed, stream: Stream.sample, label: 'a_theta',
  });
  const f = g.mlp(l.model, g.join([s, action.sample]), { train: false, label: 'model (policy)' });
  const predicted = g.add(s, g.slice(f, 0, o), 1, 1, 's + f_s');
  // zeta = (s' - s) - f_s(s, a) at the replayed action: a constant of the transition.
  const replayed = l.model.bind(cache, batch.view('s', 'a'), { label: 'model (replayed a)' });
  const zetaView = matrix(f32(ctx, 'svg1.zeta', [agents, B, o]), { agents, rows: B, cols: o });
  const [zeta] = g.custom({
    label: 'infer zeta', inputs: [], outputs: [zetaView], outputLabels: ['zeta'],
    forward: [...(await replayed.forward()), await mapDispatch(cache, { op: 'add', a: l.derived.view('ds'), b: columns(replayed.output, 0, o), alpha: 1, beta: -1, out: zetaView }, 'zeta')],
  });
  const vNext = g.mlp(l.value, g.add(predicted, zeta, 1, 1, "s'"), { train: false, label: "V(s')" });
  const costs = [
    g.sumCost(g.slice(f, o, 1, 'r_f'), { scale: -1, label: '-r_f' }),
    g.sumCost(vNext, { scale: -config.gamma, weights: l.derived.view('notDone'), label: "-gamma V(s')" }),
  ];
  const updates = g.counter('policy updates');
  return { step: await g.compile(), action, slots: { loss: costs.map((c) => c.metricSlot), updates: updates.metricSlot } };
}

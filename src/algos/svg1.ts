/**
 * SVG(1): stochastic value gradients through one step of a learned model (Heess et al. 2015,
 * sec. 4.2, with experience replay as their SVG(1)-ER). Learned: a state-value function V, and
 * a model f(s, a) = [predicted s' - s | predicted r] (in observation space). For a replayed real
 * transition (s, a, r, s') the noise is inferred, not drawn:
 *
 *   eta  = (atanh(a) - mu(s)) / sigma(s)        so that tanh(mu(s) + sigma(s) eta) = a
 *   zeta = s' - s - f_s(s, a)                    the model's residual on this transition
 *   policy:  maximise  r_f(s, a_theta) + gamma (1 - terminated) V(s + f_s(s, a_theta) + zeta),
 *            a_theta = tanh(mu_theta(s) + sigma_theta(s) eta), by backpropagation through the
 *            model and V with eta and zeta held fixed (the stochastic computation graph)
 *   value:   TD(0) towards r + gamma (1 - terminated) V'(s'), V' Polyak-averaged
 *   model:   minimise |f(s, a) - [s' - s | r]|^2
 * Left out from the paper: the importance weights of off-policy transitions (they correct V's
 * target and the policy gradient for old actions; here the replay is recent enough to go without).
 */
import type { EnvBatch } from '../envs/batch.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { type MatrixView, columns, matrix } from '../gpu/view.js';
import { Adam, adamState } from '../nn/adam.js';
import { Mlp } from '../nn/mlp.js';
import { polyak } from '../nn/polyak.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import { type GaussianNode, Graph } from '../scg/graph.js';
import { mapDispatch } from '../scg/ops.js';
import { type Algorithm, type DeterministicPolicy, type Program, perUpdate } from './common/algorithm.js';
import { tdLossDispatch } from './common/criticLosses.js';
import { GaussianPolicy } from './common/gaussianPolicy.js';
import { type OptionValues, resolveOptions } from './common/options.js';
import { replayActing } from './common/replayActing.js';

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
} as const;

export type Svg1Config = OptionValues<typeof svg1Schema>;

export function svg1Config(given: Readonly<Record<string, unknown>> = {}): Svg1Config {
  return resolveOptions(svg1Schema, given);
}

/** Per agent: [V loss, mean V, -, V updates, -r_f, -gamma V(s'), policy updates, model loss]. */
const METRICS_WIDTH = 8;

export class Svg1 implements Algorithm {
  readonly name = 'svg1';

  private constructor(
    readonly env: EnvBatch,
    readonly clock: Clock,
    readonly config: Svg1Config,
    readonly policy: GaussianPolicy,
    readonly warmup: Program,
    readonly train: Program,
    readonly warmupIterations: number,
    readonly state: Record<string, Tensor>,
    readonly metrics: Tensor<'f32'>,
    /** The policy update alone: minibatch preparation, then the graph's passes (for gradient checks). */
    readonly policyUpdate: { prepare: Dispatch[]; forward: Dispatch[]; backward: Dispatch[]; action: GaussianNode },
  ) {}

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
    const targetValue = Mlp.create(ctx, value.spec, { seed, stream: 2, label: 'target_value' });
    const adam = (net: Mlp, lr: number, label: string) => new Adam(ctx, net.params, net.grads, agents, { lr }, label);
    const policyOpt = adam(policy.net, config.policyLr, 'policy.adam');
    const valueOpt = adam(value, config.criticLr, 'value.adam');
    const modelOpt = adam(model, config.criticLr, 'model.adam');
    const metrics = f32(ctx, 'svg1.metrics', [agents, METRICS_WIDTH]);

    // ---- acting: a ~ pi(.|s); env step; replay insert ----
    const warmupIterations = Math.ceil(config.learningStarts / env.envs);
    const { act, replay } = await replayActing(cache, env, clock, policy, { seed, warmup: warmupIterations, bufferSize: config.bufferSize, label: 'svg1' });

    // ---- minibatch [s | a | s' | r | terminated], derived [1 - terminated | s' - s | r], policy rows [s | a_theta] ----
    const width = 2 * o + A + 2;
    const c = { s: 0, a: o, next: o + A, r: 2 * o + A };
    const derived = f32(ctx, 'svg1.derived', [agents, B, o + 2]);
    const dcols = (from: number, count: number): MatrixView => columns(matrix(derived, { agents, rows: B, cols: o + 2 }), from, count);
    const notDone = dcols(0, 1), modelTarget = dcols(1, o + 1);
    const batch = f32(ctx, 'svg1.batch', [agents, B, width]);
    const cols = (from: number, count: number): MatrixView => columns(matrix(batch, { agents, rows: B, cols: width }), from, count);
    const policyRows = f32(ctx, 'svg1.policy_rows', [agents, B, o + A]);
    const pcols = (from: number, count: number): MatrixView => columns(matrix(policyRows, { agents, rows: B, cols: o + A }), from, count);
    const L = replay.layout;
    const segments = [
      { src: L.obs, dst: c.s, len: o + A },
      { src: L.nextObs, dst: c.next, len: o },
      { src: L.reward, dst: c.r, len: 2 },
    ];
    // Both samplers draw the same transitions (same draw index): the policy rows copy s.
    const sample = [await replay.sampler(cache, batch, B, segments, 0), await replay.sampler(cache, policyRows, B, [{ src: L.obs, dst: 0, len: o }], 0)];
    const ones = matrix(f32(ctx, 'svg1.ones', [agents, B, 1], new Float32Array(agents * B).fill(1)), { agents, rows: B, cols: 1 });
    const targets: Dispatch[] = [
      await mapDispatch(cache, { op: 'add', a: ones, b: cols(c.r + 1, 1), alpha: 1, beta: -1, out: notDone }, '1 - terminated'),
      await mapDispatch(cache, { op: 'add', a: cols(c.next, o), b: cols(c.s, o), alpha: 1, beta: -1, out: dcols(1, o) }, "s' - s"),
      await mapDispatch(cache, { op: 'add', a: cols(c.r, 1), alpha: 1, beta: 0, out: dcols(1 + o, 1) }, 'r'),
    ];

    // ---- value: TD(0) with a target network ----
    const v = value.bind(cache, cols(c.s, o), { label: 'value' });
    const vNext = targetValue.bind(cache, cols(c.next, o), { label: 'target value' });
    const valueUpdate: Dispatch[] = [
      ...(await vNext.forward()),
      ...(await v.forward()),
      await tdLossDispatch(cache, v.output, vNext.output, v.outputGrad, { batch, width, rewardCol: c.r, terminatedCol: c.r + 1 }, config.gamma, metrics),
      ...(await v.backward()),
      ...(await valueOpt.step(cache)),
      await polyak(cache, value.params, targetValue.params, config.tau, 'polyak value'),
    ];

    // ---- model: regression of [s' - s | r] on (s, a), as a one-cost graph ----
    const gm = new Graph(ctx, cache, { agents, rows: B, clock, label: 'svg1 model', metrics: { tensor: metrics, width: METRICS_WIDTH, firstSlot: 7 } });
    gm.squaredError(gm.mlp(model, gm.input(cols(c.s, o + A), { label: '(s, a)' }), { label: 'model' }), modelTarget, { label: 'model loss' });
    const modelStep = await gm.compile();

    // ---- policy: r_f(s, a_theta) + gamma (1 - d) V(s + f_s(s, a_theta) + zeta), eta and zeta inferred ----
    const g = new Graph(ctx, cache, { agents, rows: B, clock, label: 'svg1 policy', metrics: { tensor: metrics, width: METRICS_WIDTH, firstSlot: 4 } });
    const s = g.input(pcols(0, o), { label: 's' });
    const heads = g.mlp(policy.net, s, { label: 'policy' });
    const aNode = g.gaussian(g.slice(heads, 0, A), g.slice(heads, A, A), {
      estimator: 'pathwise', squash: true, inferFrom: cols(c.a, A), into: pcols(o, A), seed, stream: Stream.sample, label: 'a_theta',
    });
    const a = aNode.sample;
    const f = g.mlp(model, g.join([s, a]), { train: false, label: 'model (policy)' });
    const predicted = g.add(s, g.slice(f, 0, o), 1, 1, 's + f_s');
    // zeta = s' - (s + f_s(s, a)): a constant of the transition (a_theta equals a in the forward pass).
    const zetaView = matrix(f32(ctx, 'svg1.zeta', [agents, B, o]), { agents, rows: B, cols: o });
    const [zeta] = g.custom({ label: 'infer zeta', inputs: [], outputs: [zetaView], outputLabels: ['zeta'], forward: [await mapDispatch(cache, { op: 'add', a: cols(c.next, o), b: predicted.view, alpha: 1, beta: -1, out: zetaView }, 'zeta')] });
    const vNextPolicy = g.mlp(value, g.add(predicted, zeta, 1, 1, "s'"), { train: false, label: "V(s')" });
    g.sumCost(g.slice(f, o, 1, 'r_f'), { scale: -1, label: '-r_f' }); // slot 4
    g.sumCost(vNextPolicy, { scale: -config.gamma, weights: notDone, label: "-gamma V(s')" }); // slot 5
    g.counter('policy updates'); // slot 6
    const policyStep = await g.compile();

    const train = new Recorder(ctx, 'svg1 train').add(...act, ...sample, ...targets, ...valueUpdate);
    train.add(...modelStep.forward, ...modelStep.backward, ...(await modelOpt.step(cache)));
    train.add(...policyStep.forward, ...policyStep.backward, ...(await policyOpt.step(cache)));
    const state: Record<string, Tensor> = {
      'policy.params': policy.net.params, 'value.params': value.params, 'target_value.params': targetValue.params, 'model.params': model.params,
      ...adamState('policy', policyOpt), ...adamState('value', valueOpt), ...adamState('model', modelOpt),
      'env.state': env.envState, 'env.obs': env.obs, 'env.ep_stats': env.epStats, 'replay.storage': replay.storage, clock: clock.tensor, metrics,
    };
    return new Svg1(env, clock, config, policy, { recorder: new Recorder(ctx, 'svg1 warmup').add(...act), iterations: 1 }, { recorder: train, iterations: 1 }, warmupIterations, state, metrics, {
      prepare: [...sample, ...targets],
      ...policyStep,
      action: aNode,
    });
  }

  evalPolicy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    return this.policy.mode(cache, obs);
  }

  async readMetrics(): Promise<Record<string, number>[]> {
    const m = await this.metrics.read();
    this.metrics.fill(0);
    return Array.from({ length: this.env.agents }, (_, i) => {
      const [valueLoss, meanV, , valueUpdates, negR, negV, policyUpdates, modelLoss] = m.subarray(i * METRICS_WIDTH, (i + 1) * METRICS_WIDTH);
      return {
        value_loss: perUpdate(valueLoss, valueUpdates),
        mean_v: perUpdate(meanV, valueUpdates),
        model_loss: perUpdate(modelLoss, policyUpdates),
        policy_loss: perUpdate(negR + negV, policyUpdates),
        value_updates: valueUpdates,
        policy_updates: policyUpdates,
      };
    });
  }
}

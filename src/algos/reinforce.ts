/**
 * REINFORCE with a learned state-value baseline (Williams 1992; the baseline as in Sutton et al.
 * 2000), on-policy and batched over N envs. Every training unit collects T steps of every env
 * with the current Gaussian policy, then takes one gradient step on the surrogate
 *
 *   mean over (env, t) of [ log pi(x_t | s_t) * (-(G_t) + V(s_t)) + c_v (V(s_t) - G_t)^2 ]
 *
 * (costs are negative returns, the baseline -V is held constant in the first term), where
 * G_t = r_t + gamma (1 - terminated) G_{t+1}, bootstrapped with V(s') where an episode was cut by
 * the time limit or by the end of the segment, and standardized over the segment, as PPO
 * implementations do (shaders/rl/returns.wgsl: a constant baseline and a step size, no bias). The returns reach the
 * policy only through the score function: the env is a black box here, unlike in SVG.
 * Actions x_t = mu + sigma z are unsquashed and clipped to the action box by the env.
 */
import type { EnvBatch } from '../envs/batch.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { type MatrixView, matrix } from '../gpu/view.js';
import { Adam } from '../nn/adam.js';
import { Mlp } from '../nn/mlp.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import { DiagGaussian } from '../sample/gaussian.js';
import { Graph, type Value } from '../scg/graph.js';
import { mapDispatch } from '../scg/ops.js';
import { type Algorithm, type DeterministicPolicy, type Program, perUpdate } from './common/algorithm.js';
import { exploreDispatch } from './common/explore.js';
import { CategoricalPolicy } from './common/categoricalPolicy.js';
import { GaussianPolicy } from './common/gaussianPolicy.js';
import { returnsDispatches } from './common/returns.js';
import { type OptionValues, resolveOptions } from './common/options.js';

export const reinforceSchema = {
  policyHidden: { kind: 'list', default: [64, 64], min: 1, help: 'hidden layer widths of the policy (ours; rllab used 32-32 for its batch methods)' },
  valueHidden: { kind: 'list', default: [64, 64], min: 1, help: 'hidden layer widths of the value baseline' },
  policyLr: { kind: 'number', default: 1e-3, min: 0, exclusiveMin: true, help: 'Adam learning rate of the policy' },
  valueLr: { kind: 'number', default: 1e-3, min: 0, exclusiveMin: true, help: 'Adam learning rate of the value baseline' },
  valueCoef: { kind: 'number', default: 0.5, min: 0, help: 'weight c_v of the baseline\'s squared error in the surrogate' },
  gamma: { kind: 'number', default: 0.99, min: 0, max: 1, help: 'discount factor' },
  segment: { kind: 'number', default: 0, min: 0, integer: true, help: 'env steps T collected per update (0: the episode length)' },
  baseline: { kind: 'choice', default: 'value', choices: ['value', 'none'], help: 'baseline of the score-function term: a learned V(s), or none' },
  maxGradNorm: { kind: 'number', default: 1, min: 0, help: 'clip each gradient to this global norm (0 = off)' },
  policy: { kind: 'choice', default: 'gaussian', choices: ['gaussian', 'categorical'], help: 'Gaussian actions, or discrete ones (--action-bins values per dimension, score function of a categorical)' },
  actionBins: { kind: 'number', default: 2, min: 2, integer: true, help: 'categorical policy: evenly spaced values per action dimension (2: bang-bang)' },
} as const;

export type ReinforceConfig = OptionValues<typeof reinforceSchema>;

export function reinforceConfig(given: Readonly<Record<string, unknown>> = {}): ReinforceConfig {
  return resolveOptions(reinforceSchema, given);
}

/** Per agent: [mean -G (0: standardized), value loss, updates, ...]. */
const METRICS_WIDTH = 8;

export class Reinforce implements Algorithm {
  readonly name = 'reinforce';
  readonly warmupIterations = 0;

  private constructor(
    readonly env: EnvBatch,
    readonly clock: Clock,
    readonly config: ReinforceConfig,
    readonly policy: GaussianPolicy | CategoricalPolicy,
    readonly warmup: Program,
    readonly train: Program,
    readonly state: Record<string, Tensor>,
    readonly metrics: Tensor<'f32'>,
  ) {}

  static networks(ctx: GpuContext, env: EnvBatch, config: ReinforceConfig, seed: number): { policy: GaussianPolicy | CategoricalPolicy; value: Mlp } {
    const { obsWidth: o, actionDim: a, agents } = env;
    return {
      policy:
        config.policy === 'gaussian'
          ? GaussianPolicy.create(ctx, o, a, config.policyHidden, agents, { seed, squash: false })
          : CategoricalPolicy.create(ctx, o, a, config.policyHidden, agents, { seed, bins: config.actionBins, tau: 1 }),
      value: Mlp.create(ctx, { sizes: [env.obsWidth, ...config.valueHidden, 1], agents: env.agents }, { seed, stream: 2, label: 'value' }),
    };
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: ReinforceConfig, seed: number): Promise<Reinforce> {
    const { policy, value } = Reinforce.networks(ctx, env, config, seed);
    const O = env.obsWidth, A = env.actionDim, N = env.envs, agents = env.agents;
    const T = config.segment > 0 ? config.segment : env.horizon;
    const policyOpt = new Adam(ctx, policy.net.params, policy.net.grads, agents, { lr: config.policyLr, maxGradNorm: config.maxGradNorm }, 'policy.adam');
    const valueOpt = new Adam(ctx, value.params, value.grads, agents, { lr: config.valueLr, maxGradNorm: config.maxGradNorm }, 'value.adam');
    const metrics = f32(ctx, 'reinforce.metrics', [agents, METRICS_WIDTH]);

    // ---- the segment: per env and step [obs | x | r, terminated, truncated | V(s') | G], x the
    // action (Gaussian) or the one-hot rows of every action dimension (categorical) ----
    const X = policy instanceof GaussianPolicy ? A : A * policy.bins;
    const W = O + X + 5;
    const col = { obs: 0, x: O, reward: O + X, value: O + X + 3, ret: O + X + 4 };
    const segment = f32(ctx, 'reinforce.segment', [agents, N, T, W]);
    const at = (t: number, from: number, cols: number): MatrixView => matrix(segment, { agents, rows: N, cols, offset: t * W + from, rowStride: T * W });

    // ---- acting: T steps, each recorded into its block of the segment ----
    const act = await actingFor(cache, env, clock, policy, seed);
    const nextValue = value.bind(cache, matrix(env.nextObs, { agents, rows: N, cols: O, rowStride: O + env.def.goalDim }), { label: "value (s')" });
    const stepOut = matrix(env.stepOut, { agents, rows: N, cols: 3 });
    const unit = new Recorder(ctx, 'reinforce train');
    const warmup = new Recorder(ctx, 'reinforce warmup');
    for (let t = 0; t < T; t++) {
      const step: Dispatch[] = [
        await clock.tick(cache),
        await mapDispatch(cache, { op: 'add', a: env.obsView, alpha: 1, beta: 0, out: at(t, col.obs, O) }, 'store obs'),
        ...(await act(at(t, col.x, X))),
        env.stepDispatch,
        await mapDispatch(cache, { op: 'add', a: stepOut, alpha: 1, beta: 0, out: at(t, col.reward, 3) }, 'store reward'),
        ...(await nextValue.forward()),
        await mapDispatch(cache, { op: 'add', a: nextValue.output, alpha: 1, beta: 0, out: at(t, col.value, 1) }, "store V(s')"),
      ];
      unit.add(...step);
      if (t === 0) warmup.add(...step);
    }
    const returnStats = f32(ctx, 'reinforce.return_stats', [agents, 2], Array.from({ length: agents }, () => [0, 1]).flat());
    unit.add(...(await returnsDispatches(cache, segment, returnStats, { envs: N, steps: T, width: W, rewardCol: col.reward, valueCol: col.value, returnCol: col.ret, gamma: config.gamma })));

    // ---- the update: a graph over all N * T rows of the segment ----
    const rows = N * T;
    const flat = (from: number, cols: number): MatrixView => matrix(segment, { agents, rows, cols, offset: from, rowStride: W });
    const g = new Graph(ctx, cache, { agents, rows, clock, label: 'reinforce', metrics: { tensor: metrics, width: METRICS_WIDTH, firstSlot: 0 } });
    const s = g.input(flat(col.obs, O), { label: 's' });
    const out = g.mlp(policy.net, s, { label: 'policy' });
    const v = g.mlp(value, s, { label: 'V' });
    const baseline = config.baseline === 'value' ? g.scale(v, -1, '-V') : undefined; // in cost units
    const samples: Value[] = [];
    if (policy instanceof GaussianPolicy) {
      samples.push(g.gaussian(g.slice(out, 0, A), g.slice(out, A, A), { estimator: 'score', observed: flat(col.x, A), seed, stream: Stream.sample, baseline, label: 'x' }).sample);
    } else {
      const K = policy.bins;
      for (let d = 0; d < A; d++) {
        samples.push(g.categorical(g.slice(out, d * K, K), { estimator: 'score', observed: flat(col.x + d * K, K), seed, stream: Stream.sample, baseline, label: `x${d}` }).sample);
      }
    }
    // The env turns actions into returns outside the graph: a black-box node with no backward.
    const [ret] = g.custom({ label: 'environment', inputs: samples, outputs: [flat(col.ret, 1)], outputLabels: ['G'], forward: [] });
    g.sumCost(ret, { scale: -1, label: '-G' }); // slot 0
    if (config.baseline === 'value') g.squaredError(v, flat(col.ret, 1), { scale: config.valueCoef, label: 'value loss' }); // slot 1
    const counter = g.counter('updates');
    const update = await g.compile();
    unit.add(...update.forward, ...update.backward, ...(await policyOpt.step(cache)), ...(config.baseline === 'value' ? await valueOpt.step(cache) : []));

    const state: Record<string, Tensor> = {
      'policy.params': policy.net.params, 'value.params': value.params,
      'policy.adam.m': policyOpt.m, 'policy.adam.v': policyOpt.v, 'policy.adam.state': policyOpt.state,
      'value.adam.m': valueOpt.m, 'value.adam.v': valueOpt.v, 'value.adam.state': valueOpt.state,
      'return_stats': returnStats, 'env.state': env.envState, 'env.obs': env.obs, 'env.ep_stats': env.epStats, clock: clock.tensor, metrics,
    };
    const r = new Reinforce(env, clock, config, policy, { recorder: warmup, iterations: 1 }, { recorder: unit, iterations: T }, state, metrics);
    r.updatesSlot = counter.metricSlot;
    return r;
  }

  private updatesSlot = 2;

  evalPolicy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    return this.policy.mode(cache, obs);
  }

  async readMetrics(): Promise<Record<string, number>[]> {
    const m = await this.metrics.read();
    this.metrics.fill(0);
    return Array.from({ length: this.env.agents }, (_, i) => {
      const row = m.subarray(i * METRICS_WIDTH, (i + 1) * METRICS_WIDTH);
      const updates = row[this.updatesSlot];
      return {
        // In units of the standardized returns: 1 is no better than predicting their mean.
        ...(this.config.baseline === 'value' ? { value_loss: perUpdate(row[1], updates) / this.config.valueCoef } : {}),
        updates,
      };
    });
  }
}

/**
 * One acting step with a sample stored at `x` of the segment: a Gaussian action (clipped to the
 * box by the env), or the one-hot rows of a categorical policy (decoded for the env).
 */
async function actingFor(cache: PipelineCache, env: EnvBatch, clock: Clock, policy: GaussianPolicy | CategoricalPolicy, seed: number): Promise<(x: MatrixView) => Promise<Dispatch[]>> {
  const ctx = env.ctx, rows = env.envs * env.agents, A = env.actionDim;
  const action = f32(ctx, 'reinforce.action', [rows, A]);
  if (policy instanceof CategoricalPolicy) return async (x) => (await policy.acting(cache, env, clock, { seed, action, onehot: x })).dispatches;
  const acting = policy.net.bind(cache, env.obsView, { label: 'policy (acting)' });
  const sampler = new DiagGaussian(ctx, { ...policy.heads(acting.output), clock, seed, stream: Stream.explore, label: 'x' });
  const ou = f32(ctx, 'reinforce.ou', [rows, A]);
  const forward = await acting.forward();
  return async (x) => [
    ...forward,
    await sampler.sample(cache, x),
    await exploreDispatch(cache, env, x, action, ou, clock, { noise: 'none', sigma: 0, ouTheta: 0, ouDt: 1, warmup: 0, seed, stream: Stream.explore }),
  ];
}

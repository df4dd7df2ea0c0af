/**
 * SVG(inf): stochastic value gradients through a whole trajectory (Heess et al. 2015, sec. 4.1).
 * The policy's noise z_t and the dynamics are frozen along a trajectory of H steps, so its return
 * is a deterministic, differentiable function of the policy parameters:
 *
 *   a_t = tanh(mu(o_t) + sigma(o_t) z_t),  s_{t+1} = f(s_t, a_t),  J = sum_t gamma^t r(s_t, a_t)
 *   theta <- theta + Adam(clip(grad_theta J))       (backpropagation through time)
 *
 * Dynamics 'sim' differentiates the true simulator through the envs' VJP kernels (the paper's
 * SVG(inf) uses a learned model; with the known simulator this is analytic policy gradient).
 * Each training unit acts H steps in the real envs with the current policy (the returns the
 * trainer reports), and one update differentiates H-step rollouts of the simulator started from
 * the states the envs were in when the unit began.
 */
import type { EnvBatch } from '../envs/batch.js';
import { recordWidth } from '../envs/batch.js';
import { SimRollout } from '../envs/rollout.js';
import { stateDim } from '../envs/types.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { type MatrixView, broadcastRow, matrix } from '../gpu/view.js';
import { Adam } from '../nn/adam.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import { Graph, type Value } from '../scg/graph.js';
import type { Algorithm, DeterministicPolicy, Program } from './common/algorithm.js';
import { GaussianPolicy } from './common/gaussianPolicy.js';
import { type OptionValues, resolveOptions } from './common/options.js';

export const svgInfSchema = {
  policyHidden: { kind: 'list', default: [64, 64], min: 1, help: 'hidden layer widths of the policy (ours)' },
  policyLr: { kind: 'number', default: 1e-3, min: 0, exclusiveMin: true, help: 'Adam learning rate of the policy (Kingma & Ba default)' },
  gamma: { kind: 'number', default: 0.99, min: 0, max: 1, help: 'discount factor' },
  horizon: { kind: 'number', default: 0, min: 0, integer: true, help: 'steps differentiated through per rollout (0: the episode length)' },
  maxGradNorm: { kind: 'number', default: 1, min: 0, help: 'clip the policy gradient to this global norm (0 = off); long horizons explode without it' },
  dynamics: { kind: 'choice', default: 'sim', choices: ['sim'], help: 'what the rollout differentiates: sim = the true simulator through its VJP kernels' },
} as const;

export type SvgInfConfig = OptionValues<typeof svgInfSchema>;

export function svgInfConfig(given: Readonly<Record<string, unknown>> = {}): SvgInfConfig {
  return resolveOptions(svgInfSchema, given);
}

/** Metrics per agent: [sum over updates of the mean negative imagined return, updates, unused]. */
const METRICS_WIDTH = 8;

export class SvgInf implements Algorithm {
  readonly name = 'svg-inf';
  readonly warmupIterations = 0;

  private constructor(
    readonly env: EnvBatch,
    readonly clock: Clock,
    readonly config: SvgInfConfig,
    readonly policy: GaussianPolicy,
    readonly warmup: Program,
    readonly train: Program,
    readonly state: Record<string, Tensor>,
    readonly metrics: Tensor<'f32'>,
  ) {}

  static networks(ctx: GpuContext, env: EnvBatch, config: SvgInfConfig, seed: number): { policy: GaussianPolicy } {
    return { policy: GaussianPolicy.create(ctx, env.obsWidth, env.actionDim, config.policyHidden, env.agents, { seed, squash: true }) };
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: SvgInfConfig, seed: number): Promise<SvgInf> {
    const { policy } = SvgInf.networks(ctx, env, config, seed);
    const H = config.horizon > 0 ? config.horizon : env.horizon;
    const agents = env.agents, rows = env.envs, A = env.actionDim;
    const opt = new Adam(ctx, policy.net.params, policy.net.grads, agents, { lr: config.policyLr, maxGradNorm: config.maxGradNorm }, 'policy.adam');
    const metrics = f32(ctx, 'svg-inf.metrics', [agents, METRICS_WIDTH]);

    // ---- acting: H steps of the real envs with the current stochastic policy ----
    const action = f32(ctx, 'svg-inf.action', [agents * rows, A]);
    const acting = await policy.acting(cache, env, clock, { seed, action });
    const act: Dispatch[] = [await clock.tick(cache), ...acting.dispatches, env.stepDispatch];

    // ---- the frozen-noise rollout graph: o_t -> policy -> a_t -> simulator -> (s, o)_{t+1}, r_t ----
    const rollout = new SimRollout(ctx, env.def, agents, rows, H, env.params);
    const g = new Graph(ctx, cache, { agents, rows, clock, label: 'svg-inf', metrics: { tensor: metrics, width: METRICS_WIDTH, firstSlot: 0 } });
    const trajGrad = g.gradTensor(rollout.trajectory);
    const heads = f32(ctx, 'svg-inf.policy_heads', [agents, rows, H * 2 * A]);
    let s: Value = g.input(rollout.state(0), { label: 's0' });
    let o: Value = g.input(rollout.obs(0), { label: 'o0' });
    const rewards: Value[] = [];
    for (let t = 0; t < H; t++) {
      const into = matrix(heads, { agents, rows, cols: 2 * A, offset: t * 2 * A, rowStride: H * 2 * A });
      const out = g.mlp(policy.net, o, { into, label: `policy t${t}` });
      const a = g.gaussian(g.slice(out, 0, A), g.slice(out, A, A), {
        estimator: 'pathwise', squash: true, seed, stream: Stream.sample, draw: t, into: rollout.action(t), label: `a${t}`,
      }).sample;
      const [next, nextObs, r] = g.custom({
        label: `sim step ${t}`, inputs: [s, a], outputs: [rollout.state(t + 1), rollout.obs(t + 1), rollout.reward(t)], outputLabels: [`s${t + 1}`, `o${t + 1}`, `r${t}`],
        forward: [await rollout.step(cache, t)], backward: [await rollout.vjp(cache, t, trajGrad)],
      });
      [s, o] = [next, nextObs];
      rewards.push(r);
    }
    const discounts = f32(ctx, 'svg-inf.discounts', [H], Array.from({ length: H }, (_, t) => config.gamma ** t));
    // Cost: the negative discounted return, averaged over rollouts (metric slot 0).
    g.sumCost(g.join(rewards), { scale: -1, weights: broadcastRow(discounts, { agents, rows, cols: H }), label: 'negative return' });
    g.counter('updates'); // metric slot 1
    const update = await g.compile();
    const envStates: MatrixView = matrix(env.envState, { agents, rows, cols: stateDim(env.def), rowStride: recordWidth(env.def) });

    const train = new Recorder(ctx, 'svg-inf train').add(await rollout.start(cache, envStates));
    for (let t = 0; t < H; t++) train.add(...act);
    train.add(...update.forward, ...update.backward, ...(await opt.step(cache)));
    const state: Record<string, Tensor> = {
      'policy.params': policy.net.params, 'policy.adam.m': opt.m, 'policy.adam.v': opt.v, 'policy.adam.state': opt.state,
      'env.state': env.envState, 'env.obs': env.obs, 'env.ep_stats': env.epStats, clock: clock.tensor, metrics,
    };
    return new SvgInf(env, clock, config, policy, { recorder: new Recorder(ctx, 'svg-inf warmup').add(...act), iterations: 1 }, { recorder: train, iterations: H }, state, metrics);
  }

  async evalPolicy(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    return this.policy.mode(cache, obs);
  }

  async readMetrics(): Promise<Record<string, number>[]> {
    const m = await this.metrics.read();
    this.metrics.fill(0);
    return Array.from({ length: this.env.agents }, (_, i) => {
      const [cost, updates] = m.subarray(i * METRICS_WIDTH, i * METRICS_WIDTH + 2);
      return { imagined_return: updates > 0 ? -cost / updates : Number.NaN, updates };
    });
  }
}

/**
 * REINFORCE with a learned state-value baseline (Williams 1992; the baseline as in Sutton et al.
 * 2000), on-policy and batched over N envs. Every training unit
 *
 *   collect:          T steps of every env with the current policy, samples x_t stored
 *   returns:          G_t = r_t + gamma (1 - terminated) G_{t+1}, bootstrapped with V(s') where an
 *                     episode was cut by the time limit or by the end of the segment, standardized
 *                     over the segment as PPO implementations do (shaders/rl/returns.wgsl)
 *   surrogateUpdate:  one gradient step on
 *                     mean over (env, t) of [ log pi(x_t | s_t) * (-(G_t) + V(s_t)) + c_v (V(s_t) - G_t)^2 ]
 *
 * (costs are negative returns, the baseline -V is held constant in the first term). The returns
 * reach the policy only through the score function: the env is a black box here, unlike in SVG.
 * Gaussian actions x_t = mu + sigma z are unsquashed and clipped to the action box by the env;
 * categorical and Bernoulli policies store their one-hot rows or bits.
 */
import type { EnvBatch } from '../envs/batch.js';
import { ConfigError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import type { MatrixView } from '../gpu/view.js';
import { Adam } from '../nn/adam.js';
import { Mlp } from '../nn/mlp.js';
import { type CellKind, RecurrentCell } from '../nn/recurrent.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import { Graph } from '../scg/graph.js';
import type { AlgorithmParts, Build, EvalNetworks, RunShape } from './common/algorithm.js';
import type { EnvDefinition } from '../envs/types.js';
import { BinaryPolicy } from './common/binaryPolicy.js';
import { CategoricalPolicy } from './common/categoricalPolicy.js';
import { GaussianPolicy } from './common/gaussianPolicy.js';
import { type MetricTable, counter, mean } from './common/metrics.js';
import { Trajectories } from './common/minibatch.js';
import { type OptionValues, resolveOptions } from './common/options.js';
import { PolicyAlgorithm, type StochasticPolicy } from './common/policy.js';
import { RecurrentPolicy, checkRecurrent, recurrentSchema } from './common/recurrentPolicy.js';
import { collectByLayers } from './common/layerCollect.js';
import { returnsDispatches } from './common/returns.js';
import { chooseProgram } from './common/rowProgram.js';
import { type OnPolicyColumn, SegmentRows, onPolicySegment, segmentRowsUnsupported } from './common/segmentRows.js';
import { trainingState } from './common/state.js';

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
  policy: { kind: 'choice', default: 'gaussian', choices: ['gaussian', 'categorical', 'bernoulli'], help: 'Gaussian actions, or discrete ones by the score function: categorical over --action-bins values per dimension, or bernoulli (one binary unit per dimension, bang-bang)' },
  actionBins: { kind: 'number', default: 2, min: 2, integer: true, help: 'categorical policy: evenly spaced values per action dimension (2: bang-bang)' },
  ...recurrentSchema,
  program: {
    kind: 'choice', default: 'auto', choices: ['auto', 'rows', 'layers'],
    help: 'how a segment is collected: rows = one dispatch for all T steps (policy, sample, V, env step in one invocation per env), layers = about 8 dispatches per step; auto = rows on CPU adapters where they can run (the Gaussian policy, layers up to 256 wide), layers on GPUs (measured faster there)',
  },
} as const;

export type ReinforceConfig = OptionValues<typeof reinforceSchema>;

export function reinforceConfig(given: Readonly<Record<string, unknown>> = {}): ReinforceConfig {
  return resolveOptions(reinforceSchema, given);
}

const METRICS_WIDTH = 8;

/** The columns of REINFORCE's segment. */
export type ReinforceColumn = 'obs' | 'x' | 'reward' | 'terminated' | 'truncated' | 'nextValue' | 'ret';

export class Reinforce extends PolicyAlgorithm<ReinforceConfig> {
  readonly name = 'reinforce';

  private constructor(
    b: Build<ReinforceConfig>,
    policy: StochasticPolicy,
    parts: AlgorithmParts,
    /** The last collected segment (per env and step: obs, sample, reward, flags, V(s'), return). */
    readonly segment: Trajectories<ReinforceColumn>,
    /** A recurrent policy's states h_t as the last update recomputed them (rows n * T + t). */
    readonly recurrentStates: MatrixView | null = null,
  ) {
    super(b, policy, parts);
  }

  static networks(ctx: GpuContext, env: EnvBatch, config: ReinforceConfig, seed: number): { policy: StochasticPolicy; value: Mlp } {
    const { actionDim: a, agents } = env;
    const recurrent = config.recurrent === 'none' ? null : RecurrentCell.create(ctx, { kind: config.recurrent as CellKind, inDim: env.obsWidth, hidden: config.recurrentWidth, agents }, { seed, stream: 3, label: 'recurrent' });
    const o = recurrent ? config.recurrentWidth : env.obsWidth; // what the policy network reads
    const hidden = config.policyHidden;
    const policies: Record<string, () => StochasticPolicy> = {
      gaussian: () => GaussianPolicy.create(ctx, o, a, hidden, agents, { seed, squash: false }),
      categorical: () => CategoricalPolicy.create(ctx, o, a, hidden, agents, { seed, bins: config.actionBins, tau: 1 }),
      bernoulli: () => BinaryPolicy.create(ctx, o, a, hidden, agents, { seed, tau: 1 }),
    };
    const head = policies[config.policy]();
    return {
      policy: recurrent ? new RecurrentPolicy(recurrent, head, env) : head,
      value: Mlp.create(ctx, { sizes: [env.obsWidth, ...config.valueHidden, 1], agents: env.agents }, { seed, stream: 2, label: 'value' }),
    };
  }

  /** Recurrent settings checked before any GPU work. */
  static check(run: RunShape, def: EnvDefinition, config: ReinforceConfig): void {
    if (config.recurrent !== 'none') checkRecurrent(run, config.segment > 0 ? config.segment : def.horizon, config);
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: ReinforceConfig, seed: number): Promise<Reinforce> {
    const { policy, value } = Reinforce.networks(ctx, env, config, seed);
    const N = env.envs, agents = env.agents;
    const T = config.segment > 0 ? config.segment : env.horizon;
    const rows = chooseProgram(config.program, cache.autoRows, () => reinforceRowsUnsupported(ctx.limits, env, T, config, policy, value)) === 'rows';
    const cell = policy instanceof RecurrentPolicy ? policy.cell : null;
    const l: Learner = {
      ctx, cache, env, clock, config, seed, policy, value, T,
      recurrent: cell && {
        optimizer: new Adam(ctx, cell.params, cell.grads, agents, { lr: config.policyLr, maxGradNorm: config.maxGradNorm }, 'recurrent.adam'),
        segmentStart: f32(ctx, 'reinforce.segment_start_state', [agents, N, cell.stateWidth]),
        resets: f32(ctx, 'reinforce.segment_resets', [agents, N * T]),
      },
      policyOpt: new Adam(ctx, policy.net.params, policy.net.grads, agents, { lr: config.policyLr, maxGradNorm: config.maxGradNorm }, 'policy.adam'),
      valueOpt: new Adam(ctx, value.params, value.grads, agents, { lr: config.valueLr, maxGradNorm: config.maxGradNorm }, 'value.adam'),
      metrics: f32(ctx, 'reinforce.metrics', [agents, METRICS_WIDTH]),
      // Per env and step: [obs | x | r, terminated, truncated | V(s') | G], x the stored sample (with
      // row programs, the on-policy layout, whose log pi, V(s) and advantage columns stay unused).
      segment: rows
        ? onPolicySegment(ctx, 'reinforce.segment', env, T)
        : new Trajectories(ctx, 'reinforce.segment', agents, N, T, { obs: env.obsWidth, x: policy.sampleWidth, reward: 1, terminated: 1, truncated: 1, nextValue: 1, ret: 1 }),
    };
    const steps = rows ? [[await new SegmentRows(cache, { env, clock, seed, policy: policy as GaussianPolicy, value, segment: l.segment as Trajectories<OnPolicyColumn> }).collect({ read: 0 }), await clock.commit(cache)]] : await collectByLayers({ ...l, label: 'reinforce' });
    const returnStats = f32(ctx, 'reinforce.return_stats', [agents, 2], Array.from({ length: agents }, () => [0, 1]).flat());
    const seg = l.segment;
    const returns = await returnsDispatches(cache, seg.tensor, returnStats, { envs: N, steps: T, width: seg.width, rewardCol: seg.col('reward'), valueCol: seg.col('nextValue'), returnCol: seg.col('ret'), gamma: config.gamma });
    const update = await surrogateUpdate(l);

    const unit = new Recorder(ctx, 'reinforce train').add(...steps.flat(), ...returns, ...update.dispatches);
    const state = trainingState({
      networks: { policy: policy.net, value },
      optimizers: { policy: l.policyOpt, value: l.valueOpt, ...(l.recurrent ? { recurrent: l.recurrent.optimizer } : {}) },
      env, clock, metrics: l.metrics,
      // A recurrent policy's reset flags come from the env's last step flags (step_out), read before stepping.
      other: { return_stats: returnStats, ...(cell && policy instanceof RecurrentPolicy ? { 'recurrent.params': cell.params, 'recurrent.acting_state': policy.state, 'env.step_out': env.stepOut } : {}) },
    });
    const metrics: MetricTable = {
      tensor: l.metrics,
      width: METRICS_WIDTH,
      specs: [
        // In units of the standardized returns: 1 is no better than predicting their mean.
        ...(update.valueLoss !== undefined ? [mean('value_loss', update.valueLoss, 'updates', { scale: 1 / config.valueCoef })] : []),
        counter('updates', update.updates),
      ],
    };
    const warmup = { recorder: new Recorder(ctx, 'reinforce warmup').add(...steps[0]), iterations: rows ? T : 1 };
    return new Reinforce(l, policy, { warmup, train: { recorder: unit, iterations: T }, warmupIterations: 0, state, metrics }, l.segment, update.hidden);
  }

  static evalNetworks(ctx: GpuContext, env: EnvBatch, config: ReinforceConfig, seed: number): EvalNetworks {
    return Reinforce.networks(ctx, env, config, seed).policy.evalNetworks();
  }
}

/** Why REINFORCE with `config` cannot collect its segments as a row program here, or null. */
export function reinforceRowsUnsupported(limits: GPUSupportedLimits, env: EnvBatch, steps: number, config: ReinforceConfig, policy: StochasticPolicy, value: Mlp): string | null {
  if (config.recurrent !== 'none') return `--recurrent ${config.recurrent} (recurrent policies are collected one dispatch per layer)`;
  if (!(policy instanceof GaussianPolicy)) return `--policy ${config.policy} (discrete samples are collected one dispatch per layer)`;
  return segmentRowsUnsupported(limits, env, steps, [policy.net, value]);
}

/** What collecting a segment and the update share. */
interface Learner extends Build<ReinforceConfig> {
  policy: StochasticPolicy;
  value: Mlp;
  policyOpt: Adam;
  valueOpt: Adam;
  metrics: Tensor<'f32'>;
  /** Steps collected per update. */
  T: number;
  /** A recurrent policy's optimizer, the state at each segment's start and the per-step reset flags (rows n * T + t). */
  recurrent: { optimizer: Adam; segmentStart: Tensor<'f32'>; resets: Tensor<'f32'> } | null;
  segment: Trajectories<ReinforceColumn>;
}

/**
 * The update: a graph over all N * T rows of the segment, the stored samples as score-function
 * nodes with -V as their baseline, -G as the cost (the env a black box) and V's squared error;
 * one Adam step of the policy and one of V.
 */
async function surrogateUpdate(l: Learner): Promise<{ dispatches: Dispatch[]; valueLoss?: number; updates: number; hidden: MatrixView | null }> {
  const { ctx, cache, config, segment, seed } = l;
  const g = new Graph(ctx, cache, { agents: l.env.agents, rows: segment.rows, clock: l.clock, label: 'reinforce', metrics: { tensor: l.metrics, width: METRICS_WIDTH, firstSlot: 0 } });
  const s = g.input(segment.flat('obs'), { label: 's' });
  const r = l.recurrent, policy = l.policy;
  const features = r && policy instanceof RecurrentPolicy ? policy.hidden(g, s, { steps: l.T, segmentStart: r.segmentStart, resets: r.resets, truncation: config.truncation || undefined }) : s;
  const out = g.mlp(l.policy.net, features, { label: 'policy' });
  const v = g.mlp(l.value, s, { label: 'V' });
  const baseline = config.baseline === 'value' ? g.scale(v, -1, '-V') : undefined; // in cost units
  const samples = l.policy.observedSamples(g, out, segment.flat('x'), { seed, stream: Stream.sample, baseline });
  // The env turns actions into returns outside the graph: a black-box node with no backward.
  const [ret] = g.custom({ label: 'environment', inputs: samples, outputs: [segment.flat('ret')], outputLabels: ['G'], forward: [] });
  g.sumCost(ret, { scale: -1, label: '-G' });
  const valueLoss = config.baseline === 'value' ? g.squaredError(v, segment.flat('ret'), { scale: config.valueCoef, label: 'value loss' }) : undefined;
  const updates = g.counter('updates');
  const update = await g.compile();
  return {
    dispatches: [...update.forward, ...update.backward, ...(await l.policyOpt.step(cache)), ...(r ? await r.optimizer.step(cache) : []), ...(config.baseline === 'value' ? await l.valueOpt.step(cache) : [])],
    valueLoss: valueLoss?.metricSlot,
    updates: updates.metricSlot,
    hidden: features === s ? null : features.view,
  };
}

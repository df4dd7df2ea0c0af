/**
 * What the natural policy gradient methods (TNPG, TRPO) share: their options, the learner, and
 * the policy update on the GPU - the vanilla gradient over every record of the segment,
 * conjugate gradient on (F + damping I) s = g with Fisher-vector products by forward and reverse
 * mode per record (fused/npg.wgsl), the CG vectors in one workgroup per agent
 * (rl/conjugate_gradient.wgsl), then TNPG's step theta += beta s with beta = sqrt(2 step_size /
 * s^T (F + damping I) s) or TRPO's backtracking line search over candidates theta + ratio^k beta s,
 * all evaluated in one dispatch - and the value net's fit by shuffled minibatches.
 */
import type { EnvBatch } from '../../envs/batch.js';
import type { EnvDefinition } from '../../envs/types.js';
import { ConfigError } from '../../errors.js';
import type { GpuContext } from '../../gpu/context.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../../gpu/kernel.js';
import { Recorder } from '../../gpu/recorder.js';
import { type ShaderSource, withReduce } from '../../gpu/shaders.js';
import { f32, type Tensor } from '../../gpu/tensor.js';
import { uniform } from '../../gpu/uniform.js';
import { Adam } from '../../nn/adam.js';
import type { Activation } from '../../nn/linear.js';
import { Mlp } from '../../nn/mlp.js';
import { paramGradientDispatch, tapeWidth } from '../../nn/rowNetwork.js';
import type { Clock } from '../../rng/clock.js';
import { Stream } from '../../rng/philox.js';
import type { AlgorithmParts, Build, RunShape } from './algorithm.js';
import { GaussianPolicy } from './gaussianPolicy.js';
import { type MetricSpec, type MetricTable, counter, mean } from './metrics.js';
import type { Trajectories } from './minibatch.js';
import type { OptionValues } from './options.js';
import { gaeDispatches } from './returns.js';
import { boundsAndShapes, rowDispatch, rowModule } from './rowProgram.js';
import { RepsDual, type RepsSettings } from './repsDual.js';
import { LOG_STD_RANGE, type OnPolicyColumn, SegmentRows, onPolicySegment } from './segmentRows.js';
import { trainingState } from './state.js';
import cgWgsl from '../../../shaders/rl/conjugate_gradient.wgsl?raw';
import gaussianRowWgsl from '../../../shaders/fused/gaussian_row.wgsl?raw';
import npgWgsl from '../../../shaders/fused/npg.wgsl?raw';
import shuffleWgsl from '../../../shaders/fused/shuffle.wgsl?raw';

export const batchSchema = {
  policyHidden: { kind: 'list', default: [32, 32], min: 1, help: 'hidden layer widths of the policy (rllab: 32-32)' },
  valueHidden: { kind: 'list', default: [64, 64], min: 1, help: 'hidden layer widths of the value baseline (ours; rllab: a linear feature baseline)' },
  activation: { kind: 'choice', default: 'tanh', choices: ['tanh', 'relu'], help: 'hidden activation of both networks (rllab: tanh)' },
  segment: { kind: 'number', default: 16, min: 1, integer: true, help: 'env steps T per env per update (with the default 4096 envs, 65,536 steps per update; rllab: 50,000 for Cart-Pole)' },
  gamma: { kind: 'number', default: 0.99, min: 0, max: 1, help: 'discount factor (rllab: 0.99)' },
  gaeLambda: { kind: 'number', default: 0.97, min: 0, max: 1, help: 'GAE lambda (Schulman et al. 2016: 0.97; rllab: 1)' },
  valueLr: { kind: 'number', default: 1e-3, min: 0, exclusiveMin: true, help: 'Adam learning rate of the value baseline (ours)' },
  valueEpochs: { kind: 'number', default: 5, min: 1, integer: true, help: 'passes of the value fit over each segment (ours)' },
  valueMinibatches: { kind: 'number', default: 8, min: 1, integer: true, help: 'minibatches per value epoch; must divide envs x segment (ours)' },
} as const;

export const npgSchema = {
  ...batchSchema,
  stepSize: { kind: 'number', default: 0.01, min: 0, exclusiveMin: true, help: 'the mean KL of a step in the quadratic model (rllab step_size: 0.01)' },
  cgIterations: { kind: 'number', default: 10, min: 1, integer: true, help: 'conjugate gradient iterations (rllab cg_iters: 10)' },
  damping: { kind: 'number', default: 0.1, min: 0, help: 'added to the Fisher matrix in CG: F + damping I (0.1)' },
} as const;

export type BatchConfig = OptionValues<typeof batchSchema>;
export type NpgConfig = OptionValues<typeof npgSchema>;

/** How a batch method moves the policy: a natural gradient step (TNPG; TRPO with a line search) or a weighted maximum-likelihood fit (RWR). */
export type PolicyStep =
  | { kind: 'natural'; stepSize: number; cgIterations: number; damping: number; lineSearch?: LineSearch }
  | { kind: 'weighted'; fitSteps: number; fitLr: number }
  | ({ kind: 'reps'; fitSteps: number; fitLr: number } & RepsSettings);

/** TRPO's backtracking line search (rllab: ratio 0.8, 15 candidates). */
export interface LineSearch {
  backtrackRatio: number;
  maxBacktracks: number;
}

/** Metric slots: sums the kernels add. */
export const NPG_METRIC_SLOTS = {
  entropy: 0, updates: 1, valueLoss: 2, valueUpdates: 3, fisherProducts: 4, kl: 5, backtracks: 6, rejected: 7, fitSteps: 8,
  eta: 9, weightsKl: 10, dualBefore: 11, dualAfter: 12,
} as const;
export const NPG_METRICS_WIDTH = 16;
/** rllab's residual tolerance of conjugate gradient. */
const RESIDUAL_TOL = 1e-10;

/** The Gaussian policy (reading `policyInput` columns: the observations, or a recurrent cell's state) and V(s). */
export function npgNetworks(ctx: GpuContext, env: EnvBatch, config: BatchConfig, seed: number, policyInput = env.obsWidth): { policy: GaussianPolicy; value: Mlp } {
  const activation = config.activation as Activation;
  return {
    policy: GaussianPolicy.create(ctx, policyInput, env.actionDim, config.policyHidden, env.agents, { seed, squash: false, activation }),
    value: Mlp.create(ctx, { sizes: [env.obsWidth, ...config.valueHidden, 1], hidden: activation, agents: env.agents }, { seed, stream: 2, label: 'value' }),
  };
}

export function checkNpg(run: RunShape, _def: EnvDefinition, config: BatchConfig): void {
  const records = run.envs * config.segment;
  if (records % config.valueMinibatches !== 0) {
    throw new ConfigError('--value-minibatches', config.valueMinibatches, `a divisor of envs x segment = ${records} (${run.envs} x ${config.segment})`);
  }
}

/**
 * A natural gradient method's learner and parts: collect (1 dispatch), returns (3), the policy
 * update (TNPG's step, TRPO's line search, or RWR's weighted fit: `step`), the value fit, the
 * clock's commit.
 */
export async function buildNaturalGradient(
  name: string, ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: BatchConfig, seed: number, step: PolicyStep,
): Promise<{ learner: NpgLearner; parts: AlgorithmParts }> {
  const T = config.segment;
  const { policy, value } = npgNetworks(ctx, env, config, seed);
  const l: NpgLearner = {
    ctx, cache, env, clock, config, seed, policy, value, step,
    policyOpt: step.kind !== 'natural' ? new Adam(ctx, policy.net.params, policy.net.grads, env.agents, { lr: step.fitLr }, 'policy.adam') : undefined,
    valueOpt: new Adam(ctx, value.params, value.grads, env.agents, { lr: config.valueLr }, 'value.adam'),
    metrics: f32(ctx, `${name}.metrics`, [env.agents, NPG_METRICS_WIDTH]),
    segment: onPolicySegment(ctx, `${name}.segment`, env, T),
    returnStats: f32(ctx, `${name}.return_stats`, [env.agents, 2], Array.from({ length: env.agents }, () => [0, 1]).flat()),
  };
  const slots = { read: 0 };
  const collect = await new SegmentRows(cache, { env, clock, seed, policy, value, segment: l.segment }).collect(slots);
  const seg = l.segment;
  // REPS weighs records by its dual's Bellman errors: no advantages and no value net to fit.
  const reps = step.kind === 'reps' ? new RepsDual(cache, env, seg) : null;
  const S = NPG_METRIC_SLOTS;
  const weights = reps && step.kind === 'reps'
    ? [await reps.dispatch(step, l.metrics, { width: NPG_METRICS_WIDTH, eta: S.eta, kl: S.weightsKl, dualBefore: S.dualBefore, dualAfter: S.dualAfter })]
    : await gaeDispatches(cache, seg.tensor, l.returnStats, {
    envs: env.envs, steps: T, width: seg.width, rewardCol: seg.col('reward'), valueCol: seg.col('nextValue'), returnCol: seg.col('ret'),
      gamma: config.gamma, lambda: config.gaeLambda, stateValueCol: seg.col('value'), advCol: seg.col('adv'), positive: step.kind === 'weighted',
    });
  const natural = new NaturalGradient(l);
  const unit = new Recorder(ctx, `${name} train`).add(
    collect, ...weights, ...(await natural.policyUpdate(slots.read)), ...(reps ? [] : await natural.valueUpdate(slots.read)), await clock.commit(cache),
  );
  const state = trainingState({
    networks: { policy: policy.net, value },
    optimizers: { value: l.valueOpt, ...(l.policyOpt ? { policy: l.policyOpt } : {}) },
    env, clock, metrics: l.metrics, other: { return_stats: l.returnStats, ...(reps ? { 'reps.dual': reps.state } : {}) },
  });
  const searched: MetricSpec[] = step.kind === 'natural' && step.lineSearch
    ? [mean('kl', S.kl, 'updates'), mean('backtracks', S.backtracks, 'updates'), counter('rejected_steps', S.rejected)]
    : [];
  const fisher = step.kind === 'natural' ? [counter('fisher_products', S.fisherProducts)] : [];
  const metrics: MetricTable = {
    tensor: l.metrics,
    width: NPG_METRICS_WIDTH,
    specs: [
      ...policyFitMetrics(reps !== null),
      ...searched,
      counter('updates', S.updates),
      ...fisher,
    ],
  };
  const program = { recorder: unit, iterations: T };
  return { learner: l, parts: { warmup: program, train: program, warmupIterations: 0, state, metrics } };
}

/** The entropy, then REPS's dual statistics or the value fit's loss and count (shared with the recurrent weighted fit). */
export function policyFitMetrics(reps: boolean): MetricSpec[] {
  const S = NPG_METRIC_SLOTS;
  return [
    mean('entropy', S.entropy, 'updates'),
    ...(reps
      ? [mean('eta', S.eta, 'updates'), mean('weights_kl', S.weightsKl, 'updates'), mean('dual_before', S.dualBefore, 'updates'), mean('dual_after', S.dualAfter, 'updates')]
      // In units of the standardized returns.
      : [mean('value_loss', S.valueLoss, 'value_updates'), counter('value_updates', S.valueUpdates)]),
  ];
}

/** What the segment, the policy update and the value fit share. */
export interface NpgLearner extends Build<BatchConfig> {
  step: PolicyStep;
  /** RWR's optimizer of the weighted fit. */
  policyOpt?: Adam;
  policy: GaussianPolicy;
  value: Mlp;
  valueOpt: Adam;
  metrics: Tensor<'f32'>;
  segment: Trajectories<OnPolicyColumn>;
  returnStats: Tensor<'f32'>;
}

const CG: ShaderSource = withReduce('rl/conjugate_gradient.wgsl', [], cgWgsl);

/** The natural gradient step (fused/npg.wgsl, rl/conjugate_gradient.wgsl) and the value fit. */
export class NaturalGradient {
  /** Policy-shaped vectors per agent: CG's solution, residual and direction, and F times a direction. */
  readonly x: Tensor<'f32'>;
  readonly r: Tensor<'f32'>;
  readonly p: Tensor<'f32'>;
  readonly fv: Tensor<'f32'>;
  /** Per agent: [r.r, beta of the last step, s^T (F + damping I) s, CG iterations taken]. */
  readonly scalars: Tensor<'f32'>;
  readonly policyTape: Tensor<'f32'>;
  readonly valueTape: Tensor<'f32'>;
  readonly valueBatch: number;
  /** TRPO: the line search's candidate parameters [agents K, params] and their per-record (gain, KL). */
  readonly candidates: Tensor<'f32'> | null;
  readonly search: Tensor<'f32'> | null;
  private readonly shader: ShaderSource;

  private readonly lineSearch: LineSearch | undefined;

  constructor(private readonly l: NpgLearner) {
    this.lineSearch = l.step.kind === 'natural' ? l.step.lineSearch : undefined;
    const { ctx, env, policy, value, segment, config } = l;
    const size = policy.net.params.size;
    this.x = f32(ctx, 'npg.cg_x', [size]);
    this.r = f32(ctx, 'npg.cg_r', [size]);
    this.p = f32(ctx, 'npg.cg_p', [size]);
    this.fv = f32(ctx, 'npg.fisher_vector', [size]);
    this.scalars = f32(ctx, 'npg.cg_scalars', [env.agents, 4]);
    this.valueBatch = segment.rows / config.valueMinibatches;
    this.policyTape = f32(ctx, 'npg.policy_tape', [env.agents, segment.rows, tapeWidth(policy.net) + 1]);
    this.valueTape = f32(ctx, 'npg.value_tape', [env.agents, this.valueBatch, tapeWidth(value) + 1]);
    const K = this.lineSearch?.maxBacktracks ?? 0;
    this.candidates = K > 0 ? f32(ctx, 'trpo.candidates', [env.agents * K, policy.net.paramsPerAgent]) : null;
    this.search = K > 0 ? f32(ctx, 'trpo.search', [env.agents * K, segment.rows, 2]) : null;
    this.shader = rowModule(env, {
      kernel: { path: 'fused/npg.wgsl', code: npgWgsl },
      libraries: [{ path: 'fused/gaussian_row.wgsl', code: gaussianRowWgsl }, { path: 'fused/shuffle.wgsl', code: shuffleWgsl }],
      nets: [policy.net, value],
      weights: [{ name: 'policy', binding: 17 }, { name: 'value_net', binding: 18 }, { name: 'direction', binding: 19 }],
    });
  }

  private rows(entry: 'gradient_rows' | 'fisher_rows' | 'value_rows' | 'line_search_rows', o: { clockSlot: number; direction?: Tensor<'f32'>; epoch?: number; draw?: number; sign?: number }): Promise<Dispatch> {
    const { env, segment: seg, seed, policy, value, ctx, cache, clock } = this.l;
    const valueFit = entry === 'value_rows';
    const tape = valueFit ? this.valueTape : this.policyTape;
    const u = uniform()
      .u32(seg.rows).u32(valueFit ? this.valueBatch : seg.rows).u32(o.draw ?? 0).u32(o.epoch ?? 0)
      .u32(seed).u32(Stream.replay).u32(o.clockSlot).u32(seg.width)
      .u32(seg.col('x')).u32(seg.col('adv')).u32(seg.col('ret')).u32(tape.shape[2])
      .f32(LOG_STD_RANGE[0]).f32(LOG_STD_RANGE[1]).u32(this.lineSearch?.maxBacktracks ?? 0).f32(o.sign ?? 1);
    boundsAndShapes(u, env, [policy.net, value]);
    const search = entry === 'line_search_rows';
    // Every entry reads its weights through one `weight` accessor, so all three are bound (the
    // direction only matters to fisher_rows).
    const bindings: Record<number, Tensor | GPUBuffer> = {
      1: env.driverParams, 16: u.build(ctx, `npg ${entry}`), 17: policy.net.params, 18: value.params, 19: o.direction ?? this.x, 21: seg.tensor, 22: tape,
    };
    if (valueFit) bindings[8] = clock.tensor;
    if (search) {
      Object.assign(bindings, { 19: this.candidates!, 23: this.search! });
      delete bindings[22];
    }
    const agents = search ? env.agents * this.lineSearch!.maxBacktracks : env.agents;
    return rowDispatch(cache, this.shader, entry, bindings, { rows: valueFit ? this.valueBatch : seg.rows, agents }, `npg ${entry}`);
  }

  /** The sum over the policy tape's rows into `out`, the metric columns into `slots` and `counterSlot` counted. */
  private policySum(out: Tensor<'f32'>, slots: number[], counterSlot: number, clockSlot: number, label: string): Promise<Dispatch> {
    const { cache, policy, clock, metrics, segment } = this.l;
    return paramGradientDispatch(cache, {
      net: policy.net, tape: this.policyTape, rows: segment.rows, tapeWidth: this.policyTape.shape[2], clock: clock.tensor, clockSlot, commitClock: false, out,
      metrics: { tensor: metrics, width: NPG_METRICS_WIDTH, col: tapeWidth(policy.net), slots, counter: counterSlot }, label,
    });
  }

  private solver(entry: 'cg_begin' | 'cg_iterate' | 'npg_step' | 'trpo_candidates' | 'trpo_select'): Promise<Dispatch> {
    const { cache, policy, env, ctx, segment, metrics, step } = this.l;
    const lineSearch = this.lineSearch;
    if (step.kind !== 'natural') throw new Error(`${entry} belongs to the natural gradient step`);
    const S = NPG_METRIC_SLOTS;
    const u = uniform()
      .u32(policy.net.paramsPerAgent).f32(step.damping).f32(step.stepSize).f32(RESIDUAL_TOL)
      .f32(lineSearch?.backtrackRatio ?? 1).u32(lineSearch?.maxBacktracks ?? 0).u32(segment.rows).u32(NPG_METRICS_WIDTH)
      .u32(S.kl).u32(S.backtracks).u32(S.rejected).u32(0)
      .build(ctx, `npg ${entry}`);
    const used: Record<typeof entry, () => Record<number, Tensor | GPUBuffer>> = {
      cg_begin: () => ({ 1: policy.net.grads, 2: this.x, 3: this.r, 4: this.p, 6: this.scalars }),
      cg_iterate: () => ({ 2: this.x, 3: this.r, 4: this.p, 5: this.fv, 6: this.scalars }),
      npg_step: () => ({ 2: this.x, 5: this.fv, 6: this.scalars, 7: policy.net.params }),
      trpo_candidates: () => ({ 2: this.x, 5: this.fv, 6: this.scalars, 7: policy.net.params, 8: this.candidates! }),
      trpo_select: () => ({ 7: policy.net.params, 8: this.candidates!, 9: this.search!, 10: metrics }),
    };
    return makeDispatch(cache, { shader: CG, entryPoint: entry }, { 0: u, ...used[entry]() }, [env.agents], `npg ${entry}`);
  }

  /** TRPO's line search alone (candidates from x and F x, every candidate's rows, the choice), for tests. */
  async lineSearchDispatches(clockSlot: number): Promise<{ candidates: Dispatch; rows: Dispatch; select: Dispatch }> {
    return { candidates: await this.solver('trpo_candidates'), rows: await this.rows('line_search_rows', { clockSlot }), select: await this.solver('trpo_select') };
  }

  /** One Fisher-vector product: F `direction` into fv. */
  private async fisherProduct(direction: Tensor<'f32'>, clockSlot: number): Promise<Dispatch[]> {
    return [await this.rows('fisher_rows', { clockSlot, direction }), await this.policySum(this.fv, [], NPG_METRIC_SLOTS.fisherProducts, clockSlot, 'npg Fisher-vector product')];
  }

  /**
   * g, conjugate gradient, the KL-bounded step (TNPG) or the line search along it (TRPO); or the
   * weighted maximum-likelihood fit (RWR): steps of Adam on -(1 / M) sum_r w_r log pi(x_r | s_r).
   */
  async policyUpdate(clockSlot: number): Promise<Dispatch[]> {
    const S = NPG_METRIC_SLOTS;
    const { step } = this.l;
    if (step.kind !== 'natural') {
      const out: Dispatch[] = [];
      for (let k = 0; k < step.fitSteps; k++) {
        // The entropy is reported once per update, from the first step's rows.
        out.push(
          await this.rows('gradient_rows', { clockSlot, sign: -1 }),
          await this.policySum(this.l.policy.net.grads, k === 0 ? [S.entropy] : [], k === 0 ? S.updates : S.fitSteps, clockSlot, 'weighted fit'),
          ...(await this.l.policyOpt!.step(this.l.cache)),
        );
      }
      return out;
    }
    const out = [
      await this.rows('gradient_rows', { clockSlot }),
      await this.policySum(this.l.policy.net.grads, [S.entropy], S.updates, clockSlot, 'npg policy gradient'),
      await this.solver('cg_begin'),
    ];
    for (let k = 0; k < step.cgIterations; k++) out.push(...(await this.fisherProduct(this.p, clockSlot)), await this.solver('cg_iterate'));
    out.push(...(await this.fisherProduct(this.x, clockSlot)));
    if (this.lineSearch) {
      const search = await this.lineSearchDispatches(clockSlot);
      out.push(search.candidates, search.rows, search.select);
    } else {
      out.push(await this.solver('npg_step'));
    }
    return out;
  }

  /** The value net's epochs of shuffled minibatches. */
  async valueUpdate(clockSlot: number): Promise<Dispatch[]> {
    const { cache, config, value, clock, metrics } = this.l;
    const out: Dispatch[] = [];
    for (let epoch = 0; epoch < config.valueEpochs; epoch++) {
      for (let draw = 0; draw < config.valueMinibatches; draw++) {
        out.push(await this.rows('value_rows', { clockSlot, epoch, draw }));
        out.push(await paramGradientDispatch(cache, {
          net: value, tape: this.valueTape, rows: this.valueBatch, tapeWidth: this.valueTape.shape[2], clock: clock.tensor, clockSlot, commitClock: false,
          metrics: { tensor: metrics, width: NPG_METRICS_WIDTH, col: tapeWidth(value), slots: [NPG_METRIC_SLOTS.valueLoss], counter: NPG_METRIC_SLOTS.valueUpdates }, label: 'npg value gradient',
        }));
        out.push(...(await this.l.valueOpt.step(cache)));
      }
    }
    return out;
  }
}

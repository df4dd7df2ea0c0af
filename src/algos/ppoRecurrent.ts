/**
 * PPO with a recurrent policy (`--recurrent gru|lstm`): pi(a_t | h_t), h_t = f(h_{t-1}, o_t), the
 * clipped surrogate's gradient through the log-probabilities by backpropagation through time. The
 * feedforward PPO runs as row programs (ppo.ts); a cell's step depends on the previous one, so
 * this PPO runs through the stochastic computation graph instead. Every training unit is
 *
 *   collect   T steps of every env, one dispatch per layer and step (common/layerCollect.ts, as
 *             REINFORCE): obs, the Gaussian sample x, reward and flags, V(s'); the state at the
 *             segment's start and the per-step reset flags
 *   old       the segment's hidden states recomputed from its start (the update's own
 *             computation, so the first minibatch's ratios are exactly 1), log pi_old(x_t) and V(s_t)
 *   returns   GAE(lambda), returns and advantages standardized, as the feedforward PPO
 *   update    per epoch, per minibatch of whole env sequences (envs / minibatches of them, in a
 *             seeded order drawn per epoch when the unit is built: the same order every unit):
 *             the graph over its B x T rows - cell over the sequence (hidden states reset where
 *             episodes began, BPTT truncated with --truncation), policy head, the clipped
 *             surrogate (rl/sample_losses.wgsl) and the entropy bonus, V(s) and the (clipped) value
 *             loss - forward and backward, then one Adam step of the cell, the policy network and V
 *
 * Differences from the feedforward PPO: the cell, the policy head and V each clip their gradient
 * to --max-grad-norm (the feedforward PPO: policy and V); minibatches hold whole sequences (as
 * CleanRL's ppo_atari_lstm.py), so --minibatches must divide the envs; V is feedforward on o_t.
 */
import type { EnvBatch } from '../envs/batch.js';
import { ConfigError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { type MatrixView, matrix } from '../gpu/view.js';
import { Adam } from '../nn/adam.js';
import type { Mlp } from '../nn/mlp.js';
import type { Clock } from '../rng/clock.js';
import { Graph } from '../scg/graph.js';
import { mapDispatch } from '../scg/ops.js';
import type { AlgorithmParts, RunShape } from './common/algorithm.js';
import { collectByLayers } from './common/layerCollect.js';
import type { MetricTable } from './common/metrics.js';
import { Trajectories } from './common/minibatch.js';
import { SURROGATE_COLUMNS, logProbDispatch, surrogateBackwardDispatch, surrogateDispatch, valueLossBackwardDispatch, valueLossDispatch } from './common/sampleLosses.js';
import { checkRecurrent, type RecurrentPolicy } from './common/recurrentPolicy.js';
import { gaeDispatches } from './common/returns.js';
import { type OnPolicyColumn, onPolicySegment } from './common/segmentRows.js';
import { trainingState } from './common/state.js';
import type { PpoConfig } from './ppo.js';
import { ppoMetricSpecs } from './common/ppoMetrics.js';

/** Metric slots of the recurrent PPO (the feedforward PPO's first seven, then its cost terms). */
const SLOTS = { pgLoss: 0, approxKl: 1, clipFraction: 2, entropy: 3, updates: 4, valueLoss: 5, valueUpdates: 6, valueCost: 7, entropyBonus: 8 } as const;
const METRICS_WIDTH = 9;

/** Settings the recurrent PPO needs, checked before any GPU work. */
export function checkRecurrentPpo(run: RunShape, config: PpoConfig): void {
  if (run.envs % config.minibatches !== 0) {
    const nearest = Array.from({ length: Math.min(config.minibatches, run.envs) }, (_, i) => Math.min(config.minibatches, run.envs) - i).find((d) => run.envs % d === 0);
    throw new ConfigError('--minibatches', config.minibatches, `a divisor of the envs (${run.envs}), e.g. ${nearest}: a recurrent policy's minibatches hold whole env sequences`);
  }
  checkRecurrent(run, config.segment, config);
}

/** The deterministic per-epoch order of the minibatches (a seeded shuffle, drawn when the unit is built). */
export function minibatchOrder(seed: number, epoch: number, count: number): number[] {
  let a = (seed * 0x9e3779b1 + epoch * 0x85ebca6b + 1) >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** What the recurrent PPO's passes share. */
export interface RecurrentPpoLearner {
  ctx: GpuContext;
  cache: PipelineCache;
  env: EnvBatch;
  clock: Clock;
  config: PpoConfig;
  seed: number;
  policy: RecurrentPolicy;
  value: Mlp;
  segment: Trajectories<OnPolicyColumn>;
  returnStats: Tensor<'f32'>;
  metrics: Tensor<'f32'>;
  record: { segmentStart: Tensor<'f32'>; resets: Tensor<'f32'> };
  optimizers: { policy: Adam; recurrent: Adam; value: Adam };
}

const copy = (cache: PipelineCache, a: MatrixView, out: MatrixView, label: string) => mapDispatch(cache, { op: 'add', a, alpha: 1, beta: 0, out }, label);

/** log pi_old(x_t) and V(s_t) of every step, from the segment's hidden states recomputed from its start. */
export async function oldPass(l: RecurrentPpoLearner): Promise<Dispatch[]> {
  const { ctx, cache, env, segment: seg, policy, value, config } = l;
  const rows = seg.rows, agents = env.agents;
  const seq = policy.cell.bind(cache, seg.flat('obs'), { steps: config.segment, h0: l.record.segmentStart, resets: l.record.resets, order: 'env', label: `${policy.cell.label} (old)` });
  const heads = policy.net.bind(cache, seq.output, { label: `${policy.net.label} (old)` });
  const logp = matrix(f32(ctx, 'ppo.old_logp', [agents, rows, 1]), { agents, rows, cols: 1 });
  const v = value.bind(cache, seg.flat('obs'), { label: 'value (old)' });
  return [
    ...(await seq.forward()), ...(await heads.forward()),
    await logProbDispatch(cache, { heads: heads.output, x: seg.flat('x'), out: logp }, 'log pi_old(x)'),
    await copy(cache, logp, seg.flat('logp'), 'store log pi_old'),
    ...(await v.forward()),
    await copy(cache, v.output, seg.flat('value'), 'store V(s)'),
  ];
}

/** Minibatch k's dispatches, and the losses its forward pass writes. */
export interface RecurrentMinibatch {
  /** Copies of its envs' start states and reset flags (once per unit). */
  gather: Dispatch[];
  forward: Dispatch[];
  backward: Dispatch[];
  /** The Adam steps of the policy network, the cell and V. */
  step: Dispatch[];
  /** Per row: the surrogate's columns (SURROGATE_COLUMNS) and the value loss. */
  surrogate: MatrixView;
  valueLoss: MatrixView;
}

/** The graph of minibatch `k` (envs kB..(k+1)B - 1, all T steps). */
export async function minibatchGraph(l: RecurrentPpoLearner, k: number): Promise<RecurrentMinibatch> {
  const { ctx, cache, env, segment: seg, policy, value, config } = l;
  const agents = env.agents, N = env.envs, T = config.segment, B = N / config.minibatches, rows = B * T;
  const S = policy.cell.stateWidth, W = seg.width;
  const label = `ppo minibatch ${k}`;
  const start = f32(ctx, `${label}.segment_start`, [agents, B, S]);
  const resets = f32(ctx, `${label}.resets`, [agents, rows]);
  const gather = [
    await copy(cache, matrix(l.record.segmentStart, { agents, rows: B, cols: S, offset: k * B * S, agentStride: N * S }), matrix(start, { agents, rows: B, cols: S }), `${label}: start states`),
    await copy(cache, matrix(l.record.resets, { agents, rows, cols: 1, offset: k * rows, agentStride: N * T }), matrix(resets, { agents, rows, cols: 1 }), `${label}: reset flags`),
  ];
  // The minibatch's records: a contiguous block of rows of every agent's segment.
  const block = (name: OnPolicyColumn) => {
    const flat = seg.flat(name);
    return matrix(seg.tensor, { agents, rows, cols: flat.cols, offset: k * rows * W + seg.col(name), rowStride: W, agentStride: N * T * W });
  };
  const g = new Graph(ctx, cache, { agents, rows, clock: l.clock, label, metrics: { tensor: l.metrics, width: METRICS_WIDTH, firstSlot: 0 } });
  const s = g.input(block('obs'), { label: 's' });
  const h = policy.hidden(g, s, { steps: T, segmentStart: start, resets, truncation: config.truncation || undefined });
  const heads = g.mlp(policy.net, h, { label: 'policy' });

  const surrogateOut = matrix(f32(ctx, `${label}.surrogate`, [agents, rows, 4]), { agents, rows, cols: 4 });
  const views = { heads: heads.view, x: block('x'), oldLogp: block('logp'), adv: block('adv'), out: surrogateOut };
  const [surrogate] = g.custom({
    label: 'clipped surrogate', inputs: [heads], outputs: [surrogateOut], outputLabels: ['surrogate'],
    forward: [await surrogateDispatch(cache, views, config.clip)],
    backward: [await surrogateBackwardDispatch(cache, views, g.grad(surrogateOut), g.grad(heads), config.clip)],
  });
  g.sumCost(g.slice(surrogate, SURROGATE_COLUMNS.loss, 1), { label: 'policy loss', metricSlot: SLOTS.pgLoss });
  if (config.entropyCoef > 0) g.sumCost(g.slice(surrogate, SURROGATE_COLUMNS.entropy, 1), { scale: -config.entropyCoef, label: 'entropy bonus', metricSlot: SLOTS.entropyBonus });
  // Metrics alone: inputs over the surrogate's other columns carry no gradient.
  const metric = (col: number, slot: number, name: string) => g.sumCost(g.input({ ...surrogateOut, offset: surrogateOut.offset + col, cols: 1 }, { label: name }), { label: name, metricSlot: slot });
  metric(SURROGATE_COLUMNS.approxKl, SLOTS.approxKl, 'approx KL');
  metric(SURROGATE_COLUMNS.clipped, SLOTS.clipFraction, 'clip fraction');
  metric(SURROGATE_COLUMNS.entropy, SLOTS.entropy, 'entropy');
  g.counter('updates', SLOTS.updates);

  const v = g.mlp(value, s, { label: 'V' });
  const lossOut = matrix(f32(ctx, `${label}.value_loss`, [agents, rows, 1]), { agents, rows, cols: 1 });
  const valueViews = { v: v.view, ret: block('ret'), oldValue: block('value'), stats: l.returnStats, out: lossOut };
  const o = { clip: config.clip, clipValue: config.clipValueLoss === 'on' };
  const [valueLoss] = g.custom({
    label: 'value loss', inputs: [v], outputs: [lossOut], outputLabels: ['value loss'],
    forward: [await valueLossDispatch(cache, valueViews, o)],
    backward: [await valueLossBackwardDispatch(cache, valueViews, g.grad(lossOut), g.grad(v), o)],
  });
  g.sumCost(valueLoss, { scale: config.valueCoef, label: 'value cost', metricSlot: SLOTS.valueCost });
  g.sumCost(g.input(lossOut, { label: 'value loss (metric)' }), { label: 'value loss (metric)', metricSlot: SLOTS.valueLoss });
  g.counter('value updates', SLOTS.valueUpdates);

  const { forward, backward } = await g.compile();
  const { optimizers } = l;
  const step = [...(await optimizers.policy.step(cache)), ...(await optimizers.recurrent.step(cache)), ...(await optimizers.value.step(cache))];
  return { gather, forward, backward, step, surrogate: surrogateOut, valueLoss: lossOut };
}

/** The segment, its record of states and flags, metrics and optimizers of the networks Ppo.networks built. */
export function recurrentPpoLearner(
  ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: PpoConfig, seed: number, policy: RecurrentPolicy, value: Mlp,
): RecurrentPpoLearner {
  const T = config.segment, N = env.envs, agents = env.agents;
  const adam = (params: Tensor<'f32'>, grads: Tensor<'f32'>, label: string) => new Adam(ctx, params, grads, agents, { lr: config.lr, maxGradNorm: config.maxGradNorm }, label);
  const l: RecurrentPpoLearner = {
    ctx, cache, env, clock, config, seed, policy, value,
    segment: onPolicySegment(ctx, 'ppo.segment', env, T),
    returnStats: f32(ctx, 'ppo.return_stats', [agents, 2], Array.from({ length: agents }, () => [0, 1]).flat()),
    metrics: f32(ctx, 'ppo.metrics', [agents, METRICS_WIDTH]),
    record: { segmentStart: f32(ctx, 'ppo.segment_start_state', [agents, N, policy.cell.stateWidth]), resets: f32(ctx, 'ppo.segment_resets', [agents, N * T]) },
    optimizers: {
      policy: adam(policy.net.params, policy.net.grads, 'policy.adam'),
      recurrent: adam(policy.cell.params, policy.cell.grads, 'recurrent.adam'),
      value: adam(value.params, value.grads, 'value.adam'),
    },
  };
  return l;
}

/** The recurrent PPO's training unit, state and metrics. */
export async function recurrentPpoParts(l: RecurrentPpoLearner): Promise<AlgorithmParts> {
  const { ctx, cache, env, clock, config, seed, policy, value } = l;
  const T = config.segment, N = env.envs;
  const steps = await collectByLayers({ ctx, cache, env, clock, seed, policy, value, T, segment: l.segment, recurrent: l.record, label: 'ppo' });
  const seg = l.segment;
  const returns = await gaeDispatches(cache, seg.tensor, l.returnStats, {
    envs: N, steps: T, width: seg.width, rewardCol: seg.col('reward'), valueCol: seg.col('nextValue'), returnCol: seg.col('ret'),
    gamma: config.gamma, lambda: config.gaeLambda, stateValueCol: seg.col('value'), advCol: seg.col('adv'),
  });
  const graphs: RecurrentMinibatch[] = [];
  for (let k = 0; k < config.minibatches; k++) graphs.push(await minibatchGraph(l, k));
  const update = (m: RecurrentMinibatch) => [...m.forward, ...m.backward, ...m.step];
  const epochs = Array.from({ length: config.epochs }, (_, e) => minibatchOrder(seed, e, config.minibatches).flatMap((k) => update(graphs[k])));
  const unit = new Recorder(ctx, 'ppo (recurrent) train').add(...steps.flat(), ...(await oldPass(l)), ...returns, ...graphs.flatMap((m) => m.gather), ...epochs.flat());
  const state = trainingState({
    networks: { policy: policy.net, value },
    optimizers: { policy: l.optimizers.policy, value: l.optimizers.value, recurrent: l.optimizers.recurrent },
    env, clock, metrics: l.metrics,
    // The reset flags come from the env's last step flags (step_out), read before stepping.
    other: { return_stats: l.returnStats, 'recurrent.params': policy.cell.params, 'recurrent.acting_state': policy.state, 'env.step_out': env.stepOut },
  });
  const metrics: MetricTable = {
    tensor: l.metrics,
    width: METRICS_WIDTH,
    specs: ppoMetricSpecs(SLOTS),
  };
  const warmup = { recorder: new Recorder(ctx, 'ppo (recurrent) warmup').add(...steps[0]), iterations: 1 };
  return { warmup, train: { recorder: unit, iterations: T }, warmupIterations: 0, state, metrics };
}

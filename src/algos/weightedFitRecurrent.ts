/**
 * RWR and REPS with a recurrent policy (`--recurrent gru|lstm`): the weighted maximum-likelihood
 * fit of pi(a_t | h_t), h_t = f(h_{t-1}, o_t), by backpropagation through time. The feedforward
 * methods run as row programs (common/naturalGradient.ts); a cell's step depends on the previous
 * one, so here the policy runs through the stochastic computation graph. Every training unit is
 *
 *   collect   T steps of every env, one dispatch per layer and step (common/layerCollect.ts):
 *             obs, the Gaussian sample x, reward and flags, V(s') (REPS: the step's time in its
 *             episode); the state at the segment's start and the per-step reset flags
 *   weights   RWR: V(s) over the segment, GAE(lambda) advantages standardized and shifted to
 *             positive weights; REPS: its dual's weights exp(delta / eta) (common/repsDual.ts)
 *   fit       `fitSteps` Adam steps (the policy network and the cell) on the graph over all N x T
 *             rows: the cell over every env's sequence from its stored start, the policy head,
 *             the cost -w log pi(x) (rl/sample_losses.wgsl), the mean over rows
 *   value     RWR: the value net's epochs of minibatches, the feedforward RWR's row program (V
 *             reads o_t); REPS fits no value net
 */
import type { EnvBatch } from '../envs/batch.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import { f32 } from '../gpu/tensor.js';
import { matrix } from '../gpu/view.js';
import { Adam } from '../nn/adam.js';
import type { Mlp } from '../nn/mlp.js';
import { type CellKind, RecurrentCell } from '../nn/recurrent.js';
import type { Clock } from '../rng/clock.js';
import { Graph } from '../scg/graph.js';
import { mapDispatch } from '../scg/ops.js';
import type { AlgorithmParts } from './common/algorithm.js';
import type { GaussianPolicy } from './common/gaussianPolicy.js';
import { collectByLayers } from './common/layerCollect.js';
import { type MetricTable, counter } from './common/metrics.js';
import { NPG_METRICS_WIDTH, NPG_METRIC_SLOTS, NaturalGradient, type NpgLearner, npgNetworks, policyFitMetrics } from './common/naturalGradient.js';
import { RecurrentPolicy } from './common/recurrentPolicy.js';
import { gaeDispatches } from './common/returns.js';
import { weightedNllBackwardDispatch, weightedNllDispatch } from './common/sampleLosses.js';
import { onPolicySegment } from './common/segmentRows.js';
import { trainingState } from './common/state.js';
import { RepsDual } from './common/repsDual.js';
import type { BatchConfig, PolicyStep } from './common/naturalGradient.js';

/** A metric slot the fit's cost reports into (not shown: the entropy and counters are). */
const FIT_COST_SLOT = 13;

/** The recurrent options of the batch methods that take them (recurrentSchema). */
export interface RecurrentBatchConfig extends BatchConfig {
  recurrent: string;
  recurrentWidth: number;
  truncation: number;
}

/** RWR's and REPS's networks: the Gaussian policy (after a recurrent cell with --recurrent) and V(s). */
export function weightedFitNetworks(ctx: GpuContext, env: EnvBatch, config: RecurrentBatchConfig, seed: number): { policy: GaussianPolicy | RecurrentPolicy; value: Mlp } {
  if (config.recurrent === 'none') return npgNetworks(ctx, env, config, seed);
  const cell = RecurrentCell.create(ctx, { kind: config.recurrent as CellKind, inDim: env.obsWidth, hidden: config.recurrentWidth, agents: env.agents }, { seed, stream: 3, label: 'recurrent' });
  const { policy, value } = npgNetworks(ctx, env, config, seed, config.recurrentWidth);
  return { policy: new RecurrentPolicy(cell, policy, env), value };
}

/** A recurrent RWR's or REPS's learner (its policy the cell's Gaussian head) and parts. */
export async function recurrentWeightedFit(
  name: string, ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: RecurrentBatchConfig, seed: number,
  step: Extract<PolicyStep, { kind: 'weighted' | 'reps' }>, policy: RecurrentPolicy, value: Mlp,
): Promise<{ learner: NpgLearner; parts: AlgorithmParts }> {
  const T = config.segment, N = env.envs, agents = env.agents;
  const head = policy.headPolicy as GaussianPolicy;
  const cell = policy.cell;
  const l: NpgLearner = {
    ctx, cache, env, clock, config, seed, policy: head, value,
    step,
    policyOpt: new Adam(ctx, head.net.params, head.net.grads, agents, { lr: step.fitLr }, 'policy.adam'),
    valueOpt: new Adam(ctx, value.params, value.grads, agents, { lr: config.valueLr }, 'value.adam'),
    metrics: f32(ctx, `${name}.metrics`, [agents, NPG_METRICS_WIDTH]),
    segment: onPolicySegment(ctx, `${name}.segment`, env, T),
    returnStats: f32(ctx, `${name}.return_stats`, [agents, 2], Array.from({ length: agents }, () => [0, 1]).flat()),
  };
  const cellOpt = new Adam(ctx, cell.params, cell.grads, agents, { lr: step.fitLr }, 'recurrent.adam');
  const record = { segmentStart: f32(ctx, `${name}.segment_start_state`, [agents, N, cell.stateWidth]), resets: f32(ctx, `${name}.segment_resets`, [agents, N * T]) };
  const seg = l.segment;
  const reps = step.kind === 'reps' ? new RepsDual(cache, env, seg) : null;
  const steps = await collectByLayers({ ctx, cache, env, clock, seed, policy, value, T, segment: seg, recurrent: record, label: name, time: reps !== null });
  const S = NPG_METRIC_SLOTS;
  let weights: Dispatch[];
  if (reps && step.kind === 'reps') {
    weights = [await reps.dispatch(step, l.metrics, { width: NPG_METRICS_WIDTH, eta: S.eta, kl: S.weightsKl, dualBefore: S.dualBefore, dualAfter: S.dualAfter })];
  } else {
    const v = value.bind(cache, seg.flat('obs'), { label: 'value (segment)' });
    weights = [
      ...(await v.forward()), await mapDispatch(cache, { op: 'add', a: v.output, alpha: 1, beta: 0, out: seg.flat('value') }, 'store V(s)'),
      ...(await gaeDispatches(cache, seg.tensor, l.returnStats, {
        envs: N, steps: T, width: seg.width, rewardCol: seg.col('reward'), valueCol: seg.col('nextValue'), returnCol: seg.col('ret'),
        gamma: config.gamma, lambda: config.gaeLambda, stateValueCol: seg.col('value'), advCol: seg.col('adv'), positive: true,
      })),
    ];
  }

  // The first fit step reports the entropy and counts the update; the others count fit steps.
  const fitGraph = async (first: boolean): Promise<Dispatch[]> => {
    const rows = seg.rows;
    const g = new Graph(ctx, cache, { agents, rows, clock, label: `${name} fit${first ? '' : ' (later steps)'}`, metrics: { tensor: l.metrics, width: NPG_METRICS_WIDTH, firstSlot: 0 } });
    const s = g.input(seg.flat('obs'), { label: 's' });
    const h = policy.hidden(g, s, { steps: T, segmentStart: record.segmentStart, resets: record.resets, truncation: config.truncation || undefined });
    const heads = g.mlp(head.net, h, { label: 'policy' });
    const out = matrix(f32(ctx, `${g.label}.nll`, [agents, rows, 2]), { agents, rows, cols: 2 });
    const views = { heads: heads.view, x: seg.flat('x'), weights: seg.flat('adv'), out };
    const [nll] = g.custom({
      label: '-w log pi(x)', inputs: [heads], outputs: [out], outputLabels: ['-w log pi(x) | entropy'],
      forward: [await weightedNllDispatch(cache, views)],
      backward: [await weightedNllBackwardDispatch(cache, views, g.grad(out), g.grad(heads))],
    });
    g.sumCost(g.slice(nll, 0, 1), { label: 'weighted -log-likelihood', metricSlot: FIT_COST_SLOT });
    if (first) {
      g.sumCost(g.input({ ...out, offset: out.offset + 1, cols: 1 }, { label: 'entropy' }), { label: 'entropy', metricSlot: S.entropy });
      g.counter('updates', S.updates);
    } else {
      g.counter('fit steps', S.fitSteps);
    }
    const { forward, backward } = await g.compile();
    return [...forward, ...backward, ...(await l.policyOpt!.step(cache)), ...(await cellOpt.step(cache))];
  };
  const fit = [...(await fitGraph(true))];
  if (step.fitSteps > 1) {
    const later = await fitGraph(false);
    for (let k = 1; k < step.fitSteps; k++) fit.push(...later);
  }
  // The value fit reads the clock's slot 0: layer collection ticks it each step (no commit needed).
  const valueFit = reps ? [] : await new NaturalGradient(l).valueUpdate(0);
  const unit = new Recorder(ctx, `${name} (recurrent) train`).add(...steps.flat(), ...weights, ...fit, ...valueFit);
  const state = trainingState({
    networks: { policy: head.net, value },
    optimizers: { value: l.valueOpt, policy: l.policyOpt!, recurrent: cellOpt },
    env, clock, metrics: l.metrics,
    other: {
      return_stats: l.returnStats, 'recurrent.params': cell.params, 'recurrent.acting_state': policy.state, 'env.step_out': env.stepOut,
      ...(reps ? { 'reps.dual': reps.state } : {}),
    },
  });
  const metrics: MetricTable = {
    tensor: l.metrics,
    width: NPG_METRICS_WIDTH,
    specs: [
      ...policyFitMetrics(reps !== null),
      counter('updates', S.updates),
    ],
  };
  const warmup = { recorder: new Recorder(ctx, `${name} (recurrent) warmup`).add(...steps[0]), iterations: 1 };
  return { learner: l, parts: { warmup, train: { recorder: unit, iterations: T }, warmupIterations: 0, state, metrics } };
}

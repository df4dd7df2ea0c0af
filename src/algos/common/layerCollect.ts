/**
 * On-policy segment collection one dispatch per layer and step (the path of policies the segment
 * row program does not take: recurrent cells, discrete samples): T steps of every env, each step
 * recording obs, the sample x, reward and flags, and V(s') into its block of the segment. A
 * recurrent policy also keeps the state at the segment's start and the per-step reset flags, from
 * which the learner's graph recomputes the segment's hidden states (REINFORCE, recurrent PPO).
 */
import { type EnvBatch, recordWidth } from '../../envs/batch.js';
import { stateDim } from '../../envs/types.js';
import type { GpuContext } from '../../gpu/context.js';
import type { Dispatch, PipelineCache } from '../../gpu/kernel.js';
import { f32, type Tensor } from '../../gpu/tensor.js';
import { type MatrixView, matrix } from '../../gpu/view.js';
import type { Mlp } from '../../nn/mlp.js';
import type { Clock } from '../../rng/clock.js';
import { mapDispatch } from '../../scg/ops.js';
import type { Trajectories } from './minibatch.js';
import type { StochasticPolicy } from './policy.js';
import { RecurrentPolicy } from './recurrentPolicy.js';

/** The columns layer collection writes (reward, terminated, truncated adjacent). */
export type CollectedColumn = 'obs' | 'x' | 'reward' | 'terminated' | 'truncated' | 'nextValue';

/** A recurrent policy's record of a segment: the state at its start, [agents x N x state], and reset flags, [agents x N * T] (rows n * T + t). */
export interface RecurrentSegment {
  segmentStart: Tensor<'f32'>;
  resets: Tensor<'f32'>;
}

export interface LayerCollectParts<K extends string> {
  ctx: GpuContext;
  cache: PipelineCache;
  env: EnvBatch;
  clock: Clock;
  seed: number;
  policy: StochasticPolicy;
  value: Mlp;
  /** Steps per segment. */
  T: number;
  segment: Trajectories<K | CollectedColumn>;
  /** Where a recurrent policy's segment start and reset flags go (null for feedforward policies). */
  recurrent: RecurrentSegment | null;
  label: string;
  /** Also store each step's time within its episode (when it acted) in the segment's `time` column (REPS's features). */
  time?: boolean;
}

/** The segment's T steps of every env, one dispatch list per step. */
export async function collectByLayers<K extends string>(l: LayerCollectParts<K>): Promise<Dispatch[][]> {
  const { cache, env, clock, segment } = l;
  const N = env.envs, agents = env.agents, O = env.obsWidth;
  const action = f32(l.ctx, `${l.label}.action`, [agents * N, env.actionDim]);
  const nextValue = l.value.bind(cache, matrix(env.nextObs, { agents, rows: N, cols: O, rowStride: O + env.def.goalDim }), { label: "value (s')" });
  const stepOut = matrix(env.stepOut, { agents, rows: N, cols: 3 });
  const copy = (a: MatrixView, out: MatrixView, label: string) => mapDispatch(cache, { op: 'add', a, alpha: 1, beta: 0, out }, label);
  const actor = await l.policy.acting(cache, env, clock, { seed: l.seed, action });
  const steps: Dispatch[][] = [];
  const r = l.recurrent, policy = l.policy;
  const recurrent = r && policy instanceof RecurrentPolicy ? { r, policy, width: policy.cell.stateWidth } : null;
  const timeOf = l.time ? matrix(env.envState, { agents, rows: N, cols: 1, offset: stateDim(env.def), rowStride: recordWidth(env.def) }) : null;
  const state = recurrent && (await copy(matrix(recurrent.policy.state, { agents, rows: N, cols: recurrent.width }), matrix(recurrent.r.segmentStart, { agents, rows: N, cols: recurrent.width }), 'store the state at the segment start'));
  for (let t = 0; t < l.T; t++) {
    const resets = recurrent && (await copy(matrix(recurrent.policy.resets, { agents, rows: N, cols: 1 }), matrix(recurrent.r.resets, { agents, rows: N, cols: 1, offset: t, rowStride: l.T }), 'store reset flags'));
    steps.push([
      await clock.tick(cache),
      await copy(env.obsView, segment.at(t, 'obs'), 'store obs'),
      ...(state && t === 0 ? [state] : []),
      ...(await actor.step(segment.at(t, 'x'))),
      ...(resets ? [resets] : []),
      ...(timeOf ? [await copy(timeOf, (segment as Trajectories<CollectedColumn | 'time'>).at(t, 'time'), 'store time')] : []),
      env.stepDispatch,
      await copy(stepOut, segment.at(t, 'reward', 'truncated'), 'store reward'),
      ...(await nextValue.forward()),
      await copy(nextValue.output, segment.at(t, 'nextValue'), "store V(s')"),
    ]);
  }
  return steps;
}

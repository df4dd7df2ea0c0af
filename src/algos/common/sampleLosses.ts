/**
 * Per-row losses on stored Gaussian samples and their VJPs as dispatches for graph nodes
 * (shaders/rl/sample_losses.wgsl): the log-probability, PPO's clipped surrogate (with approx KL,
 * clip fraction and entropy beside it) and (clipped) value loss, RWR's weighted log-likelihood.
 * The recurrent PPO and RWR build their updates from them; the feedforward ones compute the same
 * inside their row programs (fused/ppo.wgsl, fused/npg.wgsl).
 */
import { ConfigError } from '../../errors.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../../gpu/kernel.js';
import { type ShaderSource, view } from '../../gpu/shaders.js';
import type { Tensor } from '../../gpu/tensor.js';
import { uniform } from '../../gpu/uniform.js';
import type { MatrixView } from '../../gpu/view.js';
import { LOG_STD_RANGE } from './segmentRows.js';
import sampleLossesWgsl from '../../../shaders/rl/sample_losses.wgsl?raw';

const SAMPLE_LOSSES: ShaderSource = { path: 'rl/sample_losses.wgsl (after common/view.wgsl)', code: `${view}\n${sampleLossesWgsl}` };

/** Columns of the surrogate's output per row. */
export const SURROGATE_COLUMNS = { loss: 0, approxKl: 1, clipped: 2, entropy: 3 } as const;

export interface SurrogateViews {
  /** The policy network's output [mu | log sigma], [agents x rows x 2A]. */
  heads: MatrixView;
  /** The stored samples, [agents x rows x A]; log pi_old and A, [agents x rows x 1]: all in one tensor (the segment). */
  x: MatrixView;
  oldLogp: MatrixView;
  adv: MatrixView;
  /** [agents x rows x 4]: loss, approx KL, clipped, entropy (the `SURROGATE_COLUMNS`). */
  out: MatrixView;
}

export interface ValueLossViews {
  /** V(s) in standardized units, [agents x rows x 1]. */
  v: MatrixView;
  /** The standardized return and V_old in raw units (as rl/returns.wgsl's gae leaves it): one tensor. */
  ret: MatrixView;
  oldValue: MatrixView;
  /** (mean, std) of the segment's returns, [agents x 2]. */
  stats: Tensor<'f32'>;
  out: MatrixView;
}

function shaped(label: string, name: string, v: MatrixView, agents: number, rows: number, cols: number): void {
  if (v.agents !== agents || v.rows !== rows || v.cols !== cols) {
    throw new ConfigError(`${label} ${name}`, `[${v.agents} x ${v.rows} x ${v.cols}]`, `[${agents} x ${rows} x ${cols}]`);
  }
}

function sameTensor(label: string, views: Record<string, MatrixView>): void {
  const [first, ...rest] = Object.entries(views);
  for (const [name, v] of rest) {
    if (v.tensor !== first[1].tensor) throw new ConfigError(`${label} ${name}`, v.tensor.label, `a view into ${first[1].tensor.label}, as ${first[0]} is (one read binding)`);
  }
}

function twinOf(label: string, out: MatrixView, dout: MatrixView): void {
  if (dout.agents !== out.agents || dout.rows !== out.rows || dout.cols !== out.cols || dout.offset !== out.offset || dout.rowStride !== out.rowStride || dout.agentStride !== out.agentStride) {
    throw new ConfigError(`${label} dout`, 'a different layout', "the output's layout (its gradient twin)");
  }
}

function checkSurrogate(label: string, v: SurrogateViews, outCols: number): number {
  const { agents, rows } = v.heads;
  if (v.heads.cols % 2 !== 0) throw new ConfigError(`${label} heads`, v.heads.cols, 'an even number of columns ([mu | log sigma])');
  const A = v.heads.cols / 2;
  shaped(label, 'x', v.x, agents, rows, A);
  shaped(label, 'old log-probabilities', v.oldLogp, agents, rows, 1);
  shaped(label, 'advantages', v.adv, agents, rows, 1);
  shaped(label, 'output', v.out, agents, rows, outCols);
  sameTensor(label, { x: v.x, oldLogp: v.oldLogp, adv: v.adv });
  return A;
}

function params(cache: PipelineCache, o: { rows: number; actDim: number; clip: number; clipValue: boolean }, views: MatrixView[], label: string): GPUBuffer {
  const u = uniform().u32(o.rows).u32(o.actDim).f32(o.clip).u32(o.clipValue ? 1 : 0).f32(LOG_STD_RANGE[0]).f32(LOG_STD_RANGE[1]).u32(0).u32(0);
  for (const v of views) u.view(v);
  return u.build(cache.ctx, label);
}

function dispatch(cache: PipelineCache, entryPoint: string, bindings: Record<number, GPUBuffer | Tensor<'f32'>>, at: MatrixView, label: string): Promise<Dispatch> {
  return makeDispatch(cache, { shader: SAMPLE_LOSSES, entryPoint }, bindings, [groups(at.rows, 64), at.agents], label);
}

/** out = log pi(x | heads) per row (`oldLogp` and `adv` unused; `out` [agents x rows x 1]). */
export async function logProbDispatch(cache: PipelineCache, v: Pick<SurrogateViews, 'heads' | 'x' | 'out'>, label = 'log pi(x)'): Promise<Dispatch> {
  const full = { ...v, oldLogp: v.out, adv: v.out };
  const A = v.heads.cols / 2;
  shaped(label, 'x', v.x, v.heads.agents, v.heads.rows, A);
  shaped(label, 'output', v.out, v.heads.agents, v.heads.rows, 1);
  if (v.heads.cols % 2 !== 0) throw new ConfigError(`${label} heads`, v.heads.cols, 'an even number of columns ([mu | log sigma])');
  const u = params(cache, { rows: v.heads.rows, actDim: A, clip: 0, clipValue: false }, [full.heads, full.x, full.out, full.out, full.out, full.out], label);
  return dispatch(cache, 'log_prob', { 0: u, 1: v.heads.tensor, 2: v.x.tensor, 3: v.out.tensor }, v.heads, label);
}

/** The clipped surrogate per row, with approx KL, the clip indicator and the entropy beside it. */
export async function surrogateDispatch(cache: PipelineCache, v: SurrogateViews, clip: number, label = 'ppo surrogate'): Promise<Dispatch> {
  const A = checkSurrogate(label, v, 4);
  const u = params(cache, { rows: v.heads.rows, actDim: A, clip, clipValue: false }, [v.heads, v.x, v.oldLogp, v.adv, v.out, v.out], label);
  return dispatch(cache, 'surrogate', { 0: u, 1: v.heads.tensor, 2: v.x.tensor, 3: v.out.tensor }, v.heads, label);
}

/** dheads += the surrogate's VJP, from the twin `dout` of `v.out` (loss and entropy columns). */
export async function surrogateBackwardDispatch(cache: PipelineCache, v: SurrogateViews, dout: MatrixView, dheads: MatrixView, clip: number, label = 'ppo surrogate backward'): Promise<Dispatch> {
  const A = checkSurrogate(label, v, 4);
  twinOf(label, v.out, dout);
  shaped(label, 'dheads', dheads, v.heads.agents, v.heads.rows, 2 * A);
  const u = params(cache, { rows: v.heads.rows, actDim: A, clip, clipValue: false }, [v.heads, v.x, v.oldLogp, v.adv, v.out, dheads], label);
  return dispatch(cache, 'surrogate_backward', { 0: u, 1: v.heads.tensor, 2: v.x.tensor, 4: dout.tensor, 5: dheads.tensor }, v.heads, label);
}

function checkValue(label: string, v: ValueLossViews): void {
  const { agents, rows } = v.v;
  shaped(label, 'V', v.v, agents, rows, 1);
  shaped(label, 'returns', v.ret, agents, rows, 1);
  shaped(label, 'old values', v.oldValue, agents, rows, 1);
  shaped(label, 'output', v.out, agents, rows, 1);
  sameTensor(label, { ret: v.ret, oldValue: v.oldValue });
  if (v.stats.size !== 2 * agents) throw new ConfigError(`${label} stats`, v.stats.size, `${2 * agents} elements (mean and std per agent)`);
}

/** The (clipped) value loss per row. */
export async function valueLossDispatch(cache: PipelineCache, v: ValueLossViews, o: { clip: number; clipValue: boolean }, label = 'ppo value loss'): Promise<Dispatch> {
  checkValue(label, v);
  const u = params(cache, { rows: v.v.rows, actDim: 1, ...o }, [v.v, v.ret, v.oldValue, v.out, v.out, v.out], label);
  return dispatch(cache, 'value_loss', { 0: u, 1: v.v.tensor, 2: v.ret.tensor, 3: v.out.tensor, 6: v.stats }, v.v, label);
}

/** dV += the value loss's VJP, from the twin `dout` of `v.out`. */
export async function valueLossBackwardDispatch(cache: PipelineCache, v: ValueLossViews, dout: MatrixView, dv: MatrixView, o: { clip: number; clipValue: boolean }, label = 'ppo value loss backward'): Promise<Dispatch> {
  checkValue(label, v);
  twinOf(label, v.out, dout);
  shaped(label, 'dV', dv, v.v.agents, v.v.rows, 1);
  const u = params(cache, { rows: v.v.rows, actDim: 1, ...o }, [v.v, v.ret, v.oldValue, v.out, v.out, dv], label);
  return dispatch(cache, 'value_loss_backward', { 0: u, 1: v.v.tensor, 2: v.ret.tensor, 4: dout.tensor, 5: dv.tensor, 6: v.stats }, v.v, label);
}

export interface WeightedViews {
  heads: MatrixView;
  /** The stored samples [agents x rows x A] and the weights [agents x rows x 1], in one tensor. */
  x: MatrixView;
  weights: MatrixView;
  /** [agents x rows x 2]: -w log pi(x), entropy. */
  out: MatrixView;
}

function checkWeighted(label: string, v: WeightedViews): number {
  return checkSurrogate(label, { heads: v.heads, x: v.x, oldLogp: v.weights, adv: v.weights, out: v.out }, 2);
}

/** -w log pi(x) per row (RWR's weighted maximum likelihood as a cost), the entropy beside it. */
export async function weightedNllDispatch(cache: PipelineCache, v: WeightedViews, label = 'weighted -log pi(x)'): Promise<Dispatch> {
  const A = checkWeighted(label, v);
  const u = params(cache, { rows: v.heads.rows, actDim: A, clip: 0, clipValue: false }, [v.heads, v.x, v.weights, v.weights, v.out, v.out], label);
  return dispatch(cache, 'weighted_nll', { 0: u, 1: v.heads.tensor, 2: v.x.tensor, 3: v.out.tensor }, v.heads, label);
}

/** dheads += the VJP of -w log pi(x), from the twin `dout` of `v.out` (its first column). */
export async function weightedNllBackwardDispatch(cache: PipelineCache, v: WeightedViews, dout: MatrixView, dheads: MatrixView, label = 'weighted -log pi(x) backward'): Promise<Dispatch> {
  const A = checkWeighted(label, v);
  twinOf(label, v.out, dout);
  shaped(label, 'dheads', dheads, v.heads.agents, v.heads.rows, 2 * A);
  const u = params(cache, { rows: v.heads.rows, actDim: A, clip: 0, clipValue: false }, [v.heads, v.x, v.weights, v.weights, v.out, dheads], label);
  return dispatch(cache, 'weighted_nll_backward', { 0: u, 1: v.heads.tensor, 2: v.x.tensor, 4: dout.tensor, 5: dheads.tensor }, v.heads, label);
}

/**
 * MatrixView: a batch of matrices [agents x rows x cols] inside a tensor, addressed as
 * element = offset + agent * agentStride + row * rowStride + col. A view can be a column slice of
 * a wider buffer (a critic reading [obs, action] from two slices, a network writing mean and
 * log-std into halves of one output), so kernels never need concatenation copies.
 */
import { ConfigError } from '../errors.js';
import type { Tensor } from './tensor.js';

export interface MatrixView {
  readonly tensor: Tensor<'f32'>;
  readonly agents: number;
  readonly rows: number;
  readonly cols: number;
  readonly offset: number;
  readonly rowStride: number;
  readonly agentStride: number;
}

export interface MatrixLayout {
  agents?: number;
  rows: number;
  cols: number;
  offset?: number;
  rowStride?: number;
  agentStride?: number;
}

/** Describes a view and checks that it lies inside the tensor. */
export function matrix(tensor: Tensor<'f32'>, layout: MatrixLayout): MatrixView {
  const agents = layout.agents ?? 1;
  const { rows, cols } = layout;
  const offset = layout.offset ?? 0;
  const rowStride = layout.rowStride ?? cols;
  const agentStride = layout.agentStride ?? rows * rowStride;
  for (const [name, v] of Object.entries({ agents, rows, cols })) {
    if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`${tensor.label} view ${name}`, v, 'a positive integer');
  }
  if (rowStride < cols) throw new ConfigError(`${tensor.label} view rowStride`, rowStride, `>= cols (${cols})`);
  const last = offset + (agents - 1) * agentStride + (rows - 1) * rowStride + cols - 1;
  if (offset < 0 || last >= tensor.size) {
    throw new ConfigError(`${tensor.label} view`, `last element ${last}`, `inside the tensor's ${tensor.size} elements`);
  }
  return { tensor, agents, rows, cols, offset, rowStride, agentStride };
}

/** The whole tensor as [agents x rows x cols] (shape taken from the tensor when 3-D or 2-D). */
export function whole(tensor: Tensor<'f32'>): MatrixView {
  const s = tensor.shape;
  if (s.length === 3) return matrix(tensor, { agents: s[0], rows: s[1], cols: s[2] });
  if (s.length === 2) return matrix(tensor, { rows: s[0], cols: s[1] });
  return matrix(tensor, { rows: 1, cols: tensor.size });
}

/** Columns [from, from + count) of a view. */
export function columns(view: MatrixView, from: number, count: number): MatrixView {
  if (from < 0 || count <= 0 || from + count > view.cols) {
    throw new ConfigError(`${view.tensor.label} columns`, `[${from}, ${from + count})`, `a range inside [0, ${view.cols})`);
  }
  return { ...view, offset: view.offset + from, cols: count };
}

/**
 * One row of `cols` values repeated for every row and agent (row and agent strides 0), e.g.
 * per-column weights shared by a whole batch. Read-only use: kernels must never write it.
 */
export function broadcastRow(tensor: Tensor<'f32'>, layout: { agents: number; rows: number; cols: number; offset?: number }): MatrixView {
  const offset = layout.offset ?? 0;
  if (offset < 0 || offset + layout.cols > tensor.size) {
    throw new ConfigError(`${tensor.label} broadcast row`, `[${offset}, ${offset + layout.cols})`, `inside the tensor's ${tensor.size} elements`);
  }
  return { tensor, agents: layout.agents, rows: layout.rows, cols: layout.cols, offset, rowStride: 0, agentStride: 0 };
}

/**
 * Recurrent cells - GRU and LSTM with PyTorch's equations - over time-major sequences, batched
 * over a leading agent dimension: the input's matrix product for every step at once, then per step
 * the hidden state's product and the gates (shaders/nn/recurrent.wgsl), with backpropagation
 * through time (optionally truncated every K steps). An episode that ends resets the state: the
 * caller marks the steps that start a new episode (`resets`); the state at the end of a sequence
 * can be carried into the next one (`carry`).
 *
 * Parameters, one buffer per agent like Mlp: W_x|b_x ((in + 1) x G H) then W_h|b_h ((H + 1) x G H),
 * G = 3 (GRU: r, z, n) or 4 (LSTM: i, f, g, o); each W_aug block as nn/linear.wgsl stores it.
 */
import { ConfigError, requireInt, requireOneOf } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../gpu/kernel.js';
import { type ShaderSource, view as viewLibrary } from '../gpu/shaders.js';
import recurrentWgsl from '../../shaders/nn/recurrent.wgsl?raw';
import { f32, type Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import { type MatrixView, matrix } from '../gpu/view.js';
import { Stream, agentKey, uniform4 } from '../rng/philox.js';
import { type LayerParams, linearBackward, linearBackwardInput, linearBackwardWeight, linearForward } from './linear.js';

const RECURRENT: ShaderSource = { path: 'nn/recurrent.wgsl (after common/view.wgsl)', code: `${viewLibrary}\n${recurrentWgsl}` };

export const CELL_KINDS = ['gru', 'lstm'] as const;
export type CellKind = (typeof CELL_KINDS)[number];

export interface CellSpec {
  kind: CellKind;
  inDim: number;
  hidden: number;
  agents?: number;
}

export class RecurrentCell {
  readonly gates: number;
  /** Width of the carried state: h (GRU) or [h | c] (LSTM). */
  readonly stateWidth: number;
  readonly inputLayer: LayerParams;
  readonly hiddenLayer: LayerParams;
  readonly paramsPerAgent: number;
  readonly params: Tensor<'f32'>;
  readonly grads: Tensor<'f32'>;

  private constructor(
    readonly ctx: GpuContext,
    readonly spec: Required<CellSpec>,
    readonly label: string,
  ) {
    const { kind, inDim, hidden, agents } = spec;
    this.gates = kind === 'gru' ? 3 : 4;
    this.stateWidth = kind === 'gru' ? hidden : 2 * hidden;
    const out = this.gates * hidden;
    const inputSize = (inDim + 1) * out;
    this.paramsPerAgent = inputSize + (hidden + 1) * out;
    const layer = (inD: number, offset: number): LayerParams => ({ inDim: inD, outDim: out, activation: 'identity', offset, paramsPerAgent: this.paramsPerAgent, agents });
    this.inputLayer = layer(inDim, 0);
    this.hiddenLayer = layer(hidden, inputSize);
    this.params = f32(ctx, `${label}.params`, [agents, this.paramsPerAgent]);
    this.grads = f32(ctx, `${label}.grads`, [agents, this.paramsPerAgent]);
  }

  /** PyTorch's initialisation: every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)), drawn with Philox. */
  static create(ctx: GpuContext, spec: CellSpec, init: { seed: number; stream?: number; label?: string }): RecurrentCell {
    const label = init.label ?? spec.kind;
    const kind = requireOneOf(`${label}.kind`, spec.kind, CELL_KINDS);
    const checked = { kind, inDim: requireInt(`${label}.inDim`, spec.inDim, 1, 4096), hidden: requireInt(`${label}.hidden`, spec.hidden, 1, 4096), agents: requireInt(`${label}.agents`, spec.agents ?? 1, 1) };
    const cell = new RecurrentCell(ctx, checked, label);
    const bound = 1 / Math.sqrt(checked.hidden);
    const data = new Float32Array(checked.agents * cell.paramsPerAgent);
    for (let a = 0; a < checked.agents; a++) {
      const key = agentKey([init.seed, Stream.init], a);
      for (let block = 0; block * 4 < cell.paramsPerAgent; block++) {
        const u = uniform4(key, [block, 0, 0, init.stream ?? 0]);
        for (let lane = 0; lane < 4 && block * 4 + lane < cell.paramsPerAgent; lane++) data[a * cell.paramsPerAgent + block * 4 + lane] = (2 * u[lane] - 1) * bound;
      }
    }
    cell.params.write(data);
    return cell;
  }

  get kind(): CellKind {
    return this.spec.kind;
  }
  get hidden(): number {
    return this.spec.hidden;
  }
  get agents(): number {
    return this.spec.agents;
  }

  /**
   * Dispatches over `steps` steps of `x` ([agents x steps * batch x inDim], time-major: row
   * t * batch + b). `h0` ([agents x batch x stateWidth], dense) is the state before step 0; with
   * `carry` the state after the last step is written back into it. `resets` (dense [agents x
   * steps * batch], 1 where step t starts a new episode) zero the state entering those steps.
   * `truncation` K stops gradients at every K-th step boundary (default: none).
   */
  bind(cache: PipelineCache, x: MatrixView, o: SequenceOptions): RecurrentSequence {
    return new RecurrentSequence(this, cache, x, o);
  }

  /**
   * A closed loop of `steps` steps over `batch` sequences, time-major: the input of step t is
   * given to that step alone (`forwardStep`, `backwardStep`), so it may depend on h_{t-1} - e.g.
   * an observation the policy's previous action produced. Same tapes and kernels as `bind`.
   */
  loop(cache: PipelineCache, o: Omit<SequenceOptions, 'order' | 'carry'> & { batch: number }): RecurrentSequence {
    return new RecurrentSequence(this, cache, null, { ...o, order: 'time', carry: false });
  }

  destroy(): void {
    this.params.destroy();
    this.grads.destroy();
  }
}

export interface SequenceOptions {
  steps: number;
  h0: Tensor<'f32'>;
  carry?: boolean;
  resets?: Tensor<'f32'>;
  truncation?: number;
  /** Row order of input, output, resets and tapes: 'time' (t * batch + b, default) or 'env' (b * steps + t). */
  order?: 'time' | 'env';
  /** Where h_t goes (default: a tensor of its own), [agents x steps * batch x hidden]. */
  output?: MatrixView;
  /** Where backward reads dL/dh_t (default: a tensor of its own); laid out as `output`. */
  outputGrad?: MatrixView;
  label?: string;
}

/** One sequence shape of a cell: its tapes and dispatches. */
export class RecurrentSequence {
  readonly batch: number;
  readonly steps: number;
  readonly truncation: number;
  readonly output: MatrixView;
  readonly outputGrad: MatrixView;
  /** Tapes [agents x steps * batch x width]: px, ph and their gradients, states entering each step, gates, cells. */
  readonly px: MatrixView;
  readonly ph: MatrixView;
  readonly states: MatrixView;
  /** Backward's tapes, allocated when backward is first built (acting and evaluation never do). */
  private grads: { dpx: MatrixView; dph: MatrixView; dstates: MatrixView } | null = null;
  private readonly gatesTape: Tensor<'f32'>;
  private readonly cells: Tensor<'f32'>;
  private readonly label: string;
  private readonly tape: (what: string, cols: number) => MatrixView;
  private noResets: Tensor<'f32'> | null = null;

  constructor(
    readonly cell: RecurrentCell,
    readonly cache: PipelineCache,
    /** The whole sequence's input, or null for a closed loop (each step's input given to it). */
    private readonly sequenceInput: MatrixView | null,
    readonly o: SequenceOptions & { batch?: number },
  ) {
    const label = (this.label = o.label ?? cell.label);
    const { agents, hidden } = cell;
    this.steps = requireInt(`${label}.steps`, o.steps, 1);
    const input = sequenceInput;
    if (input) {
      if (input.rows % this.steps !== 0) throw new ConfigError(`${label} input rows`, input.rows, `a multiple of steps (${this.steps}): whole sequences`);
      this.checkInput(input, 'input');
    }
    this.batch = input ? input.rows / this.steps : requireInt(`${label}.batch`, o.batch ?? 0, 1);
    this.truncation = requireInt(`${label}.truncation`, o.truncation ?? this.steps, 1, this.steps);
    const rows = this.batch * this.steps, S = cell.stateWidth, G = cell.gates * hidden;
    if (o.h0.size !== agents * this.batch * S) throw new ConfigError(`${label}.h0`, `${o.h0.size} elements`, `[agents ${agents} x batch ${this.batch} x state ${S}]`);
    if (o.resets && o.resets.size !== agents * rows) throw new ConfigError(`${label}.resets`, `${o.resets.size} elements`, `[agents ${agents} x ${rows}]`);
    const tape = (what: string, cols: number) => matrix(f32(cell.ctx, `${label}.${what}`, [agents, rows, cols]), { agents, rows, cols });
    for (const [name, v] of [['output', o.output], ['outputGrad', o.outputGrad]] as const) {
      if (v && (v.agents !== agents || v.rows !== rows || v.cols !== hidden)) throw new ConfigError(`${label} ${name}`, `[${v.agents} x ${v.rows} x ${v.cols}]`, `[${agents} x ${rows} x ${hidden}]`);
    }
    this.output = o.output ?? tape('out', hidden);
    this.outputGrad = o.outputGrad ?? tape('out_grad', hidden);
    this.tape = tape;
    this.px = tape('px', G);
    this.ph = tape('ph', G);
    this.states = tape('states', S);
    this.gatesTape = f32(cell.ctx, `${label}.gates`, [agents, rows, G]);
    this.cells = f32(cell.ctx, `${label}.cells`, [agents, rows, hidden]);
  }

  /** The whole sequence's input (not a closed loop's). */
  get input(): MatrixView {
    if (!this.sequenceInput) throw new Error(`${this.label}: a closed loop has no sequence input (forwardStep and backwardStep take each step's)`);
    return this.sequenceInput;
  }

  private checkInput(x: MatrixView, what: string): void {
    const { agents } = this.cell, inDim = this.cell.spec.inDim;
    if (x.agents !== agents || x.cols !== inDim || (what !== 'input' && x.rows !== this.batch)) {
      throw new ConfigError(`${this.label} ${what}`, `[${x.agents} x ${x.rows} x ${x.cols}]`, `[${agents} x ${what === 'input' ? 'rows' : this.batch} x ${inDim}]`);
    }
  }

  /** Step t's rows of h (the output view): [agents x batch x hidden]. */
  outputAt(t: number): MatrixView {
    return this.step(this.output, t);
  }

  /** Rows of step t in a tape of `cols` columns (or the hidden state's first H columns of the states tape). */
  private step(v: MatrixView, t: number, cols = v.cols): MatrixView {
    if (this.o.order === 'env') return { ...v, rows: this.batch, cols, offset: v.offset + t * v.rowStride, rowStride: this.steps * v.rowStride };
    return { ...v, rows: this.batch, cols, offset: v.offset + t * this.batch * v.rowStride };
  }

  private gateDispatch(entryPoint: string, t: number, outView: MatrixView): Promise<Dispatch> {
    const { cell } = this;
    const label = `${this.label} ${entryPoint} t=${t}`;
    const params = uniform()
      .u32(this.batch).u32(this.steps).u32(cell.hidden).u32(t)
      .u32(this.truncation).u32(this.o.resets ? 1 : 0).u32(this.o.carry ? 1 : 0).u32(0)
      .view(outView)
      .build(cell.ctx, label);
    const bindings: Record<number, Tensor | GPUBuffer> = { 0: params };
    const kernel = { shader: RECURRENT, entryPoint, constants: { LSTM: cell.kind === 'lstm' ? 1 : 0, ENV_MAJOR: this.o.order === 'env' ? 1 : 0 } };
    const resets = this.o.resets ?? (this.noResets ??= f32(cell.ctx, `${this.label}.no_resets`, [1])); // bound, never read
    if (entryPoint === 'carry_in') Object.assign(bindings, { 3: this.states.tensor, 7: this.o.h0, 8: resets });
    if (entryPoint === 'forward') Object.assign(bindings, { 1: this.px.tensor, 2: this.ph.tensor, 3: this.states.tensor, 4: this.gatesTape, 5: this.cells, 6: outView.tensor, 7: this.o.h0, 8: resets });
    if (entryPoint === 'backward') {
      const g = this.backwardTapes();
      Object.assign(bindings, { 2: this.ph.tensor, 3: this.states.tensor, 4: this.gatesTape, 5: this.cells, 6: outView.tensor, 8: resets, 9: g.dpx.tensor, 10: g.dph.tensor, 11: g.dstates.tensor });
    }
    return makeDispatch(this.cache, kernel, bindings, [groups(this.batch * cell.hidden, 64), cell.agents], label);
  }

  private backwardTapes(): { dpx: MatrixView; dph: MatrixView; dstates: MatrixView } {
    const G = this.cell.gates * this.cell.hidden;
    this.grads ??= { dpx: this.tape('dpx', G), dph: this.tape('dph', G), dstates: this.tape('dstates', this.cell.stateWidth) };
    return this.grads;
  }

  /** Frees the tapes (the cell and the caller's views stay). */
  destroy(): void {
    const own = [this.px, this.ph, this.states, ...(this.grads ? Object.values(this.grads) : [])].map((v) => v.tensor);
    if (!this.o.output) own.push(this.output.tensor);
    if (!this.o.outputGrad) own.push(this.outputGrad.tensor);
    for (const t of [...own, this.gatesTape, this.cells, ...(this.noResets ? [this.noResets] : [])]) t.destroy();
  }

  /** carry-in, the input product for every step, then per step the hidden product and the gates. */
  async forward(): Promise<Dispatch[]> {
    const { cell, cache } = this;
    const out: Dispatch[] = [await this.gateDispatch('carry_in', 0, this.output)];
    out.push(await linearForward(cache, cell.inputLayer, { params: cell.params, x: this.input, y: this.px }, { label: `${this.label} input product` }));
    for (let t = 0; t < this.steps; t++) {
      out.push(await linearForward(cache, cell.hiddenLayer, { params: cell.params, x: this.step(this.states, t, cell.hidden), y: this.step(this.ph, t) }, { label: `${this.label} hidden product t=${t}` }));
      out.push(await this.gateDispatch('forward', t, this.output));
    }
    return out;
  }

  /** A closed loop's step t on its input `x` ([agents x batch x inDim]): carry-in (t = 0), the input product, the hidden product, the gates. */
  async forwardStep(t: number, x: MatrixView): Promise<Dispatch[]> {
    const { cell, cache } = this;
    this.checkStep(t);
    this.checkInput(x, `input of step ${t}`);
    return [
      ...(t === 0 ? [await this.gateDispatch('carry_in', 0, this.output)] : []),
      await linearForward(cache, cell.inputLayer, { params: cell.params, x, y: this.step(this.px, t) }, { label: `${this.label} input product t=${t}` }),
      await linearForward(cache, cell.hiddenLayer, { params: cell.params, x: this.step(this.states, t, cell.hidden), y: this.step(this.ph, t) }, { label: `${this.label} hidden product t=${t}` }),
      await this.gateDispatch('forward', t, this.output),
    ];
  }

  /**
   * A closed loop's step t backward, after step t + 1's: from dh_t (outputGrad's rows of step t)
   * and the state gradient step t + 1 left, into the parameter gradients (written, or added to with
   * `accumulateParams`), the state gradient entering step t, and `inputGrad` (added to).
   * Steps run backward from the last; a step whose successor did not run must find that step's
   * state gradient zeroed (`stateGrads`).
   */
  async backwardStep(t: number, x: MatrixView, o: { accumulateParams: boolean; inputGrad?: MatrixView }): Promise<Dispatch[]> {
    const { cell, cache } = this;
    this.checkStep(t);
    this.checkInput(x, `input of step ${t}`);
    const { dpx, dph, dstates } = this.backwardTapes();
    const hidden = { params: cell.params, grads: cell.grads, x: this.step(this.states, t, cell.hidden), y: this.step(this.ph, t), dy: this.step(dph, t), dx: this.step(dstates, t, cell.hidden) };
    const inputArgs = { params: cell.params, grads: cell.grads, x, y: this.step(this.px, t), dy: this.step(dpx, t) };
    const label = `${this.label} t=${t}`;
    const out = [
      await this.gateDispatch('backward', t, this.outputGrad),
      await linearBackward(cache, cell.hiddenLayer, hidden, { accumulateParams: o.accumulateParams, accumulateInput: true, label: `${label} hidden product backward` }),
    ];
    if (o.inputGrad) {
      this.checkInput(o.inputGrad, `input gradient of step ${t}`);
      out.push(await linearBackward(cache, cell.inputLayer, { ...inputArgs, dx: o.inputGrad }, { accumulateParams: o.accumulateParams, accumulateInput: true, label: `${label} input product backward` }));
    } else {
      out.push(await linearBackwardWeight(cache, cell.inputLayer, inputArgs, { accumulate: o.accumulateParams, label: `${label} input product backward` }));
    }
    return out;
  }

  /** The state-gradient tape (a closed loop's caller zeroes it before each backward pass). */
  get stateGrads(): Tensor<'f32'> {
    return this.backwardTapes().dstates.tensor;
  }

  private checkStep(t: number): void {
    if (!this.sequenceInput) requireInt(`${this.label} step`, t, 0, this.steps - 1);
    else throw new Error(`${this.label}: forwardStep and backwardStep belong to a closed loop (cell.loop)`);
  }

  /**
   * Backpropagation through time from `outputGrad`: parameter gradients (unless `paramGrads` is
   * false; added to with `accumulateParams`) and, if given, the input's gradient (added to with
   * `accumulateInput`).
   */
  async backward(o: { paramGrads?: boolean; accumulateParams?: boolean; inputGrad?: MatrixView; accumulateInput?: boolean } = {}): Promise<Dispatch[]> {
    const { cell, cache } = this;
    const paramGrads = o.paramGrads ?? true;
    const { dpx, dph, dstates } = this.backwardTapes();
    const out: Dispatch[] = [];
    for (let t = this.steps - 1; t >= 0; t--) {
      out.push(await this.gateDispatch('backward', t, this.outputGrad));
      const args = { params: cell.params, grads: cell.grads, x: this.step(this.states, t, cell.hidden), y: this.step(this.ph, t), dy: this.step(dph, t), dx: this.step(dstates, t, cell.hidden) };
      const label = `${this.label} hidden product backward t=${t}`;
      const first = t === this.steps - 1 && !o.accumulateParams;
      out.push(paramGrads
        ? await linearBackward(cache, cell.hiddenLayer, args, { accumulateParams: !first, accumulateInput: true, label })
        : await linearBackwardInput(cache, cell.hiddenLayer, args, { accumulate: true, label }));
    }
    const label = `${this.label} input product backward`;
    const args = { params: cell.params, grads: cell.grads, x: this.input, y: this.px, dy: dpx };
    if (paramGrads) {
      const dx = o.inputGrad ?? matrix(f32(cell.ctx, `${this.label}.unused_input_grad`, [cell.agents, this.input.rows, cell.spec.inDim]), { agents: cell.agents, rows: this.input.rows, cols: cell.spec.inDim });
      out.push(await linearBackward(cache, cell.inputLayer, { ...args, dx }, { accumulateParams: o.accumulateParams ?? false, accumulateInput: o.inputGrad ? (o.accumulateInput ?? false) : false, label }));
    } else if (o.inputGrad) {
      out.push(await linearBackwardInput(cache, cell.inputLayer, { ...args, dx: o.inputGrad }, { accumulate: o.accumulateInput ?? false, label }));
    }
    return out;
  }
}

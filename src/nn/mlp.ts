/**
 * Mlp: a multi-layer perceptron whose parameters (every layer's W_aug block, for every agent)
 * live in one buffer, so Adam and Polyak averaging treat a whole network - or a whole population
 * of networks - in one dispatch. A leading agent dimension trains several independent networks of
 * the same shape (different seeds or settings) in the same dispatches.
 *
 * `Mlp.create` allocates and initialises; `mlp.bind(cache, input)` builds the forward and
 * backward dispatches for one batch shape, with the activation buffers that batch needs.
 */
import { ConfigError, requireInt, requireOneOf } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { type MatrixView, matrix } from '../gpu/view.js';
import { Stream, agentKey, uniform4 } from '../rng/philox.js';
import { ACTIVATIONS, type Activation, type LayerParams, linearBackward, linearBackwardInput, linearBackwardWeight, linearForward } from './linear.js';

export interface MlpSpec {
  /** Layer widths from input to output, e.g. [3, 256, 256, 1]. */
  sizes: readonly number[];
  /** Activation after every hidden layer. Default 'relu'. */
  hidden?: Activation;
  /** Activation of the output layer. Default 'identity'. */
  output?: Activation;
  /** Independent networks of this shape trained side by side. Default 1. */
  agents?: number;
}

export interface MlpInit {
  seed: number;
  /** Distinguishes networks initialised from one seed (actor, critic, ...). */
  stream?: number;
  label?: string;
}

export class Mlp {
  readonly layers: readonly LayerParams[];
  readonly paramsPerAgent: number;
  readonly agents: number;
  readonly params: Tensor<'f32'>;
  readonly grads: Tensor<'f32'>;

  private constructor(
    readonly ctx: GpuContext,
    readonly spec: Required<MlpSpec>,
    readonly label: string,
  ) {
    const { sizes, hidden, output, agents } = spec;
    let offset = 0;
    const layers: LayerParams[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const activation = l + 2 === sizes.length ? output : hidden;
      layers.push({ inDim: sizes[l], outDim: sizes[l + 1], activation, offset, paramsPerAgent: 0, agents });
      offset += (sizes[l] + 1) * sizes[l + 1];
    }
    this.paramsPerAgent = offset;
    this.layers = layers.map((l) => ({ ...l, paramsPerAgent: offset }));
    this.agents = agents;
    this.params = f32(ctx, `${label}.params`, [agents, offset]);
    this.grads = f32(ctx, `${label}.grads`, [agents, offset]);
  }

  static validate(spec: MlpSpec, label = 'mlp'): Required<MlpSpec> {
    if (!Array.isArray(spec.sizes) || spec.sizes.length < 2) {
      throw new ConfigError(`${label}.sizes`, spec.sizes, 'at least two layer widths (input and output)');
    }
    spec.sizes.forEach((s, i) => requireInt(`${label}.sizes[${i}]`, s, 1));
    const agents = requireInt(`${label}.agents`, spec.agents ?? 1, 1);
    const hidden = requireOneOf(`${label}.hidden`, spec.hidden ?? 'relu', ACTIVATIONS);
    const output = requireOneOf(`${label}.output`, spec.output ?? 'identity', ACTIVATIONS);
    return { sizes: [...spec.sizes], hidden, output, agents };
  }

  /** Allocates the network and initialises it like PyTorch's nn.Linear default. */
  static create(ctx: GpuContext, spec: MlpSpec, init: MlpInit): Mlp {
    const label = init.label ?? 'mlp';
    const mlp = new Mlp(ctx, Mlp.validate(spec, label), label);
    mlp.params.write(mlp.initialParams(init.seed, init.stream ?? 0));
    return mlp;
  }

  get inDim(): number {
    return this.spec.sizes[0];
  }

  get outDim(): number {
    return this.spec.sizes[this.spec.sizes.length - 1];
  }

  /**
   * PyTorch's nn.Linear default: weights and biases ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))
   * (kaiming_uniform with a = sqrt(5)). Drawn with Philox keyed by agentKey((seed, init stream),
   * agent), counter (element / 4, layer, 0, network stream), so every agent and network gets its
   * own draw, and agent a of seed s starts where a single run of seed s + a does.
   */
  initialParams(seed: number, stream: number): Float32Array {
    const data = new Float32Array(this.agents * this.paramsPerAgent);
    for (let a = 0; a < this.agents; a++) {
      const key = agentKey([seed, Stream.init], a);
      this.layers.forEach((layer, l) => {
        const bound = 1 / Math.sqrt(layer.inDim);
        const count = (layer.inDim + 1) * layer.outDim;
        const base = a * this.paramsPerAgent + layer.offset;
        for (let block = 0; block * 4 < count; block++) {
          const u = uniform4(key, [block, l, 0, stream]);
          for (let lane = 0; lane < 4 && block * 4 + lane < count; lane++) {
            data[base + block * 4 + lane] = (2 * u[lane] - 1) * bound;
          }
        }
      });
    }
    return data;
  }

  /**
   * Builds the dispatches of a forward and backward pass over `input` ([agents x rows x inDim]).
   * `output` / `outputGrad` place the last layer's output and its gradient in views the caller
   * owns (e.g. a column slice of a minibatch that another network reads); they must share a layout.
   */
  bind(cache: PipelineCache, input: MatrixView, options: BindOptions = {}): MlpBatch {
    const label = options.label ?? this.label;
    if (input.cols !== this.inDim || input.agents !== this.agents) {
      throw new ConfigError(`${label} input`, `[${input.agents} x ${input.rows} x ${input.cols}]`, `[${this.agents} x rows x ${this.inDim}]`);
    }
    for (const [name, v] of [['output', options.output], ['outputGrad', options.outputGrad]] as const) {
      if (v && (v.agents !== this.agents || v.rows !== input.rows || v.cols !== this.outDim)) {
        throw new ConfigError(`${label} ${name}`, `[${v.agents} x ${v.rows} x ${v.cols}]`, `[${this.agents} x ${input.rows} x ${this.outDim}]`);
      }
    }
    return new MlpBatch(this, cache, input, label, options);
  }

  destroy(): void {
    this.params.destroy();
    this.grads.destroy();
  }
}

export interface BindOptions {
  label?: string;
  /** Where the network writes its output (default: a buffer of its own). */
  output?: MatrixView;
  /** Where the output's gradient is read from in backward (default: a buffer of its own). */
  outputGrad?: MatrixView;
  /** Each layer's weight and input gradients in one dispatch (default true; the benchmark turns it off). */
  fusedBackward?: boolean;
}

export interface BackwardOptions {
  /** Write dLoss/dInput here (e.g. dQ/da for the actor update). Default: not computed. */
  inputGrad?: MatrixView;
  /** Add into inputGrad instead of overwriting it. */
  accumulateInput?: boolean;
  /** Compute parameter gradients (default true; false when only the input gradient is wanted). */
  paramGrads?: boolean;
  /** Add into the parameter gradients instead of overwriting them (two losses, one network). */
  accumulateParams?: boolean;
}

/** One batch shape of an Mlp: its activation and gradient buffers and its dispatches. */
export class MlpBatch {
  readonly rows: number;
  /** Post-activation outputs of every layer; the last is the network output. */
  readonly activations: readonly MatrixView[];
  /** dLoss/d(output of every layer); a loss kernel writes the last one. */
  readonly activationGrads: readonly MatrixView[];

  /** Each layer's weight and input gradients in one dispatch. */
  readonly fused: boolean;

  constructor(
    readonly mlp: Mlp,
    readonly cache: PipelineCache,
    readonly input: MatrixView,
    readonly label: string,
    { output, outputGrad, fusedBackward }: BindOptions = {},
  ) {
    this.rows = input.rows;
    this.fused = fusedBackward ?? true;
    const { ctx, agents } = mlp;
    // Check every layer's buffers against the device limit before allocating any of them.
    const limit = ctx.limits.maxStorageBufferBindingSize;
    mlp.layers.forEach((l, i) => {
      const bytes = agents * this.rows * l.outDim * 4;
      if (bytes > limit) {
        throw new ConfigError(
          `${label}.layer${i} (nn/linear.wgsl) output [agents ${agents} x rows ${this.rows} x ${l.outDim}]`,
          `${bytes} bytes`,
          `at most maxStorageBufferBindingSize = ${limit} bytes on this device (use fewer rows or agents)`,
        );
      }
    });
    const last = mlp.layers.length - 1;
    const own = (i: number, what: string) =>
      matrix(f32(ctx, `${label}.layer${i}.${what}`, [agents, this.rows, mlp.layers[i].outDim]), { agents, rows: this.rows, cols: mlp.layers[i].outDim });
    this.activations = mlp.layers.map((_, i) => (i === last && output ? output : own(i, 'out')));
    this.activationGrads = mlp.layers.map((_, i) => (i === last && outputGrad ? outputGrad : own(i, 'grad')));
    this.owned = [...this.activations, ...this.activationGrads].filter((v) => v !== output && v !== outputGrad);
  }

  get output(): MatrixView {
    return this.activations[this.activations.length - 1];
  }

  get outputGrad(): MatrixView {
    return this.activationGrads[this.activationGrads.length - 1];
  }

  /** Input through every layer to `output`: one dispatch per layer. */
  forward(): Promise<Dispatch[]> {
    const { mlp, cache } = this;
    return Promise.all(
      mlp.layers.map((layer, i) =>
        linearForward(cache, layer, { params: mlp.params, x: i === 0 ? this.input : this.activations[i - 1], y: this.activations[i] }, { label: `${this.label}.layer${i} forward` }),
      ),
    );
  }

  /** From `outputGrad` back through every layer: parameter gradients and, optionally, the input's. */
  async backward(options: BackwardOptions = {}): Promise<Dispatch[]> {
    const { mlp, cache } = this;
    const paramGrads = options.paramGrads ?? true;
    const dispatches: Promise<Dispatch>[] = [];
    for (let i = mlp.layers.length - 1; i >= 0; i--) {
      const layer = mlp.layers[i];
      const x = i === 0 ? this.input : this.activations[i - 1];
      const y = this.activations[i];
      const dy = this.activationGrads[i];
      const name = `${this.label}.layer${i}`;
      const dx = i > 0 ? this.activationGrads[i - 1] : options.inputGrad;
      if (paramGrads && dx && this.fused) {
        // Both gradients of the layer in one dispatch.
        const accumulateInput = i === 0 && (options.accumulateInput ?? false);
        dispatches.push(linearBackward(cache, layer, { params: mlp.params, grads: mlp.grads, x, y, dy, dx }, { accumulateParams: options.accumulateParams, accumulateInput, label: `${name} backward` }));
        continue;
      }
      if (paramGrads) {
        dispatches.push(linearBackwardWeight(cache, layer, { grads: mlp.grads, x, y, dy }, { accumulate: options.accumulateParams, label: `${name} backward_weight` }));
      }
      if (i > 0) {
        dispatches.push(linearBackwardInput(cache, layer, { params: mlp.params, y, dy, dx: this.activationGrads[i - 1] }, { label: `${name} backward_input` }));
      } else if (options.inputGrad) {
        dispatches.push(linearBackwardInput(cache, layer, { params: mlp.params, y, dy, dx: options.inputGrad }, { accumulate: options.accumulateInput, label: `${name} backward_input` }));
      }
    }
    return Promise.all(dispatches);
  }

  private readonly owned: MatrixView[];

  destroy(): void {
    for (const v of this.owned) v.tensor.destroy();
  }
}

/**
 * A stochastic computation graph over GPU tensors (Schulman et al. 2015, "Gradient Estimation
 * Using Stochastic Computation Graphs"). Deterministic nodes (MLPs, elementwise ops, custom
 * kernels such as env dynamics), stochastic nodes that say how their gradient is estimated, and
 * cost nodes. `compile()` turns the graph into two dispatch lists:
 *
 *   forward   every node in creation order (a topological order), costs per row into tensors
 *   backward  the gradient of the surrogate objective, averaged over rows:
 *               mean_rows [ sum of costs + sum over score-function nodes n of
 *                           log p(n) * (sum of n's downstream costs, held constant - baseline_n) ]
 *             pathwise nodes pass gradients through their sample with the noise held fixed;
 *             score-function nodes stop them and add the log-probability term instead.
 *
 * Every value is a [agents x rows x cols] view; a value's gradient is the same view in a twin
 * tensor that the graph allocates per value tensor, so values placed side by side in one tensor
 * (`into`, `join`) have gradients side by side too, and a network reading [s | a] needs no copy.
 * Gradients accumulate: backward first clears the twin tensors, then every node adds into them.
 */
import { ConfigError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { type MatrixView, columns, matrix } from '../gpu/view.js';
import type { Mlp } from '../nn/mlp.js';
import type { Clock } from '../rng/clock.js';
import { GumbelSoftmax } from '../sample/categorical.js';
import { DiagGaussian } from '../sample/gaussian.js';
import { type CostOp, type MapOp, clearDispatch, mapBackwardDispatch, mapDispatch, rowCostBackwardDispatch, rowCostDispatch } from './ops.js';

export interface Value {
  readonly id: number;
  readonly label: string;
  readonly view: MatrixView;
  /** Some trainable quantity is upstream along a differentiable path. */
  readonly requiresGrad: boolean;
}

/** A cost node's value: its per-row cost, dense [agents x rows x 1]. */
export interface Cost extends Value {
  /** Column of the graph's metrics tensor that accumulates the mean cost of every forward pass. */
  readonly metricSlot: number;
}

export type GaussianEstimator = 'pathwise' | 'score';
export type CategoricalEstimator = 'gumbel-softmax' | 'straight-through' | 'score';

export interface NoiseOptions {
  seed: number;
  stream: number;
  /** Tells apart samples of one node family within a step (e.g. time steps of a rollout). */
  draw?: number;
  /** Baseline for the score-function term, from non-descendants: [agents x rows x 1]. */
  baseline?: Value;
  /** Where to write the sample (default: a tensor of its own). */
  into?: MatrixView;
  label?: string;
}

export interface GaussianNode {
  /** The sample a = mu + sigma z (tanh-squashed if asked). */
  sample: Value;
  /** log p(a), [agents x rows x 1]; differentiable (pathwise) for entropy terms. */
  logp: Value;
  sampler: DiagGaussian;
}

export interface CategoricalNode {
  /** One-hot sample (hard), or the relaxed sample for 'gumbel-softmax'. */
  sample: Value;
  sampler: GumbelSoftmax;
}

interface Node {
  label: string;
  inputs: readonly Value[];
  outputs: readonly Value[];
  forward: () => Promise<Dispatch[]>;
  /** Adds the gradients of this node's inputs, given its outputs' (null: not differentiable). */
  backward: (() => Promise<Dispatch[]>) | null;
  /** Score-function node: the log-probability gradient weighted by `weight` (per row, / rows). */
  score?: { weight: () => Tensor<'f32'>; dispatch: (weight: Tensor<'f32'>) => Promise<Dispatch>; baseline?: Value; params: readonly Value[] };
}

export interface GraphOptions {
  agents: number;
  rows: number;
  clock: Clock;
  label?: string;
  /** Metrics tensor [agents x width] to accumulate mean costs into, from column `firstSlot`. */
  metrics?: { tensor: Tensor<'f32'>; width: number; firstSlot: number };
}

export interface Compiled {
  forward: Dispatch[];
  backward: Dispatch[];
}

export class Graph {
  readonly agents: number;
  readonly rows: number;
  readonly label: string;
  readonly metrics: Tensor<'f32'>;
  readonly metricWidth: number;
  private nextSlot: number;
  private readonly values: Value[] = [];
  private readonly nodes: Node[] = [];
  private readonly twins = new Map<Tensor<'f32'>, Tensor<'f32'>>();

  constructor(
    readonly ctx: GpuContext,
    readonly cache: PipelineCache,
    private readonly options: GraphOptions,
  ) {
    this.agents = options.agents;
    this.rows = options.rows;
    this.label = options.label ?? 'scg';
    const m = options.metrics;
    this.metricWidth = m?.width ?? 8;
    this.metrics = m?.tensor ?? f32(ctx, `${this.label}.metrics`, [this.agents, this.metricWidth]);
    this.nextSlot = m?.firstSlot ?? 0;
  }

  // ---- values ----

  private value(view: MatrixView, label: string, requiresGrad: boolean): Value {
    if (view.agents !== this.agents || view.rows !== this.rows) {
      throw new ConfigError(`${this.label} value ${label}`, `[${view.agents} x ${view.rows} x ${view.cols}]`, `[${this.agents} x ${this.rows} x cols]`);
    }
    const v: Value = { id: this.values.length, label, view, requiresGrad };
    this.values.push(v);
    return v;
  }

  private own(cols: number, label: string): MatrixView {
    return matrix(f32(this.ctx, `${this.label}.${label}`, [this.agents, this.rows, cols]), { agents: this.agents, rows: this.rows, cols });
  }

  /** The twin gradient tensor of a value tensor (allocated on first use). */
  gradTensor(t: Tensor<'f32'>): Tensor<'f32'> {
    let g = this.twins.get(t);
    if (!g) {
      g = f32(this.ctx, `${t.label}.grad`, t.shape);
      this.twins.set(t, g);
    }
    return g;
  }

  /** dSurrogate/dValue after backward: the value's view in its twin tensor. */
  grad(v: Value | MatrixView): MatrixView {
    const view = 'view' in v ? v.view : v;
    return { ...view, tensor: this.gradTensor(view.tensor) };
  }

  /**
   * Data, or (with `grad`) a leaf whose gradient the caller reads: e.g. parameters given per row,
   * so that every row's gradient is one sample of the estimator.
   */
  input(view: MatrixView, options: { grad?: boolean; label?: string } = {}): Value {
    const v = this.value(view, options.label ?? view.tensor.label, options.grad ?? false);
    if (v.requiresGrad) this.gradTensor(view.tensor);
    return v;
  }

  /** Columns [from, from + count) of a value (no dispatch: the same memory). */
  slice(v: Value, from: number, count: number, label = `${v.label}[${from}:${from + count}]`): Value {
    const out = this.value(columns(v.view, from, count), label, v.requiresGrad);
    this.nodes.push({ label, inputs: [v], outputs: [out], forward: async () => [], backward: async () => [] });
    return out;
  }

  /** Values lying side by side in one tensor, as one value (no dispatch). */
  join(parts: readonly Value[], label = parts.map((p) => p.label).join('|')): Value {
    const first = parts[0].view;
    let cols = 0;
    for (const p of parts) {
      const v = p.view;
      if (v.tensor !== first.tensor || v.rowStride !== first.rowStride || v.agentStride !== first.agentStride || v.offset !== first.offset + cols) {
        throw new ConfigError(`${this.label} join ${label}`, p.label, 'values in adjacent columns of one tensor (place them there with `into`)');
      }
      cols += v.cols;
    }
    const out = this.value({ ...first, cols }, label, parts.some((p) => p.requiresGrad));
    this.nodes.push({ label, inputs: parts, outputs: [out], forward: async () => [], backward: async () => [] });
    return out;
  }

  // ---- deterministic nodes ----

  /**
   * y = net(x). With `train`, the network's parameter gradients are computed (a network used by
   * several nodes of one graph accumulates them); without, it is a fixed function (e.g. a critic
   * in the policy update), still differentiated with respect to its input.
   */
  mlp(net: Mlp, x: Value, options: { train?: boolean; into?: MatrixView; label?: string } = {}): Value {
    const label = options.label ?? net.label;
    const train = options.train ?? true;
    const requiresGrad = train || x.requiresGrad;
    const outView = options.into;
    const out = outView ?? this.own(net.outDim, `${label}.out`);
    if (requiresGrad && net.layers.length === 1 && x.view.tensor === out.tensor) {
      throw new ConfigError(`${this.label} ${label}`, 'input and output in one tensor', 'separate tensors for a one-layer network (its backward reads one and writes the other)');
    }
    const batch = net.bind(this.cache, x.view, { label, output: out, outputGrad: requiresGrad ? this.grad(out) : undefined });
    const y = this.value(batch.output, label, requiresGrad);
    this.nodes.push({
      label,
      inputs: [x],
      outputs: [y],
      forward: () => batch.forward(),
      backward: requiresGrad
        ? () =>
            batch.backward({
              paramGrads: train,
              // The first use in backward order writes the parameter gradients, later ones add.
              accumulateParams: train && this.backwardUses(net) > 0,
              inputGrad: x.requiresGrad ? this.grad(x) : undefined,
              accumulateInput: true,
            })
        : null,
    });
    return y;
  }

  private backwardSeen = new Map<Mlp, number>();
  private backwardUses(net: Mlp): number {
    const n = this.backwardSeen.get(net) ?? 0;
    this.backwardSeen.set(net, n + 1);
    return n;
  }

  private map(op: MapOp, a: Value, b: Value | null, alpha: number, beta: number, label: string, into?: MatrixView): Value {
    if (b && b.view.cols !== a.view.cols) throw new ConfigError(`${this.label} ${label}`, `${a.view.cols} and ${b.view.cols} columns`, 'operands of equal width');
    if (into && (into.tensor === a.view.tensor || into.tensor === b?.view.tensor)) {
      throw new ConfigError(`${this.label} ${label} into`, into.tensor.label, 'a tensor other than the operands\' (one kernel reads those and writes this)');
    }
    const out = this.value(into ?? this.own(a.view.cols, label), label, a.requiresGrad || (b?.requiresGrad ?? false));
    if (out.requiresGrad) this.gradTensor(out.view.tensor);
    const args = { op, a: a.view, b: b?.view, alpha, beta };
    this.nodes.push({
      label,
      inputs: b ? [a, b] : [a],
      outputs: [out],
      forward: async () => [await mapDispatch(this.cache, { ...args, out: out.view }, label)],
      backward: async () => [
        ...(a.requiresGrad ? [await mapBackwardDispatch(this.cache, 'a', { ...args, out: this.grad(a), dout: this.grad(out) }, `${label} backward a`)] : []),
        ...(b?.requiresGrad ? [await mapBackwardDispatch(this.cache, 'b', { ...args, out: this.grad(b), dout: this.grad(out) }, `${label} backward b`)] : []),
      ],
    });
    return out;
  }

  /** alpha a + beta b (written `into` a view, if given). */
  add(a: Value, b: Value, alpha = 1, beta = 1, label = `${a.label}+${b.label}`, into?: MatrixView): Value {
    return this.map('add', a, b, alpha, beta, label, into);
  }

  /** alpha a b (elementwise). */
  mul(a: Value, b: Value, alpha = 1, label = `${a.label}*${b.label}`): Value {
    return this.map('mul', a, b, alpha, 0, label);
  }

  /** alpha a. */
  scale(a: Value, alpha: number, label = `${alpha}*${a.label}`): Value {
    return this.map('add', a, null, alpha, 0, label);
  }

  /** alpha a^2. */
  square(a: Value, alpha = 1, label = `${a.label}^2`): Value {
    return this.map('square', a, null, alpha, 0, label);
  }

  /**
   * A node with hand-written dispatches (e.g. a simulator step with its VJP kernel). Its outputs
   * live in the given views; `backward` must add into the twin tensors (`gradTensor`) of its
   * inputs from those of its outputs.
   */
  custom(spec: { label: string; inputs: readonly Value[]; outputs: readonly MatrixView[]; outputLabels?: readonly string[]; forward: Dispatch[]; backward?: Dispatch[] }): Value[] {
    const requiresGrad = spec.inputs.some((v) => v.requiresGrad);
    if (requiresGrad && !spec.backward) {
      throw new ConfigError(`${this.label} ${spec.label}`, 'no backward', 'a backward pass: an input needs gradients');
    }
    const outputs = spec.outputs.map((view, i) => this.value(view, spec.outputLabels?.[i] ?? `${spec.label}.${i}`, requiresGrad));
    if (requiresGrad) for (const v of [...spec.inputs, ...outputs]) this.gradTensor(v.view.tensor);
    const backward = spec.backward ?? [];
    this.nodes.push({ label: spec.label, inputs: spec.inputs, outputs, forward: async () => spec.forward, backward: async () => backward });
    return outputs;
  }

  // ---- stochastic nodes ----

  /**
   * a ~ N(mu, diag(exp(logStd)^2)) (tanh-squashed with `squash`). 'pathwise': a = mu + sigma z
   * with z held fixed in backward; 'score': the sample is a constant and the node contributes
   * grad log p(a) times its downstream costs (less the baseline).
   */
  gaussian(
    mu: Value,
    logStd: Value,
    options: NoiseOptions & {
      estimator: GaussianEstimator;
      squash?: boolean;
      logStdRange?: readonly [number, number];
      /** A sample drawn before, for the score function alone (see observedGaussian). */
      observed?: MatrixView;
      /** Pathwise: infer the noise that reproduces these actions instead of drawing it (SVG(1)). */
      inferFrom?: MatrixView;
    },
  ): GaussianNode {
    const label = options.label ?? 'gaussian';
    if (options.observed) return this.observedGaussian(mu, logStd, options.observed, { ...options, label });
    if (options.estimator === 'score' && options.squash) {
      throw new ConfigError(`${this.label} ${label}.squash`, true, 'false with the score estimator (its log-probability gradient is taken at the pre-squash sample)');
    }
    const sampler = new DiagGaussian(this.ctx, {
      mu: mu.view, logStd: logStd.view, clock: this.options.clock, seed: options.seed, stream: options.stream, draw: options.draw,
      squash: options.squash, logStdRange: options.logStdRange, accumulate: true, label,
    });
    const params = [mu, logStd].filter((v) => v.requiresGrad);
    const pathwise = options.estimator === 'pathwise';
    const sampleView = options.into ?? this.own(mu.view.cols, `${label}.sample`);
    const sample = this.value(sampleView, label, pathwise && params.length > 0);
    const logpView = matrix(sampler.logp, { agents: this.agents, rows: this.rows, cols: 1 });
    const logp = this.value(logpView, `log p(${label})`, params.length > 0);
    if (params.length > 0) this.gradTensor(mu.view.tensor);
    const node: Node = {
      label,
      inputs: [mu, logStd],
      outputs: [sample, logp],
      forward: async () => [options.inferFrom ? await sampler.infer(this.cache, options.inferFrom, sample.view) : await sampler.sample(this.cache, sample.view)],
      backward: null,
    };
    if (params.length > 0) {
      // log p(a) depends on the parameters pathwise in both estimators (an entropy term).
      node.backward = async () => [
        await sampler.backward(this.cache, {
          action: this.grad(sample), logp: this.gradTensor(sampler.logp), mu: this.grad(mu), logStd: this.grad(logStd),
        }),
      ];
      if (!pathwise) {
        this.gradTensor(sampleView.tensor);
        node.score = {
          weight: () => f32(this.ctx, `${label}.sf_weight`, [this.agents, this.rows]),
          dispatch: (weight) => sampler.score(this.cache, { x: sample.view, weight, mu: this.grad(mu), logStd: this.grad(logStd) }),
          baseline: options.baseline,
          params,
        };
      }
    }
    this.gradTensor(sampler.logp);
    if (pathwise || params.length > 0) this.gradTensor(sampleView.tensor);
    this.nodes.push(node);
    return { sample, logp, sampler };
  }

  /**
   * A Gaussian node whose value was drawn before (e.g. while acting in the envs) and is given:
   * forward draws nothing, and the node contributes only its score-function term, the gradient of
   * log N(observed; mu, sigma) times its downstream costs less the baseline. (Its `logp` value is
   * not computed.)
   */
  private observedGaussian(mu: Value, logStd: Value, observed: MatrixView, options: NoiseOptions & { estimator: GaussianEstimator; squash?: boolean }): GaussianNode {
    const label = options.label!;
    if (options.estimator !== 'score' || options.squash) {
      throw new ConfigError(`${this.label} ${label}.observed`, options.estimator, 'the score estimator without squashing (a given sample has no noise to hold fixed)');
    }
    const sampler = new DiagGaussian(this.ctx, { mu: mu.view, logStd: logStd.view, clock: this.options.clock, seed: options.seed, stream: options.stream, accumulate: true, label });
    const sample = this.value(observed, label, false);
    const logp = this.value(matrix(sampler.logp, { agents: this.agents, rows: this.rows, cols: 1 }), `log p(${label})`, false);
    const params = [mu, logStd].filter((v) => v.requiresGrad);
    const node: Node = { label, inputs: [mu, logStd], outputs: [sample, logp], forward: async () => [], backward: null };
    if (params.length > 0) {
      this.gradTensor(mu.view.tensor);
      node.score = {
        weight: () => f32(this.ctx, `${label}.sf_weight`, [this.agents, this.rows]),
        dispatch: (weight) => sampler.score(this.cache, { x: observed, weight, mu: this.grad(mu), logStd: this.grad(logStd) }),
        baseline: options.baseline,
        params,
      };
    }
    this.nodes.push(node);
    return { sample, logp, sampler };
  }

  /**
   * A categorical sample from softmax(logits): relaxed ('gumbel-softmax', output soft), hard
   * with the relaxed gradient ('straight-through', biased), or hard with the score function.
   */
  categorical(logits: Value, options: NoiseOptions & { estimator: CategoricalEstimator; tau?: number; observed?: MatrixView }): CategoricalNode {
    const label = options.label ?? 'categorical';
    if (options.observed && options.estimator !== 'score') {
      throw new ConfigError(`${this.label} ${label}.observed`, options.estimator, 'the score estimator (a given sample has no noise to hold fixed)');
    }
    const sampler = new GumbelSoftmax(this.ctx, {
      logits: logits.view, clock: this.options.clock, seed: options.seed, stream: options.stream, draw: options.draw,
      tau: options.tau, hard: options.estimator !== 'gumbel-softmax', accumulate: true, label,
    });
    const score = options.estimator === 'score';
    const observed = options.observed;
    const view = observed ?? options.into ?? this.own(logits.view.cols, `${label}.sample`);
    const sample = this.value(view, label, !score && logits.requiresGrad);
    const forward = async () => (observed ? [] : [await sampler.sample(this.cache, view)]);
    const node: Node = { label, inputs: [logits], outputs: [sample], forward, backward: null };
    if (logits.requiresGrad) {
      this.gradTensor(view.tensor);
      if (score) {
        node.score = {
          weight: () => f32(this.ctx, `${label}.sf_weight`, [this.agents, this.rows]),
          dispatch: (weight) =>
            observed ? sampler.scoreObserved(this.cache, { observed, weight, logitsGrad: this.grad(logits) }) : sampler.score(this.cache, { weight, logitsGrad: this.grad(logits) }),
          baseline: options.baseline,
          params: [logits],
        };
      } else {
        node.backward = async () => [await sampler.backward(this.cache, this.grad(sample), this.grad(logits))];
      }
    }
    this.nodes.push(node);
    return { sample, sampler };
  }

  // ---- costs ----

  private cost(op: CostOp, a: Value, b: MatrixView | undefined, scale: number, label: string, metricSlot?: number): Cost {
    const slot = metricSlot ?? this.nextSlot++;
    if (slot >= this.metricWidth) throw new ConfigError(`${this.label} cost ${label}`, `metric slot ${slot}`, `below the metrics width ${this.metricWidth}`);
    const tensor = f32(this.ctx, `${this.label}.${label}`, [this.agents, this.rows]);
    const view = matrix(tensor, { agents: this.agents, rows: this.rows, cols: 1 });
    const value: Cost = { ...this.value(view, label, a.requiresGrad), metricSlot: slot };
    this.values[value.id] = value;
    const args = { op, a: a.view, b, alpha: scale, metricSlot: slot, metricWidth: this.metricWidth };
    this.nodes.push({
      label,
      inputs: [a],
      outputs: [value],
      forward: async () => [await rowCostDispatch(this.cache, { ...args, cost: tensor, metrics: this.metrics }, label)],
      backward: a.requiresGrad ? async () => [await rowCostBackwardDispatch(this.cache, { ...args, out: this.grad(a) }, `${label} backward`)] : null,
    });
    return value;
  }

  /**
   * Cost per row: scale * sum of the value's columns (weighted by `weights` if given). Its mean
   * is added to a metric slot of its own, or to `metricSlot` (costs may share one: a sum).
   */
  sumCost(a: Value, options: { scale?: number; weights?: MatrixView; label?: string; metricSlot?: number } = {}): Cost {
    return this.cost(options.weights ? 'dot' : 'sum', a, options.weights, options.scale ?? 1, options.label ?? `cost(${a.label})`, options.metricSlot);
  }

  /** Cost per row: scale * |prediction - target|^2, the target held constant. */
  squaredError(prediction: Value, target: MatrixView, options: { scale?: number; label?: string } = {}): Cost {
    if (target.cols !== prediction.view.cols) throw new ConfigError(`${this.label} squared error target`, target.cols, `${prediction.view.cols} columns`);
    return this.cost('squaredError', prediction, target, options.scale ?? 1, options.label ?? `mse(${prediction.label})`);
  }

  /** A metric slot that counts forward passes (a constant cost of 1 per row; no gradient). */
  counter(label = 'count', metricSlot?: number): Cost {
    const ones = f32(this.ctx, `${this.label}.${label}.ones`, [this.agents, this.rows], new Float32Array(this.agents * this.rows).fill(1));
    return this.sumCost(this.input(matrix(ones, { agents: this.agents, rows: this.rows, cols: 1 }), { label }), { label, metricSlot });
  }

  // ---- compilation ----

  /** Cost values reachable from `v` along any edge (for score-function weights). */
  private downstreamCosts(v: Value): Cost[] {
    const reached = new Set<number>([v.id]);
    const costs: Cost[] = [];
    for (const node of this.nodes) {
      if (!node.inputs.some((x) => reached.has(x.id))) continue;
      for (const o of node.outputs) {
        reached.add(o.id);
        if ('metricSlot' in o) costs.push(o as Cost);
      }
    }
    return costs;
  }

  /** Values from which some cost is reachable through differentiable (pathwise) edges. */
  private pathwiseToCost(): Set<number> {
    const live = new Set<number>();
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      // A score-function node sends gradients to its parameters when costs lie downstream.
      if (node.score && this.downstreamCosts(node.outputs[0]).length > 0) for (const x of node.score.params) live.add(x.id);
      if (!node.backward) continue;
      const feeds = node.outputs.some((o) => 'metricSlot' in o || live.has(o.id));
      if (feeds) for (const x of node.inputs) if (x.requiresGrad) live.add(x.id);
    }
    return live;
  }

  async compile(): Promise<Compiled> {
    const forward: Dispatch[] = [];
    for (const node of this.nodes) forward.push(...(await node.forward()));

    const live = this.pathwiseToCost();
    const steps: Dispatch[] = [];
    this.backwardSeen.clear();
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      const feeds = node.outputs.some((o) => ('metricSlot' in o && o.requiresGrad) || live.has(o.id));
      if (node.backward && feeds) steps.push(...(await node.backward()));
      if (node.score) steps.push(...(await this.scoreTerm(node)));
    }
    // Every twin, including those the steps above created, starts each backward pass at zero.
    const clears = await Promise.all([...this.twins.values()].map((g) => clearDispatch(this.cache, g)));
    return { forward, backward: [...clears, ...steps] };
  }

  /** weight = (sum of downstream costs - baseline) / rows per row, then the score dispatch. */
  private async scoreTerm(node: Node): Promise<Dispatch[]> {
    const sf = node.score!;
    const costs = this.downstreamCosts(node.outputs[0]);
    if (costs.length === 0) return [];
    const weight = sf.weight();
    const w = matrix(weight, { agents: this.agents, rows: this.rows, cols: 1 });
    const n = 1 / this.rows;
    const label = `${node.label} score weight`;
    const out: Dispatch[] = [];
    if (sf.baseline) {
      if (sf.baseline.view.cols !== 1) throw new ConfigError(`${this.label} ${node.label} baseline`, sf.baseline.view.cols, '1 column');
      if (this.downstreamCosts(sf.baseline).length > 0 && this.isDescendant(sf.baseline, node.outputs[0])) {
        throw new ConfigError(`${this.label} ${node.label} baseline`, sf.baseline.label, 'a value that does not depend on the sample');
      }
      out.push(await mapDispatch(this.cache, { op: 'add', a: costs[0].view, b: sf.baseline.view, alpha: n, beta: -n, out: w }, label));
    } else {
      out.push(await mapDispatch(this.cache, { op: 'add', a: costs[0].view, alpha: n, beta: 0, out: w }, label));
    }
    for (const c of costs.slice(1)) out.push(await mapDispatch(this.cache, { op: 'add', a: c.view, alpha: n, beta: 0, out: w, accumulate: true }, label));
    out.push(await sf.dispatch(weight));
    return out;
  }

  private isDescendant(v: Value, of: Value): boolean {
    const reached = new Set<number>([of.id]);
    for (const node of this.nodes) {
      if (node.inputs.some((x) => reached.has(x.id))) for (const o of node.outputs) reached.add(o.id);
    }
    return reached.has(v.id);
  }

  /** Names of the metric slots, by cost label. */
  get costs(): Cost[] {
    return this.values.filter((v): v is Cost => 'metricSlot' in v);
  }
}

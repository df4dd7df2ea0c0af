/**
 * Stochastic nodes: each declares how its gradient is estimated. 'pathwise' (reparameterized)
 * nodes hold their noise fixed and pass gradients through the sample; 'score' nodes stop them at
 * the sample and contribute a score-function term, grad log p(sample) times the per-row weights
 * compile.ts derives from the downstream costs and the node's baseline.
 */
import { ConfigError } from '../errors.js';
import type { Dispatch } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { type MatrixView, matrix } from '../gpu/view.js';
import { BinaryUnit } from '../sample/bernoulli.js';
import { GumbelSoftmax } from '../sample/categorical.js';
import { DiagGaussian } from '../sample/gaussian.js';
import type { GraphState, Node, ScoreTerm, Value } from './values.js';

export type GaussianEstimator = 'pathwise' | 'score';
export type CategoricalEstimator = 'gumbel-softmax' | 'straight-through' | 'score';
/** Binary units: the binary Concrete relaxation, its straight-through variant, or the score function. */
export type BinaryEstimator = 'concrete' | 'straight-through' | 'score';

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

export interface GaussianOptions extends NoiseOptions {
  estimator: GaussianEstimator;
  squash?: boolean;
  logStdRange?: readonly [number, number];
  /** A sample drawn before, for the score function alone (its noise is not known). */
  observed?: MatrixView;
  /** Pathwise: infer the noise that reproduces these actions instead of drawing it (SVG(inf) along its own recent trajectories). */
  inferFrom?: MatrixView;
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

export interface BinaryNode {
  /** The 0/1 sample (hard), or the relaxed one for 'concrete'. */
  sample: Value;
  sampler: BinaryUnit;
}

/** The score-function term of a node whose parameters need gradients, or none. */
function scoreTerm(params: readonly Value[], baseline: Value | undefined, dispatch: ScoreTerm['dispatch']): ScoreTerm | undefined {
  return params.length > 0 ? { params, baseline, dispatch } : undefined;
}

/**
 * a ~ N(mu, diag(exp(logStd)^2)) (tanh-squashed with `squash`). 'pathwise': a = mu + sigma z
 * with z held fixed in backward; 'score': the sample is a constant and the node contributes
 * grad log p(a) times its downstream costs (less the baseline).
 */
export function gaussian(g: GraphState, mu: Value, logStd: Value, options: GaussianOptions): GaussianNode {
  const label = options.label ?? 'gaussian';
  if (options.observed) return observedGaussian(g, mu, logStd, options.observed, { ...options, label });
  if (options.estimator === 'score' && options.squash) {
    throw new ConfigError(`${g.label} ${label}.squash`, true, 'false with the score estimator (its log-probability gradient is taken at the pre-squash sample)');
  }
  const sampler = new DiagGaussian(g.ctx, {
    mu: mu.view, logStd: logStd.view, clock: g.clock, seed: options.seed, stream: options.stream, draw: options.draw,
    squash: options.squash, logStdRange: options.logStdRange, accumulate: true, label,
  });
  const params = [mu, logStd].filter((v) => v.requiresGrad);
  const pathwise = options.estimator === 'pathwise';
  const sampleView = options.into ?? g.own(mu.view.cols, `${label}.sample`);
  const sample = g.value(sampleView, label, pathwise && params.length > 0);
  const logp = g.value(matrix(sampler.logp, { agents: g.agents, rows: g.rows, cols: 1 }), `log p(${label})`, params.length > 0);
  if (params.length > 0) g.gradTensor(mu.view.tensor);
  const node: Node = {
    label,
    inputs: [mu, logStd],
    outputs: [sample, logp],
    forward: async () => [options.inferFrom ? await sampler.infer(g.cache, options.inferFrom, sample.view) : await sampler.sample(g.cache, sample.view)],
    backward: null,
  };
  if (params.length > 0) {
    // log p(a) depends on the parameters pathwise in both estimators (an entropy term).
    node.backward = async () => [
      await sampler.backward(g.cache, { action: g.grad(sample), logp: g.gradTensor(sampler.logp), mu: g.grad(mu), logStd: g.grad(logStd) }),
    ];
    if (!pathwise) {
      g.gradTensor(sampleView.tensor);
      node.score = scoreTerm(params, options.baseline, (weight) => sampler.score(g.cache, { x: sample.view, weight, mu: g.grad(mu), logStd: g.grad(logStd) }));
    }
  }
  g.gradTensor(sampler.logp);
  if (pathwise || params.length > 0) g.gradTensor(sampleView.tensor);
  g.push(node);
  return { sample, logp, sampler };
}

/**
 * A Gaussian node whose value was drawn before (e.g. while acting in the envs) and is given:
 * forward draws nothing, and the node contributes only its score-function term. (Its `logp`
 * value is not computed.)
 */
function observedGaussian(g: GraphState, mu: Value, logStd: Value, observed: MatrixView, options: GaussianOptions & { label: string }): GaussianNode {
  const { label } = options;
  if (options.estimator !== 'score' || options.squash) {
    throw new ConfigError(`${g.label} ${label}.observed`, options.estimator, 'the score estimator without squashing (a given sample has no noise to hold fixed)');
  }
  const sampler = new DiagGaussian(g.ctx, { mu: mu.view, logStd: logStd.view, clock: g.clock, seed: options.seed, stream: options.stream, accumulate: true, label });
  const sample = g.value(observed, label, false);
  const logp = g.value(matrix(sampler.logp, { agents: g.agents, rows: g.rows, cols: 1 }), `log p(${label})`, false);
  const params = [mu, logStd].filter((v) => v.requiresGrad);
  if (params.length > 0) g.gradTensor(mu.view.tensor);
  const score = scoreTerm(params, options.baseline, (weight) => sampler.score(g.cache, { x: observed, weight, mu: g.grad(mu), logStd: g.grad(logStd) }));
  g.push({ label, inputs: [mu, logStd], outputs: [sample, logp], forward: async () => [], backward: null, score });
  return { sample, logp, sampler };
}

/** The sampler a discrete node uses: a draw, the pathwise backward, and the score of a sample. */
interface DiscreteSampler {
  sample(cache: GraphState['cache'], y: MatrixView): Promise<Dispatch>;
  backward(cache: GraphState['cache'], dy: MatrixView, logitsGrad: MatrixView): Promise<Dispatch>;
}

/** A sample given from outside (drawn while acting) has no noise to hold fixed: score function only. */
function checkObserved(g: GraphState, label: string, estimator: string, observed: MatrixView | undefined): void {
  if (observed && estimator !== 'score') throw new ConfigError(`${g.label} ${label}.observed`, estimator, 'the score estimator (a given sample has no noise to hold fixed)');
}

/**
 * A discrete node over `logits`: relaxed or straight-through (`pathwise`: gradients through the
 * sampler's relaxation) or hard with the score function (`score(view, weight)`, the view being
 * the sample - drawn here, or `observed` before).
 */
function discrete(
  g: GraphState,
  logits: Value,
  sampler: DiscreteSampler,
  o: NoiseOptions & { label: string; pathwise: boolean; observed?: MatrixView; score: (sample: MatrixView, weight: Tensor<'f32'>) => Promise<Dispatch> },
): Value {
  const observed = o.observed;
  const view = observed ?? o.into ?? g.own(logits.view.cols, `${o.label}.sample`);
  const sample = g.value(view, o.label, o.pathwise && logits.requiresGrad);
  const node: Node = { label: o.label, inputs: [logits], outputs: [sample], forward: async () => (observed ? [] : [await sampler.sample(g.cache, view)]), backward: null };
  if (logits.requiresGrad) {
    g.gradTensor(view.tensor);
    if (o.pathwise) node.backward = async () => [await sampler.backward(g.cache, g.grad(sample), g.grad(logits))];
    else node.score = scoreTerm([logits], o.baseline, (weight) => o.score(view, weight));
  }
  g.push(node);
  return sample;
}

/**
 * A categorical sample from softmax(logits): relaxed ('gumbel-softmax', output soft), hard
 * with the relaxed gradient ('straight-through', biased), or hard with the score function.
 */
export function categorical(g: GraphState, logits: Value, options: NoiseOptions & { estimator: CategoricalEstimator; tau?: number; observed?: MatrixView }): CategoricalNode {
  const label = options.label ?? 'categorical';
  checkObserved(g, label, options.estimator, options.observed);
  const sampler = new GumbelSoftmax(g.ctx, {
    logits: logits.view, clock: g.clock, seed: options.seed, stream: options.stream, draw: options.draw,
    tau: options.tau, hard: options.estimator !== 'gumbel-softmax', accumulate: true, label,
  });
  const observed = options.observed;
  const score = (y: MatrixView, weight: Tensor<'f32'>) =>
    observed ? sampler.scoreObserved(g.cache, { observed: y, weight, logitsGrad: g.grad(logits) }) : sampler.score(g.cache, { weight, logitsGrad: g.grad(logits) });
  return { sample: discrete(g, logits, sampler, { ...options, label, pathwise: options.estimator !== 'score', score }), sampler };
}

/**
 * Independent binary units b ~ Bernoulli(sigmoid(logits)), one per column: relaxed
 * ('concrete', output soft), hard with the relaxed gradient ('straight-through'), or hard with
 * the score function (also of a sample drawn before: `observed`).
 */
export function binary(g: GraphState, logits: Value, options: NoiseOptions & { estimator: BinaryEstimator; tau?: number; observed?: MatrixView }): BinaryNode {
  const label = options.label ?? 'binary';
  checkObserved(g, label, options.estimator, options.observed);
  const sampler = new BinaryUnit(g.ctx, {
    logits: logits.view, clock: g.clock, seed: options.seed, stream: options.stream, draw: options.draw,
    tau: options.tau, hard: options.estimator !== 'concrete', accumulate: true, label,
  });
  const score = (b: MatrixView, weight: Tensor<'f32'>) => sampler.score(g.cache, { sample: b, weight, logitsGrad: g.grad(logits) });
  return { sample: discrete(g, logits, sampler, { ...options, label, pathwise: options.estimator !== 'score', score }), sampler };
}

/**
 * The seed's hard-attention classifier as a stochastic computation graph (Schulman et al. 2015,
 * section 1's second example): look at a coarse view o1 of the canvas, choose a window a (a
 * categorical over the 3 x 3 grid), read the crop o2 of that window, and output a label.
 *
 *   v1  reward 1 for the right label: the label is a categorical sample too, and both the window
 *       and the label get score-function gradients (cost = -1[label correct]).
 *   v2  cost = -log p(correct label | o2): pathwise (backpropagation) into the classifier, the
 *       score function with a baseline for the window.
 *
 * The baseline b(o1) is a network of the coarse view (a non-descendant of every sample), fitted
 * to the downstream cost by squared error in the same graph. Two controls share the code: a
 * uniformly random window (no glimpse network: what attention must beat) and a classifier of the
 * whole canvas (no attention: all the information, but nine places to find the digit in).
 */
import { type Schema, flagName, resolveOptions } from '../algos/common/options.js';
import { ConfigError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { f32 } from '../gpu/tensor.js';
import { matrix } from '../gpu/view.js';
import { Adam } from '../nn/adam.js';
import { crossEntropy, crossEntropyBackward } from '../nn/crossEntropy.js';
import { Mlp } from '../nn/mlp.js';
import { Clock } from '../rng/clock.js';
import { type Cost, Graph, type Value } from '../scg/graph.js';
import { GlyphBatch, cropDispatch } from './data.js';
import { CANVAS, CELL, CLASSES, COARSE, WINDOWS } from './glyphs.js';

export const ATTENTION_VERSIONS = ['v1', 'v2'] as const;
export const WINDOW_CHOICES = ['learned', 'random', 'whole'] as const;
export type AttentionVersion = (typeof ATTENTION_VERSIONS)[number];
/** learned: the glimpse network chooses; random: uniform windows (the control); whole: no crop (no attention). */
export type WindowChoice = (typeof WINDOW_CHOICES)[number];

/** The example's options (the command line's flags and help come from this schema). */
export const ATTENTION_SCHEMA = {
  version: { kind: 'choice', default: 'v2', choices: ATTENTION_VERSIONS, help: 'v1: reward 1 for the right label, score function for window and label; v2: cost -log p(label), backpropagation into the classifier, score function for the window' },
  window: { kind: 'choice', default: 'learned', choices: WINDOW_CHOICES, help: 'learned: a glimpse network chooses; random: uniform windows (the control); whole: a classifier of the whole canvas (no attention)' },
  baseline: { kind: 'choice', default: 'learned', choices: ['learned', 'none'], help: "the score-function terms' baseline: a network b(o1) of the coarse view fitted to the cost, or none" },
  batch: { kind: 'number', default: 256, min: 1, max: 65535, integer: true, help: 'examples per update' },
  iterations: { kind: 'number', default: 3000, min: 1, integer: true, help: 'updates' },
  lr: { kind: 'number', default: 1e-3, min: 0, exclusiveMin: true, max: 1, help: 'Adam step size of every network' },
  hidden: { kind: 'number', default: 128, min: 1, max: 4096, integer: true, help: "width of every network's hidden layer" },
  seed: { kind: 'number', default: 1, min: 0, max: 0xffffffff, integer: true, help: 'seed of the networks, the training batches and the test set' },
  evalExamples: { kind: 'number', default: 2048, min: 1, max: 65535, integer: true, help: 'test examples (a fixed set from a stream training never uses)' },
} as const satisfies Schema;

export interface AttentionConfig {
  version: AttentionVersion;
  window: WindowChoice;
  baseline: 'learned' | 'none';
  batch: number;
  iterations: number;
  lr: number;
  hidden: number;
  seed: number;
  evalExamples: number;
}

/** Philox streams of the example (apart from src/rng/philox.ts's Stream values). */
export const ATTENTION_STREAM = { train: 20, window: 21, label: 22, test: 23, testWindow: 24 } as const;

/** The schema's defaults under `options`, every field checked (a ConfigError naming its flag) before any GPU work. */
export function attentionConfig(options: Readonly<Record<string, unknown>> = {}): AttentionConfig {
  return resolveOptions(ATTENTION_SCHEMA, options) as AttentionConfig;
}

/** Refuses batches whose tensors exceed this device's storage binding size (before allocating them). */
export function checkAttentionLimits(ctx: GpuContext, config: AttentionConfig): void {
  const perExample = CANVAS * CANVAS * 4;
  const most = Math.floor(ctx.limits.maxStorageBufferBindingSize / perExample);
  for (const key of ['batch', 'evalExamples'] as const) {
    if (config[key] > most) throw new ConfigError(flagName(key), config[key], `at most ${most} on this device (a canvas is ${perExample} bytes; maxStorageBufferBindingSize ${ctx.limits.maxStorageBufferBindingSize})`);
  }
}

/** The example's networks and their optimizers (shared by the training graph and evaluation). */
export class AttentionNets {
  readonly glimpse: Mlp | null;
  readonly classifier: Mlp;
  readonly baseline: Mlp | null;
  readonly optimizers: Adam[];

  constructor(ctx: GpuContext, readonly config: AttentionConfig) {
    const { hidden, seed, window, version, lr } = config;
    const net = (label: string, sizes: number[], stream: number) => Mlp.create(ctx, { sizes }, { seed, stream, label });
    this.glimpse = window === 'learned' ? net('glimpse', [COARSE * COARSE, hidden, WINDOWS], 1) : null;
    this.classifier = net('classifier', [window === 'whole' ? CANVAS * CANVAS : CELL * CELL, hidden, CLASSES], 2);
    // A baseline serves score-function nodes with parameters: the window's, and v1's label.
    const scored = window === 'learned' || version === 'v1';
    this.baseline = config.baseline === 'learned' && scored ? net('baseline', [COARSE * COARSE, hidden, 1], 3) : null;
    this.optimizers = [this.glimpse, this.classifier, this.baseline].filter((n): n is Mlp => n !== null).map((n) => new Adam(ctx, n.params, n.grads, 1, { lr }, `${n.label}.adam`));
  }
}

export interface AttentionGraph {
  graph: Graph;
  data: GlyphBatch;
  /** The glimpse network's window logits (learned windows only). */
  windowLogits: Value | null;
  /** The cost the score-function terms weigh (v1: -1[correct]; v2: -log p(label)). */
  cost: Cost;
  /** One iteration: draw a batch, forward, backward (the optimizers' steps are the caller's). */
  dispatches: Dispatch[];
}

/**
 * The training graph over `rows` examples per step, drawn with `clock` from `stream`. `baseline`
 * false leaves the baseline out of the score-function terms (for measuring what it buys).
 */
export async function attentionGraph(
  ctx: GpuContext, cache: PipelineCache, nets: AttentionNets,
  o: { rows: number; clock: Clock; stream: number; baseline?: boolean },
): Promise<AttentionGraph> {
  const { version, window, seed } = nets.config;
  const rows = o.rows;
  const data = new GlyphBatch(ctx, rows, { seed, stream: o.stream }, o.clock);
  const g = new Graph(ctx, cache, { agents: 1, rows, clock: o.clock, label: `attention ${version}` });
  const coarse = g.input(data.view(data.coarse), { label: 'o1 (coarse view)' });
  const useBaseline = (o.baseline ?? true) && nets.baseline !== null;
  const baseline = useBaseline ? g.mlp(nets.baseline!, coarse, { label: 'baseline b(o1)' }) : undefined;

  let windowLogits: Value | null = null;
  let seen: Value;
  if (window === 'whole') {
    seen = g.input(data.view(data.canvas), { label: 'canvas' });
  } else {
    windowLogits = nets.glimpse ? g.mlp(nets.glimpse, coarse, { label: 'glimpse' }) : g.input(matrix(f32(ctx, 'attention.uniform_logits', [rows, WINDOWS]), { rows, cols: WINDOWS }), { label: 'uniform' });
    const choice = g.categorical(windowLogits, { estimator: 'score', seed, stream: ATTENTION_STREAM.window, baseline, label: 'window a' }).sample;
    const crop = matrix(f32(ctx, 'attention.crop', [rows, CELL * CELL]), { rows, cols: CELL * CELL });
    [seen] = g.custom({ label: 'crop o2', inputs: [choice], outputs: [crop], outputLabels: ['o2 (crop)'], forward: [await cropDispatch(cache, data.canvas, choice.view, crop)] });
    if (!nets.glimpse) windowLogits = null;
  }
  const logits = g.mlp(nets.classifier, seen, { label: 'classifier' });
  const labels = data.view(data.label);

  let cost: Cost;
  if (version === 'v2') {
    const ceTensor = f32(ctx, 'attention.ce', [1, rows]);
    const views = { logits: logits.view, target: labels, ce: matrix(ceTensor, { rows, cols: 1 }) };
    const dce = { ...views.ce, tensor: g.gradTensor(ceTensor) };
    const [ce] = g.custom({
      label: 'cross-entropy', inputs: [logits], outputs: [views.ce], outputLabels: ['-log p(label)'],
      forward: [await crossEntropy(cache, views)],
      backward: [await crossEntropyBackward(cache, views, dce, g.grad(logits))],
    });
    cost = g.sumCost(ce, { label: '-log p(label)' });
  } else {
    const guess = g.categorical(logits, { estimator: 'score', seed, stream: ATTENTION_STREAM.label, baseline, label: 'label guess' }).sample;
    cost = g.sumCost(guess, { weights: labels, scale: -1, label: '-reward' });
  }
  if (baseline) g.squaredError(baseline, cost.view, { label: 'baseline fit' });
  const { forward, backward } = await g.compile();
  return { graph: g, data, windowLogits, cost, dispatches: [await o.clock.tick(cache), await data.generate(cache), ...forward, ...backward] };
}

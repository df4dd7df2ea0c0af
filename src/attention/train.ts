/**
 * Training and testing the hard-attention example on the GPU: every update draws a fresh batch,
 * runs the graph forward and backward and steps the optimizers, many updates per queue submit;
 * the test set (a fixed stream) is classified with the most probable window, or a uniformly random
 * one for the random-window control.
 */
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { Recorder, runOnce } from '../gpu/recorder.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { matrix } from '../gpu/view.js';
import { Clock } from '../rng/clock.js';
import { GumbelSoftmax } from '../sample/categorical.js';
import { GlyphBatch, cropDispatch } from './data.js';
import { CANVAS, CELL, CLASSES, WINDOWS } from './glyphs.js';
import { requireInt } from '../errors.js';
import { ATTENTION_STREAM, type AttentionConfig, AttentionNets, attentionConfig, attentionGraph, checkAttentionLimits } from './model.js';

export interface AttentionTest {
  /** Fraction of test examples labelled correctly. */
  accuracy: number;
  /** Fraction whose chosen window holds the glyph (null without windows). */
  windowHits: number | null;
  /** The first test examples as classified, when asked for (drawing them). */
  examples?: ShownExample[];
}

export interface ShownExample {
  /** CANVAS x CANVAS pixels, row-major. */
  canvas: Float32Array;
  label: number;
  predicted: number;
  /** The glyph's window and the chosen one (null: the classifier saw the whole canvas). */
  glyphWindow: number;
  chosen: number | null;
}

export interface AttentionReport extends AttentionTest {
  iteration: number;
  /** Mean over the last reporting interval: -log p(label) (v2) or the reward (v1). */
  train: number;
  wall_s: number;
}

/** Classifies the fixed test set with the current networks. */
export class AttentionTester {
  private constructor(
    private readonly data: GlyphBatch,
    private readonly program: Dispatch[],
    private readonly read: { logits: () => Promise<Float32Array>; windows: (() => Promise<Float32Array>) | null },
  ) {}

  static async create(ctx: GpuContext, cache: PipelineCache, nets: AttentionNets): Promise<AttentionTester> {
    const { seed, evalExamples: rows, window } = nets.config;
    const data = new GlyphBatch(ctx, rows, { seed, stream: ATTENTION_STREAM.test }, new Clock(ctx, 'attention test clock'), 'test glyphs');
    const program: Dispatch[] = [await data.generate(cache)];
    if (window === 'whole') {
      const net = nets.classifier.bind(cache, data.view(data.canvas), { label: 'test classifier' });
      program.push(...(await net.forward()));
      return new AttentionTester(data, program, { logits: () => net.output.tensor.read(), windows: null });
    }
    const logits = nets.glimpse
      ? nets.glimpse.bind(cache, data.view(data.coarse), { label: 'test glimpse' })
      : null;
    if (logits) program.push(...(await logits.forward()));
    const logitsView = logits?.output ?? matrix(f32(ctx, 'test uniform logits', [rows, WINDOWS]), { rows, cols: WINDOWS });
    const chosen = matrix(f32(ctx, 'test windows', [rows, WINDOWS]), { rows, cols: WINDOWS });
    const sampler = new GumbelSoftmax(ctx, { logits: logitsView, clock: data.clock, seed, stream: ATTENTION_STREAM.testWindow, hard: true, label: 'test window' });
    program.push(nets.glimpse ? await sampler.mode(cache, chosen) : await sampler.sample(cache, chosen));
    const crop = matrix(f32(ctx, 'test crop', [rows, CELL * CELL]), { rows, cols: CELL * CELL });
    program.push(await cropDispatch(cache, data.canvas, chosen, crop, 'test crop'));
    const net = nets.classifier.bind(cache, crop, { label: 'test classifier' });
    program.push(...(await net.forward()));
    return new AttentionTester(data, program, { logits: () => net.output.tensor.read(), windows: () => chosen.tensor.read() });
  }

  async test(ctx: GpuContext, shown = 0): Promise<AttentionTest> {
    await runOnce(ctx, this.program, 'attention test');
    const rows = this.data.rows;
    const [logits, labels, cells, windows] = await Promise.all([this.read.logits(), this.data.label.read(), this.data.cell.read(), this.read.windows?.() ?? null]);
    const argmax = (x: Float32Array, at: number, n: number) => {
      let best = 0;
      for (let k = 1; k < n; k++) if (x[at + k] > x[at + best]) best = k;
      return best;
    };
    let correct = 0, hits = 0;
    for (let r = 0; r < rows; r++) {
      if (argmax(logits, r * CLASSES, CLASSES) === argmax(labels, r * CLASSES, CLASSES)) correct++;
      if (windows && argmax(windows, r * WINDOWS, WINDOWS) === cells[r]) hits++;
    }
    const result: AttentionTest = { accuracy: correct / rows, windowHits: windows ? hits / rows : null };
    if (shown > 0) {
      const canvas = await this.data.canvas.read();
      const pixels = CANVAS * CANVAS;
      result.examples = Array.from({ length: Math.min(shown, rows) }, (_, r) => ({
        canvas: canvas.slice(r * pixels, (r + 1) * pixels),
        label: argmax(labels, r * CLASSES, CLASSES),
        predicted: argmax(logits, r * CLASSES, CLASSES),
        glyphWindow: cells[r],
        chosen: windows ? argmax(windows, r * WINDOWS, WINDOWS) : null,
      }));
    }
    return result;
  }
}

export interface AttentionRun {
  nets: AttentionNets;
  config: AttentionConfig;
  reports: AttentionReport[];
  final: AttentionTest;
  seconds: number;
}

/**
 * The example's training state: `update(k)` submits k updates (no readback), `report()` waits for
 * them, reads the mean training cost since the last report and classifies the test set.
 */
export class AttentionTrainer {
  iteration = 0;
  private sinceReport = 0;

  private constructor(
    private readonly start: number,
    readonly ctx: GpuContext,
    readonly config: AttentionConfig,
    readonly nets: AttentionNets,
    private readonly recorder: Recorder,
    private readonly tester: AttentionTester,
    private readonly metrics: { tensor: Tensor<'f32'>; slot: number; width: number },
  ) {}

  static async create(ctx: GpuContext, cache: PipelineCache, options: Readonly<Record<string, unknown>> = {}): Promise<AttentionTrainer> {
    const start = performance.now(); // wall time includes building the programs
    const config = attentionConfig(options);
    checkAttentionLimits(ctx, config);
    const nets = new AttentionNets(ctx, config);
    const graph = await attentionGraph(ctx, cache, nets, { rows: config.batch, clock: new Clock(ctx, 'attention clock'), stream: ATTENTION_STREAM.train });
    const steps = (await Promise.all(nets.optimizers.map((o) => o.step(cache)))).flat();
    const recorder = new Recorder(ctx, 'attention update').add(...graph.dispatches, ...steps);
    const metrics = { tensor: graph.graph.metrics, slot: graph.cost.metricSlot, width: graph.graph.metricWidth };
    metrics.tensor.write(new Float32Array(metrics.width));
    return new AttentionTrainer(start, ctx, config, nets, recorder, await AttentionTester.create(ctx, cache, nets), metrics);
  }

  /** Submits `iterations` updates in one command buffer. */
  update(iterations: number): void {
    requireInt('updates per submit', iterations, 1);
    this.recorder.submit(iterations);
    this.iteration += iterations;
    this.sinceReport += iterations;
  }

  /** Waits for the submitted updates; the training cost since the last report and a test (`shown` examples returned). */
  async report(shown = 0): Promise<AttentionReport> {
    await this.ctx.sync('attention update');
    const { tensor, slot, width } = this.metrics;
    const sign = this.config.version === 'v1' ? -1 : 1;
    const train = this.sinceReport > 0 ? ((await tensor.read())[slot] / this.sinceReport) * sign : Number.NaN;
    tensor.write(new Float32Array(width));
    this.sinceReport = 0;
    const test = await this.tester.test(this.ctx, shown);
    return { iteration: this.iteration, train, ...test, wall_s: (performance.now() - this.start) / 1000 };
  }
}

/** Trains the example; `onReport` gets a test every `reportEvery` updates and at the end. */
export async function trainAttention(
  ctx: GpuContext, cache: PipelineCache, options: Readonly<Record<string, unknown>> = {},
  run: { reportEvery?: number; submitEvery?: number; onReport?: (r: AttentionReport) => void } = {},
): Promise<AttentionRun> {
  const reportEvery = requireInt('reportEvery', run.reportEvery ?? 500, 1);
  const submitEvery = Math.min(requireInt('submitEvery', run.submitEvery ?? 50, 1), reportEvery);
  const trainer = await AttentionTrainer.create(ctx, cache, options);
  const { config } = trainer;
  const reports: AttentionReport[] = [];
  while (trainer.iteration < config.iterations) {
    const chunk = Math.min(reportEvery, config.iterations - trainer.iteration);
    for (let k = 0; k < chunk; k += submitEvery) trainer.update(Math.min(submitEvery, chunk - k));
    const report = await trainer.report();
    reports.push(report);
    run.onReport?.(report);
  }
  const final = reports[reports.length - 1];
  return { nets: trainer.nets, config, reports, final: { accuracy: final.accuracy, windowHits: final.windowHits }, seconds: final.wall_s };
}

/**
 * The hard-attention page: trains the seed's attention classifier (src/attention/) on
 * navigator.gpu and, every report, draws test examples with the window the glimpse chose and the
 * test accuracy curve. Updates go out in chunks sized to keep frames short; reports are awaited,
 * never blocking.
 */
import { AttentionTrainer, type ShownExample } from '../src/attention/train.js';
import { CANVAS, CELL, GRID } from '../src/attention/glyphs.js';
import { createBrowserContext } from '../src/gpu/browser.js';
import type { GpuContext } from '../src/gpu/context.js';
import { PipelineCache } from '../src/gpu/kernel.js';
import { lineChartSvg } from '../src/run/plot.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  version: $<HTMLSelectElement>('version'),
  window: $<HTMLSelectElement>('window'),
  batch: $<HTMLInputElement>('batch'),
  seed: $<HTMLInputElement>('seed'),
  start: $<HTMLButtonElement>('start'),
  pause: $<HTMLButtonElement>('pause'),
  adapter: $('adapter'),
  updates: $('updates'),
  train: $('train'),
  accuracy: $('accuracy'),
  hits: $('hits'),
  status: $('status'),
  canvas: $<HTMLCanvasElement>('examples-canvas'),
  curve: $('curve'),
};

const SHOWN = 16, COLUMNS = 4, REPORT_EVERY = 50;
/** URL parameters (tests use them): ?iterations=N stops after N updates; ?eval=N test examples. */
const params = new URLSearchParams(location.search);

let ctx: GpuContext;
let cache: PipelineCache;
let trainer: AttentionTrainer | null = null;
let running = false;
/** Bumped by every pause and start, so a loop from before a pause stops instead of running beside a new one. */
let generation = 0;
/** The loop running now (a new one waits for it to finish its step). */
let active: Promise<void> = Promise.resolve();
let chunk = 2;
const curve: { iteration: number; accuracy: number }[] = [];

function fail(e: unknown): void {
  running = false;
  ui.start.disabled = false;
  ui.status.textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
  console.error(e);
}

async function init(): Promise<void> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    $('unsupported').textContent = 'This browser has no WebGPU (navigator.gpu is missing): use a recent Chrome or Edge, or Firefox/Safari with WebGPU enabled.';
    $('unsupported').hidden = false;
    $('app').hidden = true;
    return;
  }
  ctx = await createBrowserContext();
  cache = new PipelineCache(ctx);
  ui.adapter.textContent = ctx.adapterName;
  ui.start.onclick = () => void start().catch(fail);
  ui.pause.onclick = () => {
    running = false;
    generation++;
    ui.start.disabled = false;
    ui.status.textContent = 'paused';
  };
}

async function start(): Promise<void> {
  const mine = ++generation;
  ui.start.disabled = true;
  ui.pause.disabled = false;
  if (!trainer) {
    ui.status.textContent = 'compiling';
    const options: Record<string, unknown> = {
      version: ui.version.value,
      window: ui.window.value,
      batch: Number(ui.batch.value), // checked (integers in range) by the trainer's config
      seed: Number(ui.seed.value),
      evalExamples: Number(params.get('eval') ?? 1024),
      iterations: Number(params.get('iterations') ?? 1e9),
    };
    trainer = await AttentionTrainer.create(ctx, cache, options);
    for (const el of [ui.version, ui.window, ui.batch, ui.seed]) el.disabled = true;
    if (mine !== generation) return; // paused while compiling: Start resumes
  }
  await active;
  if (mine !== generation) return;
  running = true;
  ui.status.textContent = 'training';
  active = loop(mine).catch(fail);
}

/** Submits chunks of updates frame by frame (sized to about 30 ms of GPU work) and reports every REPORT_EVERY. */
async function loop(mine: number): Promise<void> {
  const t = trainer!;
  while (running && mine === generation && t.iteration < t.config.iterations) {
    const begin = performance.now();
    const next = Math.min(chunk, REPORT_EVERY - (t.iteration % REPORT_EVERY), t.config.iterations - t.iteration);
    t.update(next);
    await ctx.sync('attention page');
    const ms = performance.now() - begin;
    chunk = Math.max(1, Math.min(REPORT_EVERY, Math.round(chunk * (ms < 15 ? 2 : ms > 60 ? 0.5 : 1))));
    if (t.iteration % REPORT_EVERY === 0 || t.iteration >= t.config.iterations) show(await t.report(SHOWN));
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  if (t.iteration >= t.config.iterations) {
    ui.status.textContent = 'done';
    ui.pause.disabled = true;
  }
}

function show(r: Awaited<ReturnType<AttentionTrainer['report']>>): void {
  ui.updates.textContent = String(r.iteration);
  ui.train.textContent = `${r.train.toFixed(3)} (${trainer!.config.version === 'v1' ? 'reward' : '-log p(label)'})`;
  ui.accuracy.textContent = r.accuracy.toFixed(3);
  ui.hits.textContent = r.windowHits === null ? 'no windows' : r.windowHits.toFixed(3);
  curve.push({ iteration: r.iteration, accuracy: r.accuracy });
  if (r.examples) drawExamples(r.examples);
  const points = curve.map((c) => ({ x: c.iteration, y: c.accuracy }));
  const t = trainer!.config;
  void lineChartSvg(points, { title: `hard attention ${t.version}, ${t.window} windows`, x: 'updates', y: 'test accuracy', yFormat: '.0%' }).then((svg) => (ui.curve.innerHTML = svg));
}

function drawExamples(examples: readonly ShownExample[]): void {
  const g = ui.canvas.getContext('2d');
  if (!g) return;
  const size = ui.canvas.width / COLUMNS, scale = (size - 24) / CANVAS;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, ui.canvas.width, ui.canvas.height);
  examples.forEach((e, i) => {
    const ox = (i % COLUMNS) * size + 12, oy = Math.floor(i / COLUMNS) * size + 4;
    for (let y = 0; y < CANVAS; y++) for (let x = 0; x < CANVAS; x++) {
      g.fillStyle = e.canvas[y * CANVAS + x] > 0 ? '#222' : '#eee';
      g.fillRect(ox + x * scale, oy + y * scale, scale, scale);
    }
    if (e.chosen !== null) {
      g.strokeStyle = e.chosen === e.glyphWindow ? '#1e8449' : '#c0392b';
      g.lineWidth = 3;
      g.strokeRect(ox + (e.chosen % GRID) * CELL * scale, oy + Math.floor(e.chosen / GRID) * CELL * scale, CELL * scale, CELL * scale);
    }
    g.fillStyle = e.predicted === e.label ? '#1e8449' : '#c0392b';
    g.font = '13px system-ui, sans-serif';
    g.fillText(`label ${e.label}, said ${e.predicted}`, ox, oy + CANVAS * scale + 15);
  });
}

void init().catch(fail);

/**
 * The browser demo: trains DDPG on navigator.gpu with the library's own kernels, draws a grid of
 * the environments and the learning curve while it learns, then shows the deterministic policy.
 * GPU work goes out in chunks sized to keep each frame short; readbacks are awaited, never
 * blocking, and the environment state is copied at most once per animation frame.
 */
import { exploreDispatch } from '../src/algos/common/explore.js';
import { CPU_PRESET } from '../src/run/presets.js';
import { type Report, Trainer } from '../src/run/trainer.js';
import { algoConfig, runConfig } from '../src/run/config.js';
import { Ddpg } from '../src/algos/ddpg.js';
import { EnvBatch } from '../src/envs/batch.js';
import { envNames, getEnv } from '../src/envs/registry.js';
import { renderStates } from '../src/envs/render.js';
import { createBrowserContext } from '../src/gpu/browser.js';
import type { GpuContext } from '../src/gpu/context.js';
import { PipelineCache } from '../src/gpu/kernel.js';
import { Recorder, runOnce } from '../src/gpu/recorder.js';
import { f32 } from '../src/gpu/tensor.js';
import { learningCurveSvg } from '../src/run/plot.js';
import { Clock } from '../src/rng/clock.js';
import { Stream } from '../src/rng/philox.js';
import { drawScenes } from './draw.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  env: $<HTMLSelectElement>('env'),
  envs: $<HTMLSelectElement>('envs'),
  seed: $<HTMLInputElement>('seed'),
  start: $<HTMLButtonElement>('start'),
  pause: $<HTMLButtonElement>('pause'),
  reset: $<HTMLButtonElement>('reset'),
  watch: $<HTMLButtonElement>('watch'),
  adapter: $('adapter'),
  steps: $('steps'),
  sps: $('sps'),
  episodes: $('episodes'),
  lastReturn: $('last-return'),
  status: $('status'),
  canvas: $<HTMLCanvasElement>('envs-canvas'),
  curve: $('curve'),
};

const SHOWN = 64; // environments drawn (of the N trained)
const GRID = 8;

let ctx: GpuContext;
let cache: PipelineCache;
let trainer: Trainer | null = null;
let mode: 'idle' | 'training' | 'paused' | 'watching' = 'idle';
let chunk = 8; // env steps per frame, adapted to keep frames short
let reports: Report[] = [];
let episodes = 0;
let lastCurve = 0;
let watchLoop: (() => Promise<void>) | null = null;
let watchEnv: EnvBatch | null = null;

function setStatus(text: string): void {
  ui.status.textContent = text;
}

function fail(e: unknown): void {
  mode = 'paused';
  setStatus(`error: ${e instanceof Error ? e.message : String(e)}`);
  console.error(e);
}

async function init(): Promise<void> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    showUnsupported('This browser has no WebGPU (navigator.gpu is missing). pathwise needs WebGPU: use a recent Chrome or Edge (113+), or Firefox/Safari with WebGPU enabled, on a machine with a supported GPU driver.');
    return;
  }
  try {
    ctx = await createBrowserContext();
  } catch (e) {
    showUnsupported(`WebGPU is present but no GPU adapter could be used: ${e instanceof Error ? e.message : String(e)}. Check that hardware acceleration is enabled and the GPU is not blocklisted.`);
    return;
  }
  cache = new PipelineCache(ctx);
  ui.adapter.textContent = ctx.adapterName;
  for (const name of envNames().filter((n) => getEnv(n).goalDim === 0)) ui.env.add(new Option(name, name, name === 'pendulum', name === 'pendulum'));
  ui.start.onclick = () => void start().catch(fail);
  ui.pause.onclick = () => pause();
  ui.reset.onclick = () => reset();
  ui.watch.onclick = () => void watch().catch(fail);
}

function showUnsupported(message: string): void {
  const box = $('unsupported');
  box.textContent = message;
  box.hidden = false;
  $('app').hidden = true;
}

async function start(): Promise<void> {
  if (mode === 'paused' && trainer) {
    mode = 'training';
    setStatus('training');
    requestAnimationFrame(trainFrame);
    return;
  }
  const envs = Number(ui.envs.value);
  const seed = Math.max(0, Math.floor(Number(ui.seed.value) || 0));
  const run = runConfig({ env: ui.env.value, envs, seed, steps: 2 ** 40, reportEvery: 25, evalEpisodes: 0 });
  // A CPU adapter (SwiftShader) gets the small settings; a GPU the published ones.
  const algo = algoConfig('ddpg', ctx.isSoftware ? CPU_PRESET.algo : { learningStarts: 10 * envs });
  setStatus('compiling kernels');
  ui.start.disabled = true;
  trainer = await Trainer.create(ctx, cache, run, algo);
  reports = [];
  episodes = 0;
  mode = 'training';
  setStatus('training');
  ui.pause.disabled = false;
  ui.reset.disabled = false;
  ui.watch.disabled = false;
  requestAnimationFrame(trainFrame);
}

function pause(): void {
  if (mode === 'training' || mode === 'watching') {
    mode = 'paused';
    setStatus('paused');
    ui.start.disabled = false;
    ui.start.textContent = 'Resume';
  }
}

function reset(): void {
  mode = 'idle';
  trainer = null;
  watchLoop = null;
  watchEnv?.destroy();
  watchEnv = null;
  reports = [];
  episodes = 0;
  ui.steps.textContent = '0';
  ui.episodes.textContent = '0';
  ui.lastReturn.textContent = '-';
  ui.sps.textContent = '-';
  ui.curve.textContent = '';
  ui.start.disabled = false;
  ui.start.textContent = 'Start';
  ui.pause.disabled = true;
  ui.watch.disabled = true;
  setStatus('idle');
  ui.canvas.getContext('2d')?.clearRect(0, 0, ui.canvas.width, ui.canvas.height);
}

async function onReport(r: Report): Promise<void> {
  reports.push(r);
  episodes += r.episodes;
  ui.episodes.textContent = String(episodes);
  if (r.return_mean !== null) ui.lastReturn.textContent = r.return_mean.toFixed(1);
  const now = performance.now();
  if (now - lastCurve > 1000 && reports.some((x) => x.return_mean !== null)) {
    lastCurve = now;
    ui.curve.innerHTML = await learningCurveSvg(reports, `DDPG on ${trainer?.run.env} (${trainer?.run.envs} envs)`);
  }
}

async function drawEnvs(env: EnvBatch): Promise<void> {
  const state = await env.envState.read(); // the one copy of GPU state this frame
  drawScenes(ui.canvas, renderStates(env.def, state, SHOWN, env.params), GRID);
}

async function trainFrame(): Promise<void> {
  if (mode !== 'training' || !trainer) return;
  const t = trainer;
  try {
    const begin = performance.now();
    const before = t.iteration;
    // Reports (readbacks) only every reportEvery steps, not at the end of every frame's chunk.
    await t.train(t.iteration + chunk, onReport, undefined, false);
    await drawEnvs(t.algo.env);
    const elapsed = performance.now() - begin;
    ui.steps.textContent = String(t.iteration * t.run.envs);
    ui.sps.textContent = (((t.iteration - before) * t.run.envs) / (elapsed / 1000)).toExponential(2);
    chunk = elapsed > 40 ? Math.max(1, Math.floor(chunk / 2)) : elapsed < 12 ? Math.min(256, chunk * 2) : chunk;
  } catch (e) {
    fail(e);
    return;
  }
  requestAnimationFrame(trainFrame);
}

/** Runs the deterministic policy (no noise) on fresh envs and shows them, a step per frame. */
async function watch(): Promise<void> {
  if (!trainer || !(trainer.algo instanceof Ddpg)) return;
  mode = 'watching';
  setStatus('watching the deterministic policy');
  ui.start.disabled = false;
  ui.start.textContent = 'Resume training';
  const def = getEnv(trainer.run.env);
  const clock = new Clock(ctx, 'watch clock');
  watchLoop = null; // stops the previous loop before its batch goes
  watchEnv?.destroy(); // one watched batch at a time
  const env = await new EnvBatch(ctx, def, { envs: SHOWN, seed: trainer.run.seed + 7, clock, label: 'watch' }).build(cache);
  watchEnv = env;
  const policy = await Ddpg.policy(cache, trainer.algo.nets.actor, env.obsView);
  const action = f32(ctx, 'watch action', [SHOWN, env.actionDim]);
  const act = await exploreDispatch(cache, env, policy.output, action, f32(ctx, 'watch ou', [SHOWN, env.actionDim]), clock, {
    noise: 'none', sigma: 0, ouTheta: 0, ouDt: 1, warmup: 0, seed: trainer.run.seed, stream: Stream.explore,
  });
  await runOnce(ctx, [env.resetDispatch]);
  const step = new Recorder(ctx, 'watch step').add(await clock.tick(cache), ...policy.forward, act, env.stepDispatch);
  let frames = 0;
  const loop = async () => {
    if (mode !== 'watching' || watchLoop !== loop) return;
    try {
      step.submit(1);
      await drawEnvs(env);
      if (++frames % 60 === 0) {
        const [s] = await env.readStats();
        if (s.episodes > 0) ui.lastReturn.textContent = `${s.returnMean.toFixed(1)} (policy)`;
      }
    } catch (e) {
      // A loop replaced while its frame was in flight may find its batch released: not an error.
      if (watchLoop === loop) fail(e);
      return;
    }
    requestAnimationFrame(() => void loop());
  };
  watchLoop = loop;
  requestAnimationFrame(() => void loop());
}

void init().catch(fail);

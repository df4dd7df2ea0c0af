/**
 * The browser demo: trains any of the library's algorithms on navigator.gpu with its own
 * kernels, draws a grid of the environments and the learning curve while it learns, then shows
 * the deterministic policy next to a random one. GPU work goes out in chunks sized to keep each
 * frame short; readbacks are awaited, never blocking, and the environment state is copied at most
 * once per animation frame.
 */
import { deterministicActing, type DeterministicActing } from '../src/algos/common/acting.js';
import { ALGORITHM_ENTRIES, getAlgorithm } from '../src/algos/registry.js';
import { EnvBatch } from '../src/envs/batch.js';
import { envNames, getEnv } from '../src/envs/registry.js';
import { renderStates } from '../src/envs/render.js';
import { createBrowserContext } from '../src/gpu/browser.js';
import type { GpuContext } from '../src/gpu/context.js';
import { PipelineCache } from '../src/gpu/kernel.js';
import { Recorder, runOnce } from '../src/gpu/recorder.js';
import { GpuTimer } from '../src/gpu/timer.js';
import { Clock } from '../src/rng/clock.js';
import { algoConfig, runConfig } from '../src/run/config.js';
import { learningCurveSvg } from '../src/run/plot.js';
import { evaluateRandomPolicy } from '../src/run/evaluate.js';
import { CPU_PRESETS } from '../src/run/presets.js';
import { taskSettings } from '../src/run/taskSettings.js';
import { type Report, Trainer } from '../src/run/trainer.js';
import { drawScenes } from './draw.js';
import { loadEnvModules } from './envModules.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  env: $<HTMLSelectElement>('env'),
  algo: $<HTMLSelectElement>('algo'),
  envs: $<HTMLSelectElement>('envs'),
  seed: $<HTMLInputElement>('seed'),
  start: $<HTMLButtonElement>('start'),
  pause: $<HTMLButtonElement>('pause'),
  reset: $<HTMLButtonElement>('reset'),
  watch: $<HTMLButtonElement>('watch'),
  adapter: $('adapter'),
  steps: $('steps'),
  sps: $('sps'),
  gpuTime: $('gpu-time'),
  episodes: $('episodes'),
  firstReturn: $('first-return'),
  lastReturn: $('last-return'),
  policyReturn: $('policy-return'),
  randomReturn: $('random-return'),
  status: $('status'),
  canvas: $<HTMLCanvasElement>('envs-canvas'),
  curve: $('curve'),
};

const SHOWN = 64; // environments drawn (of the N trained)
const GRID = 8;

let ctx: GpuContext;
let cache: PipelineCache;
let timer: GpuTimer | null = null;
let trainer: Trainer | null = null;
let mode: 'idle' | 'training' | 'paused' | 'watching' = 'idle';
let chunk = 8; // env steps per frame, adapted to keep frames short
let reports: Report[] = [];
let episodes = 0;
let lastCurve = 0;
/** The watched envs and their acting, released when watching again or resetting. */
let watched: { env: EnvBatch; clock: Clock; acting: DeterministicActing; loop: () => Promise<void> } | null = null;

function setStatus(text: string): void {
  ui.status.textContent = text;
}

function fail(e: unknown): void {
  mode = 'paused';
  ui.start.disabled = false;
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
  timer = GpuTimer.create(ctx);
  ui.adapter.textContent = ctx.adapterName;
  if (!timer) ui.gpuTime.textContent = 'no timestamp queries on this adapter';
  let custom: string[] = [];
  try {
    custom = await loadEnvModules(location.search);
  } catch (e) {
    fail(e);
  }
  const selected = custom[0] ?? 'pendulum';
  for (const name of envNames().filter((n) => getEnv(n).goalDim === 0)) ui.env.add(new Option(name, name, name === selected, name === selected));
  for (const a of ALGORITHM_ENTRIES) {
    const option = new Option(a.name, a.name, a.name === 'ddpg', a.name === 'ddpg');
    option.title = a.summary;
    ui.algo.add(option);
  }
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

/**
 * A CPU adapter (SwiftShader) takes the algorithm's small settings; a GPU the published ones;
 * both under the settings tuned for the task where src/run/taskSettings.json has them.
 */
function algorithmSettings(algo: string, env: string, envs: number): Record<string, unknown> {
  const tuned = taskSettings(algo, env, ctx.isSoftware ? 'cpu' : 'gpu')?.algo;
  if (ctx.isSoftware) return { ...CPU_PRESETS[algo].algo, ...tuned };
  return { ...(algo === 'ddpg' ? { learningStarts: 10 * envs } : {}), ...tuned };
}

async function start(): Promise<void> {
  if (mode === 'paused' && trainer) {
    mode = 'training';
    setStatus('training');
    requestAnimationFrame(trainFrame);
    return;
  }
  const algo = getAlgorithm(ui.algo.value).name;
  const envs = Number(ui.envs.value);
  const seed = Math.max(0, Math.floor(Number(ui.seed.value) || 0));
  const run = runConfig({ algo, env: ui.env.value, envs, seed, steps: 2 ** 40, reportEvery: 25, evalEpisodes: 0 });
  const settings = algoConfig(algo, algorithmSettings(algo, ui.env.value, envs));
  setStatus('compiling kernels');
  ui.start.disabled = true;
  trainer = await Trainer.create(ctx, cache, run, settings);
  trainer.timer = timer;
  reports = [];
  episodes = 0;
  mode = 'training';
  // Say when the driver refused the row programs and one dispatch per layer runs instead.
  setStatus(trainer.algo.programNote ? `training (${trainer.algo.programNote})` : 'training');
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

function stopWatching(): void {
  watched?.acting.release();
  watched?.env.destroy();
  watched?.clock.tensor.destroy();
  watched = null;
}

function reset(): void {
  mode = 'idle';
  trainer = null;
  stopWatching();
  reports = [];
  episodes = 0;
  for (const el of [ui.firstReturn, ui.lastReturn, ui.policyReturn, ui.randomReturn, ui.sps]) el.textContent = '-';
  ui.steps.textContent = '0';
  ui.episodes.textContent = '0';
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
  if (r.return_mean !== null) {
    ui.lastReturn.textContent = r.return_mean.toFixed(1);
    if (ui.firstReturn.textContent === '-') ui.firstReturn.textContent = r.return_mean.toFixed(1);
  }
  const now = performance.now();
  if (now - lastCurve > 1000 && reports.some((x) => x.return_mean !== null)) {
    lastCurve = now;
    ui.curve.innerHTML = await learningCurveSvg(reports, `${trainer?.run.algo} on ${trainer?.run.env} (${trainer?.run.envs} envs)`);
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
    if (timer && t.lastSubmit.timed) ui.gpuTime.textContent = `${((await timer.readNanoseconds()) / t.lastSubmit.steps / 1000).toFixed(1)} us`;
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

/** Fresh envs acting with the trained policy's mode. */
async function actingEnvs(t: Trainer, seed: number): Promise<{ env: EnvBatch; clock: Clock; acting: DeterministicActing }> {
  const clock = new Clock(ctx, 'watch clock');
  const env = await new EnvBatch(ctx, getEnv(t.run.env), { envs: SHOWN, seed, clock, label: 'watch' }).build(cache);
  const acting = await deterministicActing(cache, env, clock, await t.algo.evalPolicy(cache, env.obsView), { seed });
  await runOnce(ctx, [env.resetDispatch]);
  return { env, clock, acting };
}

/** Runs the deterministic policy (no noise) on fresh envs and shows them, a step per frame. */
async function watch(): Promise<void> {
  if (!trainer) return;
  const t = trainer;
  mode = 'watching';
  setStatus('watching the deterministic policy');
  ui.start.disabled = false;
  ui.start.textContent = 'Resume training';
  stopWatching(); // one watched batch at a time; stops the previous loop before its batch goes
  const seed = t.run.seed + 7;
  // The baseline to beat: one episode of uniformly random actions in each of as many envs.
  ui.randomReturn.textContent = (await evaluateRandomPolicy(ctx, cache, getEnv(t.run.env), { seed }, SHOWN)).return_mean.toFixed(1);
  const { env, clock, acting } = await actingEnvs(t, seed);
  const step = new Recorder(ctx, 'watch step').add(...acting.step);
  let frames = 0;
  const loop = async (): Promise<void> => {
    if (mode !== 'watching' || watched?.loop !== loop) return;
    try {
      step.submit(1);
      await drawEnvs(env);
      if (++frames % 60 === 0) {
        const [s] = await env.readStats();
        if (s.episodes > 0) ui.policyReturn.textContent = s.returnMean.toFixed(1);
      }
    } catch (e) {
      // A loop replaced while its frame was in flight may find its batch released: not an error.
      if (watched?.loop === loop) fail(e);
      return;
    }
    requestAnimationFrame(() => void loop());
  };
  watched = { env, clock, acting, loop };
  requestAnimationFrame(() => void loop());
}

void init().catch(fail);

/**
 * Benchmark timing: warm-up, then repeated submits of a recorded program, each carrying
 * `iterations` replays in one command buffer. GPU timestamps are used where the adapter has
 * them (the pass's own duration), wall-clock time around submit + completion otherwise.
 * Reports per-iteration median and spread; a benchmark is not a test and asserts nothing.
 */
import type { GpuContext } from '../gpu/context.js';
import type { Recorder } from '../gpu/recorder.js';
import { GpuTimer } from '../gpu/timer.js';
import { ConfigError, PipelineError } from '../errors.js';

export interface Timing {
  /** Per iteration, microseconds. */
  median_us: number;
  p10_us: number;
  p90_us: number;
  min_us: number;
  samples: number;
  iterations_per_submit: number;
  method: 'gpu-timestamp' | 'wall-clock';
}

export interface TimeOptions {
  iterations: number;
  repeats: number;
  warmup?: number;
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i];
}

export async function timeProgram(ctx: GpuContext, program: Recorder, options: TimeOptions): Promise<Timing> {
  const timer = GpuTimer.create(ctx);
  for (let i = 0; i < (options.warmup ?? 2); i++) await program.run(options.iterations);
  const samples: number[] = [];
  for (let r = 0; r < options.repeats; r++) {
    const start = performance.now();
    program.submit(options.iterations, timer ?? undefined);
    await ctx.sync(program.label);
    const wallUs = (performance.now() - start) * 1000;
    const us = timer ? (await timer.readNanoseconds()) / 1000 : wallUs;
    samples.push(us / options.iterations);
  }
  timer?.destroy();
  samples.sort((a, b) => a - b);
  return {
    median_us: quantile(samples, 0.5),
    p10_us: quantile(samples, 0.1),
    p90_us: quantile(samples, 0.9),
    min_us: samples[0],
    samples: samples.length,
    iterations_per_submit: options.iterations,
    method: timer ? 'gpu-timestamp' : 'wall-clock',
  };
}

export function deviceSummary(ctx: GpuContext): Record<string, unknown> {
  const l = ctx.limits;
  return {
    adapter: ctx.adapterName,
    info: ctx.adapterInfo,
    features: [...ctx.features].sort(),
    limits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  };
}

/** A file-name-safe slug of the adapter's name, e.g. "llvmpipe" or "nvidia-h100-80gb-hbm3". */
export function deviceSlug(ctx: GpuContext): string {
  const name = ctx.adapterName.split(/:| \/ /)[0];
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'unknown';
}

export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Runs one benchmark case; a kernel the driver refuses to build (PipelineError) or a case over
 * the device's limits (ConfigError, e.g. a tape over maxStorageBufferBindingSize) gives
 * `{ refused }` instead of stopping the suite, so a table shows which cases a device cannot run.
 */
export async function orRefused<T>(measure: () => Promise<T>): Promise<T | { refused: string }> {
  try {
    return await measure();
  } catch (e) {
    if (e instanceof PipelineError) return { refused: `refused by the driver: ${e.message.split('\n')[0]}` };
    if (e instanceof ConfigError) return { refused: `over this device's limits: ${e.message.split('\n')[0]}` };
    throw e;
  }
}

/**
 * Builds a case's algorithm over `env`, or says why the device cannot run it (orRefused); a
 * failed build leaves nothing behind: its buffers and the env's are destroyed.
 */
export async function buildOrRefused<T>(ctx: GpuContext, env: { destroy(): void }, build: () => Promise<T>): Promise<T | { refused: string }> {
  const built = await orRefused(() => ctx.discardOnFailure(build)).catch((e: unknown) => {
    env.destroy();
    throw e;
  });
  if (typeof built === 'object' && built !== null && 'refused' in built) env.destroy();
  return built;
}

/** A table cell for a number a refused case lacks. */
export function cell(x: unknown, format: (v: number) => string): string {
  return typeof x === 'number' && Number.isFinite(x) ? format(x) : 'not run';
}

/** The timing method of a row, or '' for a refused case. */
export function method(r: Record<string, unknown>): string {
  return (r.timing as { method?: string } | undefined)?.method ?? '';
}

/** One suite's results: rows for JSON, and a markdown table for people. */
export interface SuiteResult {
  suite: string;
  rows: Record<string, unknown>[];
  table: string;
}

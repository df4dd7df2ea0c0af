/**
 * Kernels, pipelines, bind groups and dispatches.
 *
 * A Kernel names one WGSL entry point with its override constants (tile sizes, activation, ...);
 * the PipelineCache compiles each distinct (shader, entry point, constants) once. A Dispatch is a
 * pipeline with its bound buffers and workgroup counts: the unit a Recorder replays. Everything
 * here is created once when a program is built, never per training step.
 */
import { ConfigError, GpuError, PipelineError } from '../errors.js';
import type { GpuContext } from './context.js';
import { type ShaderSource, type SourceLocation, hoistDirectives, locateLine } from './shaders.js';
import type { Tensor } from './tensor.js';

export interface Kernel {
  shader: ShaderSource;
  entryPoint: string;
  /** WGSL `override` values: tile sizes, activation ids, workgroup sizes. */
  constants?: Readonly<Record<string, number>>;
}

/** "nn/linear.wgsl:forward" - how kernels are named in errors and labels. */
export function kernelName(kernel: Kernel): string {
  return `${kernel.shader.path}:${kernel.entryPoint}`;
}

function cacheKey(kernel: Kernel): string {
  const constants = Object.entries(kernel.constants ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${kernel.shader.path}|${kernel.entryPoint}|${constants}`;
}

export interface CacheOptions {
  /** Use kernels' subgroup variants where the adapter has 'subgroups'. Default true. */
  subgroups?: boolean;
  /** Tile shapes for a CPU adapter (true) or a GPU (false). Default: what the adapter is. */
  softwareTiles?: boolean;
  /**
   * Pipelines to refuse as a driver that cannot build them would (PipelineError), by kernel
   * name: lets tests take the fallbacks a GPU driver forces (rows -> layers) on any adapter.
   */
  refusePipelines?: (name: string) => boolean;
  /**
   * Whether `--program auto` takes row programs (one invocation runs a row's whole chain) for the
   * algorithms whose two programs were timed on a GPU: DDPG and REINFORCE. Default: on CPU
   * adapters only. Measured: on lavapipe DDPG's rows ran 2.9x faster than one dispatch per layer;
   * on an NVIDIA H200 (bench/results/ddpg-NVIDIA-H200.json) 3-35x slower at every shape measured
   * (N 1-4096 envs, batch 256 and 4096, 64- and 128-wide networks), since a 256-row minibatch is
   * only 256 threads there, each running whole networks alone; REINFORCE's segment collection
   * took 1.1x the per-layer time there. SVG(0) and SVG(inf) take rows wherever they build until
   * timed on a GPU (the driver refuses kernels over 12-16 KiB of private memory per invocation:
   * then `auto` falls back to layers).
   */
  autoRows?: boolean;
}

export class PipelineCache {
  private modules = new Map<string, Promise<GPUShaderModule>>();
  private pipelines = new Map<string, Promise<GPUComputePipeline>>();
  /** Whether kernels with a subgroup variant use it on this device. */
  readonly subgroups: boolean;
  /** Whether layers pick the tile shapes that suit CPU adapters (src/nn/linear.ts chooseTiles). */
  readonly softwareTiles: boolean;
  private readonly refusePipelines?: (name: string) => boolean;
  /** Whether `--program auto` takes row programs on this device (CacheOptions.autoRows). */
  readonly autoRows: boolean;

  constructor(
    readonly ctx: GpuContext,
    options: CacheOptions = {},
  ) {
    this.subgroups = (options.subgroups ?? true) && ctx.hasFeature('subgroups');
    this.softwareTiles = options.softwareTiles ?? ctx.isSoftware;
    this.refusePipelines = options.refusePipelines;
    this.autoRows = options.autoRows ?? ctx.isSoftware;
  }

  /** The kernel with the shader variant this device runs. */
  private resolve(kernel: Kernel): Kernel {
    return this.subgroups && kernel.shader.subgroups ? { ...kernel, shader: kernel.shader.subgroups } : kernel;
  }

  get size(): number {
    return this.pipelines.size;
  }

  /** Returns the compiled pipeline for `kernel`, compiling it on first use. */
  pipeline(requested: Kernel): Promise<GPUComputePipeline> {
    const kernel = this.resolve(requested);
    const key = cacheKey(kernel);
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.compile(kernel);
      this.pipelines.set(key, pipeline);
      // A failed compile must not poison the cache for a corrected retry.
      pipeline.catch(() => this.pipelines.delete(key));
    }
    return pipeline;
  }

  private module(shader: ShaderSource): Promise<GPUShaderModule> {
    let module = this.modules.get(shader.path);
    if (!module) {
      module = this.compileModule(shader);
      this.modules.set(shader.path, module);
      module.catch(() => this.modules.delete(shader.path));
    }
    return module;
  }

  private async compileModule(shader: ShaderSource): Promise<GPUShaderModule> {
    const { device } = this.ctx;
    device.pushErrorScope('validation');
    const code = hoistDirectives(shader.code);
    const module = device.createShaderModule({ label: shader.path, code });
    const info = await module.getCompilationInfo();
    const scopeError = await device.popErrorScope();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) throw new GpuError(compileErrorMessage(shader.path, code, info.messages));
    if (scopeError) throw new GpuError(`WGSL compile error in ${shader.path}: ${scopeError.message}`);
    return module;
  }

  private async compile(kernel: Kernel): Promise<GPUComputePipeline> {
    const name = kernelName(kernel);
    const module = await this.module(kernel.shader);
    if (this.refusePipelines?.(name)) throw new PipelineError(`creating pipeline ${name}: refused (PipelineCache option refusePipelines)`);
    try {
      return await this.ctx.device.createComputePipelineAsync({
        label: name,
        layout: 'auto',
        compute: { module, entryPoint: kernel.entryPoint, constants: { ...kernel.constants } },
      });
    } catch (e) {
      const message = `creating pipeline ${name}: ${e instanceof Error ? e.message : String(e)}`;
      // GPUPipelineError: 'validation' is a kernel of ours breaking a WebGPU rule (a bug, not a
      // device to work around); 'internal' is the driver refusing what it was given.
      if ((e as { reason?: string }).reason === 'validation') throw new GpuError(message);
      throw new PipelineError(message);
    }
  }
}

export type Binding = Tensor | GPUBuffer;

export interface Dispatch {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: readonly [number, number, number];
}

/**
 * Builds a dispatch of `kernel` over `workgroups`, binding each buffer at its @binding number
 * in @group(0). Checks the workgroup counts against the device limit first.
 */
export async function makeDispatch(
  cache: PipelineCache,
  kernel: Kernel,
  bindings: Readonly<Record<number, Binding>>,
  workgroups: readonly [number, number?, number?],
  label = kernelName(kernel),
): Promise<Dispatch> {
  const { ctx } = cache;
  const counts: [number, number, number] = [workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1];
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  counts.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 1 || c > max) {
      throw new ConfigError(`${label} workgroups[${'xyz'[i]}]`, c, `an integer in [1, ${max}] (maxComputeWorkgroupsPerDimension)`);
    }
  });
  const pipeline = await cache.pipeline(kernel);
  const entries: GPUBindGroupEntry[] = Object.entries(bindings).map(([binding, b]) => ({
    binding: Number(binding),
    resource: { buffer: 'buffer' in b ? b.buffer : b },
  }));
  const bindGroup = await ctx.scoped(`binding buffers of ${label}`, () =>
    ctx.device.createBindGroup({ label, layout: pipeline.getBindGroupLayout(0), entries }),
  );
  return { label, pipeline, bindGroup, workgroups: counts };
}

/** Number of workgroups of `size` threads needed to cover `n` items. */
export function groups(n: number, size: number): number {
  return Math.max(1, Math.ceil(n / size));
}

/**
 * A compile error's message: in the user's file and line where the code came from a user's file
 * (an environment of defineEnv), as a signature mismatch where a contract check failed, else in
 * the line of the concatenated module (shader.path names its parts).
 */
function compileErrorMessage(path: string, code: string, messages: readonly GPUCompilationMessage[]): string {
  const located = messages.map((m) => ({ m, at: locateLine(code, m.lineNum) }));
  const errors = located.filter((e) => e.m.type === 'error');
  const contract = errors.find((e) => e.at?.kind === 'contract');
  if (contract?.at?.kind === 'contract') {
    const { fn, signature } = contract.at;
    return `WGSL: ${fn} does not have the contract's signature \`fn ${fn}${signature}\` (or is not declared): ${contract.m.message}`;
  }
  const where = (at: SourceLocation | null, m: GPUCompilationMessage) => (at?.kind === 'file' ? `${at.file}:${at.line}:${m.linePos}` : `line ${m.lineNum}:${m.linePos}`);
  const user = errors.filter((e) => e.at?.kind === 'file');
  if (user.length > 0) return `WGSL compile error in ${user.map(({ m, at }) => `${where(at, m)}: ${m.message}`).join('; ')} (compiled as part of ${path})`;
  // An error in pathwise's code with a note in the user's file: a name of theirs clashes with ours.
  const note = located.find((e) => e.m.type !== 'error' && e.at?.kind === 'file');
  if (note) {
    return `WGSL compile error at ${where(note.at, note.m)}: ${errors[0].m.message} (${note.m.message}); the other declaration is pathwise's own, in ${path}: rename yours`;
  }
  return `WGSL compile error in ${path}: ${errors.map(({ m }) => `line ${m.lineNum}:${m.linePos}: ${m.message}`).join('; ')}`;
}

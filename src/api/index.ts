/**
 * The library API over one GPU context: what the Node entry (src/index.ts, Dawn through the
 * `webgpu` package) and the browser entry (src/browser.ts, a GPUDevice from the page) export.
 * Every function validates its input before any GPU work and throws a ConfigError naming the
 * option and its allowed values.
 */
import type { GpuContext } from '../gpu/context.js';
import { PipelineCache } from '../gpu/kernel.js';
import type { EvalResult } from '../run/evaluate.js';
import { type AlgorithmInfo, type EnvInfo, type OptionInfo, listAlgorithms, listEnvs, listRunOptions } from './catalog.js';
import { type ExportFormat, exportPolicy } from './export.js';
import { type TrainOptions, type TrainSettings, resolveTrainOptions } from './options.js';
import { Policy } from './policy.js';
import { type TrainControl, TrainingRun } from './training.js';
import { type MakeEnvOptions, VectorEnv } from './vectorEnv.js';
import { type CheckEnvOptions, type EnvCheckReport, checkEnv } from './checkEnv.js';
import { type EnvSpec, defineEnv } from '../envs/custom.js';
import type { EnvDefinition } from '../envs/types.js';

export interface Pathwise {
  /** Builds a training run (validated first); iterate it for reports, `finish()` it for the result. */
  train(options?: TrainOptions, control?: TrainControl): Promise<TrainingRun>;
  /**
   * The settings `train(options)` would use, every value filled (as `pathwise settings`): the
   * preset's, the task's tuned entry's and the defaults under the options given. Validated as
   * train validates; opens the device only for preset auto (to ask whether the adapter is a CPU).
   */
  settings(options?: TrainOptions): Promise<TrainSettings>;
  /** The deterministic policy of a checkpoint (its bytes), acting on CPU arrays. */
  loadPolicy(checkpoint: Uint8Array, name?: string): Promise<Policy>;
  /** A checkpoint's policy over `episodes` fresh envs (as `pathwise eval`). */
  evaluate(checkpoint: Uint8Array, options?: { episodes?: number; seed?: number }, name?: string): Promise<EvalResult>;
  /** A batch of envs with reset/step on arrays (gymnasium's vector-env vocabulary). */
  makeEnv(name: string, options?: MakeEnvOptions): Promise<VectorEnv>;
  /** A checkpoint's policy as ONNX bytes or JSON text (src/api/export.ts). */
  exportPolicy(checkpoint: Uint8Array, options?: { format?: ExportFormat; agent?: number; name?: string }): Promise<Uint8Array | string>;
  /**
   * Defines an environment of your own (sizes and constants as data, physics in WGSL; see
   * EnvSpec) and registers it by name for train, makeEnv, evaluate and checkEnv. No GPU work:
   * the WGSL's shape is checked here, its compilation happens at first use (or in checkEnv).
   */
  defineEnv(spec: EnvSpec): EnvDefinition;
  /**
   * gymnasium's env checker for an environment's WGSL: compile errors, reset and step against the
   * float64 reference, non-finite values, observations out of bounds, the VJP.
   */
  checkEnv(env: EnvDefinition | string, options?: CheckEnvOptions): Promise<EnvCheckReport>;
  listEnvs(): EnvInfo[];
  listAlgorithms(): AlgorithmInfo[];
  /** The run's options (envs, steps, seed, ...) with defaults and ranges. */
  listRunOptions(): OptionInfo[];
  /** The adapter's name, e.g. "NVIDIA H100 ..." or "llvmpipe ...". */
  adapter(): Promise<string>;
}

/** The API over the context `context()` gives (created on first use, shared by every call). */
export function bindApi(context: () => Promise<GpuContext>): Pathwise {
  let shared: Promise<{ ctx: GpuContext; cache: PipelineCache }> | null = null;
  const gpu = () =>
    (shared ??= context().then(
      (ctx) => ({ ctx, cache: new PipelineCache(ctx) }),
      (e: unknown) => {
        shared = null; // a failed acquisition is retried by the next call
        throw e;
      },
    ));
  return {
    train: async (options = {}, control = {}) => {
      const { ctx, cache } = await gpu();
      return TrainingRun.start(ctx, cache, options, control);
    },
    settings: async (options = {}) => {
      const auto = (options.preset ?? 'auto') === 'auto';
      if (auto) resolveTrainOptions({ ...options, preset: 'cpu' }, true, false); // bad values refused before any device (combinations depend on the preset)
      const { run, algo, preset, tuned } = resolveTrainOptions(options, auto ? (await gpu()).ctx.isSoftware : false);
      // Copies: the lists in them are the presets' own.
      return { run: structuredClone({ ...run }), algo: structuredClone(algo), preset: preset === 'gpu' ? 'gpu' : 'cpu', tunedSource: tuned?.source ?? null };
    },
    loadPolicy: async (checkpoint, name) => {
      const { ctx, cache } = await gpu();
      return Policy.load(ctx, cache, checkpoint, name);
    },
    evaluate: async (checkpoint, options = {}, name) => {
      const { ctx, cache } = await gpu();
      const policy = await Policy.load(ctx, cache, checkpoint, name);
      try {
        return await policy.evaluate(options.episodes ?? 100, options.seed);
      } finally {
        await policy.dispose();
      }
    },
    exportPolicy: async (checkpoint, options = {}) => {
      const { ctx, cache } = await gpu();
      const policy = await Policy.load(ctx, cache, checkpoint, options.name);
      try {
        return await exportPolicy(policy, options.format ?? 'onnx', options.agent ?? 0);
      } finally {
        await policy.dispose();
      }
    },
    makeEnv: async (name, options = {}) => {
      const { ctx, cache } = await gpu();
      return VectorEnv.create(ctx, cache, name, options);
    },
    defineEnv,
    checkEnv: async (env, options = {}) => {
      const { ctx, cache } = await gpu();
      return checkEnv(ctx, cache, env, options);
    },
    listEnvs,
    listAlgorithms,
    listRunOptions,
    adapter: async () => (await gpu()).ctx.adapterName,
  };
}

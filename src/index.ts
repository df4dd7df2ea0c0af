/// <reference types="@webgpu/types" preserve="true" />
/**
 * pathwise for Node: reinforcement learning trained entirely on the GPU through WebGPU (Dawn, the
 * `webgpu` package). One GPU device is created on first use and shared by every call.
 *
 *   import { train } from 'pathwise';
 *   const run = await train({ algo: 'ddpg', env: 'pendulum', steps: 200_000 });
 *   for await (const r of run) console.log(r.env_steps, r.return_mean);
 *   const { evaluation } = await run.finish();
 *
 * Checkpoints are bytes (`run.checkpoint()`); the functions taking one here also take a path
 * (a run directory of `pathwise train`, or its checkpoint.bin).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvDefinition } from './envs/types.js';
import { type NodeEnvSpec, readWgslFile } from './cli/envModule.js';
import { bindApi } from './api/index.js';
import type { ExportFormat } from './api/export.js';
import type { Policy } from './api/policy.js';
import type { EvalResult } from './run/evaluate.js';
import { createNodeContext } from './gpu/node.js';
import { CheckpointError } from './run/checkpoint.js';

const api = bindApi(() => createNodeContext());

/** Checkpoint bytes from bytes or a path (a run directory or a checkpoint file). */
function checkpointBytes(checkpoint: Uint8Array | string): { bytes: Uint8Array; name: string } {
  if (typeof checkpoint !== 'string') return { bytes: checkpoint, name: 'checkpoint' };
  const path = existsSync(join(checkpoint, 'checkpoint.bin')) ? join(checkpoint, 'checkpoint.bin') : checkpoint;
  if (!existsSync(path)) throw new CheckpointError(path, 'no such file (expected a run directory containing checkpoint.bin)');
  const data = readFileSync(path);
  return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), name: path };
}

/** Builds a training run (every option validated first); iterate it for reports, `finish()` it for the result. */
export const train = api.train;
/** The settings train(options) would use, every value filled (as `pathwise settings`). */
export const settings = api.settings;
/** A batch of envs with reset/step on arrays (gymnasium's vector-env vocabulary). */
export const makeEnv = api.makeEnv;
export const listEnvs = api.listEnvs;
/** gymnasium's env checker for an environment's WGSL (reference, non-finite values, bounds, VJP). */
export const checkEnv = api.checkEnv;

/**
 * Defines an environment of your own and registers it by name (see EnvSpec); its WGSL may be
 * given as `{ file }` (a path or `new URL('./env.wgsl', import.meta.url)`), read here.
 */
export function defineEnv(spec: NodeEnvSpec): EnvDefinition {
  return api.defineEnv(readWgslFile(spec));
}
export type { NodeEnvSpec };
export const listAlgorithms = api.listAlgorithms;
export const listRunOptions = api.listRunOptions;
/** The GPU adapter's name. */
export const adapter = api.adapter;

/** The deterministic policy of a checkpoint, acting on CPU arrays (actions in the env's bounds). */
export async function loadPolicy(checkpoint: Uint8Array | string): Promise<Policy> {
  const { bytes, name } = checkpointBytes(checkpoint);
  return api.loadPolicy(bytes, name);
}

/** A checkpoint's policy over `episodes` fresh envs (default 100), as `pathwise eval`. */
export async function evaluate(checkpoint: Uint8Array | string, options: { episodes?: number; seed?: number } = {}): Promise<EvalResult> {
  const { bytes, name } = checkpointBytes(checkpoint);
  return api.evaluate(bytes, options, name);
}

/** A checkpoint's policy as ONNX (opset 17, bytes) or JSON (text); `agent` picks one of several trained together. */
export async function exportPolicy(checkpoint: Uint8Array | string, options: { format?: ExportFormat; agent?: number } = {}): Promise<Uint8Array | string> {
  const { bytes, name } = checkpointBytes(checkpoint);
  return api.exportPolicy(bytes, { ...options, name });
}

export * from './api/public.js';

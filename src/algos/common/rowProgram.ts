/**
 * What the algorithms' row programs (shaders/fused/) share: the WGSL module a row kernel file is
 * compiled in - random numbers, dual numbers, the env's library (its file and the driver), the
 * row network library sized for the program's networks and their weight bindings - and the
 * dispatch of a row kernel over the rows of every agent.
 */
import type { EnvBatch } from '../../envs/batch.js';
import { environmentLibrary } from '../../envs/program.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../../gpu/kernel.js';
import { type ShaderSource, dual, rng } from '../../gpu/shaders.js';
import type { Tensor } from '../../gpu/tensor.js';
import type { Mlp } from '../../nn/mlp.js';
import { ConfigError } from '../../errors.js';
import type { UniformBuilder } from '../../gpu/uniform.js';
import { mlpRowLibrary, mlpShape, rowUnsupported, rowsPerGroup, weightLibrary } from '../../nn/rowNetwork.js';

/**
 * Where the current step count lives while a unit is recorded: acting reads one slot of the
 * clock tensor and writes the next count into the other (no invocation reads that slot in the
 * same dispatch); the unit's last parameter dispatch copies it back to slot 0.
 */
export interface ClockSlots {
  read: number;
}

/** A WGSL file of shaders/fused/ (its path under shaders/ and its code). */
export interface WgslFile {
  path: string;
  code: string;
}

/**
 * The module of a row kernel file: `libraries` (files of shaders/fused/ it calls) and then `kernel`,
 * after the shared libraries, with the weights of `weights` (in order: the kernel's network ids)
 * bound as read-only storage. `nets` are all the networks of the program (they size the private
 * rows); `what` tells apart modules of one file that bind different networks.
 */
export function rowModule(env: EnvBatch, o: { kernel: WgslFile; libraries: readonly WgslFile[]; nets: readonly Mlp[]; weights: readonly { name: string; binding: number }[]; what?: string }): ShaderSource {
  const envLib = environmentLibrary(env.def.shader, env.def.goalDim > 0);
  const variant = (lanes: 'subgroups' | 'none'): ShaderSource => {
    const library = mlpRowLibrary(o.nets, lanes);
    const after = [envLib.name, library.name, ...o.libraries.map((l) => l.path)].join(', ');
    return {
      path: `${o.kernel.path} (${o.what ? `${o.what}; ` : ''}after ${after})`,
      code: [rng, dual, envLib.code, library.code, weightLibrary(o.weights), ...o.libraries.map((l) => l.code), o.kernel.code].join('\n'),
    };
  };
  return { ...variant('none'), subgroups: variant('subgroups') };
}

/** A row kernel's dispatch: one invocation per row of each agent, rowsPerGroup rows per workgroup. */
export function rowDispatch(
  cache: PipelineCache,
  shader: ShaderSource,
  entryPoint: string,
  bindings: Record<number, Tensor | GPUBuffer>,
  shape: { rows: number; agents: number },
  label: string,
): Promise<Dispatch> {
  const constants = rowConstants(cache);
  return makeDispatch(cache, { shader, entryPoint, constants }, bindings, [groups(shape.rows, constants.ROWS), shape.agents], label);
}

/**
 * A row kernel's override constants on this device: rows per workgroup, and whether lanes share
 * weight loads (fused/lanes.wgsl) - on CPU adapters, where each lane loads for itself.
 */
export function rowConstants(cache: PipelineCache): { ROWS: number; LANE_WEIGHTS: number } {
  return { ROWS: rowsPerGroup(cache), LANE_WEIGHTS: cache.softwareTiles ? 1 : 0 };
}

/** Why row programs that bind `storageBuffers` storage buffers per stage cannot run `nets` on a device with `limits`, or null. */
export function rowsUnsupportedOn(limits: GPUSupportedLimits, storageBuffers: number, nets: readonly Mlp[]): string | null {
  if (limits.maxStorageBuffersPerShaderStage < storageBuffers) return `a device with ${limits.maxStorageBuffersPerShaderStage} storage buffers per shader stage (row programs bind ${storageBuffers})`;
  for (const net of nets) {
    const why = rowUnsupported(net);
    if (why) return `the ${net.label} has ${why}`;
  }
  return null;
}

/**
 * The program `--program` (auto, rows or layers: the schema's choices) asks for: layers, or rows
 * where they can run. `auto` takes rows where they can run and `preferRows` holds: the
 * algorithms whose two programs were timed on a GPU pass `cache.autoRows` (rows on CPU adapters
 * only), the others true until measured. `unsupported` says why rows cannot run (null: they
 * can). Asked for rows that cannot run, a ConfigError naming why.
 */
export function chooseProgram(program: string, preferRows: boolean, unsupported: () => string | null): 'rows' | 'layers' {
  if (program === 'layers' || (program === 'auto' && !preferRows)) return 'layers';
  const why = unsupported();
  if (why === null) return 'rows';
  if (program === 'rows') throw new ConfigError('--program', 'rows', `auto or layers: ${why}`);
  return 'layers';
}

/**
 * What a row kernel's uniform ends with (16-byte aligned): the env's action bounds as
 * `low, high: array<vec4<f32>, 4>`, then each network's MlpShape in order.
 */
export function boundsAndShapes(u: UniformBuilder, env: EnvBatch, nets: readonly Mlp[]): UniformBuilder {
  u.align16();
  for (const bound of [env.def.actionLow, env.def.actionHigh]) for (let i = 0; i < 16; i++) u.f32(bound[i] ?? 0);
  for (const net of nets) mlpShape(u, net);
  return u;
}

/**
 * Networks inside row programs (shaders/fused/): the shape uniform a row kernel walks
 * (fused/mlp_row.wgsl's MlpShape), the tape a row kernel writes for the parameter kernel, and
 * that kernel (fused/param_update.wgsl): gradients summed over the tape's rows, Adam, Polyak.
 */
import { ConfigError } from '../errors.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../gpu/kernel.js';
import type { UniformBuilder } from '../gpu/uniform.js';
import { uniform } from '../gpu/uniform.js';
import { type ShaderSource } from '../gpu/shaders.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import type { Adam, ClockedSteps } from './adam.js';
import type { Activation } from './linear.js';
import type { Mlp } from './mlp.js';
import mlpRowWgsl from '../../shaders/fused/mlp_row.wgsl?raw';
import mlpShapeWgsl from '../../shaders/fused/mlp_shape.wgsl?raw';
import lanesWgsl from '../../shaders/fused/lanes.wgsl?raw';
import lanesNoneWgsl from '../../shaders/fused/lanes_none.wgsl?raw';
import paramUpdateWgsl from '../../shaders/fused/param_update.wgsl?raw';

/** The most layers (and the widest layer) a row program takes; wider networks use the per-layer kernels. */
export const ROW_MAX_LAYERS = 4;
export const ROW_MAX_WIDTH = 256;
const ACT_ID: Record<Activation, number> = { identity: 0, relu: 1, tanh: 2 };

/** Why `net` cannot run inside a row program, or null when it can. */
export function rowUnsupported(net: Mlp): string | null {
  if (net.layers.length > ROW_MAX_LAYERS) return `${net.layers.length} layers (row programs take at most ${ROW_MAX_LAYERS})`;
  const widest = Math.max(...net.spec.sizes);
  if (widest > ROW_MAX_WIDTH) return `a layer of width ${widest} (row programs take at most ${ROW_MAX_WIDTH})`;
  return null;
}

/**
 * Invocations per workgroup of row programs: CPU adapters (llvmpipe) vectorize a workgroup's
 * invocations over SIMD lanes and spread workgroups over cores, so a SIMD width's worth (8
 * floats of AVX2) lets a 64-row minibatch use every core (`npm run train` on lavapipe: 4 rows 45 s,
 * 8 rows 22 s, 16 rows 29 s); GPUs schedule warps of 32.
 */
export function rowsPerGroup(cache: PipelineCache): number {
  return cache.softwareTiles ? 8 : 64;
}

/** Floats per row of a network's tape: every layer's input, then every layer's delta. */
export function tapeWidth(net: Mlp): number {
  return net.layers.reduce((s, l) => s + l.inDim + l.outDim, 0);
}

/** fused/mlp_row.wgsl's MlpShape, appended to a uniform (16-byte aligned). */
export function mlpShape(u: UniformBuilder, net: Mlp): UniformBuilder {
  const why = rowUnsupported(net);
  if (why) throw new ConfigError(`${net.label} in a row program`, why, `at most ${ROW_MAX_LAYERS} layers of width <= ${ROW_MAX_WIDTH}`);
  u.align16();
  for (let l = 0; l < ROW_MAX_LAYERS; l++) {
    const layer = net.layers[l];
    if (layer) u.u32(layer.inDim).u32(layer.outDim).u32(layer.offset).u32(ACT_ID[layer.activation]);
    else u.u32(0).u32(0).u32(0).u32(0);
  }
  return u.u32(net.layers.length).u32(net.paramsPerAgent).u32(tapeWidth(net)).u32(0);
}

/**
 * The bindings of a row program's networks (read-only storage) and the accessors the row library
 * reads them with: `weight(net, i)` for network `net` of `nets`, in order.
 * Kernels call the library with constant network ids, so the switch folds away when it is
 * inlined. (Uniform arrays of vec4s, which a CPU adapter loads once for all the rows it runs
 * together, measured slower on llvmpipe: picking one float out of a vec4 costs more than it saves.)
 */
export function weightLibrary(nets: readonly { name: string; binding: number }[]): string {
  const declarations = nets.map(({ name, binding }) => `@group(0) @binding(${binding}) var<storage, read> ${name}: array<f32>;`);
  const scalar = nets.map(({ name }, i) => `    case ${i}u: { return ${name}[i]; }`);
  return [
    ...declarations,
    'fn weight(net: u32, i: u32) -> f32 {', '  switch net {', ...scalar, '    default: { return 0.0; }', '  }', '}',
  ].join('\n');
}

/**
 * The row library with its private arrays sized for the program's widest layer (a multiple of
 * 4); `name` goes into shader paths (the pipeline cache's key), so programs of other widths
 * compile their own. `lanes`: with fused/lanes.wgsl (subgroups: weights shared across lanes on
 * CPU adapters) or its stand-in for adapters without subgroups.
 */
export function mlpRowLibrary(nets: readonly Mlp[], lanes: 'subgroups' | 'none'): { code: string; name: string } {
  const width = Math.ceil(Math.max(...nets.flatMap((n) => n.spec.sizes)) / 4) * 4;
  const lanesFile = lanes === 'subgroups' ? { code: lanesWgsl, name: 'fused/lanes.wgsl' } : { code: lanesNoneWgsl, name: 'fused/lanes_none.wgsl' };
  return { code: `${mlpShapeWgsl}\nconst MAX_WIDTH: u32 = ${width}u;\n${lanesFile.code}\n${mlpRowWgsl}`, name: `fused/mlp_row.wgsl, MAX_WIDTH ${width}, ${lanesFile.name}` };
}

/** fused/param_update.wgsl's SECOND_PER_INVOCATION: elements of a second network's target per invocation. */
const SECOND_PER_INVOCATION = 16;

/** Invocations of the parameter kernel for `net`: 4 x 4 tiles of every layer's W_aug. */
function paramTiles(net: Mlp): number {
  return net.layers.reduce((s, l) => s + Math.ceil((l.inDim + 1) / 4) * Math.ceil(l.outDim / 4), 0);
}

/** What both parameter kernels read: the tape, the clock, the metrics they report. */
export interface TapeOptions {
  net: Mlp;
  /** The row kernel's tape [agents, rows, width] and where this network's part of a row starts. */
  tape: Tensor<'f32'>;
  rows: number;
  tapeWidth: number;
  tapeOffset?: number;
  clock: Tensor<'u32'>;
  /** The clock slot holding the current step, and whether to copy it back to slot 0 (a unit's end). */
  clockSlot: number;
  commitClock: boolean;
  /**
   * Per-row metric columns of the tape: their sums times `scale` (default 1 / rows: means) go
   * to `slots`, and `counter` counts updates.
   */
  metrics: { tensor: Tensor<'f32'>; width: number; col: number; slots: readonly number[]; counter: number; scale?: number };
  label: string;
}

export interface ParamUpdateOptions extends TapeOptions {
  opt: Adam;
  /** Adam's step count from the clock (the program steps the optimizer at fixed positions). */
  steps: Omit<ClockedSteps, 'clock'>;
  /** Polyak rate of the targets (0: none); the network's target, and a second network following its own. */
  tau?: number;
  target?: Mlp;
  second?: { online: Mlp; target: Mlp };
}

// Stand-ins for the bindings a dispatch does not use (a target, a second network).
const unused = new WeakMap<object, Tensor[]>();
function standIns(cache: PipelineCache): Tensor[] {
  let d = unused.get(cache.ctx);
  if (!d) {
    d = cache.ctx.persistent(() => [0, 1, 2].map((i) => f32(cache.ctx, `param update unused ${i}`, [4])));
    unused.set(cache.ctx, d);
  }
  return d;
}

const PARAM_UPDATE: ShaderSource = { path: 'fused/param_update.wgsl (after fused/mlp_shape.wgsl)', code: `${mlpShapeWgsl}\n${paramUpdateWgsl}` };

/** fused/param_update.wgsl's ParamUpdate. */
function paramUniform(cache: PipelineCache, o: TapeOptions & Partial<ParamUpdateOptions>, count2: number): GPUBuffer {
  if (o.metrics.slots.length > 4) throw new ConfigError(`${o.label} metric columns`, o.metrics.slots.length, 'at most 4');
  const adam = o.opt?.options ?? { lr: 0, beta1: 0, beta2: 0, eps: 0 };
  const steps = o.steps ?? { warmup: 0, stepsPerBlock: 1, updatesPerBlock: 1, index: 0, delay: 1 };
  const u = mlpShape(uniform(), o.net)
    .u32(o.rows).u32(o.tapeWidth).u32(o.tapeOffset ?? 0).u32(count2)
    .f32(adam.lr).f32(adam.beta1).f32(adam.beta2).f32(adam.eps)
    .u32(steps.warmup).u32(steps.stepsPerBlock).u32(steps.updatesPerBlock).u32(steps.index)
    .u32(steps.delay).f32(o.tau ?? 0).u32(o.clockSlot).u32(o.commitClock && o.clockSlot !== 0 ? 1 : 0)
    .u32(o.metrics.slots.length).u32(o.metrics.col).u32(o.metrics.counter).u32(o.metrics.width)
    .f32(o.metrics.scale ?? 1 / o.rows).u32(o.target ? 1 : 0).u32(0).u32(0);
  for (let c = 0; c < 4; c++) u.u32(o.metrics.slots[c] ?? 0);
  return u.build(cache.ctx, o.label);
}

/** Every parameter of `net` updated from the tape, in one dispatch (fused/param_update.wgsl `update`). */
export async function paramUpdateDispatch(cache: PipelineCache, o: ParamUpdateOptions): Promise<Dispatch> {
  const { net, opt } = o;
  if (opt.options.maxGradNorm > 0) throw new ConfigError(`${o.label} max gradient norm`, opt.options.maxGradNorm, '0 in a row program (clipping needs the per-layer program)');
  const count2 = o.second ? o.second.online.paramsPerAgent : 0;
  const [target, online2, target2] = standIns(cache);
  const rows = rowsPerGroup(cache);
  return makeDispatch(cache, { shader: PARAM_UPDATE, entryPoint: 'update', constants: { ROWS: rows } }, {
    0: paramUniform(cache, o, count2), 1: net.params, 2: opt.m, 3: opt.v, 4: o.tape,
    5: o.target?.params ?? target, 6: o.second?.online.params ?? online2, 7: o.second?.target.params ?? target2, 8: o.clock, 9: o.metrics.tensor,
  }, [groups(paramTiles(net) + Math.ceil(count2 / SECOND_PER_INVOCATION), rows), net.agents], o.label);
}

/**
 * The gradient of `net` from the tape into `out` (default `net.grads`, for an optimizer step
 * after it; fused/param_update.wgsl `gradients`).
 */
export async function paramGradientDispatch(cache: PipelineCache, o: TapeOptions & { out?: Tensor<'f32'> }): Promise<Dispatch> {
  const rows = rowsPerGroup(cache);
  return makeDispatch(cache, { shader: PARAM_UPDATE, entryPoint: 'gradients', constants: { ROWS: rows } }, {
    0: paramUniform(cache, o, 0), 4: o.tape, 8: o.clock, 9: o.metrics.tensor, 10: o.out ?? o.net.grads,
  }, [groups(paramTiles(o.net), rows), o.net.agents], o.label);
}

/**
 * The hard-attention example's data on the GPU: a batch of cluttered-glyph examples drawn from
 * Philox every step (shaders/attention/canvas.wgsl; float64 reference: glyphs.ts), and the crop
 * of the window a glimpse chooses (shaders/attention/glimpse.wgsl).
 */
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../gpu/kernel.js';
import { type ShaderSource, rng, view } from '../gpu/shaders.js';
import canvasWgsl from '../../shaders/attention/canvas.wgsl?raw';
import glimpseWgsl from '../../shaders/attention/glimpse.wgsl?raw';
import { f32, type Tensor, u32 } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import { type MatrixView, matrix } from '../gpu/view.js';
import type { Clock } from '../rng/clock.js';
import { requireInt, ConfigError } from '../errors.js';
import { CANVAS, CELL, CLASSES, COARSE, WINDOWS } from './glyphs.js';

const CANVAS_SHADER: ShaderSource = { path: 'attention/canvas.wgsl (after common/rng.wgsl)', code: `${rng}\n${canvasWgsl}` };
const GLIMPSE_SHADER: ShaderSource = { path: 'attention/glimpse.wgsl (after common/view.wgsl)', code: `${view}\n${glimpseWgsl}` };

/** A batch of examples, dense [rows x ...] tensors the generator rewrites every step. */
export class GlyphBatch {
  readonly canvas: Tensor<'f32'>;
  readonly coarse: Tensor<'f32'>;
  readonly label: Tensor<'f32'>;
  readonly cell: Tensor<'u32'>;

  constructor(
    readonly ctx: GpuContext,
    readonly rows: number,
    readonly key: { seed: number; stream: number },
    readonly clock: Clock,
    readonly name = 'glyphs',
  ) {
    requireInt(`${name}.rows`, rows, 1, ctx.limits.maxComputeWorkgroupsPerDimension * 64);
    requireInt(`${name}.seed`, key.seed, 0, 0xffffffff);
    requireInt(`${name}.stream`, key.stream, 0, 0xffffffff);
    this.canvas = f32(ctx, `${name}.canvas`, [rows, CANVAS * CANVAS]);
    this.coarse = f32(ctx, `${name}.coarse`, [rows, COARSE * COARSE]);
    this.label = f32(ctx, `${name}.label`, [rows, CLASSES]);
    this.cell = u32(ctx, `${name}.cell`, [rows]);
  }

  view(t: Tensor<'f32'>): MatrixView {
    return matrix(t, { rows: this.rows, cols: t.size / this.rows });
  }

  /** Draws the batch of the clock's current step. */
  generate(cache: PipelineCache): Promise<Dispatch> {
    const label = `${this.name} generate`;
    const params = uniform().u32(this.rows).u32(this.key.seed).u32(this.key.stream).u32(0).build(this.ctx, label);
    const bindings = { 0: params, 1: this.clock.tensor, 2: this.canvas, 3: this.coarse, 4: this.label, 5: this.cell };
    return makeDispatch(cache, { shader: CANVAS_SHADER, entryPoint: 'generate' }, bindings, [groups(this.rows, 64)], label);
  }

  destroy(): void {
    for (const t of [this.canvas, this.coarse, this.label, this.cell]) t.destroy();
  }
}

/** crop = the window of `canvas` (dense [rows x 576]) that `window` ([1 x rows x 9], one-hot) selects. */
export async function cropDispatch(cache: PipelineCache, canvas: Tensor<'f32'>, window: MatrixView, crop: MatrixView, label = 'crop'): Promise<Dispatch> {
  const rows = window.rows;
  if (window.cols !== WINDOWS || window.agents !== 1) throw new ConfigError(`${label} window`, `[${window.agents} x ${rows} x ${window.cols}]`, `[1 x rows x ${WINDOWS}]`);
  if (canvas.size !== rows * CANVAS * CANVAS) throw new ConfigError(`${label} canvas`, `${canvas.size} elements`, `${rows} x ${CANVAS * CANVAS}`);
  if (crop.rows !== rows || crop.cols !== CELL * CELL || crop.offset !== 0 || crop.rowStride !== CELL * CELL || crop.agents !== 1) {
    throw new ConfigError(`${label} crop`, `[${crop.agents} x ${crop.rows} x ${crop.cols}] at offset ${crop.offset}`, `a dense [1 x ${rows} x ${CELL * CELL}] tensor`);
  }
  const params = uniform().u32(rows).u32(0).u32(0).u32(0).view(window).build(cache.ctx, label);
  return makeDispatch(cache, { shader: GLIMPSE_SHADER, entryPoint: 'crop_window' }, { 0: params, 1: canvas, 2: window.tensor, 3: crop.tensor }, [groups(rows * CELL * CELL, 64)], label);
}

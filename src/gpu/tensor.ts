/**
 * Tensor: a typed GPU storage buffer (f32 or u32) with a logical shape. Creation checks the size
 * against the device's limits and names the tensor in the error, before anything is allocated.
 * `write` uploads from the CPU; `read` copies back through a staging buffer kept for reuse, so
 * periodic metric readbacks do not allocate.
 */
import { ConfigError } from '../errors.js';
import type { GpuContext } from './context.js';

export type DType = 'f32' | 'u32';
export type TypedArrayOf<D extends DType> = D extends 'f32' ? Float32Array : Uint32Array;

export class Tensor<D extends DType = DType> {
  readonly buffer: GPUBuffer;
  readonly size: number;
  readonly byteLength: number;
  private staging: GPUBuffer | null = null;

  constructor(
    readonly ctx: GpuContext,
    readonly label: string,
    readonly dtype: D,
    readonly shape: readonly number[],
  ) {
    shape.forEach((d, i) => {
      if (!Number.isInteger(d) || d <= 0) throw new ConfigError(`${label}.shape[${i}]`, d, 'a positive integer');
    });
    this.size = shape.reduce((a, b) => a * b, 1);
    this.byteLength = this.size * 4;
    const limit = ctx.limits.maxStorageBufferBindingSize;
    if (this.byteLength > limit) {
      throw new ConfigError(
        `${label} [${shape.join('x')}]`,
        `${this.byteLength} bytes`,
        `at most maxStorageBufferBindingSize = ${limit} bytes on this device`,
      );
    }
    this.buffer = ctx.device.createBuffer({
      label,
      size: this.byteLength,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    ctx.track(this);
  }

  /** Uploads `data` (converted to this tensor's dtype) starting at element `offset`. */
  write(data: ArrayLike<number>, offset = 0): void {
    if (offset < 0 || offset + data.length > this.size) {
      throw new ConfigError(`${this.label}.write`, `${data.length} elements at offset ${offset}`, `at most ${this.size} elements in all`);
    }
    const array = this.dtype === 'f32' ? Float32Array.from(data) : Uint32Array.from(data);
    this.ctx.queue.writeBuffer(this.buffer, offset * 4, array.buffer, array.byteOffset, array.byteLength);
  }

  /** Fills the whole tensor with one value. */
  fill(value: number): void {
    const array = this.dtype === 'f32' ? new Float32Array(this.size) : new Uint32Array(this.size);
    array.fill(value);
    this.ctx.queue.writeBuffer(this.buffer, 0, array.buffer, 0, array.byteLength);
  }

  /** Copies the tensor back to the CPU after all submitted work; throws any pending GPU error. */
  async read(): Promise<TypedArrayOf<D>> {
    const { device } = this.ctx;
    if (this.staging === null) {
      this.staging = device.createBuffer({
        label: `${this.label} (readback)`,
        size: this.byteLength,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
    }
    const staging = this.staging;
    const encoder = device.createCommandEncoder({ label: `read ${this.label}` });
    encoder.copyBufferToBuffer(this.buffer, 0, staging, 0, this.byteLength);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const copy = staging.getMappedRange().slice(0);
    staging.unmap();
    this.ctx.check(`reading ${this.label}`);
    return (this.dtype === 'f32' ? new Float32Array(copy) : new Uint32Array(copy)) as TypedArrayOf<D>;
  }

  destroy(): void {
    this.buffer.destroy();
    this.staging?.destroy();
  }
}

/** Creates an f32 tensor, optionally filled with `data`. */
export function f32(ctx: GpuContext, label: string, shape: readonly number[], data?: ArrayLike<number>): Tensor<'f32'> {
  const t = new Tensor(ctx, label, 'f32', shape);
  if (data) t.write(data);
  return t;
}

/** Creates a u32 tensor, optionally filled with `data`. */
export function u32(ctx: GpuContext, label: string, shape: readonly number[], data?: ArrayLike<number>): Tensor<'u32'> {
  const t = new Tensor(ctx, label, 'u32', shape);
  if (data) t.write(data);
  return t;
}

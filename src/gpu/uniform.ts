/**
 * Small uniform buffers holding a kernel's shapes, offsets and scalar settings. They are written
 * once when a program is built; values that change per step live in storage buffers instead.
 */
import type { GpuContext } from './context.js';

export class UniformBuilder {
  private words: number[] = [];
  private floats = new Set<number>();

  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`uniform u32 out of range: ${value}`);
    this.words.push(value);
    return this;
  }

  f32(value: number): this {
    this.floats.add(this.words.length);
    this.words.push(value);
    return this;
  }

  /** Pads to a 16-byte boundary, where WGSL places struct-typed members of a uniform struct. */
  align16(): this {
    while (this.words.length % 4 !== 0) this.words.push(0);
    return this;
  }

  /** A `View` struct (common/view.wgsl): offset, row stride, agent stride, padding. */
  view(v: { offset: number; rowStride: number; agentStride: number }): this {
    return this.align16().u32(v.offset).u32(v.rowStride).u32(v.agentStride).u32(0);
  }

  /** Packs the fields in order (each 4 bytes), padded to 16 bytes as WGSL uniform structs are. */
  bytes(): ArrayBuffer {
    const count = Math.max(4, Math.ceil(this.words.length / 4) * 4);
    const buffer = new ArrayBuffer(count * 4);
    const asU32 = new Uint32Array(buffer);
    const asF32 = new Float32Array(buffer);
    this.words.forEach((w, i) => {
      if (this.floats.has(i)) asF32[i] = w;
      else asU32[i] = w;
    });
    return buffer;
  }

  build(ctx: GpuContext, label: string): GPUBuffer {
    const data = this.bytes();
    const buffer = ctx.device.createBuffer({ label, size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    ctx.queue.writeBuffer(buffer, 0, data);
    ctx.track(buffer);
    return buffer;
  }
}

export function uniform(): UniformBuilder {
  return new UniformBuilder();
}

/**
 * GPU-side timing of one compute pass with timestamp queries, where the adapter offers the
 * 'timestamp-query' feature. `GpuTimer.create` returns null elsewhere; callers fall back to
 * wall-clock time around `ctx.sync()`.
 */
import type { GpuContext } from './context.js';

export class GpuTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuffer: GPUBuffer;
  private readonly readBuffer: GPUBuffer;

  private constructor(readonly ctx: GpuContext) {
    const { device } = ctx;
    this.querySet = device.createQuerySet({ label: 'pass timer', type: 'timestamp', count: 2 });
    this.resolveBuffer = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.readBuffer = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  static create(ctx: GpuContext): GpuTimer | null {
    return ctx.hasFeature('timestamp-query') ? new GpuTimer(ctx) : null;
  }

  passWrites(): GPUComputePassTimestampWrites {
    return { querySet: this.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 };
  }

  resolve(encoder: GPUCommandEncoder): void {
    encoder.resolveQuerySet(this.querySet, 0, 2, this.resolveBuffer, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, this.readBuffer, 0, 16);
  }

  /** Nanoseconds between the start and the end of the last timed pass. */
  async readNanoseconds(): Promise<number> {
    await this.readBuffer.mapAsync(GPUMapMode.READ);
    const [start, end] = new BigUint64Array(this.readBuffer.getMappedRange().slice(0));
    this.readBuffer.unmap();
    this.ctx.check('reading GPU timestamps');
    return Number(end - start);
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuffer.destroy();
    this.readBuffer.destroy();
  }
}

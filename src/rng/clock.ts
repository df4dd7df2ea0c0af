/**
 * Clock: the GPU-resident step counter that stochastic kernels mix into their Philox counter.
 * A program records `tick` once per iteration, so every replay draws fresh, reproducible noise
 * without the CPU writing anything.
 */
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../gpu/kernel.js';
import type { ShaderSource } from '../gpu/shaders.js';
import clockWgsl from '../../shaders/common/clock.wgsl?raw';
import { type Tensor, u32 } from '../gpu/tensor.js';

const CLOCK: ShaderSource = { path: 'common/clock.wgsl', code: clockWgsl };

export class Clock {
  readonly tensor: Tensor<'u32'>;

  constructor(ctx: GpuContext, label = 'clock') {
    this.tensor = u32(ctx, label, [4]);
  }

  tick(cache: PipelineCache): Promise<Dispatch> {
    return makeDispatch(cache, { shader: CLOCK, entryPoint: 'tick' }, { 0: this.tensor }, [1], `${this.tensor.label} tick`);
  }

  /** Copies slot 1 to slot 0: after a row program that moved the step count to slot 1. */
  commit(cache: PipelineCache): Promise<Dispatch> {
    return makeDispatch(cache, { shader: CLOCK, entryPoint: 'commit' }, { 0: this.tensor }, [1], `${this.tensor.label} commit`);
  }

  /** Sets the step (for tests and when resuming from a checkpoint). */
  set(step: number): void {
    this.tensor.write([step >>> 0], 0);
  }

  async read(): Promise<number> {
    return (await this.tensor.read())[0];
  }
}

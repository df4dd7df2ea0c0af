/**
 * Recorder: a fixed list of dispatches, recorded once and replayed. `submit(k)` encodes k
 * repetitions of the whole list into one compute pass of one command buffer and submits it
 * once, so the CPU cost per training iteration is a few encoder calls and nothing else: no
 * readback, no allocation, no uniform write.
 */
import type { GpuContext } from './context.js';
import type { Dispatch } from './kernel.js';
import type { GpuTimer } from './timer.js';

export class Recorder {
  private readonly dispatches: Dispatch[] = [];

  constructor(
    readonly ctx: GpuContext,
    readonly label = 'program',
  ) {}

  add(...dispatches: Dispatch[]): this {
    this.dispatches.push(...dispatches);
    return this;
  }

  /** Dispatches per repetition: the length of the dependent chain the GPU executes. */
  get length(): number {
    return this.dispatches.length;
  }

  get labels(): string[] {
    return this.dispatches.map((d) => d.label);
  }

  /** Encodes `iterations` repetitions into one pass and submits them at once. */
  submit(iterations = 1, timer?: GpuTimer): void {
    const encoder = this.ctx.device.createCommandEncoder({ label: this.label });
    const pass = encoder.beginComputePass({ label: this.label, timestampWrites: timer?.passWrites() });
    for (let i = 0; i < iterations; i++) {
      for (const d of this.dispatches) {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
      }
    }
    pass.end();
    timer?.resolve(encoder);
    this.ctx.queue.submit([encoder.finish()]);
  }

  /** Submits `iterations` repetitions and waits for them; throws any GPU error they caused. */
  async run(iterations = 1): Promise<void> {
    this.submit(iterations);
    await this.ctx.sync(this.label);
  }
}

/** Runs a list of dispatches once and waits: for set-up work and tests. */
export async function runOnce(ctx: GpuContext, dispatches: Dispatch[], label = 'run'): Promise<void> {
  await new Recorder(ctx, label).add(...dispatches).run(1);
}

/** One GPU context per test file (vitest runs each file in its own process). */
import { afterAll } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.js';
import { PipelineCache } from '../../src/gpu/kernel.js';
import { createNodeContext } from '../../src/gpu/node.js';

let shared: Promise<{ ctx: GpuContext; cache: PipelineCache }> | null = null;

export function gpu(): Promise<{ ctx: GpuContext; cache: PipelineCache }> {
  if (shared === null) {
    shared = createNodeContext().then((ctx) => ({ ctx, cache: new PipelineCache(ctx) }));
    afterAll(async () => {
      const { ctx } = await shared!;
      await ctx.sync('end of test file');
    });
  }
  return shared;
}

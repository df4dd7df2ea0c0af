/**
 * Device acquisition in Node through Dawn's `webgpu` package. Node-only: the browser bundle must
 * never import this file (use src/gpu/browser.ts there).
 */
import { create, globals } from 'webgpu';
import { GpuError } from '../errors.js';
import { GpuContext } from './context.js';

// Dawn's GPU object must outlive every adapter and device made from it: when it was garbage
// collected under a live device, Dawn aborted the process (seen on an H100 server). Keep it here.
let dawn: GPU | null = null;

export interface NodeContextOptions {
  /** Dawn toggles or backend options, e.g. ['backend=vulkan']; empty picks Dawn's default. */
  dawnOptions?: string[];
  powerPreference?: GPUPowerPreference;
}

export async function createNodeContext(options: NodeContextOptions = {}): Promise<GpuContext> {
  if (dawn === null) {
    Object.assign(globalThis, globals);
    dawn = create(options.dawnOptions ?? []);
  }
  const adapter = await dawn.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new GpuError(
      'no WebGPU adapter found. On a machine without a GPU install a software Vulkan driver ' +
        '(Mesa lavapipe >= 23: `bash scripts/install-software-vulkan.sh` on Debian bookworm); ' +
        'with a GPU, install its Vulkan driver and the Vulkan loader (libvulkan1).',
    );
  }
  return GpuContext.fromAdapter(adapter);
}

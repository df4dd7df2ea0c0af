/**
 * Device acquisition in Node through Dawn's `webgpu` package. Node-only: the browser bundle must
 * never import this file (use src/gpu/browser.ts there).
 */
import { create, globals } from 'webgpu';
import { ConfigError, GpuError } from '../errors.js';
import { GpuContext } from './context.js';

// Dawn's GPU object must outlive every adapter and device made from it: when it was garbage
// collected under a live device, Dawn aborted the process (seen on an H100 server). Keep it here.
let dawn: GPU | null = null;

export interface NodeContextOptions {
  /** Dawn toggles or backend options, e.g. ['backend=vulkan']; empty picks Dawn's default. */
  dawnOptions?: string[];
  powerPreference?: GPUPowerPreference;
}

// The adapter this process asked for by name (selectNodeAdapter), or null: Dawn's first.
let adapterName: string | null = null;

/**
 * Makes every device of this process come from the adapter whose name contains `name` (Dawn's
 * `adapter=` option; e.g. "H100", "llvmpipe"): a worker pinned to one kind of GPU of a machine.
 * Must run before the first device.
 */
export function selectNodeAdapter(name: string): void {
  if (dawn !== null && adapterName !== name) throw new GpuError(`the adapter (${name}) must be chosen before this process's first device`);
  adapterName = name;
}

export async function createNodeContext(options: NodeContextOptions = {}): Promise<GpuContext> {
  if (dawn === null) {
    Object.assign(globalThis, globals);
    dawn = create(options.dawnOptions ?? (adapterName ? [`adapter=${adapterName}`] : []));
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await dawn.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  } catch (e) {
    // Dawn refuses an adapter name it does not know, listing the ones it has.
    const listed = (e as Error).message.split('\n').filter((l) => l.includes('name:')).map((l) => l.replace(/^.*name: /, '').trim().replace(/^'(.*)'$/, '$1'));
    throw new ConfigError('--adapter', adapterName ?? '', `part of an adapter's name: ${listed.join(', ') || (e as Error).message}`);
  }
  if (!adapter) {
    throw new GpuError(
      'no WebGPU adapter found. On a machine without a GPU install a software Vulkan driver ' +
        '(Mesa lavapipe >= 23: `bash scripts/install-software-vulkan.sh` on Debian bookworm); ' +
        'with a GPU, install its Vulkan driver and the Vulkan loader (libvulkan1).',
    );
  }
  return GpuContext.fromAdapter(adapter);
}

/** Device acquisition in a browser tab through navigator.gpu. */
import { GpuError } from '../errors.js';
import { GpuContext } from './context.js';

export async function createBrowserContext(powerPreference: GPUPowerPreference = 'high-performance'): Promise<GpuContext> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu) {
    throw new GpuError('this browser has no WebGPU (navigator.gpu is missing): use a recent Chrome, Edge or Firefox with WebGPU enabled');
  }
  const adapter = await navigator.gpu.requestAdapter({ powerPreference });
  if (!adapter) throw new GpuError('WebGPU is present but no adapter was found (GPU blocked or drivers missing)');
  return GpuContext.fromAdapter(adapter);
}

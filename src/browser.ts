/// <reference types="@webgpu/types" preserve="true" />
/**
 * pathwise in a browser tab: the library API over a GPUDevice the page already has (or, without
 * one, a device of navigator.gpu's adapter). Nothing here touches Node.
 *
 *   import { pathwise } from 'pathwise/browser';
 *   const pw = pathwise(device);
 *   const run = await pw.train({ algo: 'cem', env: 'pendulum', preset: 'cpu' });
 *   for await (const r of run) chart.add(r.env_steps, r.return_mean);
 */
import { type Pathwise, bindApi } from './api/index.js';
import { createBrowserContext } from './gpu/browser.js';
import { GpuContext } from './gpu/context.js';

export function pathwise(device?: GPUDevice): Pathwise {
  return bindApi(async () => (device ? GpuContext.fromDevice(device) : createBrowserContext()));
}

export * from './api/public.js';

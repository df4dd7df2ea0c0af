// Exits 0 when Dawn (the `webgpu` package) finds a WebGPU adapter on this machine, 1 otherwise.
// Prints the adapter's description either way.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
const gpu = create([]);
try {
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    console.log('webgpu: no adapter');
    process.exit(1);
  }
  const { vendor, architecture, description } = adapter.info;
  console.log(`webgpu: adapter ${[description, vendor, architecture].filter(Boolean).join(' / ') || 'found'}`);
  process.exit(0);
} catch (e) {
  console.log(`webgpu: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

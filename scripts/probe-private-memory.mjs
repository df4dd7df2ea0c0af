#!/usr/bin/env node
// How much per-invocation private (function-scope) memory a compute pipeline may use on this
// adapter before the driver refuses it. Row programs keep each row's activations in private
// arrays (fused/mlp_row.wgsl), so this limit decides the widest network a row program can run.
// Compiles one kernel per size, a dynamically indexed `array<f32, N>` (so the driver cannot
// keep it in registers), and prints a JSON line per size: {kib, workgroup, ok, error}.
//   node scripts/probe-private-memory.mjs [--kib 4,8,16,...] [--workgroup 64]
import { parseArgs } from 'node:util';
import { create, globals } from 'webgpu';

const { values: o } = parseArgs({
  options: { kib: { type: 'string', default: '4,8,12,16,20,24,32,48,64,128' }, workgroup: { type: 'string', default: '64' } },
});
Object.assign(globalThis, globals);
const gpu = create([]); // kept referenced for the life of the process (Dawn aborts otherwise)
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice();
const shader = (floats, workgroup) => `
@group(0) @binding(0) var<storage, read_write> io: array<f32>;
@compute @workgroup_size(${workgroup})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  var big: array<f32, ${floats}>;
  let n = arrayLength(&io);
  for (var i = 0u; i < ${floats}u; i++) { big[i] = io[(id.x + i) % n]; }
  var s = 0.0;
  for (var i = 0u; i < ${floats}u; i++) { s += big[(i * 7u + u32(io[0])) % ${floats}u]; }
  io[id.x % n] = s;
}`;
console.log(JSON.stringify({ adapter: `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}` }));
for (const workgroup of o.workgroup.split(',').map(Number)) {
  for (const kib of o.kib.split(',').map(Number)) {
    const module = device.createShaderModule({ code: shader((kib * 1024) / 4, workgroup) });
    let ok = true;
    let error = '';
    try {
      await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    } catch (e) {
      ok = false;
      error = String(e instanceof Error ? e.message : e).split('\n')[0];
    }
    console.log(JSON.stringify({ kib, workgroup, ok, error }));
  }
}
process.exit(0);

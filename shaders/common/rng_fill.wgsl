// common/rng_fill.wgsl - fills a buffer with counter-based random numbers (needs common/rng.wgsl
// prepended). Used for noise buffers and to test the generator itself.
//
// Entry points (one thread per group of 4 outputs, workgroup 64, dispatch x = ceil(count/256)):
//   fill_raw  out[i] = bits of Philox4x32-10(counter, key) (u32 buffer)
//   fill_uniform  out[i] ~ U(0, 1) open interval
//   fill_normal   out[i] ~ N(0, 1)
//   fill_gumbel   out[i] ~ Gumbel(0, 1)
// Element i comes from counter (i / 4 + counter.x, counter.y, counter.z, counter.w), lane i % 4.
// Bindings: 0 uniform FillParams, 1 out f32 (read_write), 2 out_bits u32 (read_write, raw only).

struct FillParams {
  counter: vec4<u32>,
  key: vec2<u32>,
  count: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> fill: FillParams;
@group(0) @binding(1) var<storage, read_write> out_f32: array<f32>;
@group(0) @binding(2) var<storage, read_write> out_bits: array<u32>;

fn fill_counter(block: u32) -> vec4<u32> {
  return vec4<u32>(fill.counter.x + block, fill.counter.y, fill.counter.z, fill.counter.w);
}

fn store4(block: u32, v: vec4<f32>) {
  for (var lane = 0u; lane < 4u; lane++) {
    let i = block * 4u + lane;
    if (i < fill.count) { out_f32[i] = v[lane]; }
  }
}

@compute @workgroup_size(64)
fn fill_raw(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = philox4x32_10(fill_counter(gid.x), fill.key);
  for (var lane = 0u; lane < 4u; lane++) {
    let i = gid.x * 4u + lane;
    if (i < fill.count) { out_bits[i] = r[lane]; }
  }
}

@compute @workgroup_size(64)
fn fill_uniform(@builtin(global_invocation_id) gid: vec3<u32>) {
  store4(gid.x, rng_uniform4(fill.key, fill_counter(gid.x)));
}

@compute @workgroup_size(64)
fn fill_normal(@builtin(global_invocation_id) gid: vec3<u32>) {
  store4(gid.x, rng_normal4(fill.key, fill_counter(gid.x)));
}

@compute @workgroup_size(64)
fn fill_gumbel(@builtin(global_invocation_id) gid: vec3<u32>) {
  store4(gid.x, rng_gumbel4(fill.key, fill_counter(gid.x)));
}

// nn/polyak.wgsl - Polyak averaging of target networks: target = (1 - tau) target + tau online,
// over a whole parameter buffer (every layer, every agent) in one dispatch.
// Dispatch: (min(G, 65535), ceil(G / 65535)) with G = ceil(count / 256); 256 threads each.
// Bindings: 0 uniform PolyakParams; 1 online (read); 2 target_params (read_write).

struct PolyakParams {
  count: u32,
  tau: f32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> polyak: PolyakParams;
@group(0) @binding(1) var<storage, read> online: array<f32>;
@group(0) @binding(2) var<storage, read_write> target_params: array<f32>;

@compute @workgroup_size(256)
fn polyak_update(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= polyak.count) { return; }
  target_params[i] = (1.0 - polyak.tau) * target_params[i] + polyak.tau * online[i];
}

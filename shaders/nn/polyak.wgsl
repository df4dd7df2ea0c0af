// nn/polyak.wgsl - Polyak averaging of target networks: target = (1 - tau) target + tau online,
// over whole parameter buffers (every layer, every agent) in one dispatch; `polyak_pair` treats
// two networks (e.g. actor and critic) in the same dispatch.
//   polyak_update  elements [0, count) of (online, target).
//   polyak_pair    elements [0, count) of (online, target), then [0, count2) of (online2, target2).
// Dispatch: (min(G, 65535), ceil(G / 65535)) with G = ceil((count + count2) / 256); 256 threads.
// Bindings: 0 uniform PolyakParams; 1 online (read); 2 target_params (read_write);
//           3 online2 (read); 4 target_params2 (read_write).

struct PolyakParams {
  count: u32,
  tau: f32,
  count2: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> polyak: PolyakParams;
@group(0) @binding(1) var<storage, read> online: array<f32>;
@group(0) @binding(2) var<storage, read_write> target_params: array<f32>;
@group(0) @binding(3) var<storage, read> online2: array<f32>;
@group(0) @binding(4) var<storage, read_write> target_params2: array<f32>;

fn flat_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * 256u + lid;
}

@compute @workgroup_size(256)
fn polyak_update(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i >= polyak.count) { return; }
  target_params[i] = (1.0 - polyak.tau) * target_params[i] + polyak.tau * online[i];
}

@compute @workgroup_size(256)
fn polyak_pair(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid);
  if (i < polyak.count) {
    target_params[i] = (1.0 - polyak.tau) * target_params[i] + polyak.tau * online[i];
  } else if (i < polyak.count + polyak.count2) {
    let j = i - polyak.count;
    target_params2[j] = (1.0 - polyak.tau) * target_params2[j] + polyak.tau * online2[j];
  }
}

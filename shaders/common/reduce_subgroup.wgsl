// common/reduce_subgroup.wgsl - workgroup sums for 256-invocation workgroups with subgroup
// operations (needs `enable subgroups;`, which the shader loader puts first): one subgroupAdd per
// subgroup, one barrier, then invocation 0 adds the 256 / subgroup_size partials in a fixed
// order: 2 barriers instead of the tree's 8. Same interface as common/reduce_tree.wgsl, the
// fallback where the adapter has no subgroups.
// Assumes subgroups are the contiguous ranges [k * size, (k + 1) * size) of
// local_invocation_index, as on every Vulkan, Metal and D3D12 implementation we know (WGSL does
// not promise it); the reduction tests compare both variants with float64 sums on the adapter.

struct ReduceIds {
  @builtin(local_invocation_index) lid: u32,
  @builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) size: u32,
}

var<workgroup> reduce_scratch: array<f32, 256>;

fn workgroup_sum(x: f32, ids: ReduceIds) -> f32 {
  let partial = subgroupAdd(x);
  if (ids.lane == 0u) { reduce_scratch[ids.lid / ids.size] = partial; }
  workgroupBarrier();
  if (ids.lid == 0u) {
    var total = 0.0;
    for (var i = 0u; i < 256u / ids.size; i++) { total += reduce_scratch[i]; }
    reduce_scratch[255] = total;
  }
  workgroupBarrier();
  let total = reduce_scratch[255];
  workgroupBarrier();
  return total;
}

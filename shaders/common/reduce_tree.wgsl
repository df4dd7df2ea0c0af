// common/reduce_tree.wgsl - workgroup sums for 256-invocation workgroups, the portable variant:
// a shared-memory tree in a fixed order (8 barriers). A library: kernels declare their entry
// point's IDs as `ids: ReduceIds` and call workgroup_sum(x, ids) from uniform control flow.
// common/reduce_subgroup.wgsl has the same interface with subgroup operations; the pipeline
// cache picks it where the adapter has the 'subgroups' feature.

struct ReduceIds {
  @builtin(local_invocation_index) lid: u32,
}

var<workgroup> reduce_scratch: array<f32, 256>;

fn workgroup_sum(x: f32, ids: ReduceIds) -> f32 {
  reduce_scratch[ids.lid] = x;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half /= 2u) {
    if (ids.lid < half) { reduce_scratch[ids.lid] += reduce_scratch[ids.lid + half]; }
    workgroupBarrier();
  }
  let total = reduce_scratch[0];
  workgroupBarrier();
  return total;
}

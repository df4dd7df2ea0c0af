// fused/lanes.wgsl - weights shared across a subgroup's lanes, for row programs on CPU adapters (a
// library: no bindings, no entry points; needs `enable subgroups;` and the kernel's `fn weight`).
// llvmpipe runs a workgroup's invocations as the SIMD lanes of one loop and cannot prove a loop's
// weight index the same in every lane, so each lane loads the weight for itself: eight loads of one
// address per product. Here lane k loads element k of a block of eight weights and
// subgroupBroadcast hands each to every lane: one load per lane per eight weights (measured on
// llvmpipe: DDPG's critic and actor row kernels 1.8x faster; docs/performance.md).
// fused/mlp_row.wgsl takes this path only where LANE_WEIGHTS is set (an override: true on CPU
// adapters, src/algos/common/rowProgram.ts) and lanes 0..7 of the subgroup are all active (the last
// workgroup of a row kernel may hold fewer rows, and a broadcast from an inactive lane is undefined);
// otherwise every lane loads the eight weights itself. Both paths read the same values and leave
// the sums and their order alone, so results do not depend on which one ran.

// The module's directives (src/gpu/shaders.ts hoists them above every declaration). Broadcasts run
// where lanes_full() holds, which is the same in every lane of the subgroup; WGSL's analysis cannot
// see that, so its subgroup uniformity check is off.
enable subgroups;
diagnostic(off, subgroup_uniformity);

override LANE_WEIGHTS: bool = false;

// Whether the calling row kernel may share weights across lanes now (uniform across the subgroup).
fn lanes_full() -> bool {
  return LANE_WEIGHTS && (subgroupBallot(true).x & 0xFFu) == 0xFFu;
}

// This lane's rank among the active lanes: its lane index 0..7 wherever lanes_full() holds (the
// prefix sum is skipped where LANE_WEIGHTS is off: the index is unused there).
fn lane_index() -> u32 {
  if (!LANE_WEIGHTS) { return 0u; }
  return subgroupExclusiveAdd(1u) & 7u;
}

// Weights at + c stride of network w for c = 0..7, each loaded by lane c and broadcast.
fn lane_shared8(w: u32, at: u32, stride: u32, lane: u32) -> array<vec4<f32>, 2> {
  let mine = weight(w, at + lane * stride);
  return array<vec4<f32>, 2>(
    vec4<f32>(subgroupBroadcast(mine, 0u), subgroupBroadcast(mine, 1u), subgroupBroadcast(mine, 2u), subgroupBroadcast(mine, 3u)),
    vec4<f32>(subgroupBroadcast(mine, 4u), subgroupBroadcast(mine, 5u), subgroupBroadcast(mine, 6u), subgroupBroadcast(mine, 7u)),
  );
}

// fused/lanes_none.wgsl - fused/lanes.wgsl's interface for adapters without subgroups (a library: no
// bindings, no entry points): weights are never shared across lanes, so lane_shared8 is never
// called; LANE_WEIGHTS is declared so that every row pipeline takes the same override constants.

override LANE_WEIGHTS: bool = false;

fn lanes_full() -> bool {
  return false;
}

fn lane_index() -> u32 {
  return 0u;
}

fn lane_shared8(w: u32, at: u32, stride: u32, lane: u32) -> array<vec4<f32>, 2> {
  return array<vec4<f32>, 2>(vec4<f32>(), vec4<f32>());
}

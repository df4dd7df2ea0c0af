// fused/mlp_shape.wgsl - how a row program sees a dense network (a library: types only). A
// network's parameters are nn/linear.wgsl's: per layer an (in + 1) x out row-major block W_aug
// (weights, then the bias row) at `offset` inside the agent's block of `per_agent` floats;
// activations 0 identity, 1 relu, 2 tanh. src/nn/rowNetwork.ts packs MlpShape into uniforms.

const MAX_LAYERS: u32 = 4u;

struct Dense {
  in_dim: u32,
  out_dim: u32,
  offset: u32,
  act: u32,
}

struct MlpShape {
  layer: array<Dense, MAX_LAYERS>,
  layers: u32,
  per_agent: u32,
  /** Floats per row of this network's tape: every layer's input, then every layer's delta. */
  tape_width: u32,
  _pad: u32,
}

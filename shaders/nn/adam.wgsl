// nn/adam.wgsl - Adam (Kingma & Ba 2015, bias-corrected, as torch.optim.Adam) with optional
// clipping of the gradient's global norm, for all parameters of a network (and all agents) in
// one update dispatch.
//
// The step count t lives on the GPU, so replaying a recorded program needs no upload. Either
// `prepare` counts it in `state`, or (t_from_clock) it follows from the clock when the program
// steps the optimizer at fixed positions: after warm-up, in each block of steps_per_block env
// steps this is update number `index` of updates_per_block, and the optimizer steps on every
// `delay`-th update: t = (((clock - warmup) / steps_per_block - 1) updates_per_block + index + 1) / delay.
// Then prepare is only needed for clipping, one dependent dispatch fewer per update.
//   prepare  one workgroup per agent: t += 1; if max_norm > 0, norm = ||grads[a]||_2 and
//            clip = min(1, max_norm / norm), else clip = 1. Dispatch: (agents), 256 threads.
//   update   one thread per parameter: g = clip * grad;
//            m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//            p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
//            Dispatch: (ceil(count / 256), agents).
// Bindings: 0 uniform AdamParams; 1 params (read_write); 2 grads (read); 3 m (read_write);
//           4 v (read_write); 5 state (read_write u32, per agent [t, clip bits, norm bits, 0]);
//           6 clock (read u32).

struct AdamParams {
  count: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  max_norm: f32,
  t_from_clock: u32,
  warmup: u32,
  steps_per_block: u32,
  updates_per_block: u32,
  index: u32,
  delay: u32,
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> adam: AdamParams;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> moment1: array<f32>;
@group(0) @binding(4) var<storage, read_write> moment2: array<f32>;
@group(0) @binding(5) var<storage, read_write> state: array<u32>;
@group(0) @binding(6) var<storage, read> clock: array<u32>;

fn step_count(agent: u32) -> f32 {
  if (adam.t_from_clock != 0u) {
    let blocks = (clock[0] - adam.warmup) / adam.steps_per_block - 1u;
    return f32((blocks * adam.updates_per_block + adam.index + 1u) / adam.delay);
  }
  return f32(state[agent * 4u]);
}

@compute @workgroup_size(WG)
fn prepare(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let lid = ids.lid;
  let agent = wid.x;
  var clip = 1.0;
  var norm = 0.0;
  if (adam.max_norm > 0.0) {
    var sum = 0.0;
    for (var i = lid; i < adam.count; i += WG) {
      let g = grads[agent * adam.count + i];
      sum += g * g;
    }
    norm = sqrt(workgroup_sum(sum, ids));
    if (norm > adam.max_norm) { clip = adam.max_norm / norm; }
  }
  if (lid == 0u) {
    state[agent * 4u] = state[agent * 4u] + 1u;
    state[agent * 4u + 1u] = bitcast<u32>(clip);
    state[agent * 4u + 2u] = bitcast<u32>(norm);
  }
}

@compute @workgroup_size(WG)
fn update(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let agent = wid.y;
  let j = wid.x * WG + lid;
  if (j >= adam.count) { return; }
  let i = agent * adam.count + j;
  let t = step_count(agent);
  var clip = 1.0;
  if (adam.max_norm > 0.0) { clip = bitcast<f32>(state[agent * 4u + 1u]); }
  let g = clip * grads[i];
  let m = adam.beta1 * moment1[i] + (1.0 - adam.beta1) * g;
  let v = adam.beta2 * moment2[i] + (1.0 - adam.beta2) * g * g;
  moment1[i] = m;
  moment2[i] = v;
  let m_hat = m / (1.0 - pow(adam.beta1, t));
  let v_hat = v / (1.0 - pow(adam.beta2, t));
  params[i] = params[i] - adam.lr * m_hat / (sqrt(v_hat) + adam.eps);
}

// fused/ppo.wgsl - PPO's minibatch update as a row program (Schulman et al. 2017, the clipped
// surrogate; CleanRL's ppo_continuous_action.py loss). Row r of minibatch j of epoch e reads the
// segment record shuffled_index(j B + r) of the epoch's permutation (fused/shuffle.wgsl, keys
// from (seed, replay stream) at the unit's step count) and, with M = N T records and B rows:
//   policy   mu, log sigma = pi(s); log pi_new(x) of the stored sample x; ratio = exp(log pi_new -
//            log pi_old); with the standardized advantage A:
//            L_pi = max(-A ratio, -A clip(ratio, 1 - eps, 1 + eps)) - c_ent H[pi(.|s)]
//            dL/dlog pi_new = -A ratio where the unclipped term is the max (0 elsewhere);
//            d log pi / d mu = (x - mu) / sigma^2, d log pi / d log sigma = ((x - mu) / sigma)^2 - 1;
//            dH / d log sigma = 1 (0 where log sigma is clamped)
//   value    V_new(s) against the standardized return G; with --clip-value-loss (CleanRL's
//            clip_vloss) V_clip = V_old + clip(V_new - V_old, -eps, eps) and
//            L_V = c_v 0.5 max((V_new - G)^2, (V_clip - G)^2), else c_v 0.5 (V_new - G)^2
// Gradients are of the minibatch mean (each row's times 1 / B). Both networks' backward passes
// go onto the tape, [policy part | value part | pg loss, approx KL, clip fraction, entropy,
// value loss], for fused/param_update.wgsl's `gradients` (then Adam with clipping).
// V_old was stored in raw units by rl/returns.wgsl's gae; it is standardized here with the
// segment's statistics (stats[agent] = (mean, std) of the returns).
// Appended after common/rng.wgsl, common/dual.wgsl, the env library, fused/mlp_shape.wgsl,
// fused/mlp_row.wgsl with `weight` for the policy (0) and the value (1), fused/gaussian_row.wgsl,
// fused/shuffle.wgsl.
// Bindings: 16 uniform PpoRows; 17 policy (read); 18 value (read); 8 clock (read);
//   21 segment (read); 22 tape (rw, [agents, B, tape_width]); 23 stats (read, [agents, 2]).
// Dispatch (ceil(B / ROWS), agents).

struct PpoRows {
  records: u32,
  batch: u32,
  draw: u32,
  epoch: u32,
  seed: u32,
  shuffle_stream: u32,
  clock_slot: u32,
  width: u32,
  x_col: u32,
  logp_col: u32,
  value_col: u32,
  adv_col: u32,
  return_col: u32,
  tape_width: u32,
  value_tape: u32,
  metric_col: u32,
  clip: f32,
  value_coef: f32,
  entropy_coef: f32,
  clip_value: u32,
  log_std_min: f32,
  log_std_max: f32,
  _pad0: u32,
  _pad1: u32,
  // The env's action bounds (every row kernel's uniform tail; unused here).
  low: array<vec4<f32>, 4>,
  high: array<vec4<f32>, 4>,
  policy: MlpShape,
  value: MlpShape,
}

override ROWS: u32 = 64u;
const POLICY: u32 = 0u;
const VALUE: u32 = 1u;

@group(0) @binding(16) var<uniform> pp: PpoRows;
@group(0) @binding(21) var<storage, read> segment: array<f32>;
@group(0) @binding(22) var<storage, read_write> tape: array<f32>;
@group(0) @binding(23) var<storage, read> stats: array<f32>;

fn tape_store(which: u32, i: u32, v: f32) {
  tape[i] = v;
}

@compute @workgroup_size(ROWS)
fn update_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let r = gid.x;
  if (r >= pp.batch) { return; }
  let agent = wid.y;
  let keys = shuffle_keys(rng_agent_key(vec2<u32>(pp.seed, pp.shuffle_stream), agent), clock[pp.clock_slot], pp.epoch);
  let record = (agent * pp.records + shuffled_index(pp.draw * pp.batch + r, pp.records, keys)) * pp.width;
  let row = (agent * pp.batch + r) * pp.tape_width;
  let scale = 1.0 / f32(pp.batch);
  let O = drv.obs_width;

  // Policy: the clipped surrogate's gradient through log pi(x | s).
  var trace: MlpTrace;
  for (var j = 0u; j < O; j++) { trace.h[0][j] = segment[record + j]; }
  let input = trace.h[0];
  mlp_forward(POLICY, pp.policy, agent, &trace);
  let heads = trace.h[pp.policy.layers];
  var logp = 0.0;
  var entropy = 0.0;
  var z: array<f32, ACT_DIM>;
  for (var d = 0u; d < ACT_DIM; d++) {
    let ls = clamp(heads[ACT_DIM + d], pp.log_std_min, pp.log_std_max);
    z[d] = (segment[record + pp.x_col + d] - heads[d]) * exp(-ls);
    logp += gaussian_logp_term(z[d], ls);
    entropy += gaussian_entropy_term(ls);
  }
  let log_ratio = logp - segment[record + pp.logp_col];
  let ratio = exp(log_ratio);
  let adv = segment[record + pp.adv_col];
  let unclipped = -adv * ratio;
  let clipped = -adv * clamp(ratio, 1.0 - pp.clip, 1.0 + pp.clip);
  let dlogp = select(0.0, -adv * ratio, unclipped >= clipped) * scale;
  var dy: Row;
  for (var d = 0u; d < ACT_DIM; d++) {
    let raw_ls = heads[ACT_DIM + d];
    let ls = clamp(raw_ls, pp.log_std_min, pp.log_std_max);
    dy[d] = dlogp * z[d] * exp(-ls);
    let dls = dlogp * (z[d] * z[d] - 1.0) - pp.entropy_coef * scale;
    dy[ACT_DIM + d] = select(dls, 0.0, raw_ls < pp.log_std_min || raw_ls > pp.log_std_max);
  }
  var deltas: MlpTrace;
  mlp_backward(POLICY, pp.policy, agent, &trace, dy, &deltas);
  mlp_tape_write(0u, row, pp.policy, &trace, &deltas);

  // Value: the (clipped) squared error against the standardized return.
  var vtrace: MlpTrace;
  vtrace.h[0] = input;
  mlp_forward(VALUE, pp.value, agent, &vtrace);
  let v = vtrace.h[pp.value.layers][0];
  let g = segment[record + pp.return_col];
  let v_old = (segment[record + pp.value_col] - stats[agent * 2u]) / stats[agent * 2u + 1u];
  var dv = v - g;
  var loss = 0.5 * dv * dv;
  if (pp.clip_value != 0u) {
    let v_clip = v_old + clamp(v - v_old, -pp.clip, pp.clip);
    let loss_clip = 0.5 * (v_clip - g) * (v_clip - g);
    if (loss_clip > loss) {
      loss = loss_clip;
      dv = select(0.0, v_clip - g, abs(v - v_old) < pp.clip);
    }
  }
  var dvy: Row;
  dvy[0] = pp.value_coef * dv * scale;
  var vdeltas: MlpTrace;
  mlp_backward(VALUE, pp.value, agent, &vtrace, dvy, &vdeltas);
  mlp_tape_write(0u, row + pp.value_tape, pp.value, &vtrace, &vdeltas);

  let m = row + pp.metric_col;
  tape[m] = max(unclipped, clipped);
  tape[m + 1u] = (ratio - 1.0) - log_ratio;
  tape[m + 2u] = select(0.0, 1.0, abs(ratio - 1.0) > pp.clip);
  tape[m + 3u] = entropy;
  tape[m + 4u] = loss;
}

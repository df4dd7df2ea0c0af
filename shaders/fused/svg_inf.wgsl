// fused/svg_inf.wgsl - SVG(inf) through the true simulator as row programs: a training unit is
//   act      row = env: H env steps in one dispatch, each the policy's forward pass, a sample
//            a = tanh(mu + sigma z) (Philox key rng_agent_key((seed, explore stream), agent), counter (env, now, d / 4,
//            0), as sample/gaussian.wgsl), clipped and mapped onto the env's bounds (as
//            rl/explore.wgsl without noise) and envs/driver.wgsl's step_env. Step t acts at
//            now = clock[clock_read] + 1 + t; invocation 0 writes the unit's last count to
//            clock[clock_write]; the states of step 0 are kept in `start` for the update.
//            Dispatch (ceil(N / ROWS), agents).
//   rollout  row = env: the H-step trajectory of the policy and the pure simulator from the
//            kept state, with the noise of step t drawn at counter (r, now, d / 4, t) of
//            the sample stream (as the graph's Gaussian node with draw t) and held fixed, then
//            its backward through time: the cost -sum_t gamma^t r_t (mean over rows) back
//            through every simulator step (its vector-Jacobian product by dual numbers, as
//            envs/rollout.wgsl's vjp), the tanh-Gaussian and the policy, whose per-step inputs
//            and deltas go to the tape for fused/param_update.wgsl (rows = N x H).
//            Dispatch (ceil(N / ROWS), agents).
// The actions the simulator sees are mid + half a (the bounds as a box; the env clips itself).
// Appended after common/rng.wgsl, common/dual.wgsl, the env library (its file and
// envs/driver.wgsl), fused/mlp_shape.wgsl, fused/mlp_row.wgsl with `weight` for the policy and
// fused/gaussian_row.wgsl.
// Every Philox key is its agent's (common/rng.wgsl's rng_agent_key): counters number rows within
// the agent, so agent a of seed s draws what a single run of seed s + a draws.
// Bindings (beyond the driver's 0-9): 16 uniform SvgInfRows; 17 policy (read, through `weight`);
//   21 start (rw, [agents, N, STATE_DIM]); 22 tape (rw, [agents, N, H, tape_width]: a step's policy
//   tape part (inputs, deltas), its outputs (mu | log sigma) and the row's cost at t = 0);
//   23 work (rw, [agents, N, H, STATE_DIM + 2 ACT_DIM]: s_t, a_t, z_t of the rollout).

struct SvgInfRows {
  envs: u32,
  horizon: u32,
  seed: u32,
  explore_stream: u32,
  sample_stream: u32,
  clock_read: u32,
  clock_write: u32,
  tape_width: u32,
  gamma: f32,
  log_std_min: f32,
  log_std_max: f32,
  _pad0: u32,
  low: array<vec4<f32>, 4>,
  high: array<vec4<f32>, 4>,
  policy: MlpShape,
}

override ROWS: u32 = 64u;
const POLICY: u32 = 0u;
const WORK: u32 = STATE_DIM + 2u * ACT_DIM;

@group(0) @binding(16) var<uniform> sr: SvgInfRows;
@group(0) @binding(21) var<storage, read_write> start: array<f32>;
@group(0) @binding(22) var<storage, read_write> tape: array<f32>;
@group(0) @binding(23) var<storage, read_write> work: array<f32>;

fn tape_store(which: u32, i: u32, v: f32) {
  tape[i] = v;
}

fn bound_low(j: u32) -> f32 { return sr.low[j / 4u][j % 4u]; }
fn bound_high(j: u32) -> f32 { return sr.high[j / 4u][j % 4u]; }

// Component d of the policy's sample a = tanh(mu + sigma z) (fused/gaussian_row.wgsl), from a forward trace.
fn policy_sample(trace: ptr<function, MlpTrace>, d: u32, z: f32) -> f32 {
  let out = sr.policy.layers;
  return tanh_gaussian((*trace).h[out][d], (*trace).h[out][ACT_DIM + d], z, vec2<f32>(sr.log_std_min, sr.log_std_max)).x;
}

@compute @workgroup_size(ROWS)
fn act(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  if (gid.x >= drv.envs) { return; }
  let agent = wid.y;
  let flat = agent * drv.envs + gid.x;
  let first = clock[sr.clock_read];
  if (flat == 0u) { clock[sr.clock_write] = first + sr.horizon; }
  for (var i = 0u; i < STATE_DIM; i++) { start[flat * STATE_DIM + i] = env_state[flat * RECORD + i]; }
  let key = rng_agent_key(vec2<u32>(sr.seed, sr.explore_stream), agent);
  for (var t = 0u; t < sr.horizon; t++) {
    let now = first + 1u + t;
    driver_now = now;
    var trace: MlpTrace;
    for (var j = 0u; j < drv.obs_width; j++) { trace.h[0][j] = obs[flat * drv.obs_width + j]; }
    mlp_forward(POLICY, sr.policy, agent, &trace);
    var env_a: array<f32, ACT_DIM>;
    var z4 = vec4<f32>();
    for (var d = 0u; d < ACT_DIM; d++) {
      if (d % 4u == 0u) { z4 = rng_normal4(key, vec4<u32>(gid.x, now, d / 4u, 0u)); }
      let a = clamp(policy_sample(&trace, d, z4[d % 4u]), -1.0, 1.0);
      env_a[d] = bound_low(d) + (a + 1.0) * 0.5 * (bound_high(d) - bound_low(d));
    }
    step_env(flat, env_a);
  }
}

// Loads a step's forward trace back from the tape at `at` (inputs of every layer, the outputs).
fn trace_load(at: u32, trace: ptr<function, MlpTrace>) {
  var k = at;
  for (var l = 0u; l < sr.policy.layers; l++) {
    for (var i = 0u; i < sr.policy.layer[l].in_dim; i++) { (*trace).h[l][i] = tape[k + i]; }
    k += sr.policy.layer[l].in_dim;
  }
  for (var j = 0u; j < 2u * ACT_DIM; j++) { (*trace).h[sr.policy.layers][j] = tape[at + sr.policy.tape_width + j]; }
}

@compute @workgroup_size(ROWS)
fn rollout(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  if (gid.x >= sr.envs) { return; }
  let agent = wid.y;
  let row = agent * sr.envs + gid.x;
  let now = clock[sr.clock_read];
  let key = rng_agent_key(vec2<u32>(sr.seed, sr.sample_stream), agent);
  let H = sr.horizon;
  let outputs = sr.policy.tape_width; // a step's policy outputs (mu | log sigma) follow its tape part
  var s: array<f32, STATE_DIM>;
  for (var i = 0u; i < STATE_DIM; i++) { s[i] = start[row * STATE_DIM + i]; }
  // Forward: the trajectory, with each step's policy trace on the tape and (s, a, z) in `work`.
  var cost = 0.0;
  var discount = 1.0;
  for (var t = 0u; t < H; t++) {
    let o = env_obs(s, params);
    var trace: MlpTrace;
    for (var j = 0u; j < OBS_DIM; j++) { trace.h[0][j] = o[j]; }
    mlp_forward(POLICY, sr.policy, agent, &trace);
    let w = ((row * H + t) * WORK);
    var u_env: array<f32, ACT_DIM>;
    var z4 = vec4<f32>();
    for (var d = 0u; d < ACT_DIM; d++) {
      if (d % 4u == 0u) { z4 = rng_normal4(key, vec4<u32>(gid.x, now, d / 4u, t)); }
      let a = policy_sample(&trace, d, z4[d % 4u]);
      work[w + STATE_DIM + d] = a;
      work[w + STATE_DIM + ACT_DIM + d] = z4[d % 4u];
      let mid = 0.5 * (bound_low(d) + bound_high(d));
      u_env[d] = mid + 0.5 * (bound_high(d) - bound_low(d)) * a;
    }
    for (var i = 0u; i < STATE_DIM; i++) { work[w + i] = s[i]; }
    let at = (row * H + t) * sr.tape_width;
    var none: MlpTrace;
    mlp_tape_write(0u, at, sr.policy, &trace, &none);
    for (var j = 0u; j < 2u * ACT_DIM; j++) { tape[at + outputs + j] = trace.h[sr.policy.layers][j]; }
    let r = env_step(s, u_env, params);
    cost -= discount * r.reward;
    discount *= sr.gamma;
    s = r.s;
  }
  // Backward through time: cotangents of the state and observation each step produced.
  var c_s: array<f32, STATE_DIM>;
  var c_o: array<f32, OBS_DIM>;
  let n = f32(sr.envs);
  for (var k = 0u; k < H; k++) {
    let t = H - 1u - k;
    let w = ((row * H + t) * WORK);
    let c_r = -pow(sr.gamma, f32(t)) / n;
    // [d s_t, d a_t] = J^T [c_s, c_r, c_o] of step t, one dual evaluation per input direction.
    var d_s: array<f32, STATE_DIM>;
    var d_a: array<f32, ACT_DIM>;
    for (var q = 0u; q < STATE_DIM + ACT_DIM; q++) {
      var sd: array<vec2<f32>, STATE_DIM>;
      var ad: array<vec2<f32>, ACT_DIM>;
      for (var i = 0u; i < STATE_DIM; i++) { sd[i] = vec2<f32>(work[w + i], select(0.0, 1.0, i == q)); }
      for (var j = 0u; j < ACT_DIM; j++) {
        let half = 0.5 * (bound_high(j) - bound_low(j));
        let mid = 0.5 * (bound_low(j) + bound_high(j));
        ad[j] = vec2<f32>(mid + half * work[w + STATE_DIM + j], select(0.0, half, STATE_DIM + j == q));
      }
      let r = env_step_dual(sd, ad, params);
      let od = env_obs_dual(r.s, params);
      var total = c_r * r.reward.y;
      for (var i = 0u; i < STATE_DIM; i++) { total += c_s[i] * r.s[i].y; }
      for (var j = 0u; j < OBS_DIM; j++) { total += c_o[j] * od[j].y; }
      if (q < STATE_DIM) { d_s[q] = total; } else { d_a[q - STATE_DIM] = total; }
    }
    // Through a = tanh(mu + sigma z) with z fixed, then through the policy.
    let at = (row * H + t) * sr.tape_width;
    var trace: MlpTrace;
    trace_load(at, &trace);
    var dy: Row;
    for (var d = 0u; d < ACT_DIM; d++) {
      let a = work[w + STATE_DIM + d];
      let z = work[w + STATE_DIM + ACT_DIM + d];
      let g = tanh_gaussian_vjp(d_a[d], 0.0, a, trace.h[sr.policy.layers][ACT_DIM + d], z, vec2<f32>(sr.log_std_min, sr.log_std_max));
      dy[d] = g.x;
      dy[ACT_DIM + d] = g.y;
    }
    var deltas: MlpTrace;
    let d_o = mlp_backward(POLICY, sr.policy, agent, &trace, dy, &deltas);
    mlp_tape_write(0u, at, sr.policy, &trace, &deltas);
    tape[at + outputs + 2u * ACT_DIM] = select(0.0, cost, t == 0u);
    for (var i = 0u; i < STATE_DIM; i++) { c_s[i] = d_s[i]; }
    for (var j = 0u; j < OBS_DIM; j++) { c_o[j] = d_o[j]; }
  }
}

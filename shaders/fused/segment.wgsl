// fused/segment.wgsl - on-policy segment collection as a row program: T env steps of every env
// in ONE dispatch (row = env), for the on-policy methods (PPO). Each step: the policy's forward
// pass on the observation, an unsquashed Gaussian sample x = mu + sigma z (Philox key
// rng_agent_key((seed, explore stream), agent), counter (env, now, d / 4, 0), as sample/gaussian.wgsl and SVG(inf)'s act) with
// its log-probability, the value V(s), the env step (envs/driver.wgsl's step_env, auto-reset and
// statistics) on clamp(x, -1, 1) mapped onto the env's bounds, and V(s') of the observation the
// step reached (the final one at an episode end). Step t acts at now = clock[clock_read] + 1 + t;
// invocation 0 writes the unit's last count, clock[clock_read] + T, to clock[clock_write].
//
// The segment is [agents, N, T, width]; a step's record holds, at the uniform's columns,
//   obs (O) | x (A) | log pi(x | s) | V(s) | reward, terminated, truncated | V(s') | time
// (time: the env's step within its episode when it acted, for REPS's features)
// (V in the standardized units of the value net; rl/returns.wgsl's gae maps them back).
// Appended after common/rng.wgsl, common/dual.wgsl, the env library (its file and
// envs/driver.wgsl), fused/mlp_shape.wgsl and fused/mlp_row.wgsl with `weight` for the policy
// (network 0) and the value (network 1), fused/gaussian_row.wgsl.
// Bindings (beyond the driver's 0-9): 16 uniform SegmentRows; 17 policy (read); 18 value (read);
//   21 segment (rw).
// Dispatch (ceil(N / ROWS), agents).

struct SegmentRows {
  envs: u32,
  steps: u32,
  seed: u32,
  explore_stream: u32,
  clock_read: u32,
  clock_write: u32,
  width: u32,
  x_col: u32,
  logp_col: u32,
  value_col: u32,
  reward_col: u32,
  next_value_col: u32,
  log_std_min: f32,
  log_std_max: f32,
  time_col: u32,
  _pad1: u32,
  low: array<vec4<f32>, 4>,
  high: array<vec4<f32>, 4>,
  policy: MlpShape,
  value: MlpShape,
}

override ROWS: u32 = 64u;
const POLICY: u32 = 0u;
const VALUE: u32 = 1u;

@group(0) @binding(16) var<uniform> sg: SegmentRows;
@group(0) @binding(21) var<storage, read_write> segment: array<f32>;

fn tape_store(which: u32, i: u32, v: f32) {}

// V of the observation in trace.h[0] (the value net's single output).
fn value_of(agent: u32, o: Row) -> f32 {
  var trace: MlpTrace;
  trace.h[0] = o;
  mlp_forward(VALUE, sg.value, agent, &trace);
  return trace.h[sg.value.layers][0];
}

@compute @workgroup_size(ROWS)
fn collect(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  if (gid.x >= drv.envs) { return; }
  let agent = wid.y;
  let flat = agent * drv.envs + gid.x;
  let first = clock[sg.clock_read];
  if (flat == 0u) { clock[sg.clock_write] = first + sg.steps; }
  let key = rng_agent_key(vec2<u32>(sg.seed, sg.explore_stream), agent);
  let O = drv.obs_width;
  let next_width = O + GOAL_DIM;
  for (var t = 0u; t < sg.steps; t++) {
    let now = first + 1u + t;
    driver_now = now;
    let at = (flat * sg.steps + t) * sg.width;
    var trace: MlpTrace;
    for (var j = 0u; j < O; j++) {
      let o = obs[flat * O + j];
      trace.h[0][j] = o;
      segment[at + j] = o;
    }
    segment[at + sg.value_col] = value_of(agent, trace.h[0]);
    mlp_forward(POLICY, sg.policy, agent, &trace);
    let heads = trace.h[sg.policy.layers];
    var env_a: array<f32, ACT_DIM>;
    var logp = 0.0;
    var z4 = vec4<f32>();
    for (var d = 0u; d < ACT_DIM; d++) {
      if (d % 4u == 0u) { z4 = rng_normal4(key, vec4<u32>(gid.x, now, d / 4u, 0u)); }
      let z = z4[d % 4u];
      let ls = clamp(heads[ACT_DIM + d], sg.log_std_min, sg.log_std_max);
      let x = heads[d] + exp(ls) * z;
      logp += gaussian_logp_term(z, ls);
      segment[at + sg.x_col + d] = x;
      let low = sg.low[d / 4u][d % 4u];
      let high = sg.high[d / 4u][d % 4u];
      env_a[d] = low + (clamp(x, -1.0, 1.0) + 1.0) * 0.5 * (high - low);
    }
    segment[at + sg.logp_col] = logp;
    segment[at + sg.time_col] = env_state[flat * RECORD + STATE_DIM];
    step_env(flat, env_a);
    for (var k = 0u; k < 3u; k++) { segment[at + sg.reward_col + k] = step_out[flat * 3u + k]; }
    var reached: Row;
    for (var j = 0u; j < O; j++) { reached[j] = next_obs[flat * next_width + j]; }
    segment[at + sg.next_value_col] = value_of(agent, reached);
  }
}

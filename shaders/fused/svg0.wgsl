// fused/svg0.wgsl - SVG(0)'s row kernels (tanh-Gaussian policy; with --entropy, soft actor-critic):
// each does the whole per-row chain of one phase in one invocation, so an iteration is acting
// (1 dispatch) + critic rows + critic parameters + policy rows + policy parameters
// (fused/param_update.wgsl), and the temperature's step (rl/temperature.wgsl) with --entropy.
//   act          row = env: the step count now = clock[clock_read] + 1 (invocation 0 writes it to
//                clock[clock_write]); a = U(-1, 1) while now <= warmup (rl/explore.wgsl's counter
//                (env, now, j / 4, 3)), else a = tanh(mu(s) + sigma(s) z) with z at counter
//                (env, now, d / 4, 0) of the explore stream (sample/gaussian.wgsl's draw 0);
//                the env step and the transition into its replay slot (fused/replay_row.wgsl).
//                Dispatch (ceil(N / ROWS), agents).
//   critic_rows  row = minibatch row: draws its record (replay/replay.wgsl's sample), a' ~ pi(.|s')
//                at counter (r, now, d / 4, 1) of the sample stream (the graph's draw 1),
//                y = r + gamma (1 - terminated) (Q'(s', a') - alpha log pi(a'|s')) (alpha only with
//                `entropy`), Q(s, a), dQ = 2 (Q - y) / B, the critic's backward; writes the critic's
//                tape row and [(Q - y)^2, Q]. Dispatch (ceil(B / ROWS), agents).
//   policy_rows  row = minibatch row: s from the critic tape (this update's minibatch),
//                a = tanh(mu(s) + sigma(s) z) at counter (r, now, d / 4, 2), Q(s, a); the cost
//                mean [alpha log pi(a|s) - Q(s, a)] back through the critic to a, through the
//                sample with z fixed (fused/gaussian_row.wgsl) and through the policy; writes the
//                policy's tape row, [-Q, alpha log pi] and log pi (for the temperature).
//                Dispatch (ceil(B / ROWS), agents).
// Appended after common/rng.wgsl, common/dual.wgsl, the env library (its file and
// envs/driver.wgsl), fused/mlp_shape.wgsl, fused/mlp_row.wgsl (with MAX_WIDTH), `weight` for the
// networks, fused/replay_row.wgsl, fused/critic_row.wgsl and fused/gaussian_row.wgsl.
// Every Philox key is its agent's (common/rng.wgsl's rng_agent_key): counters number rows within
// the agent, so agent a of seed s draws what a single run of seed s + a draws.
// Bindings (beyond the driver's 0-9): 16 uniform Svg0Rows; 17 policy, 18 critic, 19 target critic
//   (read, through `weight`); 21 replay storage (rw); 22 critic tape (rw); 23 policy tape (rw);
//   24 temperature state (read, [agents, 8]: alpha first); 25 log pi (rw, [agents, B]).

struct Svg0Rows {
  envs: u32,
  batch: u32,
  seed: u32,
  explore_stream: u32,
  sample_stream: u32,
  replay_stream: u32,
  warmup: u32,
  capacity: u32,
  record_width: u32,
  draw: u32,
  clock_read: u32,
  clock_write: u32,
  critic_tape_width: u32,
  policy_tape_width: u32,
  entropy: u32,
  gamma: f32,
  log_std_min: f32,
  log_std_max: f32,
  _pad0: u32,
  _pad1: u32,
  low: array<vec4<f32>, 4>,
  high: array<vec4<f32>, 4>,
  policy: MlpShape,
  critic: MlpShape,
}

override ROWS: u32 = 64u;
const POLICY: u32 = 0u;
const CRITIC: u32 = 1u;
const TARGET_CRITIC: u32 = 2u;
const CRITIC_TAPE: u32 = 0u;
const POLICY_TAPE: u32 = 1u;

@group(0) @binding(16) var<uniform> sv: Svg0Rows;
@group(0) @binding(21) var<storage, read_write> replay: array<f32>;
@group(0) @binding(22) var<storage, read_write> critic_tape: array<f32>;
@group(0) @binding(23) var<storage, read_write> policy_tape: array<f32>;
@group(0) @binding(24) var<storage, read> temperature: array<f32>;
@group(0) @binding(25) var<storage, read_write> log_pi: array<f32>;

fn tape_store(tape: u32, i: u32, v: f32) {
  if (tape == CRITIC_TAPE) { critic_tape[i] = v; } else { policy_tape[i] = v; }
}

fn log_std_range() -> vec2<f32> {
  return vec2<f32>(sv.log_std_min, sv.log_std_max);
}

// The policy's sample of a forward trace with the noise of counter (row, now, d / 4, draw) of
// `key`: the action into a[], z into z[]; returns log pi(a|s).
fn policy_sample(trace: ptr<function, MlpTrace>, key: vec2<u32>, row: u32, now: u32, draw: u32, a: ptr<function, array<f32, ACT_DIM>>, z: ptr<function, array<f32, ACT_DIM>>) -> f32 {
  let out = sv.policy.layers;
  var logp = 0.0;
  var z4 = vec4<f32>();
  for (var d = 0u; d < ACT_DIM; d++) {
    if (d % 4u == 0u) { z4 = rng_normal4(key, vec4<u32>(row, now, d / 4u, draw)); }
    (*z)[d] = z4[d % 4u];
    let s = tanh_gaussian((*trace).h[out][d], (*trace).h[out][ACT_DIM + d], z4[d % 4u], log_std_range());
    (*a)[d] = s.x;
    logp += s.y;
  }
  return logp;
}

@compute @workgroup_size(ROWS)
fn act(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  if (gid.x >= drv.envs) { return; }
  // The agent from the workgroup id: one per workgroup, so CPU adapters broadcast each weight.
  let agent = wid.y;
  let flat = agent * drv.envs + gid.x;
  var trace: MlpTrace;
  let now = begin_acting(flat, sv.clock_read, sv.clock_write, &trace.h[0]);
  let key = rng_agent_key(vec2<u32>(sv.seed, sv.explore_stream), agent);
  var a: array<f32, ACT_DIM>;
  if (now <= sv.warmup) {
    var u = vec4<f32>();
    for (var j = 0u; j < ACT_DIM; j++) {
      if (j % 4u == 0u) { u = rng_uniform4(key, vec4<u32>(gid.x, now, j / 4u, 3u)); }
      a[j] = 2.0 * u[j % 4u] - 1.0;
    }
  } else {
    mlp_forward(POLICY, sv.policy, agent, &trace);
    var z: array<f32, ACT_DIM>;
    policy_sample(&trace, key, gid.x, now, 0u, &a, &z);
    for (var j = 0u; j < ACT_DIM; j++) { a[j] = clamp(a[j], -1.0, 1.0); }
  }
  var env_a: array<f32, ACT_DIM>;
  for (var j = 0u; j < ACT_DIM; j++) { env_a[j] = to_env(a[j], sv.low[j / 4u][j % 4u], sv.high[j / 4u][j % 4u]); }
  step_and_store(agent, gid.x, now, sv.capacity, sv.record_width, trace.h[0], a, env_a);
}

@compute @workgroup_size(ROWS)
fn critic_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  if (gid.x >= sv.batch) { return; }
  let agent = wid.y;
  let row = agent * sv.batch + gid.x;
  let now = clock[sv.clock_read];
  let O = drv.obs_width;
  let record = replay_draw(agent, gid.x, now, sv.draw, sv.capacity, sv.record_width, vec2<u32>(sv.seed, sv.replay_stream));
  var sa: MlpTrace;
  var next: MlpTrace;
  let rt = load_transition(record, &sa, &next);
  // Target: a' ~ pi(.|s'), y = r + gamma (1 - terminated) (Q'(s', a') - alpha log pi(a'|s')).
  mlp_forward(POLICY, sv.policy, agent, &next);
  var a2: array<f32, ACT_DIM>;
  var z: array<f32, ACT_DIM>;
  let logp = policy_sample(&next, rng_agent_key(vec2<u32>(sv.seed, sv.sample_stream), agent), gid.x, now, 1u, &a2, &z);
  var target_in: MlpTrace;
  for (var j = 0u; j < O; j++) { target_in.h[0][j] = next.h[0][j]; }
  for (var j = 0u; j < ACT_DIM; j++) { target_in.h[0][O + j] = a2[j]; }
  mlp_forward(TARGET_CRITIC, sv.critic, agent, &target_in);
  var soft = target_in.h[sv.critic.layers][0];
  if (sv.entropy != 0u) { soft += -(logp * temperature[agent * 8u]); }
  let y = rt.x + sv.gamma * (1.0 - rt.y) * soft;
  critic_td_row(CRITIC, sv.critic, agent, &sa, y, sv.batch, CRITIC_TAPE, row * sv.critic_tape_width);
}

@compute @workgroup_size(ROWS)
fn policy_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  if (gid.x >= sv.batch) { return; }
  let agent = wid.y;
  let row = agent * sv.batch + gid.x;
  let now = clock[sv.clock_read];
  let O = drv.obs_width;
  // s: the first columns of the critic's input in this update's minibatch.
  var s: MlpTrace;
  for (var j = 0u; j < O; j++) { s.h[0][j] = critic_tape[row * sv.critic_tape_width + j]; }
  mlp_forward(POLICY, sv.policy, agent, &s);
  var a: array<f32, ACT_DIM>;
  var z: array<f32, ACT_DIM>;
  let logp = policy_sample(&s, rng_agent_key(vec2<u32>(sv.seed, sv.sample_stream), agent), gid.x, now, 2u, &a, &z);
  var sa: MlpTrace;
  for (var j = 0u; j < O; j++) { sa.h[0][j] = s.h[0][j]; }
  for (var j = 0u; j < ACT_DIM; j++) { sa.h[0][O + j] = a[j]; }
  mlp_forward(CRITIC, sv.critic, agent, &sa);
  // The costs' gradients: -Q / B through the critic to a; alpha / B on log pi.
  let n = f32(sv.batch);
  var dq: Row;
  dq[0] = -1.0 / n;
  var critic_deltas: MlpTrace;
  let dsa = mlp_backward(CRITIC, sv.critic, agent, &sa, dq, &critic_deltas);
  var alpha = 0.0;
  if (sv.entropy != 0u) { alpha = temperature[agent * 8u]; }
  let dlogp = (1.0 / n) * alpha;
  var dy: Row;
  let out = sv.policy.layers;
  for (var d = 0u; d < ACT_DIM; d++) {
    let g = tanh_gaussian_vjp(dsa[O + d], dlogp, a[d], s.h[out][ACT_DIM + d], z[d], log_std_range());
    dy[d] = g.x;
    dy[ACT_DIM + d] = g.y;
  }
  var deltas: MlpTrace;
  mlp_backward(POLICY, sv.policy, agent, &s, dy, &deltas);
  let at = row * sv.policy_tape_width;
  mlp_tape_write(POLICY_TAPE, at, sv.policy, &s, &deltas);
  policy_tape[at + sv.policy.tape_width] = -sa.h[sv.critic.layers][0];
  policy_tape[at + sv.policy.tape_width + 1u] = logp * alpha;
  log_pi[row] = logp;
}

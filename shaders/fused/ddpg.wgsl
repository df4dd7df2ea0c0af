// fused/ddpg.wgsl - DDPG's row kernels: each does the whole per-row chain of one phase in one
// invocation, so an iteration is acting (1 dispatch) + critic rows + critic parameters +
// actor rows + actor parameters (fused/param_update.wgsl): 5 dispatches, from 38 per layer.
//   act          row = env: the step count now = clock[clock_read] + 1 (invocation 0 writes it to
//                clock[clock_write]); a = U(-1, 1) while now <= warmup, else
//                clip(pi(s) + noise, -1, 1) with Gaussian or Ornstein-Uhlenbeck noise, as
//                rl/explore.wgsl (counter (env, now, j / 4, 3)); the env step (envs/driver.wgsl's
//                step_env, auto-reset and statistics); the transition into its replay slot
//                ((now - 1) N + i) mod C, as replay/replay.wgsl lays records out.
//                Dispatch (ceil(N / ROWS), agents).
//   critic_rows  row = minibatch row: draws its record as replay.wgsl's sample (counter
//                (r, now, draw, 2)), relabels it with a later achieved goal (HER, as
//                replay/her.wgsl), a' = pi'(s') (+ TD3 smoothing as explore.wgsl's smooth_target),
//                y = r + gamma (1 - terminated) Q'(s', a'), Q(s, a), dQ = 2 (Q - y) / B, the critic's
//                backward; writes the critic's tape row and [(Q - y)^2, Q]. Dispatch (ceil(B / ROWS), agents).
//   actor_rows   row = minibatch row: s from the critic tape (this update's minibatch), pi(s),
//                Q(s, pi(s)), dQ = -1 / B back through the critic to a and through the actor;
//                writes the actor's tape row and [-Q]. Dispatch (ceil(B / ROWS), agents).
// Appended after common/rng.wgsl, common/dual.wgsl, common/reduce_tree.wgsl, the env's file,
// envs/driver.wgsl (fused/no_goals.wgsl for envs without goals), fused/mlp_row.wgsl (with MAX_WIDTH),
// fused/replay_row.wgsl and fused/critic_row.wgsl.
// Every Philox key is its agent's (common/rng.wgsl's rng_agent_key): counters number rows within
// the agent, so agent a of seed s draws what a single run of seed s + a draws.
// Bindings (beyond the driver's 0-9): 16 uniform DdpgRows; 17 actor, 18 critic, 19 target actor,
//   20 target critic (weights: uniform or read-only storage); 21 replay storage (rw); 22 critic tape (rw);
//   23 actor tape (rw); 24 OU state (rw, [flat, A]).

struct DdpgRows {
  envs: u32,
  batch: u32,
  seed: u32,
  explore_stream: u32,
  replay_stream: u32,
  smoothing_stream: u32,
  her_stream: u32,
  her_strategy: u32,
  warmup: u32,
  noise_kind: u32,
  sigma: f32,
  ou_theta: f32,
  ou_dt: f32,
  gamma: f32,
  target_noise: f32,
  target_clip: f32,
  her_prob: f32,
  capacity: u32,
  record_width: u32,
  draw: u32,
  clock_read: u32,
  clock_write: u32,
  critic_tape_width: u32,
  actor_tape_width: u32,
  low: array<vec4<f32>, 4>,
  high: array<vec4<f32>, 4>,
  actor: MlpShape,
  critic: MlpShape,
}

// Goal arrays have at least one element (WGSL arrays cannot be empty); envs without goals take no HER.
const GOAL_SLOTS: u32 = max(GOAL_DIM, 1u);
// Rows per workgroup: CPU adapters vectorize a workgroup's invocations and run workgroups on
// separate cores, so they take a SIMD width's worth; GPUs take more (src/nn/rowNetwork.ts).
override ROWS: u32 = 64u;
const NOISE_GAUSSIAN: u32 = 1u;
const NOISE_OU: u32 = 2u;
const HER_NONE: u32 = 0u;
const HER_FINAL: u32 = 1u;

@group(0) @binding(16) var<uniform> dr: DdpgRows;
// The networks' weights (bindings 17-20, declared with `weight` by src/nn/rowNetwork.ts).
const ACTOR: u32 = 0u;
const CRITIC: u32 = 1u;
const TARGET_ACTOR: u32 = 2u;
const TARGET_CRITIC: u32 = 3u;
@group(0) @binding(21) var<storage, read_write> replay: array<f32>;
@group(0) @binding(22) var<storage, read_write> critic_tape: array<f32>;
@group(0) @binding(23) var<storage, read_write> actor_tape: array<f32>;
@group(0) @binding(24) var<storage, read_write> ou_state: array<f32>;

const CRITIC_TAPE: u32 = 0u;
const ACTOR_TAPE: u32 = 1u;

fn tape_store(tape: u32, i: u32, v: f32) {
  if (tape == CRITIC_TAPE) { critic_tape[i] = v; } else { actor_tape[i] = v; }
}

@compute @workgroup_size(ROWS)
fn act(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  if (gid.x >= drv.envs) { return; }
  // The agent from the workgroup id: the same for every invocation of a workgroup, which lets
  // CPU adapters load each weight once for all the rows they vectorize (a broadcast, not a gather).
  let agent = wid.y;
  let flat = agent * drv.envs + gid.x;
  var trace: MlpTrace;
  let now = begin_acting(flat, dr.clock_read, dr.clock_write, &trace.h[0]);
  let key = rng_agent_key(vec2<u32>(dr.seed, dr.explore_stream), agent);
  let warm = now <= dr.warmup;
  if (!warm) { mlp_forward(ACTOR, dr.actor, agent, &trace); }
  var a: array<f32, ACT_DIM>;
  var env_a: array<f32, ACT_DIM>;
  var z = vec4<f32>();
  var u = vec4<f32>();
  for (var j = 0u; j < ACT_DIM; j++) {
    if (j % 4u == 0u) {
      let ctr = vec4<u32>(gid.x, now, j / 4u, 3u);
      if (warm) { u = rng_uniform4(key, ctr); } else { z = rng_normal4(key, ctr); }
    }
    var x: f32;
    if (warm) {
      x = 2.0 * u[j % 4u] - 1.0;
    } else {
      x = trace.h[dr.actor.layers][j];
      if (dr.noise_kind == NOISE_GAUSSIAN) {
        x += dr.sigma * z[j % 4u];
      } else if (dr.noise_kind == NOISE_OU) {
        let i = flat * ACT_DIM + j;
        let n = ou_state[i] + dr.ou_theta * (0.0 - ou_state[i]) * dr.ou_dt + dr.sigma * sqrt(dr.ou_dt) * z[j % 4u];
        ou_state[i] = n;
        x += n;
      }
      x = clamp(x, -1.0, 1.0);
    }
    a[j] = x;
    env_a[j] = to_env(x, dr.low[j / 4u][j % 4u], dr.high[j / 4u][j % 4u]);
  }
  step_and_store(agent, gid.x, now, dr.capacity, dr.record_width, trace.h[0], a, env_a);
}

fn stored_goal(record: u32) -> array<f32, GOAL_SLOTS> {
  var g: array<f32, GOAL_SLOTS>;
  for (var j = 0u; j < GOAL_DIM; j++) { g[j] = replay[record + record_next() + drv.obs_width + j]; }
  return g;
}

@compute @workgroup_size(ROWS)
fn critic_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  if (gid.x >= dr.batch) { return; }
  let agent = wid.y;
  let row = agent * dr.batch + gid.x;
  let now = clock[dr.clock_read];
  let O = drv.obs_width;
  let record = replay_draw(agent, gid.x, now, dr.draw, dr.capacity, dr.record_width, vec2<u32>(dr.seed, dr.replay_stream));
  var sa: MlpTrace;
  var next: MlpTrace;
  let rt = load_transition(record, &sa, &next);
  var reward = rt.x;
  let terminated = rt.y;
  if (dr.her_strategy != HER_NONE) {
    let u = rng_uniform4(rng_agent_key(vec2<u32>(dr.seed, dr.her_stream), agent), vec4<u32>(gid.x, now, dr.draw, 5u));
    if (u.x < dr.her_prob) {
      let tail = record + record_tail();
      let t = u32(replay[tail]);
      let c = u32(replay[tail + 1u]);
      let env = u32(replay[tail + 2u]);
      let available = min(drv.horizon - 1u - t, now - c);
      var k = available;
      if (dr.her_strategy != HER_FINAL) { k = min(u32(u.y * f32(available + 1u)), available); }
      let later = (agent * dr.capacity + ((c - 1u + k) * drv.envs + env) % dr.capacity) * dr.record_width;
      let goal = stored_goal(later);
      for (var j = 0u; j < GOAL_DIM; j++) {
        sa.h[0][O - GOAL_DIM + j] = goal[j];
        next.h[0][O - GOAL_DIM + j] = goal[j];
      }
      reward = env_goal_reward(stored_goal(record), goal, params);
    }
  }
  // Target: a' = pi'(s') (+ clipped noise), y = r + gamma (1 - terminated) Q'(s', a').
  mlp_forward(TARGET_ACTOR, dr.actor, agent, &next);
  var target_in: MlpTrace;
  for (var j = 0u; j < O; j++) { target_in.h[0][j] = next.h[0][j]; }
  var z = vec4<f32>();
  for (var j = 0u; j < ACT_DIM; j++) {
    var x = next.h[dr.actor.layers][j];
    if (dr.target_noise > 0.0) {
      if (j % 4u == 0u) { z = rng_normal4(rng_agent_key(vec2<u32>(dr.seed, dr.smoothing_stream), agent), vec4<u32>(gid.x, now, dr.draw * 4u + j / 4u, 4u)); }
      x = clamp(x + clamp(dr.target_noise * z[j % 4u], -dr.target_clip, dr.target_clip), -1.0, 1.0);
    }
    target_in.h[0][O + j] = x;
  }
  mlp_forward(TARGET_CRITIC, dr.critic, agent, &target_in);
  let y = reward + dr.gamma * (1.0 - terminated) * target_in.h[dr.critic.layers][0];
  critic_td_row(CRITIC, dr.critic, agent, &sa, y, dr.batch, CRITIC_TAPE, row * dr.critic_tape_width);
}

@compute @workgroup_size(ROWS)
fn actor_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  if (gid.x >= dr.batch) { return; }
  let agent = wid.y;
  let row = agent * dr.batch + gid.x;
  let O = drv.obs_width;
  // s: the first columns of the critic's input in this update's minibatch.
  var s: MlpTrace;
  for (var j = 0u; j < O; j++) { s.h[0][j] = critic_tape[row * dr.critic_tape_width + j]; }
  mlp_forward(ACTOR, dr.actor, agent, &s);
  var sa: MlpTrace;
  for (var j = 0u; j < O; j++) { sa.h[0][j] = s.h[0][j]; }
  for (var j = 0u; j < ACT_DIM; j++) { sa.h[0][O + j] = s.h[dr.actor.layers][j]; }
  mlp_forward(CRITIC, dr.critic, agent, &sa);
  // Ascend mean Q(s, pi(s)): dL/dQ = -1 / B through the critic to pi(s), then through the actor.
  var dq: Row;
  dq[0] = -1.0 / f32(dr.batch);
  var critic_deltas: MlpTrace;
  let dsa = mlp_backward(CRITIC, dr.critic, agent, &sa, dq, &critic_deltas);
  var da: Row;
  for (var j = 0u; j < ACT_DIM; j++) { da[j] = dsa[O + j]; }
  var deltas: MlpTrace;
  mlp_backward(ACTOR, dr.actor, agent, &s, da, &deltas);
  let at = row * dr.actor_tape_width;
  mlp_tape_write(ACTOR_TAPE, at, dr.actor, &s, &deltas);
  actor_tape[at + dr.actor.tape_width] = -sa.h[dr.critic.layers][0];
}

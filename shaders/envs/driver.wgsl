// envs/driver.wgsl - batched environment stepping with auto-reset, episode statistics and the
// observation wrappers; appended after common/rng.wgsl, common/reduce_*.wgsl and one
// environment file, which defines
//   STATE_DIM, OBS_DIM, ACT_DIM, GOAL_DIM; struct Params (uniform at binding 0) and StepResult;
//   env_reset(u, u2, p) from 8 uniforms (more from reset_uniform4); env_step(s, a, p); env_obs(s, p);
//   env_achieved_goal(s, p, i); env_success(s, p); env_sysid(p, factors).
// Environments of one's own (defineEnv, src/envs/custom.ts) write only env_reset, env_step,
// env_obs (and the dual pair); the rest is generated from their definition.
//
// One thread per environment; dispatch (ceil(envs / 64), agents); env (agent a, index i) is
// flat = a * envs + i. Each env's record in env_state is
//   [state (STATE_DIM), time, episodes finished, running return, sysid factors (4)].
//   reset         every env: fresh episode, obs written, statistics cleared.
//   restart       every env: fresh episode, obs written (finished episodes' statistics kept).
//   step          a = action (NaN -> 0, counted in stats); env_step; time + 1; writes reward,
//                 terminated (the task ended) and truncated (time limit hit, not terminated);
//                 next_obs = observation of the state the step reached (the final one at an
//                 episode end, for bootstrapping), then [achieved goal] for goal envs; at an end,
//                 adds the episode to stats and resets; obs = observation to act on next.
//   step_many     K_STEPS steps per invocation with the action held (throughput benchmark).
//   reduce_stats  one workgroup per agent (dispatch (agents)): sums the per-env statistics into
//                 stats_out[agent] = [returns, episodes, lengths, NaN actions, successes, ...]
//                 (per env, slots 5-7 keep the first finished episode's return, length and success)
//                 and clears them, so the CPU reads a few numbers every M iterations.
// Reset noise: Philox key env_key(flat, stream), counter (env, episodes, draw, 0).
// Observation noise: key env_key(flat, stream + 1), counter (env, clock, draw, 1). Every key is its
// agent's (common/rng.wgsl's rng_agent_key), counters number envs within the agent.
// A row program (shaders/fused/) calls step_env for its env after computing the action in the
// same invocation; the entry points here are the per-dispatch path.
// Bindings: 0 uniform Params; 1 uniform Driver; 2 env_state (rw); 3 obs (rw, [flat, obs_width]);
//   4 next_obs (rw, [flat, obs_width + GOAL_DIM]); 5 action (read, [flat, ACT_DIM]);
//   6 step_out (rw, [flat, 3]: reward, terminated, truncated); 7 ep_stats (rw, [flat, 8]);
//   8 clock (u32; read, but writable for row programs that tick it); 9 stats_out (rw, [agents, 8], reduce_stats only).

struct Driver {
  envs: u32,
  agents: u32,
  seed: u32,
  stream: u32,
  horizon: u32,
  obs_width: u32,
  select_count: u32,
  _pad0: u32,
  obs_noise_std: f32,
  sysid_range: f32,
  _pad1: u32,
  _pad2: u32,
  select: array<vec4<u32>, 4>,
}

const RECORD: u32 = STATE_DIM + 7u;
const STATS: u32 = 8u;
const WG: u32 = 64u;

@group(0) @binding(1) var<uniform> drv: Driver;
@group(0) @binding(2) var<storage, read_write> env_state: array<f32>;
@group(0) @binding(3) var<storage, read_write> obs: array<f32>;
@group(0) @binding(4) var<storage, read_write> next_obs: array<f32>;
@group(0) @binding(5) var<storage, read> action: array<f32>;
@group(0) @binding(6) var<storage, read_write> step_out: array<f32>;
@group(0) @binding(7) var<storage, read_write> ep_stats: array<f32>;
@group(0) @binding(8) var<storage, read_write> clock: array<u32>;
@group(0) @binding(9) var<storage, read_write> stats_out: array<f32>;

// The step count (the clock) this invocation acts at: entry points set it from the clock before
// anything reads it (a row program that ticks the clock itself sets it to the tick's value).
var<private> driver_now: u32;

fn load_state(flat: u32) -> array<f32, STATE_DIM> {
  var s: array<f32, STATE_DIM>;
  for (var i = 0u; i < STATE_DIM; i++) { s[i] = env_state[flat * RECORD + i]; }
  return s;
}

fn store_state(flat: u32, s: array<f32, STATE_DIM>) {
  for (var i = 0u; i < STATE_DIM; i++) { env_state[flat * RECORD + i] = s[i]; }
}

fn sysid_factors(flat: u32) -> vec4<f32> {
  let b = flat * RECORD + STATE_DIM + 3u;
  return vec4<f32>(env_state[b], env_state[b + 1u], env_state[b + 2u], env_state[b + 3u]);
}

// The physical constants of this env's episode: the uniform's, scaled when identification is on.
fn episode_params(flat: u32) -> Params {
  if (drv.sysid_range > 0.0) { return env_sysid(params, sysid_factors(flat)); }
  return params;
}

// Which env and episode env_reset is drawing for (set by begin_episode), for reset_uniform4.
var<private> reset_flat: u32;
var<private> reset_episode: u32;

// The Philox key of env `flat`'s draws on `stream`: its agent's (rng_agent_key; counters then hold
// the env within its agent, flat % envs).
fn env_key(flat: u32, stream: u32) -> vec2<u32> {
  return rng_agent_key(vec2<u32>(drv.seed, stream), flat / drv.envs);
}

// Reset uniforms beyond env_reset's eight, for environments with bigger states (locomotion):
// draw i is Philox counter (env, episode, 3 + i, 0) (draws 0 and 1 are u and u2, 2 the sysid factors).
fn reset_uniform4(i: u32) -> vec4<f32> {
  return rng_uniform4(env_key(reset_flat, drv.stream), vec4<u32>(reset_flat % drv.envs, reset_episode, 3u + i, 0u));
}

// Starts episode number `episodes` of env `flat`: state, time, return and constants.
fn begin_episode(flat: u32, episodes: f32) -> array<f32, STATE_DIM> {
  let key = env_key(flat, drv.stream);
  let env = flat % drv.envs;
  let ep = u32(episodes);
  reset_flat = flat;
  reset_episode = ep;
  let u = rng_uniform4(key, vec4<u32>(env, ep, 0u, 0u));
  let u2 = rng_uniform4(key, vec4<u32>(env, ep, 1u, 0u));
  let b = flat * RECORD + STATE_DIM;
  env_state[b] = 0.0;
  env_state[b + 1u] = episodes;
  env_state[b + 2u] = 0.0;
  var f = vec4<f32>(1.0);
  if (drv.sysid_range > 0.0) {
    f = 1.0 + drv.sysid_range * (2.0 * rng_uniform4(key, vec4<u32>(env, ep, 2u, 0u)) - 1.0);
  }
  for (var i = 0u; i < 4u; i++) { env_state[b + 3u + i] = f[i]; }
  let s = env_reset(u, u2, episode_params(flat));
  store_state(flat, s);
  return s;
}

// Writes the observation of s into obs, through the sensor selection and noise wrappers.
fn write_obs(flat: u32, s: array<f32, STATE_DIM>, p: Params) {
  let full = env_obs(s, p);
  var noise = vec4<f32>();
  for (var j = 0u; j < drv.obs_width; j++) {
    var v: f32;
    if (drv.select_count > 0u) { v = full[drv.select[j / 4u][j % 4u]]; } else { v = full[j]; }
    if (drv.obs_noise_std > 0.0) {
      if (j % 4u == 0u) {
        noise = rng_normal4(env_key(flat, drv.stream + 1u), vec4<u32>(flat % drv.envs, driver_now, j / 4u, 1u));
      }
      v += drv.obs_noise_std * noise[j % 4u];
    }
    obs[flat * drv.obs_width + j] = v;
  }
}

@compute @workgroup_size(WG)
fn reset(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= drv.envs) { return; }
  driver_now = clock[0];
  let flat = gid.y * drv.envs + gid.x;
  let s = begin_episode(flat, 0.0);
  write_obs(flat, s, episode_params(flat));
  for (var k = 0u; k < STATS; k++) { ep_stats[flat * STATS + k] = 0.0; }
  for (var k = 0u; k < 3u; k++) { step_out[flat * 3u + k] = 0.0; }
}

// Every env starts a fresh episode; the statistics of finished episodes are kept (for methods
// that restart all envs at once, e.g. each generation of the cross-entropy method).
@compute @workgroup_size(WG)
fn restart(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= drv.envs) { return; }
  driver_now = clock[0];
  let flat = gid.y * drv.envs + gid.x;
  let s = begin_episode(flat, 0.0);
  write_obs(flat, s, episode_params(flat));
  for (var k = 0u; k < 3u; k++) { step_out[flat * 3u + k] = 0.0; }
}

// What one env step produced, for a caller that stores the transition (a row program).
struct EnvTransition {
  reward: f32,
  terminated: bool,
  truncated: bool,
}

// One step of env `flat` with action `a_in` (NaN components replaced by 0 and counted): writes
// step_out, next_obs, statistics and, at an episode end, the next episode's start; obs = the
// observation to act on next.
fn step_env(flat: u32, a_in: array<f32, ACT_DIM>) -> EnvTransition {
  let p = episode_params(flat);
  var a: array<f32, ACT_DIM>;
  var nan_actions = 0.0;
  for (var j = 0u; j < ACT_DIM; j++) {
    let v = a_in[j];
    // A NaN action is replaced by 0 and counted, never stepped. Tested on the bits: WGSL lets
    // compilers assume floats are never NaN, so `v != v` may be folded to false.
    if ((bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) { nan_actions += 1.0; a[j] = 0.0; } else { a[j] = v; }
  }
  let r = env_step(load_state(flat), a, p);
  let b = flat * RECORD + STATE_DIM;
  let time = env_state[b] + 1.0;
  let ret = env_state[b + 2u] + r.reward;
  let terminated = r.terminated;
  let truncated = !terminated && time >= f32(drv.horizon);
  step_out[flat * 3u] = r.reward;
  step_out[flat * 3u + 1u] = select(0.0, 1.0, terminated);
  step_out[flat * 3u + 2u] = select(0.0, 1.0, truncated);
  // The observation the step reached (the final one when the episode ends) and achieved goal.
  let reached = env_obs(r.s, p);
  let width = drv.obs_width + GOAL_DIM;
  for (var j = 0u; j < drv.obs_width; j++) {
    var v: f32;
    if (drv.select_count > 0u) { v = reached[drv.select[j / 4u][j % 4u]]; } else { v = reached[j]; }
    next_obs[flat * width + j] = v;
  }
  for (var g = 0u; g < GOAL_DIM; g++) { next_obs[flat * width + drv.obs_width + g] = env_achieved_goal(r.s, p, g); }
  ep_stats[flat * STATS + 3u] += nan_actions;
  if (terminated || truncated) {
    // The first finished episode's return, length and success stay in slots 5, 6 and 7 until the
    // statistics are cleared: evaluation reads exactly one episode per env from there.
    if (ep_stats[flat * STATS + 1u] == 0.0) {
      ep_stats[flat * STATS + 5u] = ret;
      ep_stats[flat * STATS + 6u] = time;
      ep_stats[flat * STATS + 7u] = select(0.0, 1.0, env_success(r.s, p));
    }
    ep_stats[flat * STATS] += ret;
    ep_stats[flat * STATS + 1u] += 1.0;
    ep_stats[flat * STATS + 2u] += time;
    ep_stats[flat * STATS + 4u] += select(0.0, 1.0, env_success(r.s, p));
    let s = begin_episode(flat, env_state[b + 1u] + 1.0);
    write_obs(flat, s, episode_params(flat));
  } else {
    store_state(flat, r.s);
    env_state[b] = time;
    env_state[b + 2u] = ret;
    write_obs(flat, r.s, p);
  }
  return EnvTransition(r.reward, terminated, truncated);
}

@compute @workgroup_size(WG)
fn step(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= drv.envs) { return; }
  driver_now = clock[0];
  let flat = gid.y * drv.envs + gid.x;
  var a: array<f32, ACT_DIM>;
  for (var j = 0u; j < ACT_DIM; j++) { a[j] = action[flat * ACT_DIM + j]; }
  step_env(flat, a);
}

// K steps of every env in one invocation with its action held: the env-only throughput
// benchmark's program (the dispatch floor is paid once per K steps). K is an override constant.
override K_STEPS: u32 = 1u;

@compute @workgroup_size(WG)
fn step_many(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= drv.envs) { return; }
  let flat = gid.y * drv.envs + gid.x;
  var a: array<f32, ACT_DIM>;
  for (var j = 0u; j < ACT_DIM; j++) { a[j] = action[flat * ACT_DIM + j]; }
  for (var k = 0u; k < K_STEPS; k++) {
    driver_now = clock[0] + k;
    step_env(flat, a);
  }
}

@compute @workgroup_size(256)
fn reduce_stats(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let agent = wid.x;
  for (var k = 0u; k < STATS; k++) {
    var sum = 0.0;
    for (var i = ids.lid; i < drv.envs; i += 256u) {
      let at = (agent * drv.envs + i) * STATS + k;
      sum += ep_stats[at];
      ep_stats[at] = 0.0;
    }
    let total = workgroup_sum(sum, ids);
    if (ids.lid == 0u) { stats_out[agent * STATS + k] = total; }
  }
}

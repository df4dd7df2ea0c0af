// envs/locomotion.wgsl - gymnasium v5's MuJoCo locomotion tasks (swimmer, hopper, walker2d,
// half-cheetah) on the planar engine (envs/planar_engine.wgsl, which comes before this file with
// the robot's constants and the task's: LOCO_FRAME_SKIP, LOCO_OBS_SKIP, LOCO_QPOS0,
// LOCO_NORMAL_VELOCITY_NOISE, LOCO_RESET_DRAWS). An environment file for envs/driver.wgsl (see
// there for the contract and the bindings):
//   state  [qpos (PL_ND), qvel (PL_ND)]        action: the motors' controls (clipped by the model)
//   obs    [qpos without the first LOCO_OBS_SKIP (the root's x, and y for the swimmer),
//           qvel clipped to +- velocity_clip]
//   step   LOCO_FRAME_SKIP timesteps of the model's integrator with the control held
//   reward forward_weight * dx / dt - ctrl_cost * |a|^2 + healthy_reward * healthy, on the
//          state reached (dx: the root's x; dt = timestep * frame skip)
//   healthy (terminate > 0): z_min < qpos[1] < z_max, angle_min < qpos[2] < angle_max and every
//          state entry after the first two inside +- state_max; unhealthy ends the episode
//   reset  qpos0 + U(-noise, noise) per position; velocities U(-noise, noise), or noise * N(0, 1)
//          (half-cheetah), from LOCO_RESET_DRAWS draws of four uniforms.

const STATE_DIM: u32 = 2u * PL_ND;
const OBS_DIM: u32 = 2u * PL_ND - LOCO_OBS_SKIP;
const ACT_DIM: u32 = PL_NU;
const GOAL_DIM: u32 = 0u;
const LOCO_TWO_PI: f32 = 6.283185307179586;

struct Params {
  forward_weight: f32,
  ctrl_cost: f32,
  healthy_reward: f32,
  reset_noise: f32,
  z_min: f32,
  z_max: f32,
  angle_min: f32,
  angle_max: f32,
  state_max: f32,
  velocity_clip: f32,
  terminate: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

fn loco_unpack(s: array<f32, STATE_DIM>) -> PlState {
  var st: PlState;
  for (var j = 0u; j < PL_ND; j++) {
    st.q[j] = s[j];
    st.v[j] = s[PL_ND + j];
    st.qacc[j] = 0.0;
  }
  return st;
}

fn loco_pack(st: PlState) -> array<f32, STATE_DIM> {
  var s: array<f32, STATE_DIM>;
  for (var j = 0u; j < PL_ND; j++) {
    s[j] = st.q[j];
    s[PL_ND + j] = st.v[j];
  }
  return s;
}

fn loco_healthy(s: array<f32, STATE_DIM>, p: Params) -> bool {
  if (p.terminate == 0.0) { return true; }
  var ok = s[1] > p.z_min && s[1] < p.z_max && s[2] > p.angle_min && s[2] < p.angle_max;
  for (var i = 2u; i < STATE_DIM; i++) { ok = ok && s[i] > -p.state_max && s[i] < p.state_max; }
  return ok;
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  var U: array<f32, 4u * LOCO_RESET_DRAWS>;
  for (var i = 0u; i < 4u; i++) {
    U[i] = u[i];
    U[4u + i] = u2[i];
  }
  for (var d = 2u; d < LOCO_RESET_DRAWS; d++) {
    let w = reset_uniform4(d - 2u);
    for (var i = 0u; i < 4u; i++) { U[4u * d + i] = w[i]; }
  }
  var s: array<f32, STATE_DIM>;
  for (var j = 0u; j < PL_ND; j++) {
    s[j] = LOCO_QPOS0[j] + p.reset_noise * (2.0 * U[j] - 1.0);
    if (LOCO_NORMAL_VELOCITY_NOISE) {
      let a = U[PL_ND + 2u * j];
      let b = U[PL_ND + 2u * j + 1u];
      s[PL_ND + j] = p.reset_noise * sqrt(-2.0 * log(a)) * cos(LOCO_TWO_PI * b);
    } else {
      s[PL_ND + j] = p.reset_noise * (2.0 * U[PL_ND + j] - 1.0);
    }
  }
  return s;
}

fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  var st = loco_unpack(s);
  var ctrl: array<f32, PL_NU>;
  var cost = 0.0;
  for (var i = 0u; i < PL_NU; i++) {
    ctrl[i] = a[i];
    cost += a[i] * a[i];
  }
  for (var f = 0u; f < LOCO_FRAME_SKIP; f++) { st = pl_step(st, ctrl); }
  let next = loco_pack(st);
  let velocity = (next[0] - s[0]) / (PL_TIMESTEP * f32(LOCO_FRAME_SKIP));
  let healthy = loco_healthy(next, p);
  let reward = p.forward_weight * velocity - p.ctrl_cost * cost + p.healthy_reward * select(0.0, 1.0, healthy);
  return StepResult(next, reward, !healthy);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  var o: array<f32, OBS_DIM>;
  for (var i = LOCO_OBS_SKIP; i < PL_ND; i++) { o[i - LOCO_OBS_SKIP] = s[i]; }
  for (var j = 0u; j < PL_ND; j++) { o[PL_ND - LOCO_OBS_SKIP + j] = clamp(s[PL_ND + j], -p.velocity_clip, p.velocity_clip); }
  return o;
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }
fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool { return false; }
fn env_sysid(p: Params, f: vec4<f32>) -> Params { return p; }

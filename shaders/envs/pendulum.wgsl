// envs/pendulum.wgsl - Pendulum-v1 (gym classic control; the equations of gymnax's
// pendulum.py): swing a pendulum up and hold it, torque in [-2, 2].
// An environment file for envs/driver.wgsl (see there for the contract and the bindings):
//   state  [theta, theta_dot]            obs [cos theta, sin theta, theta_dot]
//   reward -(normalize(theta)^2 + 0.1 theta_dot^2 + 0.001 u^2), from the state before the step
//   theta_dot' = clip(theta_dot + (3 g / (2 l) sin theta + 3 / (m l^2) u) dt, +-max_speed)
//   theta' = theta + theta_dot' dt; no termination, truncation at the horizon (200).
//   reset: theta ~ U(-pi, pi), theta_dot ~ U(-1, 1). System identification scales m and l.

const STATE_DIM: u32 = 2u;
const OBS_DIM: u32 = 3u;
const ACT_DIM: u32 = 1u;
const GOAL_DIM: u32 = 0u;
const PI: f32 = 3.141592653589793;

struct Params {
  max_speed: f32,
  max_torque: f32,
  dt: f32,
  g: f32,
  m: f32,
  l: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

fn angle_normalize(x: f32) -> f32 {
  return x - 2.0 * PI * floor((x + PI) / (2.0 * PI));
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  return array<f32, STATE_DIM>(PI * (2.0 * u.x - 1.0), 2.0 * u.y - 1.0);
}

fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let u = clamp(a[0], -p.max_torque, p.max_torque);
  let th = s[0];
  let thdot = s[1];
  let an = angle_normalize(th);
  let reward = -(an * an + 0.1 * thdot * thdot + 0.001 * u * u);
  var newthdot = thdot + (3.0 * p.g / (2.0 * p.l) * sin(th) + 3.0 / (p.m * p.l * p.l) * u) * p.dt;
  newthdot = clamp(newthdot, -p.max_speed, p.max_speed);
  return StepResult(array<f32, STATE_DIM>(th + newthdot * p.dt, newthdot), reward, false);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  return array<f32, OBS_DIM>(cos(s[0]), sin(s[0]), s[1]);
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }
fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool { return false; }

fn env_sysid(p: Params, f: vec4<f32>) -> Params {
  var q = p;
  q.m = p.m * f.x;
  q.l = p.l * f.y;
  return q;
}

// ---- dual copy of the step for envs/driver_vjp.wgsl ----

struct DualStep {
  s: array<vec2<f32>, STATE_DIM>,
  reward: vec2<f32>,
}

fn env_step_dual(s: array<vec2<f32>, STATE_DIM>, a: array<vec2<f32>, ACT_DIM>, p: Params) -> DualStep {
  let u = dclamp(a[0], -p.max_torque, p.max_torque);
  let th = s[0];
  let thdot = s[1];
  let an = vec2<f32>(angle_normalize(th.x), th.y);
  let reward = -(dsq(an) + 0.1 * dsq(thdot) + 0.001 * dsq(u));
  var newthdot = thdot + (3.0 * p.g / (2.0 * p.l) * dsin(th) + 3.0 / (p.m * p.l * p.l) * u) * p.dt;
  newthdot = dclamp(newthdot, -p.max_speed, p.max_speed);
  return DualStep(array<vec2<f32>, STATE_DIM>(th + newthdot * p.dt, newthdot), reward);
}

fn env_obs_dual(s: array<vec2<f32>, STATE_DIM>, p: Params) -> array<vec2<f32>, OBS_DIM> {
  return array<vec2<f32>, OBS_DIM>(dcos(s[0]), dsin(s[0]), s[1]);
}

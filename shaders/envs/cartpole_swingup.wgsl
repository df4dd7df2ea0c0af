// envs/cartpole_swingup.wgsl - cart-pole swing-up: the cart-pole dynamics of cartpole.wgsl
// (needs envs/cartpole_dynamics.wgsl before it), started hanging down, on a track with walls at
// +-track_limit, with a smooth reward and no termination. Contract and bindings: envs/driver.wgsl.
//   state [x, x_dot, theta, theta_dot] (theta = 0 upright); obs [x, x_dot, cos, sin, theta_dot]
//   F = force_mag clip(a, -1, 1); reward = cos theta - 0.01 x^2 - 0.01 clip(a)^2; horizon 500
//   Walls (as the DeepMind control suite's cart-pole has), so running away along the track is
//   never worth anything: a step that would end beyond a wall leaves the cart at the wall at rest
//   (an inelastic stop of the cart alone: the pole keeps its angular velocity); a cart at a wall,
//   at rest or moving into it, that the free dynamics would push further in stays pinned, and the
//   pole swings about a fixed pivot: theta_acc = 3 g sin(theta) / (4 l), the free equations with
//   the cart's mass infinite (the push reaches the pole only through a cart that moves).
//   Euler steps of tau, as CartPole-v1.
//   reset: theta ~ pi + U(-0.05, 0.05), the rest ~ U(-0.05, 0.05).
//   System identification scales masscart, masspole and length.

const STATE_DIM: u32 = 4u;
const OBS_DIM: u32 = 5u;
const ACT_DIM: u32 = 1u;
const GOAL_DIM: u32 = 0u;
const PI: f32 = 3.141592653589793;

struct Params {
  gravity: f32,
  masscart: f32,
  masspole: f32,
  length: f32,
  force_mag: f32,
  tau: f32,
  track_limit: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

fn constants(p: Params) -> CartPoleConstants {
  return CartPoleConstants(p.gravity, p.masscart, p.masspole, p.length);
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  let v = 0.1 * u - 0.05;
  return array<f32, STATE_DIM>(v.x, v.y, PI + v.z, v.w);
}

/** Whether the wall holds the cart this step: at (or beyond) it, not moving away, pushed into it. */
fn pinned(x: f32, x_dot: f32, x_acc: f32, p: Params) -> bool {
  return abs(x) >= p.track_limit && x * x_dot >= 0.0 && x * x_acc >= 0.0;
}

fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let push = clamp(a[0], -1.0, 1.0);
  var acc = cartpole_accel(s[2], s[3], p.force_mag * push, constants(p));
  let held = pinned(s[0], s[1], acc.x, p);
  if (held) { acc = vec2<f32>(0.0, 3.0 * p.gravity * sin(s[2]) / (4.0 * p.length)); }
  var next = array<f32, STATE_DIM>(s[0] + p.tau * s[1], s[1] + p.tau * acc.x, s[2] + p.tau * s[3], s[3] + p.tau * acc.y);
  if (held || abs(next[0]) > p.track_limit) {
    next[0] = clamp(next[0], -p.track_limit, p.track_limit);
    next[1] = 0.0;
  }
  let reward = cos(next[2]) - 0.01 * next[0] * next[0] - 0.01 * push * push;
  return StepResult(next, reward, false);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  return array<f32, OBS_DIM>(s[0], s[1], cos(s[2]), sin(s[2]), s[3]);
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }
fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool { return cos(s[2]) > 0.95; }

fn env_sysid(p: Params, f: vec4<f32>) -> Params {
  var q = p;
  q.masscart = p.masscart * f.x;
  q.masspole = p.masspole * f.y;
  q.length = p.length * f.z;
  return q;
}

// ---- dual copy of the step for envs/driver_vjp.wgsl ----

struct DualStep {
  s: array<vec2<f32>, STATE_DIM>,
  reward: vec2<f32>,
}

fn env_step_dual(s: array<vec2<f32>, STATE_DIM>, a: array<vec2<f32>, ACT_DIM>, p: Params) -> DualStep {
  let push = dclamp(a[0], -1.0, 1.0);
  var acc = cartpole_accel_dual(s[2], s[3], p.force_mag * push, constants(p));
  let held = pinned(s[0].x, s[1].x, acc.x_acc.x, p);
  if (held) { acc = DualAccel(vec2<f32>(0.0), 3.0 * p.gravity * dsin(s[2]) / (4.0 * p.length)); }
  var next = array<vec2<f32>, STATE_DIM>(s[0] + p.tau * s[1], s[1] + p.tau * acc.x_acc, s[2] + p.tau * s[3], s[3] + p.tau * acc.theta_acc);
  if (held || abs(next[0].x) > p.track_limit) {
    next[0] = vec2<f32>(clamp(next[0].x, -p.track_limit, p.track_limit), 0.0);
    next[1] = vec2<f32>(0.0);
  }
  let reward = dcos(next[2]) - 0.01 * dsq(next[0]) - 0.01 * dsq(push);
  return DualStep(next, reward);
}

fn env_obs_dual(s: array<vec2<f32>, STATE_DIM>, p: Params) -> array<vec2<f32>, OBS_DIM> {
  return array<vec2<f32>, OBS_DIM>(s[0], s[1], dcos(s[2]), dsin(s[2]), s[3]);
}

// envs/cartpole.wgsl - cart-pole balancing: CartPole-v1 dynamics (gymnax's cartpole.py, Euler
// integration, tau = 0.02) with a continuous force F = force_mag * clip(a, -1, 1), a in [-1, 1];
// reward 1 per step taken from a non-terminal state (gymnax's "1 - previous terminal");
// terminated when |x| > 2.4 or |theta| > 12 degrees; horizon 500. rllab's Cart-Pole Balancing has
// the same task with a different reward scale (about 10 per step); see src/envs/cartpole.ts.
// Needs envs/cartpole_dynamics.wgsl before it. Contract and bindings: envs/driver.wgsl.
//   state = obs = [x, x_dot, theta, theta_dot]; reset: each ~ U(-0.05, 0.05).
//   System identification scales masscart, masspole and length.

const STATE_DIM: u32 = 4u;
const OBS_DIM: u32 = 4u;
const ACT_DIM: u32 = 1u;
const GOAL_DIM: u32 = 0u;

struct Params {
  gravity: f32,
  masscart: f32,
  masspole: f32,
  length: f32,
  force_mag: f32,
  tau: f32,
  theta_threshold_radians: f32,
  x_threshold: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

fn outside(s: array<f32, STATE_DIM>, p: Params) -> bool {
  return s[0] < -p.x_threshold || s[0] > p.x_threshold || s[2] < -p.theta_threshold_radians || s[2] > p.theta_threshold_radians;
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  let v = 0.1 * u - 0.05;
  return array<f32, STATE_DIM>(v.x, v.y, v.z, v.w);
}

fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let force = p.force_mag * clamp(a[0], -1.0, 1.0);
  let acc = cartpole_accel(s[2], s[3], force, CartPoleConstants(p.gravity, p.masscart, p.masspole, p.length));
  let next = array<f32, STATE_DIM>(s[0] + p.tau * s[1], s[1] + p.tau * acc.x, s[2] + p.tau * s[3], s[3] + p.tau * acc.y);
  let reward = select(1.0, 0.0, outside(s, p));
  return StepResult(next, reward, outside(next, p));
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  return s;
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }
fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool { return false; }

fn env_sysid(p: Params, f: vec4<f32>) -> Params {
  var q = p;
  q.masscart = p.masscart * f.x;
  q.masspole = p.masspole * f.y;
  q.length = p.length * f.z;
  return q;
}

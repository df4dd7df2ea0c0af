// envs/rllab_cartpole.wgsl - rllab's Cart-Pole Balancing (rllab/envs/box2d/cartpole_env.py on
// models/cartpole.xml.mako; Duan et al. 2016). Needs envs/rllab_cartpole_dynamics.wgsl before
// it. Contract and bindings: envs/driver.wgsl.
//   state = obs = [x, x_dot, theta, theta_dot] (theta: Box2D's pole angle, 0 upright)
//   F = force_mag clip(a, -1, 1) (rllab's normalize() maps [-1, 1] onto the control limit +-10 N)
//   one Box2D step of dt = 0.05 s per env step (frame_skip 1)
//   terminated when |x'| > max_cart_pos (2.4) or |theta'| > max_pole_angle (0.2 rad)
//   reward, after the step: 10 - (1 - cos theta') - 1e-5 F^2 while not terminated, 0 on the
//   terminating step; horizon 500.
//   reset: each field ~ U(-0.05 b, 0.05 b), b = (2.4, 4, 0.2, 4).
//   System identification scales masscart, masspole and pole_length.

const STATE_DIM: u32 = 4u;
const OBS_DIM: u32 = 4u;
const ACT_DIM: u32 = 1u;
const GOAL_DIM: u32 = 0u;

// The model's constants first (the same fields, in the same order, as src/envs/rllabCartpole.ts's
// params): a nested struct of 8 f32 keeps the flat layout the params uniform is packed in.
struct Params {
  model: RllabCartPole,
  force_mag: f32,
  max_cart_pos: f32,
  max_pole_angle: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  let v = 0.05 * vec4<f32>(p.max_cart_pos, 4.0, p.max_pole_angle, 4.0) * (2.0 * u - 1.0);
  return array<f32, STATE_DIM>(v.x, v.y, v.z, v.w);
}

fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let force = p.force_mag * clamp(a[0], -1.0, 1.0);
  let next = rllab_cartpole_step(s, force, p.model);
  let done = abs(next[0]) > p.max_cart_pos || abs(next[2]) > p.max_pole_angle;
  let reward = select(10.0 - (1.0 - cos(next[2])) - 1e-5 * force * force, 0.0, done);
  return StepResult(next, reward, done);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  return s;
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }
fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool { return false; }

fn env_sysid(p: Params, f: vec4<f32>) -> Params {
  var q = p;
  q.model.masscart = p.model.masscart * f.x;
  q.model.masspole = p.model.masspole * f.y;
  q.model.pole_length = p.model.pole_length * f.z;
  return q;
}

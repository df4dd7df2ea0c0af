// envs/rllab_cartpole_swingup.wgsl - rllab's "Inverted Pendulum" row of Duan et al. 2016: the
// cart-pole swing-up of rllab/envs/box2d/cartpole_swingup_env.py (after Tornio and Raiko 2006) on
// the same Box2D model as rllab_cartpole.wgsl. Needs envs/rllab_cartpole_dynamics.wgsl before it.
// Contract and bindings: envs/driver.wgsl.
//   state = obs = [x, x_dot, theta, theta_dot] (theta as Box2D keeps it: 0 upright, not wrapped)
//   F = force_mag clip(a, -1, 1); one Box2D step of dt = 0.05 s per env step
//   terminated when |x'| > max_cart_pos (3); reward, after the step: -100 on the terminating
//   step, else cos theta' (rllab's -1 beyond max_reward_cart_pos = 3 cannot happen: that is the
//   termination bound); horizon 500.
//   reset: x ~ U(-1, 1), x_dot ~ U(-2, 2), theta ~ U(pi - 1, pi + 1), theta_dot ~ U(-3, 3).
//   System identification scales masscart, masspole and pole_length.

const STATE_DIM: u32 = 4u;
const OBS_DIM: u32 = 4u;
const ACT_DIM: u32 = 1u;
const GOAL_DIM: u32 = 0u;
const PI: f32 = 3.141592653589793;

// The model's constants first (the same fields, in the same order, as src/envs/rllabCartpole.ts's
// params): a nested struct of 8 f32 keeps the flat layout the params uniform is packed in.
struct Params {
  model: RllabCartPole,
  force_mag: f32,
  max_cart_pos: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  let v = 2.0 * u - 1.0;
  return array<f32, STATE_DIM>(v.x, 2.0 * v.y, PI + v.z, 3.0 * v.w);
}

fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let force = p.force_mag * clamp(a[0], -1.0, 1.0);
  let next = rllab_cartpole_step(s, force, p.model);
  let done = abs(next[0]) > p.max_cart_pos;
  return StepResult(next, select(cos(next[2]), -100.0, done), done);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  return s;
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }
// Upright: the share of time the pole is within about 18 degrees of the top.
fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool { return cos(s[2]) > 0.95; }

fn env_sysid(p: Params, f: vec4<f32>) -> Params {
  var q = p;
  q.model.masscart = p.model.masscart * f.x;
  q.model.masspole = p.model.masspole * f.y;
  q.model.pole_length = p.model.pole_length * f.z;
  return q;
}

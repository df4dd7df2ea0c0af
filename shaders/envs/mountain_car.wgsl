// envs/mountain_car.wgsl - MountainCarContinuous-v0 (gym classic control; the equations of
// gymnax's continuous_mountain_car.py, including its velocity reset at the goal side).
// An environment file for envs/driver.wgsl (see there for the contract and the bindings):
//   state = obs = [position, velocity]; force = clip(a, -1, 1)
//   v' = clip(v + force power - cos(3 x) gravity, +-max_speed); x' = clip(x + v', [min, max]);
//   v' = 0 if x' >= goal and v' < 0
//   reward = -0.1 a^2 (the unclipped action, as gym) + 100 on reaching the goal;
//   terminated when x' >= goal_position and v' >= goal_velocity; horizon 999.
//   reset: x ~ U(-0.6, -0.4), v = 0. System identification scales power and gravity.

const STATE_DIM: u32 = 2u;
const OBS_DIM: u32 = 2u;
const ACT_DIM: u32 = 1u;
const GOAL_DIM: u32 = 0u;

struct Params {
  min_action: f32,
  max_action: f32,
  min_position: f32,
  max_position: f32,
  max_speed: f32,
  goal_position: f32,
  goal_velocity: f32,
  power: f32,
  gravity: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  return array<f32, STATE_DIM>(-0.6 + 0.2 * u.x, 0.0);
}

fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let force = clamp(a[0], p.min_action, p.max_action);
  var v = s[1] + force * p.power - cos(3.0 * s[0]) * p.gravity;
  v = clamp(v, -p.max_speed, p.max_speed);
  let x = clamp(s[0] + v, p.min_position, p.max_position);
  if (x >= p.goal_position && v < 0.0) { v = 0.0; }
  let reached = x >= p.goal_position && v >= p.goal_velocity;
  let reward = -0.1 * a[0] * a[0] + select(0.0, 100.0, reached);
  return StepResult(array<f32, STATE_DIM>(x, v), reward, reached);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  return s;
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }
fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool { return s[0] >= p.goal_position; }

fn env_sysid(p: Params, f: vec4<f32>) -> Params {
  var q = p;
  q.power = p.power * f.x;
  q.gravity = p.gravity * f.y;
  return q;
}

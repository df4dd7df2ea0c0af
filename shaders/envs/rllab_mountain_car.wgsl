// envs/rllab_mountain_car.wgsl - rllab's Mountain Car row of Duan et al. 2016: the Box2D cart of
// rllab/envs/box2d/mountain_car_env.py (models/mountain_car.xml.mako) on its sine track.
// Contract and bindings: envs/driver.wgsl.
//   Track: rllab's "sine_chain" of half-width W = track_width / 2 (2 m) and height 1 placed at
//   height 1: h(x) = 1 - cos(pi x / W) (valley 0 at x = 0, 2 at x = +-W).
//   The cart (a 0.4 x 0.2 box at density 5: mass 0.4) rests on the valley on its two lower
//   corners at x +- w (w = cart_half_width), so its centre rides on the corners' mean height, again
//   a sine of amplitude A cos(k w) (A = track_height, k = 2 pi / track_width), plus its half-height
//   and Box2D's polygon skin (b2_polygonRadius 0.01):
//     y(x) = A (1 - cos(k w) cos(k x)) + cart_half_height + polygon_radius
//   Its force F = max_force clip(a, -1, 1) acts along the cart's floor, taken along that path: a
//   generalized force F sqrt(1 + y'^2) on x. Lagrangian in x:
//     m (1 + y'^2) x'' = F sqrt(1 + y'^2) - m g y' - m y' y'' x'^2
//   One Box2D step of dt = 0.05 per env step: semi-implicit Euler, Box2D's speed limit (2 m per
//   step) on the horizontal speed.
//   state = obs = [x, x_dot] (the cart's centre, as the model's states xpos and xvel)
//   reward, after the step: -1 + height_bonus * y(x') (the centre's height); terminated
//   when x' >= goal_cart_pos (0.6) or |x'| >= max_cart_pos (2); horizon 500.
//   reset: x = 0 (the model's initial position), x_dot ~ U(-1, 1).
//   System identification scales gravity, cart_mass and track_width (rllab's `noise` option
//   draws the track's width).

const STATE_DIM: u32 = 2u;
const OBS_DIM: u32 = 2u;
const ACT_DIM: u32 = 1u;
const GOAL_DIM: u32 = 0u;
const PI: f32 = 3.141592653589793;

struct Params {
  gravity: f32,
  cart_mass: f32,
  cart_half_width: f32,
  cart_half_height: f32,
  polygon_radius: f32,
  track_width: f32,
  track_height: f32,
  dt: f32,
  max_translation: f32,
  max_force: f32,
  height_bonus: f32,
  goal_cart_pos: f32,
  max_cart_pos: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

// The cart's centre height y(x) and the path's amplitude A cos(k w) and wave number k.
fn centre_amplitude(p: Params) -> vec2<f32> {
  let k = 2.0 * PI / p.track_width;
  return vec2<f32>(p.track_height * cos(k * p.cart_half_width), k);
}

fn centre_height(x: f32, p: Params) -> f32 {
  let ak = centre_amplitude(p);
  return p.track_height - ak.x * cos(ak.y * x) + p.cart_half_height + p.polygon_radius;
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  return array<f32, STATE_DIM>(0.0, 2.0 * u.x - 1.0);
}

fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let force = p.max_force * clamp(a[0], -1.0, 1.0);
  let ak = centre_amplitude(p);
  let slope = ak.x * ak.y * sin(ak.y * s[0]);
  let curvature = ak.x * ak.y * ak.y * cos(ak.y * s[0]);
  let stretch = 1.0 + slope * slope;
  let acc = (force * sqrt(stretch) - p.cart_mass * p.gravity * slope - p.cart_mass * slope * curvature * s[1] * s[1]) / (p.cart_mass * stretch);
  let v_limit = p.max_translation / p.dt;
  let v = clamp(s[1] + p.dt * acc, -v_limit, v_limit);
  let x = s[0] + p.dt * v;
  let done = x >= p.goal_cart_pos || abs(x) >= p.max_cart_pos;
  let reward = -1.0 + p.height_bonus * centre_height(x, p);
  return StepResult(array<f32, STATE_DIM>(x, v), reward, done);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  return s;
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }
fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool { return s[0] >= p.goal_cart_pos; }

fn env_sysid(p: Params, f: vec4<f32>) -> Params {
  var q = p;
  q.gravity = p.gravity * f.x;
  q.cart_mass = p.cart_mass * f.y;
  q.track_width = p.track_width * f.z;
  return q;
}

// envs/reacher.wgsl - planar two-link arm reaching a random goal (the task of gym's Reacher with
// our own simple dynamics), goal-conditioned. Contract and bindings: envs/driver.wgsl.
//   state [q1, q2, w1, w2, gx, gy]; torque tau = clip(a, -1, 1) per joint
//   w' = w + dt (gain tau - damping w); q' = q + dt w'       (semi-implicit Euler, decoupled joints)
//   fingertip = (l1 cos q1 + l2 cos(q1 + q2), l1 sin q1 + l2 sin(q1 + q2)): the achieved goal
//   obs [cos q1, cos q2, sin q1, sin q2, w1, w2, tip_x, tip_y, gx, gy] (desired goal last)
//   reward (on the state reached): dense -|tip - g| - 0.05 |tau|^2; sparse 0 within tolerance else -1
//   no termination; horizon 50; success = ending within tolerance.
//   reset: q1 ~ U(-pi, pi), q2 ~ U(-0.5, 0.5), w = 0, goal uniform in the disc of radius 0.2.

const STATE_DIM: u32 = 6u;
const OBS_DIM: u32 = 10u;
const ACT_DIM: u32 = 2u;
const GOAL_DIM: u32 = 2u;
const PI: f32 = 3.141592653589793;

struct Params {
  link1: f32,
  link2: f32,
  gain: f32,
  damping: f32,
  dt: f32,
  goal_radius: f32,
  tolerance: f32,
  sparse: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

fn fingertip(s: array<f32, STATE_DIM>, p: Params) -> vec2<f32> {
  return vec2<f32>(p.link1 * cos(s[0]) + p.link2 * cos(s[0] + s[1]), p.link1 * sin(s[0]) + p.link2 * sin(s[0] + s[1]));
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  let r = p.goal_radius * sqrt(u.z);
  let angle = 2.0 * PI * u.w;
  return array<f32, STATE_DIM>(PI * (2.0 * u.x - 1.0), u.y - 0.5, 0.0, 0.0, r * cos(angle), r * sin(angle));
}

fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let t1 = clamp(a[0], -1.0, 1.0);
  let t2 = clamp(a[1], -1.0, 1.0);
  let w1 = s[2] + p.dt * (p.gain * t1 - p.damping * s[2]);
  let w2 = s[3] + p.dt * (p.gain * t2 - p.damping * s[3]);
  let next = array<f32, STATE_DIM>(s[0] + p.dt * w1, s[1] + p.dt * w2, w1, w2, s[4], s[5]);
  let d = distance(fingertip(next, p), vec2<f32>(s[4], s[5]));
  var reward = -d - 0.05 * (t1 * t1 + t2 * t2);
  if (p.sparse > 0.0) { reward = select(-1.0, 0.0, d <= p.tolerance); }
  return StepResult(next, reward, false);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  let tip = fingertip(s, p);
  return array<f32, OBS_DIM>(cos(s[0]), cos(s[1]), sin(s[0]), sin(s[1]), s[2], s[3], tip.x, tip.y, s[4], s[5]);
}

// The goal term of the reward for reaching `achieved` when `desired` was asked for: what HER
// recomputes for relabeled goals (exact for the sparse variant; the dense one drops the torque cost).
fn env_goal_reward(achieved: array<f32, GOAL_DIM>, desired: array<f32, GOAL_DIM>, p: Params) -> f32 {
  let d = distance(vec2<f32>(achieved[0], achieved[1]), vec2<f32>(desired[0], desired[1]));
  if (p.sparse > 0.0) { return select(-1.0, 0.0, d <= p.tolerance); }
  return -d;
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 {
  return fingertip(s, p)[i];
}

fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool {
  return distance(fingertip(s, p), vec2<f32>(s[4], s[5])) <= p.tolerance;
}

fn env_sysid(p: Params, f: vec4<f32>) -> Params {
  var q = p;
  q.gain = p.gain * f.x;
  q.damping = p.damping * f.y;
  return q;
}

// ---- dual copy of the step for envs/driver_vjp.wgsl ----

struct DualStep {
  s: array<vec2<f32>, STATE_DIM>,
  reward: vec2<f32>,
}

fn fingertip_dual(q1: vec2<f32>, q2: vec2<f32>, p: Params) -> array<vec2<f32>, 2> {
  return array<vec2<f32>, 2>(p.link1 * dcos(q1) + p.link2 * dcos(q1 + q2), p.link1 * dsin(q1) + p.link2 * dsin(q1 + q2));
}

fn env_step_dual(s: array<vec2<f32>, STATE_DIM>, a: array<vec2<f32>, ACT_DIM>, p: Params) -> DualStep {
  let t1 = dclamp(a[0], -1.0, 1.0);
  let t2 = dclamp(a[1], -1.0, 1.0);
  let w1 = s[2] + p.dt * (p.gain * t1 - p.damping * s[2]);
  let w2 = s[3] + p.dt * (p.gain * t2 - p.damping * s[3]);
  let q1 = s[0] + p.dt * w1;
  let q2 = s[1] + p.dt * w2;
  let tip = fingertip_dual(q1, q2, p);
  let d = dsqrt(dsq(tip[0] - s[4]) + dsq(tip[1] - s[5]));
  var reward = -d - 0.05 * (dsq(t1) + dsq(t2));
  if (p.sparse > 0.0) { reward = dconst(select(-1.0, 0.0, d.x <= p.tolerance)); }
  return DualStep(array<vec2<f32>, STATE_DIM>(q1, q2, w1, w2, s[4], s[5]), reward);
}

fn env_obs_dual(s: array<vec2<f32>, STATE_DIM>, p: Params) -> array<vec2<f32>, OBS_DIM> {
  let tip = fingertip_dual(s[0], s[1], p);
  return array<vec2<f32>, OBS_DIM>(dcos(s[0]), dcos(s[1]), dsin(s[0]), dsin(s[1]), s[2], s[3], tip[0], tip[1], s[4], s[5]);
}

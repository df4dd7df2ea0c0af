// envs/point_mass_cue.wgsl - the point mass of envs/point_mass.wgsl pushed to a goal that is shown
// only in the first observation of an episode: a task that needs memory (a feedforward policy
// cannot know where to go after the first step; a recurrent one can keep the cue).
// Contract and bindings: envs/driver.wgsl.
//   state [x, y, vx, vy, gx, gy, t]; force = clip(a, -1, 1) per axis
//   v' = v + dt (gain force - damping v); position' = clip(position + dt v', +-bound); t' = t + 1
//   obs [x, y, vx, vy, cue gx, cue gy, cue], cue = 1 at t = 0 (the reset's observation), else 0
//   reward (on the state reached) -|position - g|; no termination; horizon 50;
//   success = ending within tolerance of the goal.
//   reset: position and goal ~ U(-0.8 bound, 0.8 bound)^2, velocity 0, t = 0.

const STATE_DIM: u32 = 7u;
const OBS_DIM: u32 = 7u;
const ACT_DIM: u32 = 2u;
const GOAL_DIM: u32 = 0u;

struct Params {
  gain: f32,
  damping: f32,
  dt: f32,
  bound: f32,
  tolerance: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  let v = 0.8 * p.bound * (2.0 * u - 1.0);
  return array<f32, STATE_DIM>(v.x, v.y, 0.0, 0.0, v.z, v.w, 0.0);
}

fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let f = clamp(vec2<f32>(a[0], a[1]), vec2<f32>(-1.0), vec2<f32>(1.0));
  let v = vec2<f32>(s[2], s[3]) + p.dt * (p.gain * f - p.damping * vec2<f32>(s[2], s[3]));
  let x = clamp(vec2<f32>(s[0], s[1]) + p.dt * v, vec2<f32>(-p.bound), vec2<f32>(p.bound));
  let d = distance(x, vec2<f32>(s[4], s[5]));
  return StepResult(array<f32, STATE_DIM>(x.x, x.y, v.x, v.y, s[4], s[5], s[6] + 1.0), -d, false);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  let first = s[6] == 0.0;
  return array<f32, OBS_DIM>(s[0], s[1], s[2], s[3], select(0.0, s[4], first), select(0.0, s[5], first), select(0.0, 1.0, first));
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }

fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool {
  return distance(vec2<f32>(s[0], s[1]), vec2<f32>(s[4], s[5])) <= p.tolerance;
}

fn env_sysid(p: Params, f: vec4<f32>) -> Params {
  var q = p;
  q.gain = p.gain * f.x;
  q.damping = p.damping * f.y;
  return q;
}

// ---- dual copy of the step for envs/driver_vjp.wgsl (point_mass.wgsl's, the counter carried) ----
// The cue's columns are the goal's at t = 0 and constant zeros after (piecewise constant in t).

struct DualStep {
  s: array<vec2<f32>, STATE_DIM>,
  reward: vec2<f32>,
}

fn env_step_dual(s: array<vec2<f32>, STATE_DIM>, a: array<vec2<f32>, ACT_DIM>, p: Params) -> DualStep {
  let fx = dclamp(a[0], -1.0, 1.0);
  let fy = dclamp(a[1], -1.0, 1.0);
  let vx = s[2] + p.dt * (p.gain * fx - p.damping * s[2]);
  let vy = s[3] + p.dt * (p.gain * fy - p.damping * s[3]);
  let x = dclamp(s[0] + p.dt * vx, -p.bound, p.bound);
  let y = dclamp(s[1] + p.dt * vy, -p.bound, p.bound);
  let d = dsqrt(dsq(x - s[4]) + dsq(y - s[5]));
  return DualStep(array<vec2<f32>, STATE_DIM>(x, y, vx, vy, s[4], s[5], s[6] + dconst(1.0)), -d);
}

fn env_obs_dual(s: array<vec2<f32>, STATE_DIM>, p: Params) -> array<vec2<f32>, OBS_DIM> {
  let first = s[6].x == 0.0;
  let zero = dconst(0.0);
  return array<vec2<f32>, OBS_DIM>(s[0], s[1], s[2], s[3], select(zero, s[4], first), select(zero, s[5], first), dconst(select(0.0, 1.0, first)));
}

// envs/rllab_acrobot.wgsl - rllab's Acrobot row of Duan et al. 2016: the Box2D two-link pendulum
// of rllab/envs/box2d/double_pendulum_env.py (models/double_pendulum.xml.mako; PILCO's task),
// torque at the elbow only. Contract and bindings: envs/driver.wgsl.
//   Links: boxes link_width x link_length at density `density` (mass 0.5, inertia about the
//   centre m (L^2 + w^2) / 12), hanging from the origin, the second from the first's end.
//   state [theta1, theta2, w1, w2]: Box2D's body angles (absolute, counter-clockwise, 0 hanging
//   down, not wrapped); obs [sin t1, cos t1, w1, sin t2, cos t2, w2] (the model's state list).
//   torque tau = max_torque clip(a, -1, 1) on link 2 and -tau on link 1 (Box2D's motor at
//   +-1e5 rad/s with maxMotorTorque |tau| always saturates, so it applies tau itself).
//   Equations (c = L/2 the centre of mass, I the inertia, D = t1 - t2):
//     (I + m c^2 + m L^2) w1' + m L c cos(D) w2' = -tau - m L c sin(D) w2^2 - m g (c + L) sin t1
//     m L c cos(D) w1' + (I + m c^2) w2'         =  tau + m L c sin(D) w1^2 - m g c sin t2
//   Two Box2D steps of dt = 0.01 per env step (frame_skip 2): semi-implicit Euler with Box2D's
//   angular speed limit (b2_maxRotation pi/2 per step).
//   reward, after the step: -|tip - (0, 2 L)|, with the tip as rllab's get_tip_pos computes it:
//   (j.x - L sin t2, j.y - L cos t2), j = (L sin t1, -L cos t1) the elbow (its x is mirrored:
//   the true tip's x is j.x + L sin t2; the two agree when the arm is straight); no termination;
//   horizon 500.
//   reset: t1, t2 ~ N(0, 0.1^2), w1, w2 ~ N(0, 0.01^2) (Box-Muller on the reset uniforms).
//   System identification scales gravity, link_length and density.

const STATE_DIM: u32 = 4u;
const OBS_DIM: u32 = 6u;
const ACT_DIM: u32 = 1u;
const GOAL_DIM: u32 = 0u;
const FRAME_SKIP: u32 = 2u;
const PI: f32 = 3.141592653589793;

struct Params {
  gravity: f32,
  link_length: f32,
  link_width: f32,
  density: f32,
  dt: f32,
  max_rotation: f32,
  max_torque: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

fn gaussian_pair(u: vec2<f32>) -> vec2<f32> {
  let r = sqrt(-2.0 * log(u.x));
  return r * vec2<f32>(cos(2.0 * PI * u.y), sin(2.0 * PI * u.y));
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  let angles = 0.1 * gaussian_pair(u.xy);
  let speeds = 0.01 * gaussian_pair(u.zw);
  return array<f32, STATE_DIM>(angles.x, angles.y, speeds.x, speeds.y);
}

// Angular accelerations [w1', w2'] at state s under elbow torque tau.
fn accelerations(s: array<f32, STATE_DIM>, tau: f32, p: Params) -> vec2<f32> {
  let len = p.link_length;
  let m = p.density * p.link_width * len;
  let c = 0.5 * len;
  let inertia = m * (len * len + p.link_width * p.link_width) / 12.0;
  let d = s[0] - s[1];
  let m11 = inertia + m * c * c + m * len * len;
  let m12 = m * len * c * cos(d);
  let m22 = inertia + m * c * c;
  let r1 = -tau - m * len * c * sin(d) * s[3] * s[3] - m * p.gravity * (c + len) * sin(s[0]);
  let r2 = tau + m * len * c * sin(d) * s[2] * s[2] - m * p.gravity * c * sin(s[1]);
  let det = m11 * m22 - m12 * m12;
  return vec2<f32>((m22 * r1 - m12 * r2) / det, (m11 * r2 - m12 * r1) / det);
}

fn env_step(s_in: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let tau = p.max_torque * clamp(a[0], -1.0, 1.0);
  let w_limit = p.max_rotation / p.dt;
  var s = s_in;
  for (var k = 0u; k < FRAME_SKIP; k++) {
    let acc = accelerations(s, tau, p);
    let w1 = clamp(s[2] + p.dt * acc.x, -w_limit, w_limit);
    let w2 = clamp(s[3] + p.dt * acc.y, -w_limit, w_limit);
    s = array<f32, STATE_DIM>(s[0] + p.dt * w1, s[1] + p.dt * w2, w1, w2);
  }
  let len = p.link_length;
  let tip = vec2<f32>(len * sin(s[0]) - len * sin(s[1]), -len * cos(s[0]) - len * cos(s[1]));
  return StepResult(s, -length(tip - vec2<f32>(0.0, 2.0 * len)), false);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  return array<f32, OBS_DIM>(sin(s[0]), cos(s[0]), s[2], sin(s[1]), cos(s[1]), s[3]);
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }
// Up: the true tip within a quarter link of straight above the base.
fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool {
  let len = p.link_length;
  let tip = vec2<f32>(len * sin(s[0]) + len * sin(s[1]), -len * cos(s[0]) - len * cos(s[1]));
  return length(tip - vec2<f32>(0.0, 2.0 * len)) < 0.25 * len;
}

fn env_sysid(p: Params, f: vec4<f32>) -> Params {
  var q = p;
  q.gravity = p.gravity * f.x;
  q.link_length = p.link_length * f.y;
  q.density = p.density * f.z;
  return q;
}

// envs/acrobot.wgsl - Acrobot-v1 ("book" dynamics of Sutton & Barto; the equations of gymnax's
// acrobot.py: one RK4 step of dt = 0.2) with a continuous torque clip(a, -1, 1) on the second
// joint instead of the choice {-1, 0, +1}. Swing the tip above the line one link above the base.
// An environment file for envs/driver.wgsl (contract and bindings there):
//   state [theta1, theta2, omega1, omega2]; obs [cos t1, sin t1, cos t2, sin t2, omega1, omega2]
//   angles wrapped to [-pi, pi), velocities clipped to 4 pi and 9 pi;
//   terminated when -cos t1 - cos(t1 + t2) > 1, reward -1 per step until then (0 on the last);
//   horizon 500; reset: each ~ U(-0.1, 0.1). System identification scales the link masses.
// Smooth almost everywhere: the dual copy differentiates through RK4 (the reward is piecewise
// constant, so its derivative is 0; wrapping has derivative 1; clipping 0 at the bound).

const STATE_DIM: u32 = 4u;
const OBS_DIM: u32 = 6u;
const ACT_DIM: u32 = 1u;
const GOAL_DIM: u32 = 0u;
const PI: f32 = 3.141592653589793;

struct Params {
  dt: f32,
  link_length_1: f32,
  link_length_2: f32,
  link_mass_1: f32,
  link_mass_2: f32,
  link_com_pos_1: f32,
  link_com_pos_2: f32,
  link_moi: f32,
  max_vel_1: f32,
  max_vel_2: f32,
  max_torque: f32,
  gravity: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

// Time derivative of (theta1, theta2, omega1, omega2) under torque a on joint 2.
fn dsdt(s: vec4<f32>, a: f32, p: Params) -> vec4<f32> {
  let m1 = p.link_mass_1;
  let m2 = p.link_mass_2;
  let l1 = p.link_length_1;
  let lc1 = p.link_com_pos_1;
  let lc2 = p.link_com_pos_2;
  let i1 = p.link_moi;
  let i2 = p.link_moi;
  let g = p.gravity;
  let d1 = m1 * lc1 * lc1 + m2 * (l1 * l1 + lc2 * lc2 + 2.0 * l1 * lc2 * cos(s.y)) + i1 + i2;
  let d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos(s.y)) + i2;
  let phi2 = m2 * lc2 * g * cos(s.x + s.y - PI / 2.0);
  let phi1 = -m2 * l1 * lc2 * s.w * s.w * sin(s.y) - 2.0 * m2 * l1 * lc2 * s.w * s.z * sin(s.y)
    + (m1 * lc1 + m2 * l1) * g * cos(s.x - PI / 2.0) + phi2;
  let dd2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * s.z * s.z * sin(s.y) - phi2) / (m2 * lc2 * lc2 + i2 - d2 * d2 / d1);
  let dd1 = -(d2 * dd2 + phi1) / d1;
  return vec4<f32>(s.z, s.w, dd1, dd2);
}

// gymnax's wrap: x into [m, M), with M itself wrapped to m.
fn wrap(x: f32, m: f32, big_m: f32) -> f32 {
  let diff = big_m - m;
  if (x < m) { return x + ceil((m - x) / diff) * diff; }
  if (x >= big_m) { return x - floor((x - big_m) / diff + 1.0) * diff; }
  return x;
}

fn tip_above_line(t1: f32, t2: f32) -> bool {
  return -cos(t1) - cos(t2 + t1) > 1.0;
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  let v = 0.2 * u - 0.1;
  return array<f32, STATE_DIM>(v.x, v.y, v.z, v.w);
}

fn env_step(s_in: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let torque = clamp(a[0], -p.max_torque, p.max_torque);
  let s = vec4<f32>(s_in[0], s_in[1], s_in[2], s_in[3]);
  let h = p.dt / 2.0;
  let k1 = dsdt(s, torque, p);
  let k2 = dsdt(s + h * k1, torque, p);
  let k3 = dsdt(s + h * k2, torque, p);
  let k4 = dsdt(s + p.dt * k3, torque, p);
  let ns = s + p.dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
  let t1 = wrap(ns.x, -PI, PI);
  let t2 = wrap(ns.y, -PI, PI);
  let w1 = clamp(ns.z, -p.max_vel_1, p.max_vel_1);
  let w2 = clamp(ns.w, -p.max_vel_2, p.max_vel_2);
  let done = tip_above_line(t1, t2);
  return StepResult(array<f32, STATE_DIM>(t1, t2, w1, w2), select(-1.0, 0.0, done), done);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  return array<f32, OBS_DIM>(cos(s[0]), sin(s[0]), cos(s[1]), sin(s[1]), s[2], s[3]);
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }
fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool { return tip_above_line(s[0], s[1]); }

fn env_sysid(p: Params, f: vec4<f32>) -> Params {
  var q = p;
  q.link_mass_1 = p.link_mass_1 * f.x;
  q.link_mass_2 = p.link_mass_2 * f.y;
  return q;
}

// ---- dual copy of the step for envs/driver_vjp.wgsl ----

struct DualStep {
  s: array<vec2<f32>, STATE_DIM>,
  reward: vec2<f32>,
}

struct DualState {
  t1: vec2<f32>,
  t2: vec2<f32>,
  w1: vec2<f32>,
  w2: vec2<f32>,
}

fn dual_axpy(x: DualState, h: f32, k: DualState) -> DualState {
  return DualState(x.t1 + h * k.t1, x.t2 + h * k.t2, x.w1 + h * k.w1, x.w2 + h * k.w2);
}

fn dsdt_dual(s: DualState, a: vec2<f32>, p: Params) -> DualState {
  let m1 = p.link_mass_1;
  let m2 = p.link_mass_2;
  let l1 = p.link_length_1;
  let lc1 = p.link_com_pos_1;
  let lc2 = p.link_com_pos_2;
  let i1 = p.link_moi;
  let i2 = p.link_moi;
  let g = p.gravity;
  let c2 = dcos(s.t2);
  let s2 = dsin(s.t2);
  let d1 = dconst(m1 * lc1 * lc1 + m2 * (l1 * l1 + lc2 * lc2) + i1 + i2) + (2.0 * m2 * l1 * lc2) * c2;
  let d2 = dconst(m2 * lc2 * lc2 + i2) + (m2 * l1 * lc2) * c2;
  let phi2 = (m2 * lc2 * g) * dcos(s.t1 + s.t2 - dconst(PI / 2.0));
  let phi1 = -(m2 * l1 * lc2) * dmul(dsq(s.w2), s2) - (2.0 * m2 * l1 * lc2) * dmul(dmul(s.w2, s.w1), s2)
    + ((m1 * lc1 + m2 * l1) * g) * dcos(s.t1 - dconst(PI / 2.0)) + phi2;
  let num = a + dmul(ddiv(d2, d1), phi1) - (m2 * l1 * lc2) * dmul(dsq(s.w1), s2) - phi2;
  let dd2 = ddiv(num, dconst(m2 * lc2 * lc2 + i2) - ddiv(dsq(d2), d1));
  let dd1 = -ddiv(dmul(d2, dd2) + phi1, d1);
  return DualState(s.w1, s.w2, dd1, dd2);
}

fn env_step_dual(s_in: array<vec2<f32>, STATE_DIM>, a: array<vec2<f32>, ACT_DIM>, p: Params) -> DualStep {
  let torque = dclamp(a[0], -p.max_torque, p.max_torque);
  let s = DualState(s_in[0], s_in[1], s_in[2], s_in[3]);
  let h = p.dt / 2.0;
  let k1 = dsdt_dual(s, torque, p);
  let k2 = dsdt_dual(dual_axpy(s, h, k1), torque, p);
  let k3 = dsdt_dual(dual_axpy(s, h, k2), torque, p);
  let k4 = dsdt_dual(dual_axpy(s, p.dt, k3), torque, p);
  let w = p.dt / 6.0;
  let t1 = s.t1 + w * (k1.t1 + 2.0 * k2.t1 + 2.0 * k3.t1 + k4.t1);
  let t2 = s.t2 + w * (k1.t2 + 2.0 * k2.t2 + 2.0 * k3.t2 + k4.t2);
  let w1 = s.w1 + w * (k1.w1 + 2.0 * k2.w1 + 2.0 * k3.w1 + k4.w1);
  let w2 = s.w2 + w * (k1.w2 + 2.0 * k2.w2 + 2.0 * k3.w2 + k4.w2);
  let next = array<vec2<f32>, STATE_DIM>(
    vec2<f32>(wrap(t1.x, -PI, PI), t1.y),
    vec2<f32>(wrap(t2.x, -PI, PI), t2.y),
    dclamp(w1, -p.max_vel_1, p.max_vel_1),
    dclamp(w2, -p.max_vel_2, p.max_vel_2),
  );
  let done = tip_above_line(next[0].x, next[1].x);
  return DualStep(next, vec2<f32>(select(-1.0, 0.0, done), 0.0));
}

fn env_obs_dual(s: array<vec2<f32>, STATE_DIM>, p: Params) -> array<vec2<f32>, OBS_DIM> {
  return array<vec2<f32>, OBS_DIM>(dcos(s[0]), dsin(s[0]), dcos(s[1]), dsin(s[1]), s[2], s[3]);
}

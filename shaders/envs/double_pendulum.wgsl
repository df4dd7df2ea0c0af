// envs/double_pendulum.wgsl - double inverted pendulum on a cart (the task of rllab's Double
// Inverted Pendulum; our own Lagrangian model: point masses m1, m2 on massless poles of lengths
// l1, l2, angles from upright, a cart of mass M pushed by F = force_mag clip(a, -1, 1)).
// Needs envs/solve_sym3.wgsl before it. Contract and bindings: envs/driver.wgsl.
//   Mass matrix and forces (q = [x, t1, t2], s12 = sin(t1 - t2), c12 = cos(t1 - t2)):
//     [M + m1 + m2,        (m1 + m2) l1 cos t1, m2 l2 cos t2  ]        [F + (m1 + m2) l1 w1^2 sin t1 + m2 l2 w2^2 sin t2]
//     [(m1 + m2) l1 cos t1, (m1 + m2) l1^2,     m2 l1 l2 c12  ] q'' =  [-m2 l1 l2 w2^2 s12 + (m1 + m2) g l1 sin t1    ]
//     [m2 l2 cos t2,        m2 l1 l2 c12,       m2 l2^2       ]        [ m2 l1 l2 w1^2 s12 + m2 g l2 sin t2            ]
//   solved by Cramer's rule; SUBSTEPS semi-implicit Euler steps per dt.
//   state [x, t1, t2, x_dot, w1, w2]; obs [x, sin t1, sin t2, cos t1, cos t2, x_dot, w1, w2]
//   tip = (x + l1 sin t1 + l2 sin t2, l1 cos t1 + l2 cos t2), L = l1 + l2;
//   reward = 10 - 0.01 tip_x^2 - (tip_y - L)^2 - 0.001 w1^2 - 0.005 w2^2 (the shape of gym's
//   InvertedDoublePendulum); terminated when tip_y <= 0.8 L or |x| > x_threshold; horizon 500.
//   reset: every state entry ~ U(-0.05, 0.05). System identification scales M, m1 and m2.

const STATE_DIM: u32 = 6u;
const OBS_DIM: u32 = 8u;
const ACT_DIM: u32 = 1u;
const GOAL_DIM: u32 = 0u;
const SUBSTEPS: u32 = 5u;

struct Params {
  gravity: f32,
  masscart: f32,
  mass1: f32,
  mass2: f32,
  length1: f32,
  length2: f32,
  force_mag: f32,
  dt: f32,
  x_threshold: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

fn accel(q: vec3<f32>, v: vec3<f32>, force: f32, p: Params) -> vec3<f32> {
  let m12 = p.mass1 + p.mass2;
  let l1 = p.length1;
  let l2 = p.length2;
  let s1 = sin(q.y);
  let s2 = sin(q.z);
  let c1 = cos(q.y);
  let c2 = cos(q.z);
  let s12 = sin(q.y - q.z);
  let c12 = cos(q.y - q.z);
  let r = vec3<f32>(
    force + m12 * l1 * v.y * v.y * s1 + p.mass2 * l2 * v.z * v.z * s2,
    -p.mass2 * l1 * l2 * v.z * v.z * s12 + m12 * p.gravity * l1 * s1,
    p.mass2 * l1 * l2 * v.y * v.y * s12 + p.mass2 * p.gravity * l2 * s2,
  );
  return solve_sym3(p.masscart + m12, m12 * l1 * c1, p.mass2 * l2 * c2, m12 * l1 * l1, p.mass2 * l1 * l2 * c12, p.mass2 * l2 * l2, r);
}

fn tip(s: array<f32, STATE_DIM>, p: Params) -> vec2<f32> {
  return vec2<f32>(s[0] + p.length1 * sin(s[1]) + p.length2 * sin(s[2]), p.length1 * cos(s[1]) + p.length2 * cos(s[2]));
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  let v = 0.1 * u - 0.05;
  let w = 0.1 * u2 - 0.05;
  return array<f32, STATE_DIM>(v.x, v.y, v.z, v.w, w.x, w.y);
}

fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let force = p.force_mag * clamp(a[0], -1.0, 1.0);
  var q = vec3<f32>(s[0], s[1], s[2]);
  var v = vec3<f32>(s[3], s[4], s[5]);
  let h = p.dt / f32(SUBSTEPS);
  for (var i = 0u; i < SUBSTEPS; i++) {
    v = v + h * accel(q, v, force, p);
    q = q + h * v;
  }
  let next = array<f32, STATE_DIM>(q.x, q.y, q.z, v.x, v.y, v.z);
  let t = tip(next, p);
  let top = p.length1 + p.length2;
  let reward = 10.0 - 0.01 * t.x * t.x - (t.y - top) * (t.y - top) - 0.001 * v.y * v.y - 0.005 * v.z * v.z;
  let terminated = t.y <= 0.8 * top || abs(q.x) > p.x_threshold;
  return StepResult(next, reward, terminated);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  return array<f32, OBS_DIM>(s[0], sin(s[1]), sin(s[2]), cos(s[1]), cos(s[2]), s[3], s[4], s[5]);
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }
fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool { return tip(s, p).y > 0.8 * (p.length1 + p.length2); }

fn env_sysid(p: Params, f: vec4<f32>) -> Params {
  var q = p;
  q.masscart = p.masscart * f.x;
  q.mass1 = p.mass1 * f.y;
  q.mass2 = p.mass2 * f.z;
  return q;
}

// ---- dual copy of the step for envs/driver_vjp.wgsl ----

struct DualStep {
  s: array<vec2<f32>, STATE_DIM>,
  reward: vec2<f32>,
}

struct D3 {
  x: vec2<f32>,
  y: vec2<f32>,
  z: vec2<f32>,
}

fn d3_axpy(x: D3, h: f32, k: D3) -> D3 {
  return D3(x.x + h * k.x, x.y + h * k.y, x.z + h * k.z);
}

fn solve_sym3_dual(a: vec2<f32>, b: vec2<f32>, c: vec2<f32>, d: vec2<f32>, e: vec2<f32>, f: vec2<f32>, r: D3) -> D3 {
  let a00 = dmul(d, f) - dsq(e);
  let a01 = dmul(c, e) - dmul(b, f);
  let a02 = dmul(b, e) - dmul(c, d);
  let a11 = dmul(a, f) - dsq(c);
  let a12 = dmul(b, c) - dmul(a, e);
  let a22 = dmul(a, d) - dsq(b);
  let det = dmul(a, a00) + dmul(b, a01) + dmul(c, a02);
  return D3(
    ddiv(dmul(a00, r.x) + dmul(a01, r.y) + dmul(a02, r.z), det),
    ddiv(dmul(a01, r.x) + dmul(a11, r.y) + dmul(a12, r.z), det),
    ddiv(dmul(a02, r.x) + dmul(a12, r.y) + dmul(a22, r.z), det),
  );
}

fn accel_dual(q: D3, v: D3, force: vec2<f32>, p: Params) -> D3 {
  let m12 = p.mass1 + p.mass2;
  let l1 = p.length1;
  let l2 = p.length2;
  let s1 = dsin(q.y);
  let s2 = dsin(q.z);
  let c1 = dcos(q.y);
  let c2 = dcos(q.z);
  let s12 = dsin(q.y - q.z);
  let c12 = dcos(q.y - q.z);
  let r = D3(
    force + (m12 * l1) * dmul(dsq(v.y), s1) + (p.mass2 * l2) * dmul(dsq(v.z), s2),
    -(p.mass2 * l1 * l2) * dmul(dsq(v.z), s12) + (m12 * p.gravity * l1) * s1,
    (p.mass2 * l1 * l2) * dmul(dsq(v.y), s12) + (p.mass2 * p.gravity * l2) * s2,
  );
  return solve_sym3_dual(dconst(p.masscart + m12), (m12 * l1) * c1, (p.mass2 * l2) * c2, dconst(m12 * l1 * l1), (p.mass2 * l1 * l2) * c12, dconst(p.mass2 * l2 * l2), r);
}

fn env_step_dual(s: array<vec2<f32>, STATE_DIM>, a: array<vec2<f32>, ACT_DIM>, p: Params) -> DualStep {
  let force = p.force_mag * dclamp(a[0], -1.0, 1.0);
  var q = D3(s[0], s[1], s[2]);
  var v = D3(s[3], s[4], s[5]);
  let h = p.dt / f32(SUBSTEPS);
  for (var i = 0u; i < SUBSTEPS; i++) {
    v = d3_axpy(v, h, accel_dual(q, v, force, p));
    q = d3_axpy(q, h, v);
  }
  let tip_x = q.x + p.length1 * dsin(q.y) + p.length2 * dsin(q.z);
  let tip_y = p.length1 * dcos(q.y) + p.length2 * dcos(q.z);
  let top = p.length1 + p.length2;
  let reward = dconst(10.0) - 0.01 * dsq(tip_x) - dsq(tip_y - dconst(top)) - 0.001 * dsq(v.y) - 0.005 * dsq(v.z);
  return DualStep(array<vec2<f32>, STATE_DIM>(q.x, q.y, q.z, v.x, v.y, v.z), reward);
}

fn env_obs_dual(s: array<vec2<f32>, STATE_DIM>, p: Params) -> array<vec2<f32>, OBS_DIM> {
  return array<vec2<f32>, OBS_DIM>(s[0], dsin(s[1]), dsin(s[2]), dcos(s[1]), dcos(s[2]), s[3], s[4], s[5]);
}

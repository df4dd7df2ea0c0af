// envs/rllab_double_pendulum.wgsl - rllab's Double Inverted Pendulum (Duan et al. 2016): its
// MuJoCo model (vendor/mujoco_models/inverted_double_pendulum.xml) and task
// (rllab/envs/mujoco/inverted_double_pendulum_env.py); see src/envs/rllabDoublePendulum.ts.
// Needs envs/solve_sym3.wgsl before it. Contract and bindings: envs/driver.wgsl.
//   q = [x, t1, t2] (cart slider; pole 1 hinge about y, angle from upright, + moves the tip to +x;
//   pole 2 hinge, relative to pole 1). Poles of mass m_k, length l_k: centre of mass c_k = l_k / 2
//   from its hinge, inertia I_k = m_k gyration_k about it (the defaults are rllab's MuJoCo 1.31
//   compile of its capsules, see src/envs/rllabDoublePendulum.ts); cart of mass m0.
//   k1 = m1 c1 + m2 l1, k2 = m2 c2, s1 = sin t1, s12 = sin(t1 + t2), ...
//   M(q) q'' = rhs:
//     M00 = m0 + m1 + m2, M01 = k1 cos t1 + k2 cos(t1 + t2), M02 = k2 cos(t1 + t2),
//     M22 = I2 + m2 c2^2, M12 = M22 + m2 l1 c2 cos t2, M11 = I1 + m1 c1^2 + m2 l1^2 + M22 + 2 m2 l1 c2 cos t2
//     rhs0 = gear clip(a, -1, 1) + (m0 + m1 + m2) gx + k1 s1 w1^2 + k2 s12 (w1 + w2)^2 - b x'
//     rhs1 = gx M01 + g (k1 s1 + k2 s12) + m2 l1 c2 sin t2 ((w1 + w2)^2 - w1^2) - b w1
//     rhs2 = gx M02 + g k2 s12 - m2 l1 c2 sin t2 w1^2 - b w2
//   (gravity (gx, 0, -g) with rllab's gx = 1e-5; damping b on every joint), solved by Cramer's
//   rule; FRAME_SKIP = 2 classical RK4 steps of `timestep` per env step (MuJoCo's RK4).
//   state [x, t1, t2, x', w1, w2]; obs [x, sin t1, sin t2, cos t1, cos t2, clip(q', +-10), 0, 0, 0]
//   (the last three: rllab's clip(qfrc_constraint, +-10), zero since the slider's +-10 m limit is
//   not modelled); tip = (x + l1 sin t1 + l2 sin(t1 + t2), l1 cos t1 + l2 cos(t1 + t2));
//   reward = alive_bonus - 0.01 tip_x^2 - (tip_y - tip_target)^2 - 1e-3 w1^2 - 5e-3 w2^2 on the
//   reached state; terminated when tip_y <= tip_min; horizon 500.
//   reset: all zero but t1 ~ U(-20, 20) degrees. System identification scales m0, m1, m2, gear.

const STATE_DIM: u32 = 6u;
const OBS_DIM: u32 = 11u;
const ACT_DIM: u32 = 1u;
const GOAL_DIM: u32 = 0u;
const FRAME_SKIP: u32 = 2u;

struct Params {
  gravity_x: f32,
  gravity: f32,
  mass_cart: f32,
  mass1: f32,
  mass2: f32,
  length1: f32,
  length2: f32,
  gyration1: f32,
  gyration2: f32,
  damping: f32,
  gear: f32,
  timestep: f32,
  alive_bonus: f32,
  tip_target: f32,
  tip_min: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

struct StepResult {
  s: array<f32, STATE_DIM>,
  reward: f32,
  terminated: bool,
}

fn accel(q: vec3<f32>, v: vec3<f32>, force: f32, p: Params) -> vec3<f32> {
  let m0 = p.mass_cart;
  let m1 = p.mass1;
  let m2 = p.mass2;
  let l1 = p.length1;
  let c1 = 0.5 * p.length1;
  let c2 = 0.5 * p.length2;
  let i1 = m1 * p.gyration1;
  let i2 = m2 * p.gyration2;
  let s1 = sin(q.y);
  let co1 = cos(q.y);
  let s12 = sin(q.y + q.z);
  let co12 = cos(q.y + q.z);
  let s2 = sin(q.z);
  let co2 = cos(q.z);
  let w1 = v.y;
  let w12 = v.y + v.z;
  let k1 = m1 * c1 + m2 * l1;
  let k2 = m2 * c2;
  let gx = p.gravity_x;
  let gz = p.gravity;
  let r = vec3<f32>(
    force + (m0 + m1 + m2) * gx + k1 * s1 * w1 * w1 + k2 * s12 * w12 * w12 - p.damping * v.x,
    gx * (k1 * co1 + k2 * co12) + gz * (k1 * s1 + k2 * s12) + m2 * l1 * c2 * s2 * (w12 * w12 - w1 * w1) - p.damping * v.y,
    gx * k2 * co12 + gz * k2 * s12 - m2 * l1 * c2 * s2 * w1 * w1 - p.damping * v.z,
  );
  let m22 = i2 + m2 * c2 * c2;
  let m12 = m22 + m2 * l1 * c2 * co2;
  let m11 = i1 + m1 * c1 * c1 + m2 * l1 * l1 + m22 + 2.0 * m2 * l1 * c2 * co2;
  return solve_sym3(m0 + m1 + m2, k1 * co1 + k2 * co12, k2 * co12, m11, m12, m22, r);
}

fn tip(s: array<f32, STATE_DIM>, p: Params) -> vec2<f32> {
  return vec2<f32>(
    s[0] + p.length1 * sin(s[1]) + p.length2 * sin(s[1] + s[2]),
    p.length1 * cos(s[1]) + p.length2 * cos(s[1] + s[2]),
  );
}

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  let t1 = (u.x - 0.5) * 40.0 * 3.14159265358979 / 180.0;
  return array<f32, STATE_DIM>(0.0, t1, 0.0, 0.0, 0.0, 0.0);
}

fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let force = p.gear * clamp(a[0], -1.0, 1.0);
  let h = p.timestep;
  var q = vec3<f32>(s[0], s[1], s[2]);
  var v = vec3<f32>(s[3], s[4], s[5]);
  for (var f = 0u; f < FRAME_SKIP; f++) {
    let k1 = accel(q, v, force, p);
    let v1 = v + 0.5 * h * k1;
    let k2 = accel(q + 0.5 * h * v, v1, force, p);
    let v2 = v + 0.5 * h * k2;
    let k3 = accel(q + 0.5 * h * v1, v2, force, p);
    let v3 = v + h * k3;
    let k4 = accel(q + h * v2, v3, force, p);
    q = q + (h / 6.0) * (v + 2.0 * v1 + 2.0 * v2 + v3);
    v = v + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
  }
  let next = array<f32, STATE_DIM>(q.x, q.y, q.z, v.x, v.y, v.z);
  let t = tip(next, p);
  let dy = t.y - p.tip_target;
  let reward = p.alive_bonus - 0.01 * t.x * t.x - dy * dy - 1e-3 * v.y * v.y - 5e-3 * v.z * v.z;
  return StepResult(next, reward, t.y <= p.tip_min);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  return array<f32, OBS_DIM>(
    s[0], sin(s[1]), sin(s[2]), cos(s[1]), cos(s[2]),
    clamp(s[3], -10.0, 10.0), clamp(s[4], -10.0, 10.0), clamp(s[5], -10.0, 10.0),
    0.0, 0.0, 0.0,
  );
}

fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }
fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool { return tip(s, p).y > p.tip_min; }

fn env_sysid(p: Params, f: vec4<f32>) -> Params {
  var q = p;
  q.mass_cart = p.mass_cart * f.x;
  q.mass1 = p.mass1 * f.y;
  q.mass2 = p.mass2 * f.z;
  q.gear = p.gear * f.w;
  return q;
}

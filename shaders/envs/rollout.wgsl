// envs/rollout.wgsl - an unrolled trajectory through the true simulator, forward and backward,
// for SVG(inf) with known dynamics. Appended after common/dual.wgsl, common/view.wgsl and one
// differentiable environment file (env_step, env_obs, env_step_dual, env_obs_dual; see
// envs/driver.wgsl and envs/driver_vjp.wgsl for that contract).
//
// A trajectory lives in one tensor, one block of columns per time step t = 0..H:
//   [s_t (STATE_DIM) | o_t (OBS_DIM) | a_t (ACT_DIM, normalized to [-1, 1]) | r_t]
// so the policy at step t reads o_t and writes a_t through column views of block t, and the
// gradient of the trajectory is a tensor of the same layout. The env sees
//   u = mid + half * a   (the action bounds as a box; the env clips u itself)
// and the pure step (no auto-reset, no time limit, no wrappers) with the uniform's constants.
//   start     block 0 from env_state records ([state, ...] of width `record`): s_0, o_0 = obs(s_0).
//   step      block t+1's s, o and block t's r from block t's s and a.
//   vjp       the step's vector-Jacobian product, added into block t of the gradient:
//             [d s_t, d a_t] += J^T [c_s(t+1), c_r(t), c_o(t+1)], by forward mode (one dual
//             evaluation per input direction, as in envs/driver_vjp.wgsl).
// One thread per (row, agent); dispatch (ceil(rows / 64), agents). Views in the uniform address
// the columns of block t (or t + 1) inside the trajectory tensor and its gradient.
// Bindings: 0 uniform Params (the env's); 13 uniform Rollout; 14 traj (rw: start, step);
//   15 traj (read: vjp); 16 traj_grad (rw: vjp); 17 env_state (read: start).

struct Rollout {
  rows: u32,
  record: u32,
  _pad0: u32,
  _pad1: u32,
  s: View,
  o: View,
  a: View,
  r: View,
  s_next: View,
  o_next: View,
  state: View,
  mid: array<vec4<f32>, 4>,
  half: array<vec4<f32>, 4>,
}

@group(0) @binding(13) var<uniform> ro: Rollout;
@group(0) @binding(14) var<storage, read_write> traj: array<f32>;
@group(0) @binding(15) var<storage, read> traj_in: array<f32>;
@group(0) @binding(16) var<storage, read_write> traj_grad: array<f32>;
@group(0) @binding(17) var<storage, read> env_state_in: array<f32>;

fn bound_mid(j: u32) -> f32 { return ro.mid[j / 4u][j % 4u]; }
fn bound_half(j: u32) -> f32 { return ro.half[j / 4u][j % 4u]; }

@compute @workgroup_size(64)
fn start(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= ro.rows) { return; }
  var s: array<f32, STATE_DIM>;
  for (var i = 0u; i < STATE_DIM; i++) {
    s[i] = env_state_in[view_at(ro.state, agent, row, i)];
    traj[view_at(ro.s, agent, row, i)] = s[i];
  }
  let o = env_obs(s, params);
  for (var j = 0u; j < OBS_DIM; j++) { traj[view_at(ro.o, agent, row, j)] = o[j]; }
}

@compute @workgroup_size(64)
fn step(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= ro.rows) { return; }
  var s: array<f32, STATE_DIM>;
  var a: array<f32, ACT_DIM>;
  for (var i = 0u; i < STATE_DIM; i++) { s[i] = traj[view_at(ro.s, agent, row, i)]; }
  for (var j = 0u; j < ACT_DIM; j++) { a[j] = bound_mid(j) + bound_half(j) * traj[view_at(ro.a, agent, row, j)]; }
  let r = env_step(s, a, params);
  let o = env_obs(r.s, params);
  for (var i = 0u; i < STATE_DIM; i++) { traj[view_at(ro.s_next, agent, row, i)] = r.s[i]; }
  for (var j = 0u; j < OBS_DIM; j++) { traj[view_at(ro.o_next, agent, row, j)] = o[j]; }
  traj[view_at(ro.r, agent, row, 0u)] = r.reward;
}

@compute @workgroup_size(64)
fn vjp(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let agent = gid.y;
  if (row >= ro.rows) { return; }
  let c_r = traj_grad[view_at(ro.r, agent, row, 0u)];
  for (var k = 0u; k < STATE_DIM + ACT_DIM; k++) {
    var s: array<vec2<f32>, STATE_DIM>;
    var a: array<vec2<f32>, ACT_DIM>;
    for (var i = 0u; i < STATE_DIM; i++) { s[i] = vec2<f32>(traj_in[view_at(ro.s, agent, row, i)], select(0.0, 1.0, i == k)); }
    for (var j = 0u; j < ACT_DIM; j++) {
      // d u / d a = half: the tangent of the normalized action, carried into the env's units.
      let t = select(0.0, bound_half(j), STATE_DIM + j == k);
      a[j] = vec2<f32>(bound_mid(j) + bound_half(j) * traj_in[view_at(ro.a, agent, row, j)], t);
    }
    let r = env_step_dual(s, a, params);
    let o = env_obs_dual(r.s, params);
    var total = c_r * r.reward.y;
    for (var i = 0u; i < STATE_DIM; i++) { total += traj_grad[view_at(ro.s_next, agent, row, i)] * r.s[i].y; }
    for (var j = 0u; j < OBS_DIM; j++) { total += traj_grad[view_at(ro.o_next, agent, row, j)] * o[j].y; }
    if (k < STATE_DIM) {
      traj_grad[view_at(ro.s, agent, row, k)] += total;
    } else {
      traj_grad[view_at(ro.a, agent, row, k - STATE_DIM)] += total;
    }
  }
}

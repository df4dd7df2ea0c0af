// envs/driver_vjp.wgsl - vector-Jacobian product of one environment step, for backpropagating
// through the true simulator (SVG(inf) with known dynamics). Appended after driver.wgsl for
// environments that are smooth almost everywhere and define, besides the driver's contract,
//   struct DualStep { s: array<vec2<f32>, STATE_DIM>, reward: vec2<f32> };
//   env_step_dual(s, a, p) and env_obs_dual(s, p): the step and observation in dual numbers.
//
// For (s, a) and cotangents (c_s of the next state, c_r of the reward, c_o of the next full
// observation) it returns
//   [d/ds, d/da] of  <c_s, s'> + c_r r + <c_o, obs(s')>
// by forward mode: one dual evaluation per input direction (STATE_DIM + ACT_DIM of them), which
// for these small systems costs less than a hand-written reverse pass would be worth. The step is
// the pure transition (no auto-reset, no wrappers) with the uniform's constants.
// One thread per row; dispatch (ceil(rows / 64)).
// Bindings: 0 uniform Params; 1 uniform Driver (envs = rows); 10 vjp_in (read, [row, S + A]: s, a);
//   11 vjp_cot (read, [row, S + 1 + OBS_DIM]: c_s, c_r, c_o); 12 vjp_out (rw, [row, S + A]).

@group(0) @binding(10) var<storage, read> vjp_in: array<f32>;
@group(0) @binding(11) var<storage, read> vjp_cot: array<f32>;
@group(0) @binding(12) var<storage, read_write> vjp_out: array<f32>;

@compute @workgroup_size(64)
fn vjp(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  if (row >= drv.envs) { return; }
  let width = STATE_DIM + ACT_DIM;
  let cot_width = STATE_DIM + 1u + OBS_DIM;
  for (var k = 0u; k < width; k++) {
    var s: array<vec2<f32>, STATE_DIM>;
    var a: array<vec2<f32>, ACT_DIM>;
    for (var i = 0u; i < STATE_DIM; i++) { s[i] = vec2<f32>(vjp_in[row * width + i], select(0.0, 1.0, i == k)); }
    for (var j = 0u; j < ACT_DIM; j++) { a[j] = vec2<f32>(vjp_in[row * width + STATE_DIM + j], select(0.0, 1.0, STATE_DIM + j == k)); }
    let r = env_step_dual(s, a, params);
    let o = env_obs_dual(r.s, params);
    var total = vjp_cot[row * cot_width + STATE_DIM] * r.reward.y;
    for (var i = 0u; i < STATE_DIM; i++) { total += vjp_cot[row * cot_width + i] * r.s[i].y; }
    for (var j = 0u; j < OBS_DIM; j++) { total += vjp_cot[row * cot_width + STATE_DIM + 1u + j] * o[j].y; }
    vjp_out[row * width + k] = total;
  }
}

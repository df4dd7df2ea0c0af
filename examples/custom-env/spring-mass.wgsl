// spring-mass.wgsl - a mass on a damped spring, pushed by a bounded force: bring it to rest at 0.
// An environment of pathwise's contract (README "Your own environment"): pathwise generates
// STATE_DIM (2), OBS_DIM (2), ACT_DIM (1), struct Params { k, c, m, dt, max_force, max_speed }
// and StepResult / DualStep from the definition in spring-mass.ts; this file has the physics.
//   reward   -(x^2 + 0.1 v^2 + 0.01 f^2), from the state before the step
//   v' = clip(v + dt (f - k x - c v) / m, +-max_speed); x' = x + dt v' (semi-implicit Euler)
//   reset    x ~ U(-1, 1), v ~ U(-0.5, 0.5)

fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> {
  return array<f32, STATE_DIM>(2.0 * u.x - 1.0, u.y - 0.5);
}

fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult {
  let f = clamp(a[0], -p.max_force, p.max_force);
  let x = s[0];
  let v = s[1];
  let reward = -(x * x + 0.1 * v * v + 0.01 * f * f);
  let v_next = clamp(v + p.dt * (f - p.k * x - p.c * v) / p.m, -p.max_speed, p.max_speed);
  return StepResult(array<f32, STATE_DIM>(x + p.dt * v_next, v_next), reward, false);
}

fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {
  return array<f32, OBS_DIM>(s[0], s[1]);
}

// The same step in dual numbers (value, derivative; pathwise's common/dual.wgsl: dclamp, dsq, ...):
// pathwise derives the step's vector-Jacobian product from it, for SVG(inf) through this simulator.
fn env_step_dual(s: array<vec2<f32>, STATE_DIM>, a: array<vec2<f32>, ACT_DIM>, p: Params) -> DualStep {
  let f = dclamp(a[0], -p.max_force, p.max_force);
  let x = s[0];
  let v = s[1];
  let reward = -(dsq(x) + 0.1 * dsq(v) + 0.01 * dsq(f));
  let v_next = dclamp(v + p.dt * (f - p.k * x - p.c * v) / p.m, -p.max_speed, p.max_speed);
  return DualStep(array<vec2<f32>, STATE_DIM>(x + p.dt * v_next, v_next), reward);
}

fn env_obs_dual(s: array<vec2<f32>, STATE_DIM>, p: Params) -> array<vec2<f32>, OBS_DIM> {
  return array<vec2<f32>, OBS_DIM>(s[0], s[1]);
}

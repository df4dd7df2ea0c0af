// rl/episode_fitness.wgsl - the return of one episode per env, for the population methods (CEM,
// CMA-ES) whose candidates each play one episode per generation with a fixed parameter vector.
//   begin       per env: episode return 0, alive 1 (dispatch (ceil(envs / 64)))
//   accumulate  per env, after each env step: while alive, return += reward; alive = 0 once the
//               episode ends (terminated or truncated), so later (auto-reset) steps do not count
//               (dispatch (ceil(envs / 64)))
// Bindings: 0 uniform Episodes; 1 episode (rw, [envs, 2]: return, alive); 2 step_out (read,
//   [envs, 3]: reward, terminated, truncated).

struct Episodes {
  envs: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> ep: Episodes;
@group(0) @binding(1) var<storage, read_write> episode: array<f32>;
@group(0) @binding(2) var<storage, read> step_out: array<f32>;

@compute @workgroup_size(64)
fn begin(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= ep.envs) { return; }
  episode[gid.x * 2u] = 0.0;
  episode[gid.x * 2u + 1u] = 1.0;
}

@compute @workgroup_size(64)
fn accumulate(@builtin(global_invocation_id) gid: vec3<u32>) {
  let e = gid.x;
  if (e >= ep.envs || episode[e * 2u + 1u] == 0.0) { return; }
  episode[e * 2u] += step_out[e * 3u];
  if (step_out[e * 3u + 1u] > 0.5 || step_out[e * 3u + 2u] > 0.5) { episode[e * 2u + 1u] = 0.0; }
}

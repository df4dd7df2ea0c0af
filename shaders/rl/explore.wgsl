// rl/explore.wgsl - turning a deterministic policy's output into actions (needs common/rng.wgsl
// and common/view.wgsl prepended). Policies output normalized actions in [-1, 1]; environments
// get them mapped onto their bounds.
//   explore        one thread per (env, agent); dispatch (ceil(envs / 64), agents):
//                  while clock <= warmup: a ~ U(-1, 1) (random actions for the first steps);
//                  else a = clip(pi(s) + noise, -1, 1) with noise 0 (evaluation), sigma N(0, 1)
//                  (Gaussian), or an Ornstein-Uhlenbeck process x += theta (0 - x) dt +
//                  sigma sqrt(dt) N(0, 1) kept per env. Writes a (for the replay buffer) and
//                  low + (a + 1) (high - low) / 2 (for the env).
//                  Noise: Philox key rng_agent_key((seed, stream), agent), counter (env, clock, j / 4, 3).
//   smooth_target  TD3's target policy smoothing on a minibatch: a' = clip(a' + clip(sigma
//                  N(0, 1), -c, c), -1, 1) in place; one thread per (row, agent), dispatch
//                  (ceil(rows / 64), agents); key rng_agent_key((seed, stream), agent), counter (row, clock, 4 draw + j / 4, 4)
//                  where draw numbers the updates within one env step.
// Bindings: 0 uniform Explore; 1 policy (read); 2 action (rw, [flat, A]); 3 env_action (rw);
//   4 clock (read u32); 5 ou_state (rw, [flat, A]); 6 uniform Smooth; 7 batch (rw).

struct Explore {
  envs: u32,
  action_dim: u32,
  seed: u32,
  stream: u32,
  warmup: u32,
  noise_kind: u32,
  sigma: f32,
  ou_theta: f32,
  ou_dt: f32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  policy: View,
  low: array<vec4<f32>, 4>,
  high: array<vec4<f32>, 4>,
}

struct Smooth {
  rows: u32,
  action_dim: u32,
  seed: u32,
  stream: u32,
  sigma: f32,
  clip: f32,
  draw: u32,
  _pad1: u32,
  actions: View,
}

const NOISE_NONE: u32 = 0u;
const NOISE_GAUSSIAN: u32 = 1u;
const NOISE_OU: u32 = 2u;

@group(0) @binding(0) var<uniform> ex: Explore;
@group(0) @binding(1) var<storage, read> policy: array<f32>;
@group(0) @binding(2) var<storage, read_write> action: array<f32>;
@group(0) @binding(3) var<storage, read_write> env_action: array<f32>;
@group(0) @binding(4) var<storage, read> clock: array<u32>;
@group(0) @binding(5) var<storage, read_write> ou_state: array<f32>;
@group(0) @binding(6) var<uniform> sm: Smooth;
@group(0) @binding(7) var<storage, read_write> batch: array<f32>;

@compute @workgroup_size(64)
fn explore(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= ex.envs) { return; }
  let agent = gid.y;
  let flat = agent * ex.envs + gid.x;
  let key = rng_agent_key(vec2<u32>(ex.seed, ex.stream), agent);
  let warm = clock[0] <= ex.warmup;
  var z = vec4<f32>();
  var u = vec4<f32>();
  for (var j = 0u; j < ex.action_dim; j++) {
    if (j % 4u == 0u) {
      let ctr = vec4<u32>(gid.x, clock[0], j / 4u, 3u);
      if (warm) { u = rng_uniform4(key, ctr); } else { z = rng_normal4(key, ctr); }
    }
    var a: f32;
    if (warm) {
      a = 2.0 * u[j % 4u] - 1.0;
    } else {
      a = policy[view_at(ex.policy, agent, gid.x, j)];
      if (ex.noise_kind == NOISE_GAUSSIAN) {
        a += ex.sigma * z[j % 4u];
      } else if (ex.noise_kind == NOISE_OU) {
        let i = flat * ex.action_dim + j;
        let x = ou_state[i] + ex.ou_theta * (0.0 - ou_state[i]) * ex.ou_dt + ex.sigma * sqrt(ex.ou_dt) * z[j % 4u];
        ou_state[i] = x;
        a += x;
      }
      a = clamp(a, -1.0, 1.0);
    }
    action[flat * ex.action_dim + j] = a;
    let lo = ex.low[j / 4u][j % 4u];
    let hi = ex.high[j / 4u][j % 4u];
    env_action[flat * ex.action_dim + j] = lo + (a + 1.0) * 0.5 * (hi - lo);
  }
}

@compute @workgroup_size(64)
fn smooth_target(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= sm.rows) { return; }
  let agent = gid.y;
  var z = vec4<f32>();
  for (var j = 0u; j < sm.action_dim; j++) {
    if (j % 4u == 0u) { z = rng_normal4(rng_agent_key(vec2<u32>(sm.seed, sm.stream), agent), vec4<u32>(gid.x, clock[0], sm.draw * 4u + j / 4u, 4u)); }
    let i = view_at(sm.actions, agent, gid.x, j);
    batch[i] = clamp(batch[i] + clamp(sm.sigma * z[j % 4u], -sm.clip, sm.clip), -1.0, 1.0);
  }
}

// fused/replay_row.wgsl - the replay buffer in row programs (a library: the kernel declares
// `var<storage, read_write> replay: array<f32>`, and appends this after envs/driver.wgsl and
// fused/mlp_row.wgsl). Records
// keep replay/replay.wgsl's layout, [obs (O) | action (A) | reward | terminated | next_obs (O + G) |
// t | clock | env], and slots: the transition of env i at step `now` goes to ((now - 1) N + i) mod C.

fn record_reward() -> u32 { return drv.obs_width + ACT_DIM; }
fn record_next() -> u32 { return drv.obs_width + ACT_DIM + 2u; }
fn record_tail() -> u32 { return drv.obs_width + ACT_DIM + 2u + drv.obs_width + GOAL_DIM; }

// An acting row's start, env `flat` (agent * N + i): the step count now = clock[read] + 1, which
// the first invocation writes to clock[write] and the driver's step reads; the env's observation
// into `s`. Returns now.
fn begin_acting(flat: u32, read: u32, write: u32, s: ptr<function, Row>) -> u32 {
  let now = clock[read] + 1u;
  if (flat == 0u) { clock[write] = now; }
  driver_now = now;
  let O = drv.obs_width;
  for (var j = 0u; j < O; j++) { (*s)[j] = obs[flat * O + j]; }
  return now;
}

// Steps env i of `agent` with normalized action `a` (env units `env_a`) and stores the
// transition from observation `s` in its slot.
fn step_and_store(agent: u32, i: u32, now: u32, capacity: u32, record_width: u32, s: Row, a: array<f32, ACT_DIM>, env_a: array<f32, ACT_DIM>) {
  let flat = agent * drv.envs + i;
  let O = drv.obs_width;
  let base = (agent * capacity + ((now - 1u) * drv.envs + i) % capacity) * record_width;
  for (var j = 0u; j < O; j++) { replay[base + j] = s[j]; }
  for (var j = 0u; j < ACT_DIM; j++) { replay[base + O + j] = a[j]; }
  let tail = base + record_tail();
  replay[tail] = env_state[flat * RECORD + STATE_DIM];
  replay[tail + 1u] = f32(now);
  replay[tail + 2u] = f32(i);
  let tr = step_env(flat, env_a);
  replay[base + record_reward()] = tr.reward;
  replay[base + record_reward() + 1u] = select(0.0, 1.0, tr.terminated);
  let width = O + GOAL_DIM;
  for (var j = 0u; j < width; j++) { replay[base + record_next() + j] = next_obs[flat * width + j]; }
}

// The record minibatch row r of `agent` draws at step `now`, uniformly over the stored ones, as
// replay/replay.wgsl's sample: Philox key rng_agent_key(key, agent), counter (r, now, draw, 2).
fn replay_draw(agent: u32, r: u32, now: u32, draw: u32, capacity: u32, record_width: u32, key: vec2<u32>) -> u32 {
  let size = min(now * drv.envs, capacity);
  let bits = philox4x32_10(vec4<u32>(r, now, draw, 2u), rng_agent_key(key, agent)).x;
  return (agent * capacity + philox_mulhilo(bits, size).x) * record_width;
}

// A normalized action onto the env's bounds [low, high].
fn to_env(a: f32, low: f32, high: f32) -> f32 {
  return low + (a + 1.0) * 0.5 * (high - low);
}

// The transition at `record`: (s, a) into sa.h[0], s' into next.h[0]; returns (reward, terminated).
fn load_transition(record: u32, sa: ptr<function, MlpTrace>, next: ptr<function, MlpTrace>) -> vec2<f32> {
  let O = drv.obs_width;
  for (var j = 0u; j < O; j++) {
    (*sa).h[0][j] = replay[record + j];
    (*next).h[0][j] = replay[record + record_next() + j];
  }
  for (var j = 0u; j < ACT_DIM; j++) { (*sa).h[0][O + j] = replay[record + O + j]; }
  return vec2<f32>(replay[record + record_reward()], replay[record + record_reward() + 1u]);
}

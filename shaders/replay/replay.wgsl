// replay/replay.wgsl - a GPU ring buffer of transitions, per agent, with uniform sampling.
//
// Storage: [agents, capacity, width] records of [obs (O), action (A), reward, terminated,
// next_obs (NW = O + goal size), t (the env's step within its episode), clock at insertion, env
// index]: the last three let hindsight relabeling find later transitions of the same episode. The write cursor comes from the clock (the number of env steps
// taken, including the current one), so inserting needs no counter of its own:
//   insert_start  before the env step: obs and action of env i go to slot ((clock - 1) N + i) mod C.
//                 Dispatch (ceil(N / 64), agents).
//   insert_end    after the env step: reward, terminated and next_obs into the same slot.
//   sample        row r of agent a draws slot floor(bits size / 2^32), size = min(clock N, C), with
//                 bits from Philox key rng_agent_key((seed, stream), a), counter (r, clock, draw, 2) - draw numbers the updates of one env
//                 step, so each draws its own minibatch; writes the slot to column slot_col
//                 (when not 0xffffffff, for relabeling); copies up to
//                 8 column segments of the record into the batch row (layout chosen by the
//                 algorithm, e.g. obs twice for the actor and the critic). Dispatch (ceil(B / 64), agents).
// Bindings: 0 uniform Replay; 1 storage (rw); 2 obs (read); 3 action (read); 4 step_out (read,
//   [N, 3] reward, terminated, truncated); 5 next_obs (read); 6 clock (read u32); 7 batch (rw);
//   8 env_state (read: the env's records, time at env_time of each env_record-wide record).

struct Segment {
  src: u32,
  dst: u32,
  len: u32,
  _pad: u32,
}

struct Replay {
  capacity: u32,
  width: u32,
  envs: u32,
  obs_dim: u32,
  action_dim: u32,
  next_width: u32,
  batch: u32,
  batch_width: u32,
  seed: u32,
  stream: u32,
  segments: u32,
  draw: u32,
  env_record: u32,
  env_time: u32,
  slot_col: u32,
  _pad: u32,
  seg: array<Segment, 8>,
}

@group(0) @binding(0) var<uniform> rp: Replay;
@group(0) @binding(1) var<storage, read_write> storage_buf: array<f32>;
@group(0) @binding(2) var<storage, read> obs: array<f32>;
@group(0) @binding(3) var<storage, read> action: array<f32>;
@group(0) @binding(4) var<storage, read> step_out: array<f32>;
@group(0) @binding(5) var<storage, read> next_obs: array<f32>;
@group(0) @binding(6) var<storage, read> clock: array<u32>;
@group(0) @binding(7) var<storage, read_write> batch: array<f32>;
@group(0) @binding(8) var<storage, read> env_state: array<f32>;

fn slot_base(agent: u32, env: u32) -> u32 {
  let slot = ((clock[0] - 1u) * rp.envs + env) % rp.capacity;
  return (agent * rp.capacity + slot) * rp.width;
}

@compute @workgroup_size(64)
fn insert_start(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= rp.envs) { return; }
  let flat = gid.y * rp.envs + gid.x;
  let base = slot_base(gid.y, gid.x);
  for (var j = 0u; j < rp.obs_dim; j++) { storage_buf[base + j] = obs[flat * rp.obs_dim + j]; }
  for (var j = 0u; j < rp.action_dim; j++) { storage_buf[base + rp.obs_dim + j] = action[flat * rp.action_dim + j]; }
  let tail = base + rp.obs_dim + rp.action_dim + 2u + rp.next_width;
  storage_buf[tail] = env_state[flat * rp.env_record + rp.env_time];
  storage_buf[tail + 1u] = f32(clock[0]);
  storage_buf[tail + 2u] = f32(gid.x);
}

@compute @workgroup_size(64)
fn insert_end(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= rp.envs) { return; }
  let flat = gid.y * rp.envs + gid.x;
  let base = slot_base(gid.y, gid.x) + rp.obs_dim + rp.action_dim;
  storage_buf[base] = step_out[flat * 3u];
  storage_buf[base + 1u] = step_out[flat * 3u + 1u];
  for (var j = 0u; j < rp.next_width; j++) { storage_buf[base + 2u + j] = next_obs[flat * rp.next_width + j]; }
}

@compute @workgroup_size(64)
fn sample(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= rp.batch) { return; }
  let agent = gid.y;
  let row = agent * rp.batch + gid.x;
  let size = min(clock[0] * rp.envs, rp.capacity);
  // floor(bits * size / 2^32): uniform over the stored slots without float rounding.
  let bits = philox4x32_10(vec4<u32>(gid.x, clock[0], rp.draw, 2u), rng_agent_key(vec2<u32>(rp.seed, rp.stream), agent)).x;
  let slot = philox_mulhilo(bits, size).x;
  let src = (agent * rp.capacity + slot) * rp.width;
  if (rp.slot_col != 0xffffffffu) { batch[row * rp.batch_width + rp.slot_col] = f32(slot); }
  for (var s = 0u; s < rp.segments; s++) {
    let seg = rp.seg[s];
    for (var j = 0u; j < seg.len; j++) { batch[row * rp.batch_width + seg.dst + j] = storage_buf[src + seg.src + j]; }
  }
}

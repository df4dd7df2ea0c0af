// replay/her.wgsl - hindsight experience replay (Andrychowicz et al. 2017): relabels sampled
// minibatch rows with goals achieved later in the same episode, on the GPU. Appended after
// common/rng.wgsl, common/dual.wgsl and a goal-conditioned env's file, of which it uses only
//   GOAL_DIM, struct Params (uniform at binding 0) and
//   env_goal_reward(achieved, desired, p): the reward for reaching `achieved` when `desired` was asked.
// One thread per minibatch row; dispatch (ceil(rows / 64), agents). Row r of agent a, drawn from
// replay slot s (column slot_col), is relabeled with probability `prob` (1 - 1 / (1 + k) for
// `future` with k relabeled goals per real one). Its transition (episode step t, inserted at clock
// c by env i) has its episode's later transitions at clocks c + 1 .. c + (horizon - 1 - t), of which
// those up to the current clock are stored; the new goal is the achieved goal (the next_obs tail)
// of the transition k steps later, with k uniform over the stored ones (`future`) or the last
// stored one (`final`: the episode's final achieved goal once it has ended). The goal is written
// into every observation copy of the row (columns goal_cols), the reward recomputed with
// env_goal_reward(this transition's achieved goal, new goal), and column flag_col set to 1.
// Noise: Philox key rng_agent_key((seed, stream), a), counter (r, clock, draw, 5).
// Bindings: 0 uniform Params; 8 clock (read u32); 13 uniform Her; 14 storage (read, the replay
// records); 15 batch (rw).

struct Her {
  rows: u32,
  batch_width: u32,
  capacity: u32,
  record_width: u32,
  envs: u32,
  horizon: u32,
  strategy: u32,
  seed: u32,
  stream: u32,
  draw: u32,
  slot_col: u32,
  reward_col: u32,
  flag_col: u32,
  rec_next_goal: u32,
  rec_time: u32,
  copies: u32,
  prob: f32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  goal_cols: vec4<u32>,
}

const HER_FINAL: u32 = 1u;

@group(0) @binding(8) var<storage, read> clock: array<u32>;
@group(0) @binding(13) var<uniform> her: Her;
@group(0) @binding(14) var<storage, read> her_storage: array<f32>;
@group(0) @binding(15) var<storage, read_write> her_batch: array<f32>;

fn stored_goal(record: u32) -> array<f32, GOAL_DIM> {
  var g: array<f32, GOAL_DIM>;
  for (var j = 0u; j < GOAL_DIM; j++) { g[j] = her_storage[record + her.rec_next_goal + j]; }
  return g;
}

@compute @workgroup_size(64)
fn her_relabel(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= her.rows) { return; }
  let agent = gid.y;
  let row = agent * her.rows + gid.x;
  let u = rng_uniform4(rng_agent_key(vec2<u32>(her.seed, her.stream), agent), vec4<u32>(gid.x, clock[0], her.draw, 5u));
  let at = row * her.batch_width;
  her_batch[at + her.flag_col] = 0.0;
  if (u.x >= her.prob) { return; }
  let slot = u32(her_batch[at + her.slot_col]);
  let record = (agent * her.capacity + slot) * her.record_width;
  let t = u32(her_storage[record + her.rec_time]);
  let c = u32(her_storage[record + her.rec_time + 1u]);
  let env = u32(her_storage[record + her.rec_time + 2u]);
  let available = min(her.horizon - 1u - t, clock[0] - c);
  var k = available;
  if (her.strategy != HER_FINAL) { k = min(u32(u.y * f32(available + 1u)), available); }
  let later = (agent * her.capacity + ((c - 1u + k) * her.envs + env) % her.capacity) * her.record_width;
  let goal = stored_goal(later);
  for (var copy = 0u; copy < her.copies; copy++) {
    for (var j = 0u; j < GOAL_DIM; j++) { her_batch[at + her.goal_cols[copy] + j] = goal[j]; }
  }
  her_batch[at + her.reward_col] = env_goal_reward(stored_goal(record), goal, params);
  her_batch[at + her.flag_col] = 1.0;
}

// fused/npg.wgsl - the row programs of the natural policy gradient methods (TNPG; Kakade 2002,
// rllab's truncated natural policy gradient): per segment record (row = one of the M = N T
// records of an agent, all of them) or per minibatch row of the value fit, one invocation runs
// the networks forward and backward and writes the tape fused/param_update.wgsl's `gradients`
// sums into a parameter-shaped vector.
//   gradient_rows  g = (1 / M) sum_r A_r grad log pi(x_r | s_r), the vanilla policy gradient
//                  (A the standardized advantage; RWR: the shifted, positive weights, and the
//                  sign -1 gives its loss's gradient): d log pi / d mu = (x - mu) / sigma^2,
//                  d log pi / d log sigma = ((x - mu) / sigma)^2 - 1 (0 where log sigma is clamped)
//   fisher_rows    F v = (1 / M) sum_r J_r^T D_r J_r v, the Fisher matrix of the Gaussian policy
//                  (the Hessian of the mean KL at the current parameters) times the direction v
//                  (binding 19): J_r v by forward mode (fused/mlp_row.wgsl's mlp_jvp), D_r =
//                  diag(1 / sigma^2 for mu, 2 for log sigma) - the Fisher information of
//                  N(mu, sigma^2) in (mu, log sigma) - and J_r^T back through the network
//   value_rows     the value fit: row r of minibatch `draw` of epoch `epoch` takes the segment
//                  record of fused/shuffle.wgsl's permutation and the gradient of
//                  (1 / B) sum 0.5 (V(s) - G)^2 with G the standardized return
//   line_search_rows  TRPO's backtracking line search, every candidate at once: row r of agent
//                  a = wid.y / K with candidate k = wid.y % K (K = `candidates`; candidate k's
//                  parameters at block a K + k of binding 19) writes (ratio A - A, KL(pi_old ||
//                  pi_k)) to the search tape [agents K, M, 2], ratio = pi_k(x | s) / pi_old(x | s)
//                  with pi_old the current parameters (binding 17): the surrogate's improvement
//                  and the constraint, whose means rl/conjugate_gradient.wgsl's trpo_select reads
// Tape rows: the network's part (inputs, deltas) then one metric column (gradient_rows: the
// policy's entropy; value_rows: the squared error / 2; fisher_rows: 0).
// Appended after common/rng.wgsl, common/dual.wgsl, the env library, fused/mlp_shape.wgsl,
// fused/mlp_row.wgsl with `weight` for the policy (0), the value (1) and the direction (2, the
// policy's layout), fused/gaussian_row.wgsl and fused/shuffle.wgsl.
// Bindings: 16 uniform NpgRows; 17 policy (read); 18 value (read); 19 direction (read; the
//   candidates for line_search_rows); 8 clock (read); 21 segment (read); 22 tape (rw, [agents,
//   rows, tape_width]); 23 search tape (rw, line_search_rows).
// Dispatch (ceil(rows / ROWS), agents), rows = M (gradient_rows, fisher_rows) or B (value_rows);
// line_search_rows (ceil(M / ROWS), agents K).

struct NpgRows {
  records: u32,
  batch: u32,
  draw: u32,
  epoch: u32,
  seed: u32,
  shuffle_stream: u32,
  clock_slot: u32,
  width: u32,
  x_col: u32,
  adv_col: u32,
  return_col: u32,
  tape_width: u32,
  log_std_min: f32,
  log_std_max: f32,
  /** line_search_rows: candidates per agent (K). */
  candidates: u32,
  /** gradient_rows: +1 for g, -1 for the gradient of the weighted fit's loss -g (RWR). */
  gradient_sign: f32,
  // The env's action bounds (every row kernel's uniform tail; unused here).
  low: array<vec4<f32>, 4>,
  high: array<vec4<f32>, 4>,
  policy: MlpShape,
  value: MlpShape,
}

override ROWS: u32 = 64u;
const POLICY: u32 = 0u;
const VALUE: u32 = 1u;
const DIRECTION: u32 = 2u;

@group(0) @binding(16) var<uniform> np: NpgRows;
@group(0) @binding(21) var<storage, read> segment: array<f32>;
@group(0) @binding(22) var<storage, read_write> tape: array<f32>;
@group(0) @binding(23) var<storage, read_write> search: array<f32>;

fn tape_store(which: u32, i: u32, v: f32) {
  tape[i] = v;
}

// The observation of `record` into trace.h[0].
fn load_obs(record: u32, trace: ptr<function, MlpTrace>) {
  for (var j = 0u; j < drv.obs_width; j++) { (*trace).h[0][j] = segment[record + j]; }
}

fn clamped(raw_ls: f32) -> bool {
  return raw_ls < np.log_std_min || raw_ls > np.log_std_max;
}

// The policy's forward pass on record r of `agent` (all M records): the record's offset.
fn policy_on_record(agent: u32, r: u32, trace: ptr<function, MlpTrace>) -> u32 {
  let record = (agent * np.records + r) * np.width;
  load_obs(record, trace);
  mlp_forward(POLICY, np.policy, agent, trace);
  return record;
}

// The policy's backward pass from dy onto row r's tape, then the row's metric column.
fn policy_backward_to_tape(agent: u32, r: u32, trace: ptr<function, MlpTrace>, dy: Row, metric: f32) {
  var deltas: MlpTrace;
  mlp_backward(POLICY, np.policy, agent, trace, dy, &deltas);
  let row = (agent * np.records + r) * np.tape_width;
  mlp_tape_write(0u, row, np.policy, trace, &deltas);
  tape[row + np.policy.tape_width] = metric;
}

@compute @workgroup_size(ROWS)
fn gradient_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let r = gid.x;
  if (r >= np.records) { return; }
  let agent = wid.y;
  var trace: MlpTrace;
  let record = policy_on_record(agent, r, &trace);
  let heads = trace.h[np.policy.layers];
  let weight_of_row = np.gradient_sign * segment[record + np.adv_col] / f32(np.records);
  var dy: Row;
  var entropy = 0.0;
  for (var d = 0u; d < ACT_DIM; d++) {
    let raw_ls = heads[ACT_DIM + d];
    let ls = clamp(raw_ls, np.log_std_min, np.log_std_max);
    let z = (segment[record + np.x_col + d] - heads[d]) * exp(-ls);
    dy[d] = weight_of_row * z * exp(-ls);
    dy[ACT_DIM + d] = select(weight_of_row * (z * z - 1.0), 0.0, clamped(raw_ls));
    entropy += gaussian_entropy_term(ls);
  }
  policy_backward_to_tape(agent, r, &trace, dy, entropy);
}

@compute @workgroup_size(ROWS)
fn fisher_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let r = gid.x;
  if (r >= np.records) { return; }
  let agent = wid.y;
  var trace: MlpTrace;
  _ = policy_on_record(agent, r, &trace);
  let heads = trace.h[np.policy.layers];
  let jv = mlp_jvp(POLICY, DIRECTION, np.policy, agent, &trace);
  let scale = 1.0 / f32(np.records);
  var dy: Row;
  for (var d = 0u; d < ACT_DIM; d++) {
    let raw_ls = heads[ACT_DIM + d];
    let ls = clamp(raw_ls, np.log_std_min, np.log_std_max);
    dy[d] = scale * jv[d] * exp(-2.0 * ls);
    // Where log sigma is clamped it does not move with the parameters: no row or column of J.
    dy[ACT_DIM + d] = select(scale * 2.0 * jv[ACT_DIM + d], 0.0, clamped(raw_ls));
  }
  policy_backward_to_tape(agent, r, &trace, dy, 0.0);
}

@compute @workgroup_size(ROWS)
fn value_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let r = gid.x;
  if (r >= np.batch) { return; }
  let agent = wid.y;
  let keys = shuffle_keys(rng_agent_key(vec2<u32>(np.seed, np.shuffle_stream), agent), clock[np.clock_slot], np.epoch);
  let record = (agent * np.records + shuffled_index(np.draw * np.batch + r, np.records, keys)) * np.width;
  var trace: MlpTrace;
  load_obs(record, &trace);
  mlp_forward(VALUE, np.value, agent, &trace);
  let error = trace.h[np.value.layers][0] - segment[record + np.return_col];
  var dy: Row;
  dy[0] = error / f32(np.batch);
  var deltas: MlpTrace;
  mlp_backward(VALUE, np.value, agent, &trace, dy, &deltas);
  let row = (agent * np.batch + r) * np.tape_width;
  mlp_tape_write(0u, row, np.value, &trace, &deltas);
  tape[row + np.value.tape_width] = 0.5 * error * error;
}

@compute @workgroup_size(ROWS)
fn line_search_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let r = gid.x;
  if (r >= np.records) { return; }
  let agent = wid.y / np.candidates;
  let record = (agent * np.records + r) * np.width;
  var old: MlpTrace;
  load_obs(record, &old);
  var cand: MlpTrace;
  cand.h[0] = old.h[0];
  mlp_forward(POLICY, np.policy, agent, &old);
  mlp_forward(DIRECTION, np.policy, wid.y, &cand);
  let h_old = old.h[np.policy.layers];
  let h_new = cand.h[np.policy.layers];
  var log_ratio = 0.0;
  var kl = 0.0;
  for (var d = 0u; d < ACT_DIM; d++) {
    let ls_old = clamp(h_old[ACT_DIM + d], np.log_std_min, np.log_std_max);
    let ls_new = clamp(h_new[ACT_DIM + d], np.log_std_min, np.log_std_max);
    let x = segment[record + np.x_col + d];
    let z_old = (x - h_old[d]) * exp(-ls_old);
    let z_new = (x - h_new[d]) * exp(-ls_new);
    log_ratio += gaussian_logp_term(z_new, ls_new) - gaussian_logp_term(z_old, ls_old);
    let dmu = h_old[d] - h_new[d];
    kl += ls_new - ls_old + (exp(2.0 * ls_old) + dmu * dmu) * 0.5 * exp(-2.0 * ls_new) - 0.5;
  }
  let adv = segment[record + np.adv_col];
  let at = (wid.y * np.records + r) * 2u;
  search[at] = (exp(log_ratio) - 1.0) * adv;
  search[at + 1u] = kl;
}

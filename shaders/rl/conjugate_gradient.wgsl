// rl/conjugate_gradient.wgsl - the natural gradient step of TNPG on the GPU: conjugate gradient
// on (F + lambda I) s = g over every parameter of the policy, one workgroup per agent (the
// vectors are a few thousand floats: one workgroup keeps them and their dot products together,
// and the iteration needs no readback), then the step that puts the mean KL at its bound.
// F v comes from fused/npg.wgsl's fisher_rows and the parameter kernel (binding 5) between
// iterations; lambda is the damping.
//   cg_begin    x = 0, r = g, p = g, rr = r.r
//   cg_iterate  with Ap = F p + lambda p: alpha = rr / p.Ap, x += alpha p, r -= alpha Ap,
//               p = r + (r.r / rr) p, rr = r.r; a no-op once rr < residual_tol (rllab's 1e-10)
//   npg_step    with Ax = F x + lambda x: beta = sqrt(2 max_kl / x.Ax), params += beta x (the
//               quadratic model's mean KL of the step is max_kl); scalars keep beta and x.Ax
//   trpo_candidates  the same beta; K candidates params + ratio^k beta x (k < K) into
//               `candidates` [agents K, count], for fused/npg.wgsl's line_search_rows
//   trpo_select the backtracking line search's choice (rllab's): from the search tape's means
//               over the M records, the first k whose surrogate improves (mean (ratio - 1) A > 0)
//               and whose mean KL is <= max_kl; params = candidate k, or unchanged when none
//               passes. Adds to the metrics table: the chosen step's KL, k (K when rejected) and
//               a rejection count.
// Bindings: 0 uniform Cg; 1 g (read); 2 x (rw); 3 r (rw); 4 p (rw); 5 fv (read: F p or F x);
//   6 scalars (rw, [agents, 4]: rr, beta, x.Ax, iterations); 7 params (rw, npg_step and TRPO);
//   8 candidates (rw); 9 search tape (read, [agents K, M, 2]); 10 metrics (rw).
// Vectors are [agents, count]. Dispatch (agents), one workgroup of WG.

struct Cg {
  count: u32,
  damping: f32,
  max_kl: f32,
  residual_tol: f32,
  backtrack_ratio: f32,
  /** K: line-search candidates per agent. */
  backtracks: u32,
  /** M: records the search tape holds per candidate. */
  records: u32,
  metrics_width: u32,
  slot_kl: u32,
  slot_backtracks: u32,
  slot_rejected: u32,
  _pad: u32,
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> cg: Cg;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> r: array<f32>;
@group(0) @binding(4) var<storage, read_write> p: array<f32>;
@group(0) @binding(5) var<storage, read> fv: array<f32>;
@group(0) @binding(6) var<storage, read_write> scalars: array<f32>;
@group(0) @binding(7) var<storage, read_write> params: array<f32>;
@group(0) @binding(8) var<storage, read_write> candidates: array<f32>;
@group(0) @binding(9) var<storage, read> search: array<f32>;
@group(0) @binding(10) var<storage, read_write> metrics: array<f32>;

@compute @workgroup_size(WG)
fn cg_begin(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let base = wid.x * cg.count;
  var rr = 0.0;
  for (var i = ids.lid; i < cg.count; i += WG) {
    let gi = g[base + i];
    x[base + i] = 0.0;
    r[base + i] = gi;
    p[base + i] = gi;
    rr += gi * gi;
  }
  let total = workgroup_sum(rr, ids);
  if (ids.lid == 0u) {
    scalars[wid.x * 4u] = total;
    scalars[wid.x * 4u + 3u] = 0.0;
  }
}

@compute @workgroup_size(WG)
fn cg_iterate(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let base = wid.x * cg.count;
  let rr = scalars[wid.x * 4u];
  var pap = 0.0;
  for (var i = ids.lid; i < cg.count; i += WG) {
    let pi = p[base + i];
    pap += pi * (fv[base + i] + cg.damping * pi);
  }
  let p_ap = workgroup_sum(pap, ids);
  // Converged (or degenerate): alpha = 0 leaves x and r as they are.
  let live = rr >= cg.residual_tol && p_ap > 0.0;
  let alpha = select(0.0, rr / p_ap, live);
  var rr_part = 0.0;
  for (var i = ids.lid; i < cg.count; i += WG) {
    let pi = p[base + i];
    x[base + i] += alpha * pi;
    let ri = r[base + i] - alpha * (fv[base + i] + cg.damping * pi);
    r[base + i] = ri;
    rr_part += ri * ri;
  }
  let rr_new = workgroup_sum(rr_part, ids);
  let beta = select(0.0, rr_new / rr, live);
  for (var i = ids.lid; i < cg.count; i += WG) {
    p[base + i] = select(p[base + i], r[base + i] + beta * p[base + i], live);
  }
  if (ids.lid == 0u) {
    scalars[wid.x * 4u] = select(rr, rr_new, live);
    scalars[wid.x * 4u + 3u] += select(0.0, 1.0, live);
  }
}

// beta = sqrt(2 max_kl / x.(F x + lambda x)) of agent `agent`, kept in the scalars.
fn kl_scaled_step(agent: u32, ids: ReduceIds) -> f32 {
  let base = agent * cg.count;
  var xax = 0.0;
  for (var i = ids.lid; i < cg.count; i += WG) {
    let xi = x[base + i];
    xax += xi * (fv[base + i] + cg.damping * xi);
  }
  let quad = workgroup_sum(xax, ids);
  let beta = select(0.0, sqrt(2.0 * cg.max_kl / quad), quad > 0.0);
  if (ids.lid == 0u) {
    scalars[agent * 4u + 1u] = beta;
    scalars[agent * 4u + 2u] = quad;
  }
  return beta;
}

@compute @workgroup_size(WG)
fn npg_step(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let base = wid.x * cg.count;
  let beta = kl_scaled_step(wid.x, ids);
  for (var i = ids.lid; i < cg.count; i += WG) { params[base + i] += beta * x[base + i]; }
}

@compute @workgroup_size(WG)
fn trpo_candidates(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let base = wid.x * cg.count;
  var scale = kl_scaled_step(wid.x, ids);
  for (var k = 0u; k < cg.backtracks; k++) {
    let at = (wid.x * cg.backtracks + k) * cg.count;
    for (var i = ids.lid; i < cg.count; i += WG) { candidates[at + i] = params[base + i] + scale * x[base + i]; }
    scale *= cg.backtrack_ratio;
  }
}

@compute @workgroup_size(WG)
fn trpo_select(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let agent = wid.x;
  var chosen = cg.backtracks;
  var chosen_kl = 0.0;
  for (var k = 0u; k < cg.backtracks; k++) {
    let at = (agent * cg.backtracks + k) * cg.records;
    var gain = 0.0;
    var kl = 0.0;
    for (var r = ids.lid; r < cg.records; r += WG) {
      gain += search[(at + r) * 2u];
      kl += search[(at + r) * 2u + 1u];
    }
    let mean_gain = workgroup_sum(gain, ids) / f32(cg.records);
    let mean_kl = workgroup_sum(kl, ids) / f32(cg.records);
    if (chosen == cg.backtracks && mean_gain > 0.0 && mean_kl <= cg.max_kl) {
      chosen = k;
      chosen_kl = mean_kl;
    }
  }
  if (chosen < cg.backtracks) {
    let source = (agent * cg.backtracks + chosen) * cg.count;
    for (var i = ids.lid; i < cg.count; i += WG) { params[agent * cg.count + i] = candidates[source + i]; }
  }
  if (ids.lid == 0u) {
    let m = agent * cg.metrics_width;
    metrics[m + cg.slot_kl] += chosen_kl;
    metrics[m + cg.slot_backtracks] += f32(chosen);
    metrics[m + cg.slot_rejected] += select(0.0, 1.0, chosen == cg.backtracks);
  }
}

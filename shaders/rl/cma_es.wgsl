// rl/cma_es.wgsl - CMA-ES over policy parameters (Hansen & Ostermeier 2001; the (mu/mu_w, lambda)
// algorithm of Hansen's tutorial, arXiv:1604.00772, with positive recombination weights), the
// column of the rllab benchmark (Duan et al. 2016). A population of P = lambda parameter vectors
//   x_i = m + sigma y_i,  y_i = A z_i,  z_i ~ N(0, I),  C = A A^T
// each plays one episode per generation; the mu best (by mean return over their E envs) update
//   m      <- m + sigma sum_r w_r y_(r)
//   p_s    <- (1 - c_s) p_s + sqrt(c_s (2 - c_s) mu_eff) sum_r w_r z_(r)
//   sigma  <- sigma exp(min(1, c_s / d_s (|p_s| / E|N(0,I)| - 1)))        (the cap as in pycma)
//   p_c    <- (1 - c_c) p_c + h_s sqrt(c_c (2 - c_c) mu_eff) sum_r w_r y_(r)
//   C      <- (1 - c_1 - c_mu + c_1 (1 - h_s) c_c (2 - c_c)) C + c_1 p_c p_c^T + c_mu sum_r w_r y_(r) y_(r)^T
//            (computed as an increment of C)
// where h_s = 1 if |p_s| / sqrt(1 - (1 - c_s)^(2 g)) < (1.4 + 2 / (n + 1)) E|N(0,I)|.
// A is the Cholesky factor of C (lower triangular), recomputed every `decompose_every`
// generations (Hansen's lazy update of the decomposition) by rl/cholesky.wgsl. Because A^-1 y_i = z_i, the step-size
// path uses the drawn z directly: the Cholesky variant of the path, distributed as with C^-1/2.
// `full` = 0 is the separable variant (Ros & Hansen 2008): C and A diagonal ([n]), c_1 and c_mu
// scaled by (n + 2) / 3 on the host.
// Needs common/rng.wgsl and a workgroup_sum library (common/reduce_*.wgsl) prepended.
// Grid kernels take the element j (or column k) in x and the row in y; rows = n for a full C,
// 1 for a diagonal one.
//   start       C = A = I, paths 0, sigma = sigma0, generation 0 (dispatch (ceil(n / 64), rows))
//   draw        z_i (noise[0]): Philox key (seed, stream), counter (j, clock[0], i / 4, 0), lane
//               i % 4 (dispatch (ceil(n / 64), ceil(P / 4)))
//   sample      y_i = A z_i (noise[1]) and x_i = m + sigma y_i into `population` ([P, n])
//               (dispatch (ceil(n / 64), P))
//   rank        one workgroup of 256 (P <= 256): fitness of each candidate, the ranking
//               (ties broken by index), statistics, m, p_s, sigma, h_s and p_c (dispatch (1))
//   covariance  the update of C (dispatch (ceil(n / 64), rows))
// Bindings: 0 uniform CmaEs; 1 episode (read, [envs, 2]); 2 population (rw, [P, n]); 3 mean (rw,
//   [n]); 4 clock (read u32); 5 stats (rw, [8]: best, elite mean, sigma, generations); 6 state
//   (rw, [8]: sigma, generation, h_s, |p_s|); 7 paths (rw, [3, n]: p_s, p_c, the weighted mean of
//   y); 8 cov (rw, [n, n] or [n]); 9 factor (rw, like cov; a full factor is stored transposed,
//   A^T, upper triangular); 10 noise (rw, [2, P, n]: z, y);
//   11 ranking (rw u32, [P]: candidate index by rank).

struct CmaEs {
  envs: u32,
  population: u32,
  per_candidate: u32,
  count: u32,
  mu: u32,
  full: u32,
  _unused: u32,
  seed: u32,
  stream: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  sigma0: f32,
  c_s: f32,
  d_s: f32,
  c_c: f32,
  c_1: f32,
  c_mu: f32,
  mu_eff: f32,
  chi_n: f32,
  // 1 / sum_r (ln((lambda + 1) / 2) - ln r): normalizes the weights to sum 1.
  weight_scale: f32,
  h_threshold: f32,
  _pad3: f32,
  _pad4: f32,
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> cm: CmaEs;
@group(0) @binding(1) var<storage, read> episode: array<f32>;
@group(0) @binding(2) var<storage, read_write> population: array<f32>;
@group(0) @binding(3) var<storage, read_write> mean: array<f32>;
@group(0) @binding(4) var<storage, read> clock: array<u32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;
@group(0) @binding(6) var<storage, read_write> state: array<f32>;
@group(0) @binding(7) var<storage, read_write> paths: array<f32>;
@group(0) @binding(8) var<storage, read_write> cov: array<f32>;
@group(0) @binding(9) var<storage, read_write> factor: array<f32>;
@group(0) @binding(10) var<storage, read_write> noise: array<f32>;
@group(0) @binding(11) var<storage, read_write> ranking: array<u32>;

var<workgroup> fitness: array<f32, WG>;
var<workgroup> order: array<u32, WG>;

/** The recombination weight of rank r (0-based): ln((lambda + 1) / 2) - ln(r + 1), normalized. */
fn weight(r: u32) -> f32 {
  return (log((f32(cm.population) + 1.0) * 0.5) - log(f32(r + 1u))) * cm.weight_scale;
}

@compute @workgroup_size(64)
fn start(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = cm.count;
  let k = gid.x;
  let j = gid.y;
  if (k >= n) { return; }
  let diagonal = cm.full == 0u || j == k;
  cov[j * n + k] = select(0.0, 1.0, diagonal);
  factor[j * n + k] = select(0.0, 1.0, diagonal);
  if (j == 0u) {
    paths[k] = 0.0;
    paths[n + k] = 0.0;
    paths[2u * n + k] = 0.0;
  }
  if (j == 0u && k == 0u) {
    state[0] = cm.sigma0;
    state[1] = 0.0;
    state[2] = 1.0;
    state[3] = 0.0;
  }
}

@compute @workgroup_size(64)
fn draw(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = cm.count;
  let j = gid.x;
  let q = gid.y;
  if (j >= n) { return; }
  let eps = rng_normal4(vec2<u32>(cm.seed, cm.stream), vec4<u32>(j, clock[0], q, 0u));
  for (var lane = 0u; lane < 4u; lane++) {
    let i = q * 4u + lane;
    if (i < cm.population) { noise[i * n + j] = eps[lane]; }
  }
}

@compute @workgroup_size(64)
fn sample(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = cm.count;
  let j = gid.x;
  let i = gid.y;
  if (j >= n) { return; }
  var y = 0.0;
  if (cm.full == 1u) {
    for (var k = 0u; k <= j; k++) { y += factor[k * n + j] * noise[i * n + k]; }
  } else {
    y = factor[j] * noise[i * n + j];
  }
  noise[(cm.population + i) * n + j] = y;
  population[i * n + j] = mean[j] + state[0] * y;
}

@compute @workgroup_size(WG)
fn rank(ids: ReduceIds) {
  let lid = ids.lid;
  let P = cm.population;
  let n = cm.count;
  // Every invocation reads the step size and generation before invocation 0 rewrites them (after
  // the storageBarrier below).
  let sigma = state[0];
  let generation = state[1] + 1.0;
  if (lid < P) {
    var total = 0.0;
    for (var k = 0u; k < cm.per_candidate; k++) { total += episode[(lid * cm.per_candidate + k) * 2u]; }
    // A non-finite fitness ranks last (ranks must stay a permutation); tested on the bits, since
    // WGSL lets compilers assume floats are finite.
    let f = total / f32(cm.per_candidate);
    fitness[lid] = select(-3.4e38, f, (bitcast<u32>(f) & 0x7f800000u) != 0x7f800000u);
  }
  workgroupBarrier();
  if (lid < P) {
    var better = 0u;
    for (var i = 0u; i < P; i++) {
      if (fitness[i] > fitness[lid] || (fitness[i] == fitness[lid] && i < lid)) { better += 1u; }
    }
    order[better] = lid;
    ranking[better] = lid;
  }
  workgroupBarrier();
  let z_scale = sqrt(cm.c_s * (2.0 - cm.c_s) * cm.mu_eff);
  var square = 0.0;
  for (var j = lid; j < n; j += WG) {
    var yw = 0.0;
    var zw = 0.0;
    for (var r = 0u; r < cm.mu; r++) {
      let i = order[r];
      yw += weight(r) * noise[(P + i) * n + j];
      zw += weight(r) * noise[i * n + j];
    }
    mean[j] += sigma * yw;
    let ps = (1.0 - cm.c_s) * paths[j] + z_scale * zw;
    paths[j] = ps;
    paths[2u * n + j] = yw;
    square += ps * ps;
  }
  let norm = sqrt(workgroup_sum(square, ids));
  let corrected = norm / sqrt(1.0 - pow(1.0 - cm.c_s, 2.0 * generation));
  let h = select(0.0, 1.0, corrected < cm.h_threshold * cm.chi_n);
  let y_scale = h * sqrt(cm.c_c * (2.0 - cm.c_c) * cm.mu_eff);
  for (var j = lid; j < n; j += WG) {
    paths[n + j] = (1.0 - cm.c_c) * paths[n + j] + y_scale * paths[2u * n + j];
  }
  let next_sigma = sigma * exp(min(1.0, cm.c_s / cm.d_s * (norm / cm.chi_n - 1.0)));
  storageBarrier();
  if (lid == 0u) {
    var best = fitness[0];
    var elite = 0.0;
    for (var i = 0u; i < P; i++) { best = max(best, fitness[i]); }
    for (var r = 0u; r < cm.mu; r++) { elite += fitness[order[r]]; }
    stats[0] += best;
    stats[1] += elite / f32(cm.mu);
    stats[2] += next_sigma;
    stats[3] += 1.0;
    state[0] = next_sigma;
    state[1] = generation;
    state[2] = h;
    state[3] = norm;
  }
}

@compute @workgroup_size(64)
fn covariance(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = cm.count;
  let P = cm.population;
  let k = gid.x;
  // Separable: one row, the diagonal (j = k).
  let j = select(k, gid.y, cm.full == 1u);
  if (k >= n) { return; }
  var rank_mu = 0.0;
  for (var r = 0u; r < cm.mu; r++) {
    let i = ranking[r];
    rank_mu += weight(r) * noise[(P + i) * n + j] * noise[(P + i) * n + k];
  }
  let h = state[2];
  // C's decay as an increment: 1 - (c_1 + c_mu) itself would round away most of a small c_1 + c_mu.
  let forget = cm.c_1 + cm.c_mu - cm.c_1 * (1.0 - h) * cm.c_c * (2.0 - cm.c_c);
  let idx = gid.y * n + k;
  let c = cov[idx];
  cov[idx] = c + (cm.c_1 * paths[n + j] * paths[n + k] + cm.c_mu * rank_mu - forget * c);
}

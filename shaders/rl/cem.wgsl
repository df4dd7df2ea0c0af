// rl/cem.wgsl - the cross-entropy method over policy parameters (Szita & Lorincz 2006, as in the
// rllab benchmark of Duan et al. 2016): a population of P parameter vectors, each acting in E
// envs for one episode; the elite fraction (the K best mean returns) refits a diagonal Gaussian
//   mu_j = mean_elite theta_ij,  sigma_j^2 = var_elite theta_ij + extra_noise^2
// from which the next population is drawn: theta_ij = mu_j + sigma_j eps_ij.
// Needs common/rng.wgsl prepended. The episode returns come from rl/episode_fitness.wgsl.
//   update      one workgroup of 256: fitness of each candidate (mean over its E envs), elites by
//               rank (ties broken by index), the refit, the next population into `population`
//               ([P, count]) and mu into `mean` ([count]). With `init` set, draws the first
//               population around `mean` with sigma = init_std instead. Noise: Philox key
//               (seed, stream), counter (j, clock[0], i / 4, 0), lane i % 4.
// Bindings: 0 uniform Cem; 1 episode (read, [envs, 2]: return, alive); 3 population (rw); 4 mean (rw); 5 clock (read u32); 6 stats (rw, [8]: best, elite mean,
//   mean sigma, generations).

struct Cem {
  envs: u32,
  population: u32,
  per_candidate: u32,
  elites: u32,
  count: u32,
  init: u32,
  seed: u32,
  stream: u32,
  init_std: f32,
  extra_noise: f32,
  _pad0: u32,
  _pad1: u32,
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> cp: Cem;
@group(0) @binding(1) var<storage, read> episode: array<f32>;
@group(0) @binding(3) var<storage, read_write> population: array<f32>;
@group(0) @binding(4) var<storage, read_write> mean: array<f32>;
@group(0) @binding(5) var<storage, read> clock: array<u32>;
@group(0) @binding(6) var<storage, read_write> stats: array<f32>;

var<workgroup> fitness: array<f32, WG>;
var<workgroup> elite: array<u32, WG>;

@compute @workgroup_size(WG)
fn update(@builtin(local_invocation_index) lid: u32) {
  let P = cp.population;
  if (cp.init == 0u) {
    if (lid < P) {
      var total = 0.0;
      for (var k = 0u; k < cp.per_candidate; k++) { total += episode[(lid * cp.per_candidate + k) * 2u]; }
      fitness[lid] = total / f32(cp.per_candidate);
    }
    workgroupBarrier();
    if (lid < P) {
      var better = 0u;
      for (var i = 0u; i < P; i++) {
        if (fitness[i] > fitness[lid] || (fitness[i] == fitness[lid] && i < lid)) { better += 1u; }
      }
      elite[lid] = select(0u, 1u, better < cp.elites);
    }
    workgroupBarrier();
    if (lid == 0u) {
      var best = fitness[0];
      var elite_total = 0.0;
      for (var i = 0u; i < P; i++) {
        best = max(best, fitness[i]);
        if (elite[i] == 1u) { elite_total += fitness[i]; }
      }
      stats[0] += best;
      stats[1] += elite_total / f32(cp.elites);
      stats[3] += 1.0;
    }
  }
  let key = vec2<u32>(cp.seed, cp.stream);
  let k = f32(cp.elites);
  var sigma_total = 0.0;
  for (var j = lid; j < cp.count; j += WG) {
    var mu = mean[j];
    var sigma = cp.init_std;
    if (cp.init == 0u) {
      var s = 0.0;
      var sq = 0.0;
      for (var i = 0u; i < P; i++) {
        if (elite[i] == 1u) {
          let th = population[i * cp.count + j];
          s += th;
          sq += th * th;
        }
      }
      mu = s / k;
      sigma = sqrt(max(sq / k - mu * mu, 0.0) + cp.extra_noise * cp.extra_noise);
      mean[j] = mu;
    }
    sigma_total += sigma;
    var eps = vec4<f32>();
    for (var i = 0u; i < P; i++) {
      if (i % 4u == 0u) { eps = rng_normal4(key, vec4<u32>(j, clock[0], i / 4u, 0u)); }
      population[i * cp.count + j] = mu + sigma * eps[i % 4u];
    }
  }
  // Mean sigma over parameters (summed by thread; thread sums are added without a tree: a metric).
  fitness[lid] = sigma_total;
  workgroupBarrier();
  if (lid == 0u && cp.init == 0u) {
    var total = 0.0;
    for (var i = 0u; i < WG; i++) { total += fitness[i]; }
    stats[2] += total / f32(cp.count);
  }
}

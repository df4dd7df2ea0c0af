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
// Bindings: 0 uniform Cg; 1 g (read); 2 x (rw); 3 r (rw); 4 p (rw); 5 fv (read: F p or F x);
//   6 scalars (rw, [agents, 4]: rr, beta, x.Ax, iterations); 7 params (rw, npg_step).
// Vectors are [agents, count]. Dispatch (agents), one workgroup of WG.

struct Cg {
  count: u32,
  damping: f32,
  max_kl: f32,
  residual_tol: f32,
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

@compute @workgroup_size(WG)
fn npg_step(@builtin(workgroup_id) wid: vec3<u32>, ids: ReduceIds) {
  let base = wid.x * cg.count;
  var xax = 0.0;
  for (var i = ids.lid; i < cg.count; i += WG) {
    let xi = x[base + i];
    xax += xi * (fv[base + i] + cg.damping * xi);
  }
  let quad = workgroup_sum(xax, ids);
  let beta = select(0.0, sqrt(2.0 * cg.max_kl / quad), quad > 0.0);
  for (var i = ids.lid; i < cg.count; i += WG) { params[base + i] += beta * x[base + i]; }
  if (ids.lid == 0u) {
    scalars[wid.x * 4u + 1u] = beta;
    scalars[wid.x * 4u + 2u] = quad;
  }
}

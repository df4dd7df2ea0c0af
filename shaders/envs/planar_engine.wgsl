// envs/planar_engine.wgsl - planar articulated-body dynamics, one robot per invocation: MuJoCo's
// equations in the plane of the robot (the float64 twin, which the tests hold this to, is
// src/physics/planarDynamics64.ts; the model constants before this file come from
// src/physics/planarWgsl.ts):
//   kinematics   per joint, MuJoCo's order: a hinge turns the body about its anchor, a slide moves it
//   M(q)         sum over bodies of m J_com' J_com + I w w' (w: hinge signs), plus armature
//   bias         sum over bodies of J_com' m (a_com at qacc = 0 - gravity)
//   passive      springs, damping, MuJoCo's inertia-box fluid forces
//   constraints  soft rows (joint limits; ground contacts with pyramidal friction), solved as
//                MuJoCo's Newton solver: argmin 0.5 (a - a0)' M (a - a0) + sum 0.5 D min(0, J a - aref)^2,
//                with an exact line search on that piecewise quadratic
//   integrators  semi-implicit Euler with implicit damping ((M + h B) qacc = f), or RK4
// Arrays are written in full before they are read: a function-scope array declared inside a loop
// was seen keeping the previous iteration's entries (Dawn's Vulkan path on lavapipe), so the code
// never relies on a declaration zeroing it.
// No bindings of its own; an environment file (envs/locomotion.wgsl) calls pl_step per timestep.
// Dispatch: whatever the driver's (one invocation per environment).

const PL_MINVAL: f32 = 1e-15;
const PL_NN: u32 = PL_ND * PL_ND;

struct PlKin {
  angle: array<f32, PL_NB>,
  origin: array<vec2<f32>, PL_NB>,
  com: array<vec2<f32>, PL_NB>,
  anchor: array<vec2<f32>, PL_ND>,
  axis: array<vec2<f32>, PL_ND>,
}

struct PlRows {
  count: u32,
  J: array<f32, PL_MAX_ROWS * PL_ND>,
  D: array<f32, PL_MAX_ROWS>,
  aref: array<f32, PL_MAX_ROWS>,
}

fn pl_rot(a: f32, v: vec2<f32>) -> vec2<f32> {
  let c = cos(a);
  let s = sin(a);
  return vec2<f32>(c * v.x - s * v.y, s * v.x + c * v.y);
}

fn pl_perp(v: vec2<f32>) -> vec2<f32> { return vec2<f32>(-v.y, v.x); }

fn pl_moves(b: u32, j: u32) -> bool { return ((PL_BODY_CHAIN[b] >> j) & 1u) == 1u; }

fn pl_kinematics(q: array<f32, PL_ND>) -> PlKin {
  var k: PlKin;
  for (var b = 0u; b < PL_NB; b++) {
    let p = PL_BODY_PARENT[b];
    var pa = 0.0;
    var po = vec2<f32>(0.0);
    if (p >= 0) {
      pa = k.angle[u32(p)];
      po = k.origin[u32(p)];
    }
    var angle = pa + PL_BODY_ANGLE[b];
    var origin = po + pl_rot(pa, PL_BODY_POS[b]);
    for (var j = PL_BODY_DOF0[b]; j < PL_BODY_DOF0[b] + PL_BODY_NDOF[b]; j++) {
      if (PL_DOF_SIGN[j] != 0.0) {
        let anchor = origin + pl_rot(angle, PL_DOF_ANCHOR[j]);
        angle += PL_DOF_SIGN[j] * (q[j] - PL_DOF_REF[j]);
        origin = anchor - pl_rot(angle, PL_DOF_ANCHOR[j]);
        k.anchor[j] = anchor;
      } else {
        let axis = pl_rot(angle, PL_DOF_AXIS[j]);
        origin += axis * (q[j] - PL_DOF_REF[j]);
        k.axis[j] = axis;
      }
    }
    k.angle[b] = angle;
    k.origin[b] = origin;
    k.com[b] = origin + pl_rot(angle, PL_BODY_COM[b]);
  }
  return k;
}

// Velocity of point p per unit speed of dof j (column j of p's Jacobian).
fn pl_column(k: ptr<function, PlKin>, j: u32, p: vec2<f32>) -> vec2<f32> {
  if (PL_DOF_SIGN[j] != 0.0) { return PL_DOF_SIGN[j] * pl_perp(p - (*k).anchor[j]); }
  return (*k).axis[j];
}

// Velocity of point p of body b, from the dofs of b's chain below `end`.
fn pl_point_velocity(k: ptr<function, PlKin>, b: u32, end: u32, v: array<f32, PL_ND>, p: vec2<f32>) -> vec2<f32> {
  var out = vec2<f32>(0.0);
  for (var j = 0u; j < end; j++) {
    if (pl_moves(b, j)) { out += pl_column(k, j, p) * v[j]; }
  }
  return out;
}

fn pl_mass_matrix(k: ptr<function, PlKin>) -> array<f32, PL_NN> {
  var M: array<f32, PL_NN>;
  for (var i = 0u; i < PL_NN; i++) { M[i] = 0.0; }
  for (var b = 0u; b < PL_NB; b++) {
    let com = (*k).com[b];
    var cols: array<vec2<f32>, PL_ND>;
    for (var x = 0u; x < PL_ND; x++) { cols[x] = select(vec2<f32>(0.0), pl_column(k, x, com), pl_moves(b, x)); }
    for (var x = 0u; x < PL_ND; x++) {
      if (!pl_moves(b, x)) { continue; }
      for (var y = 0u; y <= x; y++) {
        if (!pl_moves(b, y)) { continue; }
        M[x * PL_ND + y] += PL_BODY_MASS[b] * dot(cols[x], cols[y]) + PL_BODY_INERTIA[b] * PL_DOF_SIGN[x] * PL_DOF_SIGN[y];
      }
    }
  }
  for (var x = 0u; x < PL_ND; x++) {
    for (var y = 0u; y < x; y++) { M[y * PL_ND + x] = M[x * PL_ND + y]; }
    M[x * PL_ND + x] += PL_DOF_ARMATURE[x];
  }
  return M;
}

// Adds the generalized force of force f and torque tau (about the normal) at point p of body b.
fn pl_apply(k: ptr<function, PlKin>, b: u32, p: vec2<f32>, f: vec2<f32>, tau: f32, out: ptr<function, array<f32, PL_ND>>) {
  for (var j = 0u; j < PL_ND; j++) {
    if (pl_moves(b, j)) { (*out)[j] += dot(pl_column(k, j, p), f) + PL_DOF_SIGN[j] * tau; }
  }
}

// qfrc_smooth = actuator + passive - bias.
fn pl_smooth_force(k: ptr<function, PlKin>, q: array<f32, PL_ND>, v: array<f32, PL_ND>, ctrl: array<f32, PL_NU>) -> array<f32, PL_ND> {
  var out: array<f32, PL_ND>;
  for (var j = 0u; j < PL_ND; j++) {
    out[j] = -PL_DOF_STIFFNESS[j] * (q[j] - PL_DOF_SPRINGREF[j]) - PL_DOF_DAMPING[j] * v[j];
  }
  for (var i = 0u; i < PL_NU; i++) {
    let u = clamp(clamp(ctrl[i], PL_MOTOR_CTRL[i].x, PL_MOTOR_CTRL[i].y), PL_MOTOR_FORCE[i].x, PL_MOTOR_FORCE[i].y);
    out[PL_MOTOR_DOF[i]] += PL_MOTOR_GEAR[i] * u;
  }
  // Per dof, once for every body it moves: the velocity of a hinge's anchor and the angular
  // velocity of the frame a slide moves in (both from the dofs before it in its body's chain).
  var anchor_velocity: array<vec2<f32>, PL_ND>;
  var frame_rate: array<f32, PL_ND>;
  for (var j = 0u; j < PL_ND; j++) {
    let bj = PL_DOF_BODY[j];
    var va = vec2<f32>(0.0);
    var w = 0.0;
    for (var i = 0u; i < j; i++) {
      if (!pl_moves(bj, i)) { continue; }
      if (PL_DOF_SIGN[j] != 0.0) { va += pl_column(k, i, (*k).anchor[j]) * v[i]; }
      w += PL_DOF_SIGN[i] * v[i];
    }
    anchor_velocity[j] = va;
    frame_rate[j] = w;
  }
  for (var b = 0u; b < PL_NB; b++) {
    if (PL_BODY_MASS[b] == 0.0) { continue; }
    let p = (*k).com[b];
    let vp = pl_point_velocity(k, b, PL_ND, v, p);
    var a0 = vec2<f32>(0.0);
    var omega = 0.0;
    for (var j = 0u; j < PL_ND; j++) {
      if (!pl_moves(b, j)) { continue; }
      if (PL_DOF_SIGN[j] != 0.0) {
        a0 += PL_DOF_SIGN[j] * v[j] * pl_perp(vp - anchor_velocity[j]);
        omega += PL_DOF_SIGN[j] * v[j];
      } else {
        a0 += v[j] * frame_rate[j] * pl_perp((*k).axis[j]);
      }
    }
    pl_apply(k, b, p, -PL_BODY_MASS[b] * (a0 - PL_GRAVITY), 0.0, &out);
    if (PL_FLUID) {
      // MuJoCo's inertia-box model: drag in the body's principal frame, at its centre of mass.
      let vl = pl_rot(-(*k).angle[b], vp);
      let lw = omega * PL_FLUID_N[b];
      let lv = vl.x * PL_FLUID_E1[b] + vl.y * PL_FLUID_E2[b];
      let torque = -PL_FLUID_ROT_VISC[b] * lw - PL_FLUID_ROT_DRAG[b] * abs(lw) * lw;
      let force = -PL_FLUID_LIN_VISC[b] * lv - PL_FLUID_LIN_DRAG[b] * abs(lv) * lv;
      let f = pl_rot((*k).angle[b], vec2<f32>(dot(force, PL_FLUID_E1[b]), dot(force, PL_FLUID_E2[b])));
      pl_apply(k, b, p, f, dot(torque, PL_FLUID_N[b]), &out);
    }
  }
  return out;
}

// In-place Cholesky of A (PL_ND x PL_ND, row-major); its lower triangle becomes L.
fn pl_cholesky(A: ptr<function, array<f32, PL_NN>>) {
  for (var i = 0u; i < PL_ND; i++) {
    for (var j = 0u; j <= i; j++) {
      var s = (*A)[i * PL_ND + j];
      for (var m = 0u; m < j; m++) { s -= (*A)[i * PL_ND + m] * (*A)[j * PL_ND + m]; }
      if (i == j) { (*A)[i * PL_ND + i] = sqrt(max(s, PL_MINVAL)); } else { (*A)[i * PL_ND + j] = s / (*A)[j * PL_ND + j]; }
    }
  }
}

fn pl_cholesky_solve(L: ptr<function, array<f32, PL_NN>>, b: array<f32, PL_ND>) -> array<f32, PL_ND> {
  var y = b;
  for (var i = 0u; i < PL_ND; i++) {
    for (var m = 0u; m < i; m++) { y[i] -= (*L)[i * PL_ND + m] * y[m]; }
    y[i] /= (*L)[i * PL_ND + i];
  }
  for (var ii = 0u; ii < PL_ND; ii++) {
    let i = PL_ND - 1u - ii;
    for (var m = i + 1u; m < PL_ND; m++) { y[i] -= (*L)[m * PL_ND + i] * y[m]; }
    y[i] /= (*L)[i * PL_ND + i];
  }
  return y;
}

fn pl_mat_vec(M: ptr<function, array<f32, PL_NN>>, x: array<f32, PL_ND>) -> array<f32, PL_ND> {
  var out: array<f32, PL_ND>;
  for (var i = 0u; i < PL_ND; i++) {
    var s = 0.0;
    for (var j = 0u; j < PL_ND; j++) { s += (*M)[i * PL_ND + j] * x[j]; }
    out[i] = s;
  }
  return out;
}

// MuJoCo's impedance (getimpedance): solimp's sigmoid of |pos - margin| / width.
fn pl_impedance(s: array<f32, 5>, pos: f32, margin: f32) -> f32 {
  if (s[0] == s[1] || s[2] <= PL_MINVAL) { return 0.5 * (s[0] + s[1]); }
  let x = abs((pos - margin) / s[2]);
  if (x >= 1.0) { return s[1]; }
  if (x <= 0.0) { return s[0]; }
  var y = x;
  if (s[4] != 1.0) {
    if (x <= s[3]) { y = pow(x, s[4]) / pow(s[3], s[4] - 1.0); } else { y = 1.0 - pow(1.0 - x, s[4]) / pow(1.0 - s[3], s[4] - 1.0); }
  }
  return s[0] + y * (s[1] - s[0]);
}

// Appends a soft row: pos = distance (negative: violated), vel = J v; K, B from solref.
fn pl_add_row(rows: ptr<function, PlRows>, J: array<f32, PL_ND>, pos: f32, vel: f32, margin: f32, solimp: array<f32, 5>, K: f32, B: f32, diag: f32, scale: f32) {
  let r = (*rows).count;
  if (r >= PL_MAX_ROWS) { return; }
  let imp = pl_impedance(solimp, pos, margin);
  for (var j = 0u; j < PL_ND; j++) { (*rows).J[r * PL_ND + j] = J[j]; }
  (*rows).D[r] = scale * imp / max(PL_MINVAL, (1.0 - imp) * diag);
  (*rows).aref[r] = -B * vel - K * imp * (pos - margin);
  (*rows).count = r + 1u;
}

fn pl_limit_rows(q: array<f32, PL_ND>, v: array<f32, PL_ND>, rows: ptr<function, PlRows>) {
  for (var j = 0u; j < PL_ND; j++) {
    if (!PL_DOF_LIMITED[j]) { continue; }
    let solimp = array<f32, 5>(PL_LIMIT_SOLIMP[j].x, PL_LIMIT_SOLIMP[j].y, PL_LIMIT_SOLIMP[j].z, PL_LIMIT_SOLIMP[j].w, PL_LIMIT_POWER[j]);
    for (var side = 0u; side < 2u; side++) {
      let sgn = select(-1.0, 1.0, side == 1u);
      let dist = sgn * (PL_DOF_RANGE[j][side] - q[j]);
      if (dist < PL_DOF_MARGIN[j]) {
        var J: array<f32, PL_ND>;
        for (var i = 0u; i < PL_ND; i++) { J[i] = select(0.0, -sgn, i == j); }
        pl_add_row(rows, J, dist, -sgn * v[j], PL_DOF_MARGIN[j], solimp, PL_LIMIT_KB[j].x, PL_LIMIT_KB[j].y, PL_DOF_INVWEIGHT[j], 1.0);
      }
    }
  }
}

fn pl_row_dot(rows: ptr<function, PlRows>, r: u32, x: array<f32, PL_ND>) -> f32 {
  var s = 0.0;
  for (var j = 0u; j < PL_ND; j++) { s += (*rows).J[r * PL_ND + j] * x[j]; }
  return s;
}

// MuJoCo's primal cost at acceleration x.
fn pl_cost(M: ptr<function, array<f32, PL_NN>>, a0: array<f32, PL_ND>, rows: ptr<function, PlRows>, x: array<f32, PL_ND>) -> f32 {
  var d: array<f32, PL_ND>;
  for (var j = 0u; j < PL_ND; j++) { d[j] = x[j] - a0[j]; }
  let Md = pl_mat_vec(M, d);
  var cost = 0.0;
  for (var j = 0u; j < PL_ND; j++) { cost += 0.5 * d[j] * Md[j]; }
  for (var i = 0u; i < (*rows).count; i++) {
    let r = min(0.0, pl_row_dot(rows, i, x) - (*rows).aref[i]);
    cost += 0.5 * (*rows).D[i] * r * r;
  }
  return cost;
}

// The constrained acceleration (MuJoCo's primal problem), Newton with an exact line search.
fn pl_solve(M: ptr<function, array<f32, PL_NN>>, a0: array<f32, PL_ND>, rows: ptr<function, PlRows>, warm: array<f32, PL_ND>) -> array<f32, PL_ND> {
  var a = a0;
  let n = (*rows).count;
  if (n == 0u) { return a; }
  // Warm start, as MuJoCo's: begin from the previous acceleration when its cost is lower (the
  // active set rarely changes between substeps, so Newton then needs one factorization).
  if (pl_cost(M, a0, rows, warm) < pl_cost(M, a0, rows, a0)) { a = warm; }
  var was_active: array<bool, PL_MAX_ROWS>;
  var H: array<f32, PL_NN>;
  var last_step = 3.0e38;
  var last_size = 1.0;
  for (var it = 0u; it < PL_NEWTON_ITERATIONS; it++) {
    var r: array<f32, PL_MAX_ROWS>;
    // Converged: the active set did not change and the last step only refined the point (the cost
    // is quadratic on each active set, so Newton lands in one step once the set is right; the
    // refinement mends float32 rounding in the solve of a stiff H). MuJoCo stops on its tolerance.
    var changed = it == 0u;
    for (var i = 0u; i < n; i++) {
      r[i] = pl_row_dot(rows, i, a) - (*rows).aref[i];
      let engaged = r[i] < 0.0;
      if (it > 0u && engaged != was_active[i]) { changed = true; }
      was_active[i] = engaged;
    }
    if (!changed && last_step <= 1e-5 * last_size) { break; }
    var da: array<f32, PL_ND>;
    for (var j = 0u; j < PL_ND; j++) { da[j] = a[j] - a0[j]; }
    let Ma = pl_mat_vec(M, da);
    var g = Ma;
    for (var i = 0u; i < n; i++) {
      if (r[i] >= 0.0) { continue; }
      let D = (*rows).D[i];
      for (var x = 0u; x < PL_ND; x++) { g[x] += D * (*rows).J[i * PL_ND + x] * r[i]; }
    }
    // H = M + sum over active rows of D J'J depends only on the active set: factorized again
    // only when the set changed (a refinement step reuses the factor).
    if (changed) {
      H = *M;
      for (var i = 0u; i < n; i++) {
        if (r[i] >= 0.0) { continue; }
        let D = (*rows).D[i];
        for (var x = 0u; x < PL_ND; x++) {
          let Jx = (*rows).J[i * PL_ND + x];
          if (Jx == 0.0) { continue; }
          for (var y = 0u; y < PL_ND; y++) { H[x * PL_ND + y] += D * Jx * (*rows).J[i * PL_ND + y]; }
        }
      }
      pl_cholesky(&H);
    }
    var delta = pl_cholesky_solve(&H, g);
    for (var j = 0u; j < PL_ND; j++) { delta[j] = -delta[j]; }
    // Exact line search: the cost's slope along delta is piecewise linear and increasing.
    var c: array<f32, PL_MAX_ROWS>;
    for (var i = 0u; i < n; i++) { c[i] = pl_row_dot(rows, i, delta); }
    var quad = 0.0;
    var lin = 0.0;
    let Md = pl_mat_vec(M, delta);
    for (var j = 0u; j < PL_ND; j++) {
      quad += delta[j] * Md[j];
      lin += delta[j] * Ma[j];
    }
    var start = 0.0;
    var alpha = 0.0;
    for (var seg = 0u; seg <= n; seg++) {
      var end = 3.0e38;
      for (var i = 0u; i < n; i++) {
        if (c[i] != 0.0) {
          let t = -r[i] / c[i];
          if (t > start && t < end) { end = t; }
        }
      }
      let probe = select(0.5 * (start + end), start + 1.0, end >= 3.0e38);
      var p = lin;
      var qq = quad;
      for (var i = 0u; i < n; i++) {
        if (r[i] + probe * c[i] < 0.0) {
          p += (*rows).D[i] * c[i] * r[i];
          qq += (*rows).D[i] * c[i] * c[i];
        }
      }
      if (!(qq > 0.0)) { alpha = start; break; }
      let root = -p / qq;
      if (root <= end) {
        alpha = max(root, start);
        break;
      }
      start = end;
      alpha = start;
    }
    var step = 0.0;
    var size = 1.0;
    for (var j = 0u; j < PL_ND; j++) {
      a[j] += alpha * delta[j];
      step = max(step, abs(alpha * delta[j]));
      size = max(size, abs(a[j]));
    }
    if (step <= 1e-6 * size) { break; }
    last_step = step;
    last_size = size;
  }
  return a;
}

struct PlForward {
  qacc: array<f32, PL_ND>,
  // qfrc_smooth + qfrc_constraint (what the implicit-damping Euler step solves with M + h B).
  force: array<f32, PL_ND>,
  M: array<f32, PL_NN>,
}

fn pl_forward(q: array<f32, PL_ND>, v: array<f32, PL_ND>, ctrl: array<f32, PL_NU>, warm: array<f32, PL_ND>) -> PlForward {
  var k = pl_kinematics(q);
  var M = pl_mass_matrix(&k);
  let qfrc_smooth = pl_smooth_force(&k, q, v, ctrl);
  var L = M;
  pl_cholesky(&L);
  let a0 = pl_cholesky_solve(&L, qfrc_smooth);
  var rows: PlRows;
  rows.count = 0u;
  pl_limit_rows(q, v, &rows);
  pl_contact_rows(&k, q, v, &rows);
  let a = pl_solve(&M, a0, &rows, warm);
  var da: array<f32, PL_ND>;
  for (var j = 0u; j < PL_ND; j++) { da[j] = a[j] - a0[j]; }
  let fc = pl_mat_vec(&M, da);
  var force: array<f32, PL_ND>;
  for (var j = 0u; j < PL_ND; j++) { force[j] = qfrc_smooth[j] + fc[j]; }
  return PlForward(a, force, M);
}

struct PlState {
  q: array<f32, PL_ND>,
  v: array<f32, PL_ND>,
  // The last constrained acceleration: the solver's warm start for the next substep (zeros: cold).
  qacc: array<f32, PL_ND>,
}

// One timestep of the model's integrator.
fn pl_step(s: PlState, ctrl: array<f32, PL_NU>) -> PlState {
  let h = PL_TIMESTEP;
  var out = s;
  if (!PL_RK4) {
    var f = pl_forward(s.q, s.v, ctrl, s.qacc);
    out.qacc = f.qacc;
    var qacc = f.qacc;
    if (PL_IMPLICIT_DAMPING) {
      var H = f.M;
      for (var j = 0u; j < PL_ND; j++) { H[j * PL_ND + j] += h * PL_DOF_DAMPING[j]; }
      pl_cholesky(&H);
      qacc = pl_cholesky_solve(&H, f.force);
    }
    for (var j = 0u; j < PL_ND; j++) {
      out.v[j] = s.v[j] + h * qacc[j];
      out.q[j] = s.q[j] + h * out.v[j];
    }
    return out;
  }
  // RK4 (MuJoCo's mj_RungeKutta): stages at h/2, h/2, h; weights 1/6, 1/3, 1/3, 1/6.
  var dq = s.v;
  var dv = pl_forward(s.q, s.v, ctrl, s.qacc).qacc;
  out.qacc = dv;
  var sum_q: array<f32, PL_ND>;
  var sum_v: array<f32, PL_ND>;
  for (var j = 0u; j < PL_ND; j++) {
    sum_q[j] = dq[j] / 6.0;
    sum_v[j] = dv[j] / 6.0;
  }
  for (var stage = 1u; stage < 4u; stage++) {
    let c = select(0.5, 1.0, stage == 3u);
    let w = select(1.0 / 3.0, 1.0 / 6.0, stage == 3u);
    var qs: array<f32, PL_ND>;
    var vs: array<f32, PL_ND>;
    for (var j = 0u; j < PL_ND; j++) {
      qs[j] = s.q[j] + h * c * dq[j];
      vs[j] = s.v[j] + h * c * dv[j];
    }
    dq = vs;
    dv = pl_forward(qs, vs, ctrl, dv).qacc;
    for (var j = 0u; j < PL_ND; j++) {
      sum_q[j] += w * dq[j];
      sum_v[j] += w * dv[j];
    }
  }
  for (var j = 0u; j < PL_ND; j++) {
    out.q[j] = s.q[j] + h * sum_q[j];
    out.v[j] = s.v[j] + h * sum_v[j];
  }
  return out;
}

// Ground contacts (src/physics/planarContacts64.ts has the model): each capsule end / sphere
// against its plane; condim 1: the normal row; condim 3: MuJoCo's pyramid, J_n +- mu J_t and
// J_n (its two out-of-plane rows, which are both exactly J_n, as one row of twice the weight).
fn pl_contact_rows(k: ptr<function, PlKin>, q: array<f32, PL_ND>, v: array<f32, PL_ND>, rows: ptr<function, PlRows>) {
  for (var c = 0u; c < PL_NCP; c++) {
    let b = PL_CP_BODY[c];
    let n = PL_CP_NORMAL[c];
    let t = pl_perp(n);
    let solimp = array<f32, 5>(PL_CP_SOLIMP[c].x, PL_CP_SOLIMP[c].y, PL_CP_SOLIMP[c].z, PL_CP_SOLIMP[c].w, PL_CP_POWER[c]);
    for (var e = 0u; e < PL_CP_POINTS[c]; e++) {
      let local = PL_CP_POS[c] + select(-1.0, 1.0, e == 0u) * PL_CP_HALF[c];
      let centre = (*k).origin[b] + pl_rot((*k).angle[b], local);
      let dist = dot(centre - PL_CP_PLANE_POS[c], n) - PL_CP_RADIUS[c];
      if (!(dist < PL_CP_MARGIN[c])) { continue; }
      let at = centre - n * (PL_CP_RADIUS[c] + 0.5 * dist);
      var Jn: array<f32, PL_ND>;
      var Jt: array<f32, PL_ND>;
      for (var j = 0u; j < PL_ND; j++) {
        // Every entry written: dofs that do not move the body get an explicit 0.
        let col = select(vec2<f32>(0.0), pl_column(k, j, at), pl_moves(b, j));
        Jn[j] = dot(col, n);
        Jt[j] = dot(col, t);
      }
      let K = PL_CP_KB[c].x;
      let B = PL_CP_KB[c].y;
      let margin = PL_CP_MARGIN[c];
      if (!PL_CP_PYRAMID[c]) {
        var vn = 0.0;
        for (var j = 0u; j < PL_ND; j++) { vn += Jn[j] * v[j]; }
        pl_add_row(rows, Jn, dist, vn, margin, solimp, K, B, PL_CP_DIAG[c], 1.0);
        continue;
      }
      let mu = PL_CP_MU[c];
      var Jp: array<f32, PL_ND>;
      var Jm: array<f32, PL_ND>;
      var vn = 0.0;
      var vt = 0.0;
      for (var j = 0u; j < PL_ND; j++) {
        Jp[j] = Jn[j] + mu * Jt[j];
        Jm[j] = Jn[j] - mu * Jt[j];
        vn += Jn[j] * v[j];
        vt += Jt[j] * v[j];
      }
      pl_add_row(rows, Jp, dist, vn + mu * vt, margin, solimp, K, B, PL_CP_DIAG[c], 1.0);
      pl_add_row(rows, Jm, dist, vn - mu * vt, margin, solimp, K, B, PL_CP_DIAG[c], 1.0);
      pl_add_row(rows, Jn, dist, vn, margin, solimp, K, B, PL_CP_DIAG[c], 2.0);
    }
  }
}

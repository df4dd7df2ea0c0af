// rl/cholesky.wgsl - the Cholesky factor of CMA-ES's covariance C = A A^T (A lower triangular),
// blocked so that the O(n^3) work spreads over many workgroups. The factor is stored transposed
// (U = A^T: row k of `factor` is column k of A) so that every step reads and writes rows, which
// neighbouring invocations find contiguous. For each block of rows [k0, k1) (at most 32):
//   panel     one workgroup of 256: the unblocked right-looking algorithm on the block's rows over
//             every column - pivot, row scaling, the update of the block's later rows; afterwards
//             rows [k0, k1) of U are final (dispatch (1))
//   trailing  the later rows' update by the block: S[j][i] -= sum_{k0 <= k < k1} U[k][j] U[k][i]
//             for k1 <= j <= i, one invocation per element (dispatch (ceil((n - k1) / 64), n - k1))
// and before the first block
//   copy      the upper triangle of C into `factor`, zeros below (full); A = sqrt(C) for a diagonal
//             C (`full` = 0, the separable variant, which needs nothing else) (dispatch
//             (ceil(n / 64), n or 1))
// Every kernel does nothing unless the generation count (state[1]) is a multiple of `every`
// (Hansen's lazy decomposition), so the dispatches can stay in a replayed program.
// Bindings: 0 uniform Factor; 1 state (read, [8]: sigma, generation, ...); 2 cov (read, [n, n] or
//   [n]); 3 factor (rw, like cov).

struct Factor {
  n: u32,
  full: u32,
  every: u32,
  k0: u32,
  k1: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> fp: Factor;
@group(0) @binding(1) var<storage, read> state: array<f32>;
@group(0) @binding(2) var<storage, read> cov: array<f32>;
@group(0) @binding(3) var<storage, read_write> factor: array<f32>;

var<workgroup> due: u32;

fn is_due() -> bool {
  return u32(state[1]) % fp.every == 0u;
}

@compute @workgroup_size(64)
fn copy(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = fp.n;
  let i = gid.x;
  let j = gid.y;
  if (i >= n || !is_due()) { return; }
  if (fp.full == 0u) {
    factor[i] = sqrt(max(cov[i], 0.0));
    return;
  }
  factor[j * n + i] = select(0.0, cov[j * n + i], i >= j);
}

@compute @workgroup_size(WG)
fn panel(@builtin(local_invocation_index) lid: u32) {
  let n = fp.n;
  if (lid == 0u) { due = select(0u, 1u, is_due()); }
  if (workgroupUniformLoad(&due) == 0u) { return; }
  for (var k = fp.k0; k < fp.k1; k++) {
    // A pivot lost to rounding is floored at 1e-10 of C's own diagonal (a bounded condition).
    let pivot = sqrt(max(factor[k * n + k], 1e-10 * cov[k * n + k]));
    storageBarrier();
    if (lid == 0u) { factor[k * n + k] = pivot; }
    for (var i = k + 1u + lid; i < n; i += WG) { factor[k * n + i] /= pivot; }
    storageBarrier();
    for (var j = k + 1u; j < fp.k1; j++) {
      let ukj = factor[k * n + j];
      for (var i = j + lid; i < n; i += WG) { factor[j * n + i] -= ukj * factor[k * n + i]; }
    }
    storageBarrier();
  }
}

@compute @workgroup_size(64)
fn trailing(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = fp.n;
  let i = fp.k1 + gid.x;
  let j = fp.k1 + gid.y;
  if (i >= n || i < j || !is_due()) { return; }
  var update = 0.0;
  for (var k = fp.k0; k < fp.k1; k++) { update += factor[k * n + j] * factor[k * n + i]; }
  factor[j * n + i] -= update;
}

// fused/param_update.wgsl - the parameter half of a row program: every parameter of a network,
// for every agent, in one dispatch. Each invocation owns a tile of parameter elements W_aug[i][j]
// of layer l: it sums their gradients over the minibatch rows of the tape the row kernel wrote
// (fused/mlp_row.wgsl's mlp_tape_write: x_l[i] delta_l[j], or delta_l[j] for the bias row),
// takes an Adam step (nn/adam.wgsl's formula, step count from the clock), and moves the target
// network's element toward it (Polyak, when tau > 0 and the network has a target). Invocations
// past the network's parameters average a second network's target (`count2` elements: DDPG's
// critic after the actor update, SVG(0)'s after the policy update; 16 per invocation).
// Invocation 0 of each agent also turns the tape's per-row metric columns into means added to
// the metrics table (`metric_count` columns into `metric_slot`s, `counter_slot` += 1), and with
// `commit_clock` writes the clock's current slot back to slot 0 (the end of a training unit).
//
// Each invocation owns a tile of 4 x 4 elements (see T). Needs fused/mlp_shape.wgsl prepended.
// Dispatch: (ceil((tiles + ceil(count2 / SECOND_PER_INVOCATION)) / ROWS), agents),
// ROWS invocations per workgroup (an override: fewer on CPU adapters, see src/nn/rowNetwork.ts).
//   update     Adam and Polyak as above.
//   gradients  the gradient alone into grads_out, for nn/adam.wgsl when the step clips it.
// Bindings: 0 uniform ParamUpdate; 1 params (rw); 2 adam m (rw); 3 adam v (rw); 4 tape (read);
//   5 target (rw); 6 online2 (read); 7 target2 (rw); 8 clock (rw u32); 9 metrics (rw);
//   10 grads_out (rw, gradients).

struct ParamUpdate {
  net: MlpShape,
  rows: u32,
  /** Floats per tape row, and where this network's part of it starts. */
  tape_width: u32,
  tape_offset: u32,
  count2: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  warmup: u32,
  steps_per_block: u32,
  updates_per_block: u32,
  index: u32,
  delay: u32,
  tau: f32,
  clock_slot: u32,
  commit_clock: u32,
  metric_count: u32,
  metric_col: u32,
  counter_slot: u32,
  metrics_width: u32,
  /** A metric column's sum over the rows times this: 1 / rows for a mean over rows. */
  metric_scale: f32,
  /** Whether the network has a target of its own (binding 5) for Polyak to move. */
  has_target: u32,
  _pad1: u32,
  _pad2: u32,
  metric_slot: vec4<u32>,
}

@group(0) @binding(0) var<uniform> pu: ParamUpdate;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> moment1: array<f32>;
@group(0) @binding(3) var<storage, read_write> moment2: array<f32>;
@group(0) @binding(4) var<storage, read> tape: array<f32>;
@group(0) @binding(5) var<storage, read_write> target_params: array<f32>;
@group(0) @binding(6) var<storage, read> online2: array<f32>;
@group(0) @binding(7) var<storage, read_write> target2: array<f32>;
@group(0) @binding(8) var<storage, read_write> clock: array<u32>;
@group(0) @binding(9) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(10) var<storage, read_write> grads_out: array<f32>;

// Adam's step count when the program steps the optimizer at fixed positions (nn/adam.wgsl).
fn step_count() -> f32 {
  let blocks = (clock[pu.clock_slot] - pu.warmup) / pu.steps_per_block - 1u;
  return f32((blocks * pu.updates_per_block + pu.index + 1u) / pu.delay);
}

// Tiles of T x T parameters per invocation: each tape value loaded serves T products, which
// matters on CPU adapters where every storage load is made lane by lane.
const T: u32 = 4u;

// Tiles of layer l: ceil((in + 1) / T) row blocks (the bias row last) by ceil(out / T).
fn tiles(l: u32) -> u32 {
  let d = pu.net.layer[l];
  return ((d.in_dim + T) / T) * ((d.out_dim + T - 1u) / T);
}

// Columns of layer l's input and delta within a tape row.
fn x_column(l: u32) -> u32 {
  var at = pu.tape_offset;
  for (var k = 0u; k < l; k++) { at += pu.net.layer[k].in_dim; }
  return at;
}

fn delta_column(l: u32) -> u32 {
  var at = pu.tape_offset;
  for (var k = 0u; k < pu.net.layers; k++) { at += pu.net.layer[k].in_dim; }
  for (var k = 0u; k < l; k++) { at += pu.net.layer[k].out_dim; }
  return at;
}

// One Adam step of element `at` with gradient g, and its target's Polyak step.
fn adam_step(at: u32, g: f32, t: f32) {
  let m = pu.beta1 * moment1[at] + (1.0 - pu.beta1) * g;
  let v = pu.beta2 * moment2[at] + (1.0 - pu.beta2) * g * g;
  moment1[at] = m;
  moment2[at] = v;
  let m_hat = m / (1.0 - pow(pu.beta1, t));
  let v_hat = v / (1.0 - pow(pu.beta2, t));
  let p = params[at] - pu.lr * m_hat / (sqrt(v_hat) + pu.eps);
  params[at] = p;
  if (pu.tau > 0.0 && pu.has_target != 0u) { target_params[at] = (1.0 - pu.tau) * target_params[at] + pu.tau * p; }
}

fn report_metrics(agent: u32) {
  for (var c = 0u; c < pu.metric_count; c++) {
    var sum = 0.0;
    for (var r = 0u; r < pu.rows; r++) { sum += tape[(agent * pu.rows + r) * pu.tape_width + pu.metric_col + c]; }
    metrics[agent * pu.metrics_width + pu.metric_slot[c]] += sum * pu.metric_scale;
  }
  metrics[agent * pu.metrics_width + pu.counter_slot] += 1.0;
}

override ROWS: u32 = 64u;
// Elements of the second network's target per invocation: one each made a workgroup per 8 of
// them on CPU adapters, and workgroups cost more there than the arithmetic (DDPG's critic target:
// 600 workgroups for 4,500 elements).
const SECOND_PER_INVOCATION: u32 = 16u;

// Where invocation e of an agent works: tile `e` of layer `l`, or (l == layers) element `e` of
// the second network.
fn locate(e_in: u32) -> vec2<u32> {
  var e = e_in;
  var l = 0u;
  while (l < pu.net.layers && e >= tiles(l)) {
    e -= tiles(l);
    l++;
  }
  return vec2<u32>(l, e);
}

// The tile's gradient: g[a][b] = sum over rows of [x, 1][i0 + a] delta[j0 + b] for layer l.
fn tile_gradient(agent: u32, l: u32, i0: u32, j0: u32) -> array<vec4<f32>, 4> {
  let d = pu.net.layer[l];
  let x_at = x_column(l);
  let d_at = delta_column(l);
  var g: array<vec4<f32>, 4>;
  for (var r = 0u; r < pu.rows; r++) {
    let row = (agent * pu.rows + r) * pu.tape_width;
    var dv = vec4<f32>();
    for (var b = 0u; b < T; b++) { if (j0 + b < d.out_dim) { dv[b] = tape[row + d_at + j0 + b]; } }
    for (var a = 0u; a < T; a++) {
      let i = i0 + a;
      var x = 0.0;
      if (i < d.in_dim) { x = tape[row + x_at + i]; } else if (i == d.in_dim) { x = 1.0; }
      g[a] += x * dv;
    }
  }
  return g;
}

// Tile e of layer l: its first element (i0, j0) of W_aug and its gradient.
struct Tile {
  l: u32,
  i0: u32,
  j0: u32,
  g: array<vec4<f32>, 4>,
}

fn tile_at(agent: u32, l: u32, e: u32) -> Tile {
  let blocks = (pu.net.layer[l].out_dim + T - 1u) / T;
  let i0 = (e / blocks) * T;
  let j0 = (e % blocks) * T;
  return Tile(l, i0, j0, tile_gradient(agent, l, i0, j0));
}

// Where element (a, b) of a tile lies in the parameters, or -1 past the layer's edge.
fn tile_element(agent: u32, tile: Tile, a: u32, b: u32) -> i32 {
  let d = pu.net.layer[tile.l];
  let i = tile.i0 + a;
  let j = tile.j0 + b;
  if (i > d.in_dim || j >= d.out_dim) { return -1; }
  return i32(agent * pu.net.per_agent + d.offset + i * d.out_dim + j);
}

fn report_and_commit(e: u32, agent: u32) {
  if (e == 0u) {
    report_metrics(agent);
    if (pu.commit_clock != 0u && agent == 0u) { clock[0] = clock[pu.clock_slot]; }
  }
}

// Adam (and Polyak) on every parameter.
@compute @workgroup_size(ROWS)
fn update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let agent = wid.y;
  report_and_commit(gid.x, agent);
  let at = locate(gid.x);
  let l = at.x;
  let e = at.y;
  if (l == pu.net.layers) {
    // Past the network's tiles: a second network's target only follows its online network,
    // SECOND_PER_INVOCATION elements per invocation.
    for (var c = 0u; c < SECOND_PER_INVOCATION; c++) {
      let i = e * SECOND_PER_INVOCATION + c;
      if (i < pu.count2) {
        let k = agent * pu.count2 + i;
        target2[k] = (1.0 - pu.tau) * target2[k] + pu.tau * online2[k];
      }
    }
    return;
  }
  let tile = tile_at(agent, l, e);
  let t = step_count();
  for (var a = 0u; a < T; a++) {
    for (var b = 0u; b < T; b++) {
      let k = tile_element(agent, tile, a, b);
      if (k >= 0) { adam_step(u32(k), tile.g[a][b], t); }
    }
  }
}

// The gradient alone, into grads_out (for an optimizer step with global-norm clipping after it).
@compute @workgroup_size(ROWS)
fn gradients(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let agent = wid.y;
  report_and_commit(gid.x, agent);
  let at = locate(gid.x);
  let l = at.x;
  let e = at.y;
  if (l == pu.net.layers) { return; }
  let tile = tile_at(agent, l, e);
  for (var a = 0u; a < T; a++) {
    for (var b = 0u; b < T; b++) {
      let k = tile_element(agent, tile, a, b);
      if (k >= 0) { grads_out[u32(k)] = tile.g[a][b]; }
    }
  }
}

// nn/recurrent.wgsl - the gates of GRU and LSTM cells (PyTorch's equations) over a time-major
// sequence, batched over agents; the matrix products around them are nn/linear.wgsl dispatches
// (src/nn/recurrent.ts): px = x W_x + b_x for every step at once, ph_t = s_t W_h + b_h per step.
// Needs common/view.wgsl prepended.
//
// Row t * B + b (time-major) or b * T + t (env-major: ENV_MAJOR) of every [agents, T * B, ...]
// tape, of the input and of the output is step t of sequence b. The state entering
// step t is s_t = keep_t * state_{t-1} (state_{-1} = h0), keep_t = 1 - reset_t: an episode that
// ended before step t starts from zeros. State = h (GRU) or [h | c] (LSTM), width S.
//   GRU   r = sig(px_r + ph_r), z = sig(px_z + ph_z), n = tanh(px_n + r ph_n),
//         h = (1 - z) n + z h_prev                       gates tape [r | z | n]
//   LSTM  i, f, o = sig(px + ph), g = tanh(px + ph), c = f c_prev + i g, h = o tanh(c)
//                                                         gates tape [i | f | g | o], cells tape c
// Entry points, one thread per (b, unit j) of one step, dispatch (ceil(B * H / 64), agents):
//   carry_in   s_0 = keep_0 * h0
//   forward    step t: gates, h_t into the output view, c_t into the cells tape; s_{t+1} (or the
//              final state when t = T - 1, for the next segment)
//   backward   step t: from dh_t = dout_t + [t + 1 < T, not a truncation boundary] keep_{t+1} ds_{t+1}[h]
//              (and dc_t likewise from ds_{t+1}[c]) to the pre-activation gradients dpx_t, dph_t
//              (equal for LSTM) and the direct part of ds_t (GRU: z dh; LSTM: [0 | f dc]);
//              ph's linear backward then adds its input gradient into ds_t[h].
//              Truncated BPTT: no gradient crosses into step t from step t + 1 when (t + 1) % K == 0.
// Bindings: 0 uniform Cell; 1 px (read); 2 ph (read); 3 state tape s (rw); 4 gates tape (rw);
//   5 cells tape (rw); 6 out (rw: forward writes h_t; backward reads dout: the view `out`);
//   7 h0 / final state (rw, dense [agents, B, S]); 8 resets (read, dense [agents, T * B], rows as the tapes);
//   9 dpx (rw); 10 dph (rw); 11 ds tape (rw).

override LSTM: bool = false;
override ENV_MAJOR: bool = false;

struct Cell {
  batch: u32,       // B: sequences
  steps: u32,       // T
  hidden: u32,      // H
  step: u32,        // t of this dispatch
  truncation: u32,  // K (T: full backpropagation through time)
  has_resets: u32,
  write_final: u32,
  _pad: u32,
  out: View,        // [agents x T * B x H] (forward: h; backward: its gradient)
}

@group(0) @binding(0) var<uniform> p: Cell;
@group(0) @binding(1) var<storage, read> px: array<f32>;
@group(0) @binding(2) var<storage, read> ph: array<f32>;
@group(0) @binding(3) var<storage, read_write> s: array<f32>;
@group(0) @binding(4) var<storage, read_write> gates: array<f32>;
@group(0) @binding(5) var<storage, read_write> cells: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<storage, read_write> carried: array<f32>;
@group(0) @binding(8) var<storage, read> resets: array<f32>;
@group(0) @binding(9) var<storage, read_write> dpx: array<f32>;
@group(0) @binding(10) var<storage, read_write> dph: array<f32>;
@group(0) @binding(11) var<storage, read_write> ds: array<f32>;

fn n_gates() -> u32 { return select(3u, 4u, LSTM); }
fn width() -> u32 { return select(1u, 2u, LSTM) * p.hidden; }
fn sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }

// Row of step t of sequence b within one agent's block.
fn seq_row(t: u32, b: u32) -> u32 { return select(t * p.batch + b, b * p.steps + t, ENV_MAJOR); }

// Flat row of (agent, t, b) in the [agents, T * B] tapes.
fn row_of(agent: u32, t: u32, b: u32) -> u32 { return agent * p.steps * p.batch + seq_row(t, b); }

// keep_t of sequence b of agent a (a flag >= 1 resets: terminated + truncated never doubles it).
fn keep(agent: u32, t: u32, b: u32) -> f32 {
  if (p.has_resets == 0u) { return 1.0; }
  return 1.0 - min(resets[row_of(agent, t, b)], 1.0);
}

@compute @workgroup_size(64)
fn carry_in(@builtin(global_invocation_id) gid: vec3<u32>) {
  let agent = gid.y;
  if (gid.x >= p.batch * p.hidden) { return; }
  let b = gid.x / p.hidden;
  let j = gid.x % p.hidden;
  let k = keep(agent, 0u, b);
  let S = width();
  let r = row_of(agent, 0u, b);
  s[r * S + j] = k * carried[(agent * p.batch + b) * S + j];
  if (LSTM) { s[r * S + p.hidden + j] = k * carried[(agent * p.batch + b) * S + p.hidden + j]; }
}

@compute @workgroup_size(64)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let agent = gid.y;
  if (gid.x >= p.batch * p.hidden) { return; }
  let b = gid.x / p.hidden;
  let j = gid.x % p.hidden;
  let H = p.hidden;
  let S = width();
  let G = n_gates() * H;
  let t = p.step;
  let r = row_of(agent, t, b);
  let h_prev = s[r * S + j];
  var h = 0.0;
  var c = 0.0;
  if (LSTM) {
    let i_g = sigmoid(px[r * G + j] + ph[r * G + j]);
    let f_g = sigmoid(px[r * G + H + j] + ph[r * G + H + j]);
    let g_g = tanh(px[r * G + 2u * H + j] + ph[r * G + 2u * H + j]);
    let o_g = sigmoid(px[r * G + 3u * H + j] + ph[r * G + 3u * H + j]);
    c = f_g * s[r * S + H + j] + i_g * g_g;
    h = o_g * tanh(c);
    gates[r * G + j] = i_g;
    gates[r * G + H + j] = f_g;
    gates[r * G + 2u * H + j] = g_g;
    gates[r * G + 3u * H + j] = o_g;
    cells[r * H + j] = c;
  } else {
    let r_g = sigmoid(px[r * G + j] + ph[r * G + j]);
    let z_g = sigmoid(px[r * G + H + j] + ph[r * G + H + j]);
    let n_g = tanh(px[r * G + 2u * H + j] + r_g * ph[r * G + 2u * H + j]);
    h = (1.0 - z_g) * n_g + z_g * h_prev;
    gates[r * G + j] = r_g;
    gates[r * G + H + j] = z_g;
    gates[r * G + 2u * H + j] = n_g;
  }
  out[view_at(p.out, agent, seq_row(t, b), j)] = h;
  if (t + 1u < p.steps) {
    let k = keep(agent, t + 1u, b);
    let next = row_of(agent, t + 1u, b);
    s[next * S + j] = k * h;
    if (LSTM) { s[next * S + H + j] = k * c; }
  } else if (p.write_final != 0u) {
    carried[(agent * p.batch + b) * S + j] = h;
    if (LSTM) { carried[(agent * p.batch + b) * S + H + j] = c; }
  }
}

@compute @workgroup_size(64)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let agent = gid.y;
  if (gid.x >= p.batch * p.hidden) { return; }
  let b = gid.x / p.hidden;
  let j = gid.x % p.hidden;
  let H = p.hidden;
  let S = width();
  let G = n_gates() * H;
  let t = p.step;
  let r = row_of(agent, t, b);
  var dh = out[view_at(p.out, agent, seq_row(t, b), j)];
  var dc = 0.0;
  if (t + 1u < p.steps && (t + 1u) % p.truncation != 0u) {
    let k = keep(agent, t + 1u, b);
    let next = row_of(agent, t + 1u, b);
    dh += k * ds[next * S + j];
    if (LSTM) { dc = k * ds[next * S + H + j]; }
  }
  if (LSTM) {
    let i_g = gates[r * G + j];
    let f_g = gates[r * G + H + j];
    let g_g = gates[r * G + 2u * H + j];
    let o_g = gates[r * G + 3u * H + j];
    let tc = tanh(cells[r * H + j]);
    let dc_total = dc + dh * o_g * (1.0 - tc * tc);
    let d_i = dc_total * g_g * i_g * (1.0 - i_g);
    let d_f = dc_total * s[r * S + H + j] * f_g * (1.0 - f_g);
    let d_g = dc_total * i_g * (1.0 - g_g * g_g);
    let d_o = dh * tc * o_g * (1.0 - o_g);
    dpx[r * G + j] = d_i;
    dpx[r * G + H + j] = d_f;
    dpx[r * G + 2u * H + j] = d_g;
    dpx[r * G + 3u * H + j] = d_o;
    dph[r * G + j] = d_i;
    dph[r * G + H + j] = d_f;
    dph[r * G + 2u * H + j] = d_g;
    dph[r * G + 3u * H + j] = d_o;
    ds[r * S + j] = 0.0;
    ds[r * S + H + j] = dc_total * f_g;
  } else {
    let r_g = gates[r * G + j];
    let z_g = gates[r * G + H + j];
    let n_g = gates[r * G + 2u * H + j];
    let h_prev = s[r * S + j];
    let d_n = dh * (1.0 - z_g) * (1.0 - n_g * n_g);
    let d_z = dh * (h_prev - n_g) * z_g * (1.0 - z_g);
    let d_r = d_n * ph[r * G + 2u * H + j] * r_g * (1.0 - r_g);
    dpx[r * G + j] = d_r;
    dpx[r * G + H + j] = d_z;
    dpx[r * G + 2u * H + j] = d_n;
    dph[r * G + j] = d_r;
    dph[r * G + H + j] = d_z;
    dph[r * G + 2u * H + j] = d_n * r_g;
    ds[r * S + j] = dh * z_g;
  }
}

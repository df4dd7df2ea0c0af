// common/rng.wgsl - counter-based random numbers (a library: prepended to the shaders that draw
// randomness; no entry points, no bindings).
//
// Philox4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3"): a keyed
// bijection of a 128-bit counter. Key = (seed, stream), counter = (element, step, draw, 0), so
// any kernel draws reproducible numbers with no generator state to store or advance: the same
// seed gives the same run. WGSL has no 64-bit integers, so the 32x32->64 multiply is done on
// 16-bit halves.

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;

// (high word, low word) of the 64-bit product a * b.
fn philox_mulhilo(a: u32, b: u32) -> vec2<u32> {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let ll = a_lo * b_lo;
  let lh = a_lo * b_hi;
  let hl = a_hi * b_lo;
  let hh = a_hi * b_hi;
  let cross = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  let hi = hh + (lh >> 16u) + (hl >> 16u) + (cross >> 16u);
  return vec2<u32>(hi, a * b);
}

fn philox_round(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  let p0 = philox_mulhilo(PHILOX_M0, ctr.x);
  let p1 = philox_mulhilo(PHILOX_M1, ctr.z);
  return vec4<u32>(p1.x ^ ctr.y ^ key.x, p1.y, p0.x ^ ctr.w ^ key.y, p0.y);
}

fn philox4x32_10(counter: vec4<u32>, key_in: vec2<u32>) -> vec4<u32> {
  var ctr = counter;
  var key = key_in;
  ctr = philox_round(ctr, key);
  for (var i = 0u; i < 9u; i++) {
    key = key + vec2<u32>(PHILOX_W0, PHILOX_W1);
    ctr = philox_round(ctr, key);
  }
  return ctr;
}

// The key of agent `agent`'s draws in a run keyed `key`: agent a of a run with seed s draws what
// agent 0 of a run with seed s + a draws (counters hold indices within the agent), so the agents
// trained side by side are the seeds s, s + 1, ... and equal their single runs.
fn rng_agent_key(key: vec2<u32>, agent: u32) -> vec2<u32> {
  return vec2<u32>(key.x + agent, key.y);
}

// Uniform in the open interval (0, 1): 23 random bits, centred in their cell, so neither 0 nor 1
// can occur and log(u), log(1 - u) stay finite. (24 bits + 0.5 would round up to 1.0 in f32.)
fn rng_bits_to_unit(bits: u32) -> f32 {
  return (f32(bits >> 9u) + 0.5) * (1.0 / 8388608.0);
}

fn rng_uniform4(key: vec2<u32>, ctr: vec4<u32>) -> vec4<f32> {
  let r = philox4x32_10(ctr, key);
  return vec4<f32>(rng_bits_to_unit(r.x), rng_bits_to_unit(r.y), rng_bits_to_unit(r.z), rng_bits_to_unit(r.w));
}

// Four standard normals by Box-Muller on the two pairs of uniforms.
fn rng_normal4(key: vec2<u32>, ctr: vec4<u32>) -> vec4<f32> {
  let u = rng_uniform4(key, ctr);
  let two_pi = 6.283185307179586;
  let r0 = sqrt(-2.0 * log(u.x));
  let r1 = sqrt(-2.0 * log(u.z));
  return vec4<f32>(r0 * cos(two_pi * u.y), r0 * sin(two_pi * u.y), r1 * cos(two_pi * u.w), r1 * sin(two_pi * u.w));
}

// Four standard Gumbel variates, -log(-log(u)).
fn rng_gumbel4(key: vec2<u32>, ctr: vec4<u32>) -> vec4<f32> {
  let u = rng_uniform4(key, ctr);
  return -log(-log(u));
}

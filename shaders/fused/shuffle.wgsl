// fused/shuffle.wgsl - a random permutation of [0, n) evaluated one index at a time, for
// minibatch epochs over an on-policy segment (a library: no bindings, no entry points). Every
// row of every minibatch of an epoch finds its segment row with no sort and no stored index
// list: a 4-round balanced Feistel network over the smallest 2^(2h) >= n, its round keys from
// one Philox draw, with cycle walking (apply it again until the value falls below n), which
// keeps it a bijection of [0, n). test/reference/shuffle.ts is its TypeScript
// reference. Needs common/rng.wgsl prepended.

// An integer hash (lowbias32, Chris Wellons): the Feistel round function.
fn shuffle_hash(x_in: u32) -> u32 {
  var x = x_in;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

// Half the bits of the Feistel domain: the smallest h with 4^h >= n (at least 1).
fn shuffle_half_bits(n: u32) -> u32 {
  var h = 1u;
  while (h < 16u && (1u << (2u * h)) < n) { h++; }
  return h;
}

fn shuffle_feistel(x: u32, h: u32, keys: vec4<u32>) -> u32 {
  let mask = (1u << h) - 1u;
  var left = x >> h;
  var right = x & mask;
  for (var r = 0u; r < 4u; r++) {
    let next = left ^ (shuffle_hash(right ^ keys[r]) & mask);
    left = right;
    right = next;
  }
  return (left << h) | right;
}

// Where position i (< n) of the permutation keyed by `keys` points.
fn shuffled_index(i: u32, n: u32, keys: vec4<u32>) -> u32 {
  let h = shuffle_half_bits(n);
  var x = shuffle_feistel(i, h, keys);
  while (x >= n) { x = shuffle_feistel(x, h, keys); }
  return x;
}

// The round keys of permutation `which` (e.g. an epoch) at step count `now`: one Philox draw.
fn shuffle_keys(key: vec2<u32>, now: u32, which: u32) -> vec4<u32> {
  return philox4x32_10(vec4<u32>(now, which, 0u, 3u), key);
}

// common/clock.wgsl - the step counter that stochastic kernels put into their Philox counter.
// Recorded once at the start of an iteration, it makes each replay of a program draw fresh noise
// with no upload from the CPU.
//   tick: clock[0] += 1. Dispatch: (1), one thread.
//   commit: clock[0] = clock[1], after a row program that moved the count to slot 1 (its
//   invocations read slot 0 while the first writes slot 1). Dispatch: (1), one thread.
// Bindings: 0 clock (read_write u32).

@group(0) @binding(0) var<storage, read_write> clock: array<u32>;

@compute @workgroup_size(1)
fn tick() {
  clock[0] = clock[0] + 1u;
}

@compute @workgroup_size(1)
fn commit() {
  clock[0] = clock[1];
}

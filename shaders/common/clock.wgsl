// common/clock.wgsl - the step counter that stochastic kernels put into their Philox counter.
// Recorded once at the start of an iteration, it makes each replay of a program draw fresh noise
// with no upload from the CPU.
//   tick: clock[0] += 1. Dispatch: (1), one thread.
// Bindings: 0 clock (read_write u32).

@group(0) @binding(0) var<storage, read_write> clock: array<u32>;

@compute @workgroup_size(1)
fn tick() {
  clock[0] = clock[0] + 1u;
}

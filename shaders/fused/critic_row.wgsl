// fused/critic_row.wgsl - a critic's TD(0) step for one minibatch row in row programs (a library:
// no bindings, no entry points; needs fused/mlp_row.wgsl and the kernel's `tape_store`).
//   critic_td_row  Q(s, a) from sa.h[0], e = Q - y, dL/dQ = 2 e / B for L = mean over the B rows
//                  of (Q - y)^2, the critic's backward; writes the row's tape (mlp_tape_write) at
//                  `at` and then [e^2, Q], the columns the parameter kernel turns into the
//                  critic_loss and mean_q metrics (as rl/critic_losses.wgsl's td_mse reports them).

fn critic_td_row(w: u32, net: MlpShape, agent: u32, sa: ptr<function, MlpTrace>, y: f32, batch: u32, tape: u32, at: u32) {
  mlp_forward(w, net, agent, sa);
  let q = (*sa).h[net.layers][0];
  let e = q - y;
  var dq: Row;
  dq[0] = 2.0 * e / f32(batch);
  var deltas: MlpTrace;
  mlp_backward(w, net, agent, sa, dq, &deltas);
  mlp_tape_write(tape, at, net, sa, &deltas);
  tape_store(tape, at + net.tape_width, e * e);
  tape_store(tape, at + net.tape_width + 1u, q);
}

// envs/cartpole_dynamics.wgsl - cart-pole accelerations (a library for cartpole.wgsl and
// cartpole_swingup.wgsl; no entry points). The equations of gym's CartPole (Barto, Sutton &
// Anderson 1983, as corrected by Florian 2007), theta = 0 upright:
//   temp = (F + m_p l theta_dot^2 sin theta) / (m_c + m_p)
//   theta_acc = (g sin theta - cos theta temp) / (l (4/3 - m_p cos^2 theta / (m_c + m_p)))
//   x_acc = temp - m_p l theta_acc cos theta / (m_c + m_p)
// Returns vec2(x_acc, theta_acc); the dual version returns both as duals.

struct CartPoleConstants {
  gravity: f32,
  masscart: f32,
  masspole: f32,
  length: f32,
}

fn cartpole_accel(theta: f32, theta_dot: f32, force: f32, k: CartPoleConstants) -> vec2<f32> {
  let total = k.masscart + k.masspole;
  let pml = k.masspole * k.length;
  let c = cos(theta);
  let s = sin(theta);
  let temp = (force + pml * theta_dot * theta_dot * s) / total;
  let theta_acc = (k.gravity * s - c * temp) / (k.length * (4.0 / 3.0 - k.masspole * c * c / total));
  let x_acc = temp - pml * theta_acc * c / total;
  return vec2<f32>(x_acc, theta_acc);
}

struct DualAccel {
  x_acc: vec2<f32>,
  theta_acc: vec2<f32>,
}

fn cartpole_accel_dual(theta: vec2<f32>, theta_dot: vec2<f32>, force: vec2<f32>, k: CartPoleConstants) -> DualAccel {
  let total = k.masscart + k.masspole;
  let pml = k.masspole * k.length;
  let c = dcos(theta);
  let s = dsin(theta);
  let temp = (force + pml * dmul(dsq(theta_dot), s)) / total;
  let den = k.length * (dconst(4.0 / 3.0) - k.masspole * dsq(c) / total);
  let theta_acc = ddiv(k.gravity * s - dmul(c, temp), den);
  let x_acc = temp - pml * dmul(theta_acc, c) / total;
  return DualAccel(x_acc, theta_acc);
}

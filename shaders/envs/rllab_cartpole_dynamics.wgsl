// envs/rllab_cartpole_dynamics.wgsl - the cart-pole of rllab's Box2D model
// (rllab/envs/box2d/models/cartpole.xml.mako), shared by rllab_cartpole.wgsl and
// rllab_cartpole_swingup.wgsl. Written as equations of motion in generalized coordinates, not as
// Box2D's rigid bodies; see src/envs/rllabCartpole.ts for where the two differ.
//   Bodies: a cart box of 4/sqrt(12) x 3/sqrt(12) m at density 1 (mass 1) on a prismatic joint;
//   a pole box of pole_width x pole_length from the cart's top (density 1: mass 0.1), centre of
//   mass l = pole_length / 2 above the pivot, inertia about it I = m (L^2 + w^2) / 12.
//   theta is Box2D's pole angle: counter-clockwise, 0 upright, so the pole's centre of mass sits
//   at (x - l sin theta, l cos theta) from the pivot, and a push to the right tips it to the left.
//   (M + m) x'' - m l cos(theta) theta'' = F - m l sin(theta) theta'^2
//   -m l cos(theta) x'' + (I + m l^2) theta'' = m g l sin(theta)
//   One Box2D step of dt: semi-implicit Euler (velocities from the accelerations, then positions
//   from the new velocities), with Box2D's speed limits per step (b2_maxTranslation 2 m,
//   b2_maxRotation pi/2) applied to the cart's speed and the pole's angular speed.
// No bindings of its own; callers pass the constants.

struct RllabCartPole {
  gravity: f32,
  masscart: f32,
  masspole: f32,
  pole_length: f32,
  pole_width: f32,
  dt: f32,
  max_translation: f32,
  max_rotation: f32,
}

// [x, x_dot, theta, theta_dot] after one step with the horizontal force `force` on the cart.
fn rllab_cartpole_step(s: array<f32, 4>, force: f32, k: RllabCartPole) -> array<f32, 4> {
  let l = 0.5 * k.pole_length;
  let inertia = k.masspole * (k.pole_length * k.pole_length + k.pole_width * k.pole_width) / 12.0;
  let c = cos(s[2]);
  let sn = sin(s[2]);
  let a11 = k.masscart + k.masspole;
  let a12 = -k.masspole * l * c;
  let a22 = inertia + k.masspole * l * l;
  let r1 = force - k.masspole * l * sn * s[3] * s[3];
  let r2 = k.masspole * k.gravity * l * sn;
  let det = a11 * a22 - a12 * a12;
  let x_acc = (a22 * r1 - a12 * r2) / det;
  let theta_acc = (a11 * r2 - a12 * r1) / det;
  let v_limit = k.max_translation / k.dt;
  let w_limit = k.max_rotation / k.dt;
  let v = clamp(s[1] + k.dt * x_acc, -v_limit, v_limit);
  let w = clamp(s[3] + k.dt * theta_acc, -w_limit, w_limit);
  return array<f32, 4>(s[0] + k.dt * v, v, s[2] + k.dt * w, w);
}

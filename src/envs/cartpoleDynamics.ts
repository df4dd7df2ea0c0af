/** Float64 cart-pole accelerations, the same equations as shaders/envs/cartpole_dynamics.wgsl. */
export interface CartPoleConstants {
  gravity: number;
  masscart: number;
  masspole: number;
  length: number;
}

export function cartpoleAccel(theta: number, thetaDot: number, force: number, k: CartPoleConstants): [number, number] {
  const total = k.masscart + k.masspole;
  const pml = k.masspole * k.length;
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const temp = (force + pml * thetaDot ** 2 * s) / total;
  const thetaAcc = (k.gravity * s - c * temp) / (k.length * (4 / 3 - (k.masspole * c ** 2) / total));
  const xAcc = temp - (pml * thetaAcc * c) / total;
  return [xAcc, thetaAcc];
}

/** Cart and pole as drawing primitives (theta = 0 upright, pole drawn at twice the half-length). */
export function drawCartPole(x: number, theta: number, length: number, track: number) {
  const poleX = x + 2 * length * Math.sin(theta);
  const poleY = 2 * length * Math.cos(theta);
  return [
    { kind: 'line' as const, x1: -track, y1: -0.1, x2: track, y2: -0.1, width: 0.02, color: '#888' },
    { kind: 'line' as const, x1: x - 0.25, y1: 0, x2: x + 0.25, y2: 0, width: 0.15, color: '#2c3e50' },
    { kind: 'line' as const, x1: x, y1: 0, x2: poleX, y2: poleY, width: 0.05, color: '#c0392b' },
  ];
}

/**
 * A custom environment: a mass on a damped spring (spring-mass.wgsl has the physics on the GPU),
 * its definition as data and its float64 reference for checkEnv. Nothing here needs Node or a
 * GPU: `defineEnv(springMassSpec)` registers it (custom-env.ts does), `pathwise
 * --env-module custom-env/spring-mass.ts` and the browser demo's `?env-module=` (this file as
 * JavaScript) load it by its exports.
 */
import type { EnvReference, NodeEnvSpec } from 'pathwise';

const clip = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

/** The same equations as spring-mass.wgsl, in float64. */
export const springMassReference: EnvReference = {
  reset: (u) => [2 * u[0] - 1, u[1] - 0.5],
  step([x, v], [a], p) {
    const f = clip(a, -p.max_force, p.max_force);
    const reward = -(x * x + 0.1 * v * v + 0.01 * f * f);
    const vNext = clip(v + (p.dt * (f - p.k * x - p.c * v)) / p.m, -p.max_speed, p.max_speed);
    return { state: [x + p.dt * vNext, vNext], reward, terminated: false };
  },
  obs: ([x, v]) => [x, v],
};

export const springMassSpec: NodeEnvSpec = {
  name: 'spring-mass',
  description: 'bring a mass on a damped spring to rest at the origin with a bounded force',
  state: ['x', 'v'],
  observation: { fields: ['x', 'v'], low: [-10, -10], high: [10, 10], positions: [0] },
  action: { low: [-1], high: [1] },
  params: { k: 1, c: 0.1, m: 1, dt: 0.05, max_force: 1, max_speed: 10 },
  horizon: 100,
  wgsl: { file: new URL('./spring-mass.wgsl', import.meta.url) },
  reference: springMassReference,
  // The wall, the spring to the mass, and a tick at the rest position x = 0 (world coordinates, y up).
  render: ([x]) => ({
    bounds: [-2.5, -2.5, 2.5, 2.5],
    primitives: [
      { kind: 'line', x1: -2.4, y1: -0.5, x2: -2.4, y2: 0.5, width: 0.08, color: '#222' },
      { kind: 'line', x1: 0, y1: -0.4, x2: 0, y2: -0.25, width: 0.04, color: '#27ae60' },
      { kind: 'line', x1: -2.4, y1: 0, x2: x - 0.2, y2: 0, width: 0.04, color: '#7f8c8d' },
      { kind: 'circle', x, y: 0, r: 0.2, color: '#c0392b', fill: true },
    ],
  }),
};

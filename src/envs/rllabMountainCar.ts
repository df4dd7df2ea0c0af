/**
 * rllab-mountain-car: rllab's Mountain Car row of Duan et al. 2016
 * (rllab/envs/box2d/mountain_car_env.py on models/mountain_car.xml.mako): a cart pushed by at most
 * 1 N in a sine valley 2 m deep must reach x >= 0.6; -1 + its height per step, so the sooner the
 * better; horizon 500. Equations: shaders/envs/rllab_mountain_car.wgsl.
 *
 * Where this differs from rllab running Box2D: there the cart is a box that rests on a chain of
 * 200 edges through contacts (friction sqrt(0.0005 x 0.2) = 0.01, so nearly none) and starts
 * 0.05 m inside the valley's floor, from which Box2D pushes it out. Here the box rides on its two
 * lower corners as it does in the valley (its centre on a sine of amplitude cos(0.1 pi) = 0.95 of
 * the track's, 0.11 m above the corners' mean: half its height plus Box2D's polygon skin), a point
 * on that smooth path, without friction, without tilting on the crests (beyond |x| = 1 Box2D's box
 * rests on one point near its middle, about 0.035 m higher) and without leaving the track over
 * one (the task ends at |x| >= 2). Box2D's corners also knock on the chain's vertices and lose
 * energy (free from x = 1 its swing halves within about 2 s), so a random policy stays lower there:
 * -415.2 in Box2D (planck.js, rllab's model) and -415.4 in rllab against about -410 here
 * (test/envs/rllab.test.ts). Gravity is pybox2d's default, 10 m/s^2.
 */
import wgsl from '../../shaders/envs/rllab_mountain_car.wgsl?raw';
import type { EnvDefinition, EnvReference, Primitive } from './types.js';

type P = Readonly<Record<string, number>>;

/** The cart's centre height y(x) on the path its two lower corners give it (see the WGSL). */
function centreHeight(x: number, p: P): number {
  const k = (2 * Math.PI) / p.track_width;
  return p.track_height * (1 - Math.cos(k * p.cart_half_width) * Math.cos(k * x)) + p.cart_half_height + p.polygon_radius;
}

const trackHeight = (x: number, p: P) => p.track_height * (1 - Math.cos((2 * Math.PI * x) / p.track_width));

/** Float64 acceleration x'' of envs/rllab_mountain_car.wgsl (the cart's centre on its path). */
export function rllabMountainCarAccel(x: number, v: number, force: number, p: P): number {
  const k = (2 * Math.PI) / p.track_width;
  const amplitude = p.track_height * Math.cos(k * p.cart_half_width);
  const slope = amplitude * k * Math.sin(k * x);
  const curvature = amplitude * k * k * Math.cos(k * x);
  const stretch = 1 + slope * slope;
  return (force * Math.sqrt(stretch) - p.cart_mass * p.gravity * slope - p.cart_mass * slope * curvature * v * v) / (p.cart_mass * stretch);
}

export const rllabMountainCarReference: EnvReference = {
  reset: (u) => [0, 2 * u[0] - 1],
  step([x0, v0], [a], p) {
    const force = p.max_force * Math.min(Math.max(a, -1), 1);
    const acc = rllabMountainCarAccel(x0, v0, force, p);
    const vLimit = p.max_translation / p.dt;
    const v = Math.min(Math.max(v0 + p.dt * acc, -vLimit), vLimit);
    const x = x0 + p.dt * v;
    const done = x >= p.goal_cart_pos || Math.abs(x) >= p.max_cart_pos;
    return { state: [x, v], reward: -1 + p.height_bonus * centreHeight(x, p), terminated: done };
  },
  obs: (s) => [...s],
  success: (s, p) => s[0] >= p.goal_cart_pos,
};

export const rllabMountainCar: EnvDefinition = {
  name: 'rllab-mountain-car',
  origin: "rllab's Mountain Car (Box2D model of rllab/envs/box2d/mountain_car_env.py; Duan et al. 2016)",
  description: 'rock a weak cart out of a sine valley to x >= 0.6; -1 plus its height per step',
  stateFields: ['x', 'x_dot'],
  obsFields: ['x', 'x_dot'],
  positionObs: [0],
  actionLow: [-1],
  actionHigh: [1],
  goalDim: 0,
  horizon: 500,
  discount: 0.99,
  params: {
    gravity: 10, cart_mass: 0.4, cart_half_width: 0.2, cart_half_height: 0.1, polygon_radius: 0.01, track_width: 4, track_height: 1, dt: 0.05, max_translation: 2,
    max_force: 1, height_bonus: 1, goal_cart_pos: 0.6, max_cart_pos: 2,
  },
  sysidParams: ['gravity', 'cart_mass', 'track_width'],
  shader: { path: 'envs/rllab_mountain_car.wgsl', code: wgsl },
  differentiable: false,
  reference: rllabMountainCarReference,
  render([x], p) {
    const half = p.track_width / 2;
    const primitives: Primitive[] = [];
    for (let i = 0; i < 40; i++) {
      const a = -half + (p.track_width * i) / 40, b = -half + (p.track_width * (i + 1)) / 40;
      primitives.push({ kind: 'line', x1: a, y1: trackHeight(a, p), x2: b, y2: trackHeight(b, p), width: 0.02, color: '#555' });
    }
    const g = p.goal_cart_pos;
    primitives.push({ kind: 'line', x1: g, y1: trackHeight(g, p), x2: g, y2: trackHeight(g, p) + 0.3, width: 0.02, color: '#27ae60' });
    primitives.push({ kind: 'circle', x, y: centreHeight(x, p), r: p.cart_half_height, color: '#2c3e50', fill: true });
    return { bounds: [-half - 0.1, -0.2, half + 0.1, 2.3], primitives };
  },
};

/**
 * cartpole-swingup's walls at +-track_limit: a cart pushed into a wall stays pinned there at rest
 * while the pole swings about a fixed pivot (the push does not reach the pole); pushed away, it
 * leaves; running into the wall, it stops there. GPU step (float32) against the float64 reference
 * from states exactly at the wall, and the VJP there against central differences.
 */
import { expect, it } from 'vitest';
import { getEnv } from '../../src/envs/registry.js';
import { recordWidth } from '../../src/envs/batch.js';
import { EnvVjp } from '../../src/envs/vjp.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { gpu } from '../helpers/gpu.js';
import { firstMismatch, stepFrom } from './harness.js';

const def = getEnv('cartpole-swingup');
const p = def.params;
const wall = Math.fround(p.track_limit);
const pivot = (theta: number) => (3 * p.gravity * Math.sin(theta)) / (4 * p.length);

// [state, action, what must hold]
const cases: [number[], number, (next: number[]) => void][] = [
  [[wall, 0, 0.3, 0.5], 1, (n) => expect(n.slice(0, 2)).toEqual([wall, 0])], // pushed into the right wall: pinned
  [[-wall, 0, -2.5, 1], -1, (n) => expect(n.slice(0, 2)).toEqual([-wall, 0])], // the left wall
  [[wall, 0.7, 1.0, 0], 0.2, (n) => expect(n.slice(0, 2)).toEqual([wall, 0])], // moving into it: stopped and pinned
  [[wall, 0, 0.3, 0], -1, (n) => expect(n[1]).toBeLessThan(0)], // pushed away: it leaves
  [[2.39, 1.5, 3.0, 0], 0, (n) => expect(n.slice(0, 2)).toEqual([wall, 0])], // runs into the wall: stops there
];

it('pinned at a wall, the cart stays at rest and the pole swings about a fixed pivot; GPU equals the reference', async () => {
  const { ctx, cache } = await gpu();
  const out = await stepFrom(ctx, cache, def, cases.map((c) => c[0]), cases.map(() => 0), cases.map((c) => [c[1]]));
  const w = recordWidth(def);
  cases.forEach(([s, a, check], i) => {
    const got = Array.from(out.state.subarray(i * w, i * w + 4));
    const ref = def.reference!.step(s, [a], p);
    expect(firstMismatch(got, ref.state, 1e-5, 1e-6), `case ${i}`).toBeNull();
    expect(out.stepOut[i * 3]).toBeCloseTo(ref.reward, 5);
    check(ref.state);
  });
  // The pole of a pinned cart: theta_dot' = theta_dot + tau 3 g sin(theta) / (4 l), whatever the push.
  expect(def.reference!.step(cases[0][0], [1], p).state[3]).toBeCloseTo(0.5 + p.tau * pivot(0.3), 12);
  expect(def.reference!.step(cases[0][0], [0.2], p).state[3]).toBeCloseTo(0.5 + p.tau * pivot(0.3), 12);
});

it('the VJP at a pinned state equals central differences of the reference', async () => {
  const { ctx, cache } = await gpu();
  const vjp = new EnvVjp(ctx, def, 2);
  const rows = [[wall, 0, 0.3, 0.5, 0.8], [-wall, 0, -2.5, 1, -0.6]]; // actions inside (-1, 1): the clip is a kink too
  const cot = [[0.3, -0.7, 1.1, 0.4, 0.9, 0.2, -0.5, 0.8, -0.3, 0.6], [-0.2, 0.5, 0.7, -1.0, 0.3, -0.4, 0.6, 0.1, 0.9, -0.8]];
  vjp.input.write(rows.flat());
  vjp.cotangent.write(cot.flat());
  await runOnce(ctx, [await vjp.dispatch(cache)]);
  const got = await vjp.output.read();
  const f = (x: number[], c: number[]) => {
    const r = def.reference!.step(x.slice(0, 4), [x[4]], p);
    const o = def.reference!.obs(r.state, p);
    return c[4] * r.reward + r.state.reduce((t, v, k) => t + c[k] * v, 0) + o.reduce((t, v, k) => t + c[5 + k] * v, 0);
  };
  rows.forEach((x, i) => {
    // theta, theta_dot and the action: small steps keep the cart pinned (x itself sits on the kink).
    for (const k of [2, 3, 4]) {
      const h = 1e-6;
      const plus = [...x], minus = [...x];
      plus[k] += h;
      minus[k] -= h;
      const fd = (f(plus, cot[i]) - f(minus, cot[i])) / (2 * h);
      expect(got[i * 5 + k], `row ${i}, input ${k}`).toBeCloseTo(fd, 3);
    }
  });
});

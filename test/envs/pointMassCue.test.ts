/**
 * point-mass-cue shows its goal only in the first observation of each episode: after the reset and
 * after an auto-reset inside a step ([goal, 1]), zeros in every other observation - on the GPU, as
 * the float64 reference says; the goal stays where it was, and the reward is minus the distance to it.
 */
import { expect, it } from 'vitest';
import { bindApi } from '../../src/api/index.js';
import { getEnv } from '../../src/envs/registry.js';
import { gpu } from '../helpers/gpu.js';

it('the goal is observed at the first step of each episode only', { timeout: 120_000 }, async () => {
  const api = bindApi(async () => (await gpu()).ctx);
  const def = getEnv('point-mass-cue');
  const N = 6, O = 7, H = def.horizon;
  const env = await api.makeEnv('point-mass-cue', { envs: N, seed: 9 });
  let obs = await env.reset();
  const goals = Array.from({ length: N }, (_, e) => [obs[e * O + 4], obs[e * O + 5]]);
  for (let e = 0; e < N; e++) {
    expect(obs[e * O + 6]).toBe(1);
    expect(Math.hypot(goals[e][0], goals[e][1])).toBeGreaterThan(0); // a goal, not zeros
  }
  const actions = Array.from({ length: N * 2 }, (_, i) => ((i * 7) % 5) / 2 - 1);
  for (let t = 0; t < H + 3; t++) {
    const out = await env.step(actions);
    const restarted = t === H - 1; // the horizon's truncation resets inside this step
    for (let e = 0; e < N; e++) {
      const o = Array.from(out.observations.slice(e * O, (e + 1) * O));
      expect(out.truncated[e]).toBe(restarted ? 1 : 0);
      if (restarted) {
        expect(o[6]).toBe(1); // a new episode: its first observation shows its goal
        // The episode's last observation (before the reset) hid the goal; its reward was the distance.
        const last = Array.from(out.finalObservations.slice(e * O, (e + 1) * O));
        expect(last.slice(4)).toEqual([0, 0, 0]);
        expect(out.rewards[e]).toBeCloseTo(-Math.hypot(last[0] - goals[e][0], last[1] - goals[e][1]), 5);
        goals[e] = [o[4], o[5]];
      } else {
        expect(o.slice(4)).toEqual([0, 0, 0]);
        expect(out.rewards[e]).toBeCloseTo(-Math.hypot(o[0] - goals[e][0], o[1] - goals[e][1]), 5);
      }
    }
    obs = out.observations;
  }
  await env.close();
  // The reference agrees: cue at t = 0 only.
  const ref = def.reference!;
  const s0 = ref.reset([0.1, 0.9, 0.3, 0.7], def.params);
  expect(ref.obs(s0, def.params).slice(4)).toEqual([s0[4], s0[5], 1]);
  expect(ref.obs(ref.step(s0, [1, -1], def.params).state, def.params).slice(4)).toEqual([0, 0, 0]);
});

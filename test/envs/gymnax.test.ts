/**
 * Every environment that reproduces a gymnax task against transitions recorded from gymnax
 * (float64): the float64 reference to 1e-9, the GPU step to float32 tolerance. Reads every *.json
 * in PATHWISE_GYMNAX_REFERENCE (default ../shared/reference/gymnax).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getEnv } from '../../src/envs/registry.js';
import { stateDim } from '../../src/envs/types.js';
import { gpu } from '../helpers/gpu.js';
import { firstMismatch, stepFrom } from './harness.js';

interface Transition {
  state: number[];
  action: number | number[];
  next_state: number[];
  next_obs: number[];
  reward: number;
  done: boolean;
}

interface Recording {
  env: string;
  state_fields: string[];
  params: Record<string, number | string>;
  transitions: Transition[];
}

/** Our env for each gymnax task, and how its discrete actions map onto our continuous ones. */
const mapping: Record<string, { env: string; action: (a: number | number[]) => number[] }> = {
  'Pendulum-v1': { env: 'pendulum', action: (a) => (Array.isArray(a) ? a : [a]) },
  'MountainCarContinuous-v0': { env: 'mountain-car', action: (a) => (Array.isArray(a) ? a : [a]) },
  // CartPole-v1: 0 pushes left, 1 right, with force 10: our force is a in [-1, 1] times 10 N.
  'CartPole-v1': { env: 'cartpole', action: (a) => [a === 1 ? 1 : -1] },
  // Acrobot-v1: torque -1 / 0 / +1 for actions 0 / 1 / 2; ours is the torque in [-1, 1].
  'Acrobot-v1': { env: 'acrobot', action: (a) => [(a as number) - 1] },
};

const folder = resolve(process.env.PATHWISE_GYMNAX_REFERENCE ?? join(__dirname, '../../../shared/reference/gymnax'));
const recordings: Recording[] = readdirSync(folder)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')) as Recording);

describe('gymnax reference transitions', () => {
  it(`found recordings in ${folder}`, () => {
    expect(recordings.length).toBeGreaterThanOrEqual(4);
  });

  for (const rec of recordings) {
    const map = mapping[rec.env];
    if (!map) throw new Error(`no pathwise environment is mapped to ${rec.env}`);
    const def = getEnv(map.env);
    const horizon = Number(rec.params.max_steps_in_episode);
    const s = stateDim(def);
    const physical = (st: number[]) => st.slice(0, s);

    it(`${rec.env}: float64 reference reproduces all ${rec.transitions.length} transitions to 1e-9`, () => {
      expect(rec.state_fields.slice(0, s)).toEqual([...def.stateFields]);
      for (const [i, t] of rec.transitions.entries()) {
        const r = def.reference!.step(physical(t.state), map.action(t.action), def.params);
        const done = r.terminated || t.state[s] + 1 >= horizon;
        const where = `${rec.env} transition ${i}`;
        expect(firstMismatch(r.state, physical(t.next_state), 1e-9, 1e-9), `${where} state`).toBeNull();
        expect(firstMismatch(def.reference!.obs(r.state, def.params), t.next_obs, 1e-9, 1e-9), `${where} obs`).toBeNull();
        expect(Math.abs(r.reward - t.reward), `${where} reward`).toBeLessThan(1e-9 * (1 + Math.abs(t.reward)));
        expect(done, `${where} done`).toBe(t.done);
      }
    });

    it(`${rec.env}: GPU step reproduces all transitions (float32 tolerance)`, async () => {
      const { ctx, cache } = await gpu();
      const ts = rec.transitions;
      const out = await stepFrom(ctx, cache, def, ts.map((t) => physical(t.state)), ts.map((t) => t.state[s]), ts.map((t) => map.action(t.action)), { horizon });
      const o = out.batch.obsWidth;
      const w = s + 7;
      for (const [i, t] of ts.entries()) {
        const where = `${rec.env} transition ${i}`;
        const done = out.stepOut[i * 3 + 1] + out.stepOut[i * 3 + 2] > 0;
        expect(done, `${where} done`).toBe(t.done);
        expect(firstMismatch([out.stepOut[i * 3]], [t.reward], 1e-4, 1e-5), `${where} reward`).toBeNull();
        expect(firstMismatch(out.nextObs.subarray(i * o, (i + 1) * o), t.next_obs, 1e-4, 1e-5), `${where} next obs`).toBeNull();
        if (!done) expect(firstMismatch(out.state.subarray(i * w, i * w + s), physical(t.next_state), 1e-4, 1e-5), `${where} state`).toBeNull();
      }
    });
  }
});

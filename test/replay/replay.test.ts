import { describe, expect, it } from 'vitest';
import { EnvBatch, recordWidth } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { ReplayBuffer } from '../../src/replay/buffer.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';
import { rng } from '../helpers/random.js';

describe('replay buffer', () => {
  async function setup(capacity: number) {
    const { ctx, cache } = await gpu();
    const clock = new Clock(ctx);
    const env = await new EnvBatch(ctx, getEnv('pendulum'), { envs: 5, agents: 2, seed: 3, clock }).build(cache);
    const actions = f32(ctx, 'normalized actions', [2 * 5, 1]);
    const replay = new ReplayBuffer(ctx, env, actions, clock, { capacity, seed: 7, stream: 6 });
    const [start, end] = await replay.inserts(cache);
    await runOnce(ctx, [env.resetDispatch]);
    return { ctx, cache, clock, env, actions, replay, start, end };
  }

  it('stores (obs, action, reward, terminated, next obs) in ring order, per agent, wrapping around', async () => {
    const { ctx, cache, clock, env, actions, replay, start, end } = await setup(13);
    const next = rng(5);
    const expected = new Map<string, number[]>(); // "agent/slot" -> record
    const steps = 4; // 4 x 5 = 20 inserts per agent into 13 slots: wraps
    for (let k = 0; k < steps; k++) {
      const a = Array.from({ length: 10 }, () => Math.fround(2 * next() - 1));
      actions.write(a);
      env.action.write(a);
      const [obs, envState] = await Promise.all([env.obs.read(), env.envState.read()]);
      await runOnce(ctx, [await clock.tick(cache), start, env.stepDispatch, end]);
      const [out, nextObs] = await Promise.all([env.stepOut.read(), env.nextObs.read()]);
      for (let agent = 0; agent < 2; agent++) {
        for (let i = 0; i < 5; i++) {
          const flat = agent * 5 + i;
          // ..., then the env's step within its episode, the clock at insertion and the env index.
          const time = envState[flat * recordWidth(env.def) + 2];
          const record = [...obs.subarray(flat * 3, flat * 3 + 3), a[flat], out[flat * 3], out[flat * 3 + 1], ...nextObs.subarray(flat * 3, flat * 3 + 3), time, k + 1, i];
          expected.set(`${agent}/${(k * 5 + i) % 13}`, record);
        }
      }
    }
    const storage = await replay.storage.read();
    const w = replay.layout.width;
    expect(w).toBe(3 + 1 + 2 + 3 + 3);
    for (const [key, record] of expected) {
      const [agent, slot] = key.split('/').map(Number);
      const base = (agent * 13 + slot) * w;
      expect(Array.from(storage.subarray(base, base + w)), key).toEqual(record.map(Math.fround));
    }
  });

  it('samples uniformly over the filled slots, copying the requested column segments', async () => {
    const { ctx, cache, clock, env, actions, replay, start, end } = await setup(40);
    actions.write(Array.from({ length: 10 }, (_, i) => i / 10));
    env.action.write(Array.from({ length: 10 }, (_, i) => i / 10));
    for (let k = 0; k < 3; k++) await runOnce(ctx, [await clock.tick(cache), start, env.stepDispatch, end]); // 15 of 40 slots
    const rows = 6000;
    const w = replay.layout.width;
    const batch = f32(ctx, 'batch', [2, rows, w + 3]);
    // The whole record at column 0, and the obs again at column w (as DDPG copies obs twice).
    const sample = await replay.sampler(cache, batch, rows, [{ src: 0, dst: 0, len: w }, { src: 0, dst: w, len: 3 }]);
    await runOnce(ctx, [sample]);
    const [b, storage] = await Promise.all([batch.read(), replay.storage.read()]);
    for (let agent = 0; agent < 2; agent++) {
      const counts = new Array(15).fill(0);
      for (let r = 0; r < rows; r++) {
        const row = b.subarray((agent * rows + r) * (w + 3), (agent * rows + r + 1) * (w + 3));
        const slot = [...Array(15).keys()].find((s) => storage.subarray((agent * 40 + s) * w, (agent * 40 + s + 1) * w).every((v, j) => v === row[j]));
        expect(slot, `agent ${agent} row ${r} is a stored record`).toBeDefined();
        expect(Array.from(row.subarray(w))).toEqual(Array.from(row.subarray(0, 3)));
        counts[slot!] += 1;
      }
      const p = 1 / 15;
      for (const c of counts) expect(Math.abs(c / rows - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / rows));
    }
  });

  it('refuses a capacity that does not fit the device, naming the setting and the maximum', async () => {
    const { ctx, cache } = await gpu();
    const clock = new Clock(ctx);
    const env = await new EnvBatch(ctx, getEnv('pendulum'), { envs: 4, seed: 1, clock }).build(cache);
    const actions = f32(ctx, 'a', [4, 1]);
    expect(() => new ReplayBuffer(ctx, env, actions, clock, { capacity: 1e9, seed: 1, stream: 1, field: '--buffer-size' })).toThrow(
      /--buffer-size: got 1000000000, expected an integer in \[1, \d+\]/,
    );
    expect(() => new ReplayBuffer(ctx, env, actions, clock, { capacity: 2, seed: 1, stream: 1, field: '--buffer-size' })).toThrow(/at least the number of envs \(4\)/);
  });
});

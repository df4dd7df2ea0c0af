/** Hindsight relabeling on the GPU against the stored episodes it reads from. */
import { describe, expect, it } from 'vitest';
import { EnvBatch } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { ReplayBuffer } from '../../src/replay/buffer.js';
import { type HerStrategy, herRelabelDispatch } from '../../src/replay/her.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';
import { rng } from '../helpers/random.js';

describe.each<HerStrategy>(['future', 'final'])('HER %s', (strategy) => {
  it('relabels with goals achieved later (or at the end) of the same episode and recomputes rewards', async () => {
    const { ctx, cache } = await gpu();
    const def = getEnv('point-mass-sparse');
    const envs = 3, steps = 120, horizon = def.horizon, k = 4; // 2 finished episodes and one running per env
    const clock = new Clock(ctx);
    const env = await new EnvBatch(ctx, def, { envs, seed: 11, clock }).build(cache);
    const actions = f32(ctx, 'actions', [envs, 2]);
    const replay = new ReplayBuffer(ctx, env, actions, clock, { capacity: envs * steps, seed: 3, stream: 6 });
    const [start, end] = await replay.inserts(cache);
    await runOnce(ctx, [env.resetDispatch]);
    const next = rng(9);
    for (let s = 0; s < steps; s++) {
      const a = Array.from({ length: envs * 2 }, () => 2 * next() - 1);
      actions.write(a);
      env.action.write(a);
      await runOnce(ctx, [await clock.tick(cache), start, env.stepDispatch, end]);
    }
    const L = replay.layout;
    const O = env.obsWidth, G = def.goalDim;
    const rows = 6000, width = L.width + 2;
    const batch = f32(ctx, 'batch', [1, rows, width]);
    const sample = await replay.sampler(cache, batch, rows, [{ src: 0, dst: 0, len: L.width }], 0, L.width);
    const relabel = await herRelabelDispatch(cache, replay, { strategy, k, seed: 11, stream: 12 }, {
      batch, rows, width, goalCols: [O - G, L.nextObs + O - G], rewardCol: L.reward, slotCol: L.width, flagCol: L.width + 1, draw: 0,
    });
    await runOnce(ctx, [sample]);
    const before = await batch.read();
    await runOnce(ctx, [relabel]);
    const [after, storage] = await Promise.all([batch.read(), replay.storage.read()]);
    const record = (slot: number) => storage.subarray(slot * L.width, (slot + 1) * L.width);
    const achieved = (r: ArrayLike<number>) => [r[L.nextObs + O], r[L.nextObs + O + 1]];
    const now = steps;
    let relabeled = 0;
    for (let r = 0; r < rows; r++) {
      const row = after.subarray(r * width, (r + 1) * width);
      const orig = before.subarray(r * width, (r + 1) * width);
      const slot = row[L.width];
      const own = record(slot);
      const [t, c, i] = [own[L.time], own[L.clock], own[L.env]];
      const goal = [row[O - G], row[O - G + 1]];
      if (row[L.width + 1] === 0) {
        expect(Array.from(row.subarray(0, L.width))).toEqual(Array.from(orig.subarray(0, L.width)));
        continue;
      }
      relabeled += 1;
      // The episode's later transitions that are stored: clocks c .. min(c + horizon - 1 - t, now).
      const last = Math.min(c + horizon - 1 - t, now);
      const slotAt = (clockValue: number) => ((clockValue - 1) * envs + i) % replay.capacity;
      const candidates = Array.from({ length: last - c + 1 }, (_, d) => achieved(record(slotAt(c + d))));
      if (strategy === 'final') {
        expect(goal).toEqual(candidates[candidates.length - 1]);
      } else {
        expect(candidates.some((g) => g[0] === goal[0] && g[1] === goal[1]), `row ${r}: goal from a later step of the same episode`).toBe(true);
      }
      expect([row[L.nextObs + O - G], row[L.nextObs + O - G + 1]]).toEqual(goal); // next obs relabeled too
      expect(row[L.reward] + 0).toBe(def.reference!.goalReward!(achieved(own), goal, def.params) + 0); // + 0: -0 == 0
      expect(record(slotAt(c))[L.env]).toBe(i);
    }
    // Relabeled fraction k / (1 + k) = 0.8 within 4 standard errors.
    const p = k / (1 + k);
    expect(Math.abs(relabeled / rows - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / rows));
  });
});

it('HER with a non-goal env is refused naming the goal envs', async () => {
  const { ctx, cache } = await gpu();
  const clock = new Clock(ctx);
  const env = await new EnvBatch(ctx, getEnv('pendulum'), { envs: 2, seed: 1, clock }).build(cache);
  const replay = new ReplayBuffer(ctx, env, env.action, clock, { capacity: 4, seed: 1, stream: 6 });
  await expect(herRelabelDispatch(cache, replay, { strategy: 'future', k: 4, seed: 1, stream: 12 }, {} as never)).rejects.toThrow(/--her: .*HER needs a goal environment/);
});

/**
 * The recurrent RWR / REPS path (src/algos/weightedFitRecurrent.ts): layer collection stores each
 * step's time within its episode (REPS's features) as the segment row program does - 0 at an
 * episode's first step, one more at every later one; and recurrent settings are refused by name
 * before any GPU work. (The weighted -log pi kernel: test/algos/sampleLosses.test.ts; training,
 * reproduction and checkpoints: test/algos/algorithms.test.ts.)
 */
import { expect, it } from 'vitest';
import { collectByLayers } from '../../src/algos/common/layerCollect.js';
import { npgNetworks } from '../../src/algos/common/naturalGradient.js';
import { onPolicySegment } from '../../src/algos/common/segmentRows.js';
import { Reps, repsConfig } from '../../src/algos/reps.js';
import { Rwr, rwrConfig } from '../../src/algos/rwr.js';
import { EnvBatch } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';

it('layer collection stores each step\'s time within its episode (0 where an episode began)', async () => {
  const { ctx, cache } = await gpu();
  const clock = new Clock(ctx);
  const N = 8, T = 60, agents = 2;
  const env = await new EnvBatch(ctx, getEnv('cartpole'), { envs: N, agents, seed: 3, clock }).build(cache);
  const config = repsConfig({ policyHidden: [8], valueHidden: [8], segment: T });
  const { policy, value } = npgNetworks(ctx, env, config, 5);
  const segment = onPolicySegment(ctx, 'segment', env, T);
  const steps = await collectByLayers({ ctx, cache, env, clock, seed: 5, policy, value, T, segment, recurrent: null, label: 'test', time: true });
  await runOnce(ctx, [env.resetDispatch, ...steps.flat()]);
  const data = await segment.tensor.read();
  const W = segment.width, at = (a: number, n: number, t: number, c: string) => data[((a * N + n) * T + t) * W + segment.col(c as 'time')];
  let restarts = 0;
  for (let a = 0; a < agents; a++) for (let n = 0; n < N; n++) {
    expect(at(a, n, 0, 'time')).toBe(0);
    for (let t = 0; t + 1 < T; t++) {
      const ended = at(a, n, t, 'terminated') === 1 || at(a, n, t, 'truncated') === 1;
      if (ended) restarts++;
      expect(at(a, n, t + 1, 'time'), `agent ${a} env ${n} step ${t + 1}`).toBe(ended ? 0 : at(a, n, t, 'time') + 1);
    }
  }
  expect(restarts).toBeGreaterThan(4); // random cartpole episodes last about 20 steps
});

it('refuses a truncation beyond the segment for recurrent RWR and REPS, by name', () => {
  const run = { env: 'cartpole', envs: 8, agents: 1, sensors: 'positions', obsNoise: 0, sysid: 0 };
  const def = getEnv('cartpole');
  expect(() => Rwr.check(run, def, rwrConfig({ recurrent: 'gru', segment: 16, truncation: 17 }))).toThrow(/--truncation.*at most the segment length 16/);
  expect(() => Reps.check(run, def, repsConfig({ recurrent: 'lstm', segment: 16, truncation: 17 }))).toThrow(/--truncation.*at most the segment length 16/);
  expect(() => Reps.check(run, def, repsConfig({ recurrent: 'lstm', segment: 16, truncation: 16 }))).not.toThrow();
});

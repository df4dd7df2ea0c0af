/** K env steps in one dispatch (the envs suite's K-step program) are K single steps, bit for bit. */
import { expect, it } from 'vitest';
import { EnvBatch } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { Recorder, runOnce } from '../../src/gpu/recorder.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray } from '../helpers/random.js';

it.each(['pendulum', 'acrobot', 'point-mass'])('%s: 7 steps per dispatch equal 7 dispatches of one step, through episode ends', async (name) => {
  const { ctx, cache } = await gpu();
  const def = getEnv(name);
  const batches = await Promise.all([0, 1].map(() => new EnvBatch(ctx, def, { envs: 37, seed: 5, clock: new Clock(ctx), horizon: 11 }).build(cache)));
  const actions = randomArray(37 * def.actionLow.length, 3, -1, 1);
  for (const b of batches) {
    b.action.write(actions);
    await runOnce(ctx, [b.resetDispatch]);
  }
  await new Recorder(ctx, 'single').add(batches[0].stepDispatch).run(7 * 3);
  await new Recorder(ctx, 'many').add(await batches[1].stepsDispatch(cache, 7)).run(3);
  for (const t of ['envState', 'obs', 'nextObs', 'stepOut', 'epStats'] as const) {
    expect(Array.from(await batches[1][t].read()), t).toEqual(Array.from(await batches[0][t].read()));
  }
});

/** Helpers that load states into an EnvBatch and read back what one step did. */
import type { GpuContext } from '../../src/gpu/context.js';
import type { PipelineCache } from '../../src/gpu/kernel.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { EnvBatch, type EnvBatchOptions, recordWidth } from '../../src/envs/batch.js';
import type { EnvDefinition } from '../../src/envs/types.js';
import { stateDim } from '../../src/envs/types.js';
import { Clock } from '../../src/rng/clock.js';

export interface StepOutcome {
  state: Float32Array;
  obs: Float32Array;
  nextObs: Float32Array;
  stepOut: Float32Array;
  batch: EnvBatch;
}

/** Builds a batch with one env per given state (and time), steps it once with `actions`. */
export async function stepFrom(
  ctx: GpuContext,
  cache: PipelineCache,
  def: EnvDefinition,
  states: number[][],
  times: number[],
  actions: number[][],
  options: Partial<EnvBatchOptions> = {},
): Promise<StepOutcome> {
  const n = states.length;
  const batch = await new EnvBatch(ctx, def, { envs: n, seed: 1, clock: new Clock(ctx), ...options }).build(cache);
  await runOnce(ctx, [batch.resetDispatch]);
  const w = recordWidth(def);
  const s = stateDim(def);
  const record = new Float32Array(n * w);
  states.forEach((st, i) => {
    st.forEach((v, k) => (record[i * w + k] = v));
    record[i * w + s] = times[i];
    for (let f = 0; f < 4; f++) record[i * w + s + 3 + f] = 1;
  });
  batch.envState.write(record);
  batch.action.write(actions.flat());
  await runOnce(ctx, [batch.stepDispatch]);
  const [state, obs, nextObs, stepOut] = await Promise.all([batch.envState.read(), batch.obs.read(), batch.nextObs.read(), batch.stepOut.read()]);
  return { state, obs, nextObs, stepOut, batch };
}

/** |a - b| <= rel * |b| + abs, elementwise; returns the first violation or null. */
export function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, abs: number): string | null {
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= rel * Math.abs(want[i]) + abs)) return `index ${i}: got ${got[i]}, want ${want[i]}`;
  }
  return null;
}

/**
 * Acting for the off-policy stochastic-policy methods (SVG(0), SVG(1)): a sample of the policy
 * (uniform actions during warm-up), the env step, and the transition into a replay buffer.
 */
import type { EnvBatch } from '../../envs/batch.js';
import type { Dispatch, PipelineCache } from '../../gpu/kernel.js';
import { f32, type Tensor } from '../../gpu/tensor.js';
import { ReplayBuffer } from '../../replay/buffer.js';
import type { Clock } from '../../rng/clock.js';
import { Stream } from '../../rng/philox.js';
import type { StochasticPolicy } from './policy.js';

/** The replay buffer of `--buffer-size` transitions per agent and the actions it stores (normalized, [-1, 1]). */
export function stochasticReplay(env: EnvBatch, clock: Clock, o: { seed: number; bufferSize: number; label: string }): { replay: ReplayBuffer; action: Tensor<'f32'> } {
  const action = f32(env.ctx, `${o.label}.action`, [env.agents * env.envs, env.actionDim]);
  const replay = new ReplayBuffer(env.ctx, env, action, clock, { capacity: o.bufferSize, seed: o.seed, stream: Stream.replay, field: '--buffer-size' });
  return { replay, action };
}

export async function replayActing(
  cache: PipelineCache,
  env: EnvBatch,
  clock: Clock,
  policy: StochasticPolicy,
  o: { seed: number; warmup: number; bufferSize: number; label: string },
): Promise<{ act: Dispatch[]; replay: ReplayBuffer }> {
  const { replay, action } = stochasticReplay(env, clock, o);
  const actor = await policy.acting(cache, env, clock, { seed: o.seed, action, warmup: o.warmup });
  const [insertStart, insertEnd] = await replay.inserts(cache);
  return { act: [await clock.tick(cache), ...(await actor.step()), insertStart, env.stepDispatch, insertEnd], replay };
}

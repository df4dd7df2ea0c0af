/**
 * Acting with a deterministic policy: the one loop that evaluation (src/run/evaluate.ts), the
 * demo's "Watch policy" and the tests use, whatever algorithm trained the policy.
 */
import type { EnvBatch } from '../../envs/batch.js';
import type { Dispatch, PipelineCache } from '../../gpu/kernel.js';
import { f32 } from '../../gpu/tensor.js';
import type { MatrixView } from '../../gpu/view.js';
import type { Mlp } from '../../nn/mlp.js';
import type { Clock } from '../../rng/clock.js';
import type { DeterministicPolicy } from './algorithm.js';
import { toEnv } from './explore.js';

/** a = net(s) for a network whose output is the normalized action (DDPG's actor, CEM's mean). */
export async function networkPolicy(cache: PipelineCache, net: Mlp, input: MatrixView, label = `${net.label} (eval)`): Promise<DeterministicPolicy> {
  const b = net.bind(cache, input, { label });
  return { forward: await b.forward(), input, output: b.output, release: () => b.destroy() };
}

export interface DeterministicActing {
  /** One env step: clock tick, a stateful policy's episode resets, its forward pass, its actions onto the env's bounds, the env step. */
  step: Dispatch[];
  /** Frees what acting allocated, the policy's buffers included. */
  release(): void;
}

/**
 * The step of `env` under `policy` (built on `env.obsView`), with no exploration noise; with
 * `randomSteps` > 0, uniformly random actions while the clock is below it (a random policy's
 * baseline when it covers the whole horizon).
 */
export async function deterministicActing(cache: PipelineCache, env: EnvBatch, clock: Clock, policy: DeterministicPolicy, o: { seed: number; randomSteps?: number }): Promise<DeterministicActing> {
  const action = f32(env.ctx, 'acting action', [env.agents * env.envs, env.actionDim]);
  const bounds = toEnv(cache, env, clock, { action, seed: o.seed, warmup: o.randomSteps, label: 'acting' });
  return {
    // A policy with a state starts it from zeros where an episode began (episodes run back to back here).
    step: [await clock.tick(cache), ...(policy.episodeResets ? await policy.episodeResets(cache, env) : []), ...policy.forward, await bounds.dispatch(policy.output), env.stepDispatch],
    release: () => {
      policy.release();
      bounds.release();
      action.destroy();
    },
  };
}

/** Exploration and target-smoothing dispatches (shaders/rl/explore.wgsl). */
import { ConfigError } from '../../errors.js';
import type { EnvBatch } from '../../envs/batch.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../../gpu/kernel.js';
import { type ShaderSource, withRngAndViews } from '../../gpu/shaders.js';
import exploreWgsl from '../../../shaders/rl/explore.wgsl?raw';
import { f32, type Tensor } from '../../gpu/tensor.js';
import { uniform } from '../../gpu/uniform.js';
import type { MatrixView } from '../../gpu/view.js';
import type { Clock } from '../../rng/clock.js';
import { Stream } from '../../rng/philox.js';

const EXPLORE: ShaderSource = withRngAndViews('rl/explore.wgsl', exploreWgsl);

export type NoiseKind = 'none' | 'gaussian' | 'ou';
export const NOISE_KINDS: readonly NoiseKind[] = ['gaussian', 'ou', 'none'];
const NOISE_ID: Record<NoiseKind, number> = { none: 0, gaussian: 1, ou: 2 };

export interface ExploreOptions {
  noise: NoiseKind;
  /** Noise scale in normalized action units ([-1, 1] spans the action range). */
  sigma: number;
  ouTheta: number;
  ouDt: number;
  /** Env steps (clock values) with uniformly random actions. */
  warmup: number;
  seed: number;
  stream: number;
}

/**
 * Actions from a deterministic policy's output (normalized, [-1, 1]) with exploration noise:
 * writes `action` (normalized, for the replay buffer) and the env's action buffer (its bounds).
 */
export function exploreDispatch(
  cache: PipelineCache,
  env: EnvBatch,
  policy: MatrixView,
  action: Tensor<'f32'>,
  ouState: Tensor<'f32'>,
  clock: Clock,
  o: ExploreOptions,
  label = 'explore',
): Promise<Dispatch> {
  const a = env.actionDim;
  if (a > 16) throw new ConfigError(`${env.def.name} action size`, a, 'at most 16');
  const u = uniform()
    .u32(env.envs).u32(a).u32(o.seed).u32(o.stream)
    .u32(o.warmup).u32(NOISE_ID[o.noise]).f32(o.sigma).f32(o.ouTheta)
    .f32(o.ouDt).u32(0).u32(0).u32(0)
    .view(policy);
  for (const bound of [env.def.actionLow, env.def.actionHigh]) for (let i = 0; i < 16; i++) u.f32(bound[i] ?? 0);
  return makeDispatch(
    cache,
    { shader: EXPLORE, entryPoint: 'explore' },
    { 0: u.build(cache.ctx, label), 1: policy.tensor, 2: action, 3: env.action, 4: clock.tensor, 5: ouState },
    [Math.ceil(env.envs / 64), env.agents],
    label,
  );
}

/** TD3 target policy smoothing, in place on the target actions of a minibatch. */
export function smoothTargetDispatch(
  cache: PipelineCache,
  actions: MatrixView,
  clock: Clock,
  o: { sigma: number; clip: number; seed: number; stream: number; draw: number },
): Promise<Dispatch> {
  const u = uniform().u32(actions.rows).u32(actions.cols).u32(o.seed).u32(o.stream).f32(o.sigma).f32(o.clip).u32(o.draw).u32(0).view(actions);
  return makeDispatch(
    cache,
    { shader: EXPLORE, entryPoint: 'smooth_target' },
    { 4: clock.tensor, 6: u.build(cache.ctx, 'smooth target'), 7: actions.tensor },
    [Math.ceil(actions.rows / 64), actions.agents],
    'smooth target',
  );
}

/** Maps normalized actions onto an env's bounds with no added noise (see `toEnv`). */
export interface ToEnv {
  /** The dispatch for actions read from `actions` (a policy's sample or mode). */
  dispatch(actions: MatrixView): Promise<Dispatch>;
  /** Frees the buffer the dispatches share. */
  release(): void;
}

/**
 * Normalized actions onto the env's bounds with no added noise: clipped to [-1, 1] into `action`
 * (what a replay buffer stores) and mapped onto the env's action buffer; uniformly random actions
 * while the clock is below `warmup`. Its dispatches share one (unused) noise-state buffer.
 */
export function toEnv(cache: PipelineCache, env: EnvBatch, clock: Clock, o: { action: Tensor<'f32'>; seed: number; warmup?: number; label?: string }): ToEnv {
  const unusedOu = f32(cache.ctx, `${o.label ?? 'to env'} ou (unused)`, [env.agents * env.envs, env.actionDim]);
  return {
    dispatch: (actions) =>
      exploreDispatch(cache, env, actions, o.action, unusedOu, clock, {
        noise: 'none', sigma: 0, ouTheta: 0, ouDt: 1, warmup: o.warmup ?? 0, seed: o.seed, stream: Stream.explore,
      }),
    release: () => unusedOu.destroy(),
  };
}

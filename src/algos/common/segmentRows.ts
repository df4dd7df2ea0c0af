/**
 * On-policy segment collection as a row program (shaders/fused/segment.wgsl): T env steps of
 * every env in one dispatch - the policy's forward pass, an unsquashed Gaussian sample and its
 * log-probability, V(s), the env step, V(s') - where one dispatch per layer and step would take
 * about 10 per env step. The segment's layout is shared by the on-policy methods (PPO).
 */
import type { EnvBatch } from '../../envs/batch.js';
import { ConfigError } from '../../errors.js';
import type { GpuContext } from '../../gpu/context.js';
import type { Dispatch, PipelineCache } from '../../gpu/kernel.js';
import type { ShaderSource } from '../../gpu/shaders.js';
import { uniform } from '../../gpu/uniform.js';
import type { Mlp } from '../../nn/mlp.js';
import type { Clock } from '../../rng/clock.js';
import { Stream } from '../../rng/philox.js';
import type { GaussianPolicy } from './gaussianPolicy.js';
import { Trajectories } from './minibatch.js';
import { type ClockSlots, boundsAndShapes, rowDispatch, rowModule, rowsUnsupportedOn } from './rowProgram.js';
import gaussianRowWgsl from '../../../shaders/fused/gaussian_row.wgsl?raw';
import segmentWgsl from '../../../shaders/fused/segment.wgsl?raw';

/** A step's record: what collection writes, then what rl/returns.wgsl's gae computes. */
export type OnPolicyColumn = 'obs' | 'x' | 'logp' | 'value' | 'reward' | 'terminated' | 'truncated' | 'nextValue' | 'time' | 'adv' | 'ret';

/** The log-std range of the policy's Gaussian (sample/gaussian.wgsl's clamp). */
export const LOG_STD_RANGE = [-20, 2] as const;

/** Storage buffers the collection kernel binds: five of the env's, the clock, two networks, the segment. */
const STORAGE_BUFFERS = 9;

/** The segment of T steps of every env, [agents, N, T, width]. */
export function onPolicySegment(ctx: GpuContext, label: string, env: EnvBatch, steps: number): Trajectories<OnPolicyColumn> {
  return new Trajectories(ctx, label, env.agents, env.envs, steps, {
    obs: env.obsWidth, x: env.actionDim, logp: 1, value: 1, reward: 1, terminated: 1, truncated: 1, nextValue: 1, time: 1, adv: 1, ret: 1,
  });
}

/** Why segments of `steps` steps with these networks cannot be collected as a row program here, or null. */
export function segmentRowsUnsupported(limits: GPUSupportedLimits, env: EnvBatch, steps: number, nets: readonly Mlp[]): string | null {
  const why = rowsUnsupportedOn(limits, STORAGE_BUFFERS, nets);
  if (why) return why;
  const width = env.obsWidth + env.actionDim + 9;
  const bytes = env.agents * env.envs * steps * width * 4;
  if (bytes > limits.maxStorageBufferBindingSize) return `a segment of ${bytes} bytes (more than maxStorageBufferBindingSize = ${limits.maxStorageBufferBindingSize}: fewer envs or a shorter --segment)`;
  return null;
}

export interface SegmentRowParts {
  env: EnvBatch;
  clock: Clock;
  seed: number;
  policy: GaussianPolicy;
  value: Mlp;
  segment: Trajectories<OnPolicyColumn>;
}

export class SegmentRows {
  private readonly shader: ShaderSource;

  constructor(
    readonly cache: PipelineCache,
    readonly p: SegmentRowParts,
  ) {
    if (p.policy.squash) throw new ConfigError('segment policy', 'squashed', 'an unsquashed Gaussian (x = mu + sigma z, clipped by the env)');
    const why = segmentRowsUnsupported(cache.ctx.limits, p.env, p.segment.steps, [p.policy.net, p.value]);
    if (why) throw new ConfigError('--segment', p.segment.steps, `a segment the device can hold as a row program: ${why}`);
    this.shader = rowModule(p.env, {
      kernel: { path: 'fused/segment.wgsl', code: segmentWgsl },
      libraries: [{ path: 'fused/gaussian_row.wgsl', code: gaussianRowWgsl }],
      nets: [p.policy.net, p.value],
      weights: [{ name: 'policy', binding: 17 }, { name: 'value_net', binding: 18 }],
    });
  }

  /** collect: the whole segment; reads the step count from `slots.read` and moves it to the other slot. */
  collect(slots: ClockSlots): Promise<Dispatch> {
    const { env, segment: seg, policy, value } = this.p;
    const write = 1 - slots.read;
    const u = uniform()
      .u32(env.envs).u32(seg.steps).u32(this.p.seed).u32(Stream.explore)
      .u32(slots.read).u32(write).u32(seg.width).u32(seg.col('x'))
      .u32(seg.col('logp')).u32(seg.col('value')).u32(seg.col('reward')).u32(seg.col('nextValue'))
      .f32(LOG_STD_RANGE[0]).f32(LOG_STD_RANGE[1]).u32(seg.col('time')).u32(0);
    boundsAndShapes(u, env, [policy.net, value]);
    slots.read = write;
    return rowDispatch(this.cache, this.shader, 'collect', {
      0: env.physicsParams, 1: env.driverParams, 2: env.envState, 3: env.obs, 4: env.nextObs, 6: env.stepOut, 7: env.epStats, 8: this.p.clock.tensor,
      16: u.build(this.cache.ctx, 'segment collect'), 17: policy.net.params, 18: value.params, 21: seg.tensor,
    }, { rows: env.envs, agents: env.agents }, 'collect segment (rows)');
  }
}

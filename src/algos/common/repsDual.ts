/**
 * REPS's dual on the GPU (shaders/rl/reps.wgsl): one dispatch per update minimizes the dual over
 * (eta, v) for every agent, warm-started from the last update's values (kept here, checkpointed),
 * and writes the weights exp((delta - max delta) / eta) of the weighted fit into the segment.
 */
import type { EnvBatch } from '../../envs/batch.js';
import { ConfigError } from '../../errors.js';
import { type Dispatch, type PipelineCache, makeDispatch } from '../../gpu/kernel.js';
import { type ShaderSource, withReduce } from '../../gpu/shaders.js';
import { f32, type Tensor } from '../../gpu/tensor.js';
import { uniform } from '../../gpu/uniform.js';
import type { Trajectories } from './minibatch.js';
import type { OnPolicyColumn } from './segmentRows.js';
import repsWgsl from '../../../shaders/rl/reps.wgsl?raw';

const REPS: ShaderSource = withReduce('rl/reps.wgsl', [], repsWgsl);
/** rl/reps.wgsl's MAX_FEATURES: features 2 O + 4 per observation width O. */
const MAX_FEATURES = 64;
/** rllab's initial temperature. */
const INITIAL_ETA = 15;

export interface RepsSettings {
  epsilon: number;
  dualSteps: number;
  dualLr: number;
}

/** Where the dual's metrics go: slots of a metrics table of `width` floats per agent. */
export interface RepsSlots {
  width: number;
  eta: number;
  kl: number;
  dualBefore: number;
  dualAfter: number;
}

export function repsFeatures(obsWidth: number): number {
  return 2 * obsWidth + 4;
}

export class RepsDual {
  /** Per agent: eta, then v (one per feature). */
  readonly state: Tensor<'f32'>;
  /** Per agent and record: the standardized feature differences. */
  readonly feats: Tensor<'f32'>;
  readonly features: number;

  constructor(
    readonly cache: PipelineCache,
    readonly env: EnvBatch,
    readonly segment: Trajectories<OnPolicyColumn>,
  ) {
    this.features = repsFeatures(env.obsWidth);
    if (this.features > MAX_FEATURES) throw new ConfigError('--env', env.def.name, `an observation of at most ${(MAX_FEATURES - 4) / 2} values for REPS's features (it has ${env.obsWidth})`);
    const agents = env.agents;
    this.state = f32(cache.ctx, 'reps.dual', [agents, 1 + this.features], Array.from({ length: agents }, () => [INITIAL_ETA, ...new Array<number>(this.features).fill(0)]).flat());
    this.feats = f32(cache.ctx, 'reps.features', [agents, segment.rows, this.features]);
  }

  dispatch(settings: RepsSettings, metrics: Tensor<'f32'>, slots: RepsSlots): Promise<Dispatch> {
    const seg = this.segment;
    const u = uniform()
      .u32(seg.rows).u32(seg.steps).u32(seg.width).u32(this.env.obsWidth)
      .u32(seg.col('reward')).u32(seg.col('time')).u32(seg.col('adv')).u32(this.features)
      .f32(settings.epsilon).f32(settings.dualLr).u32(settings.dualSteps).u32(slots.width)
      .u32(slots.eta).u32(slots.kl).u32(slots.dualBefore).u32(slots.dualAfter)
      .build(this.cache.ctx, 'reps dual');
    return makeDispatch(this.cache, { shader: REPS, entryPoint: 'reps_dual' }, { 0: u, 1: seg.tensor, 2: this.feats, 3: this.state, 4: metrics }, [this.env.agents], 'reps dual');
  }
}

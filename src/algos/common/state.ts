/**
 * What a checkpoint saves of an algorithm: every tensor a resumed run needs, by a stable name.
 * One builder for all algorithms, so names never drift between them: `<net>.params`,
 * `<net>.adam.{m,v,state}`, `env.{state,obs,ep_stats}`, `replay.storage`, `clock`, `metrics`.
 */
import type { EnvBatch } from '../../envs/batch.js';
import type { Tensor } from '../../gpu/tensor.js';
import type { Adam } from '../../nn/adam.js';
import type { Mlp } from '../../nn/mlp.js';
import type { ReplayBuffer } from '../../replay/buffer.js';
import type { Clock } from '../../rng/clock.js';

export interface TrainingStateParts {
  /** Networks by name: `<name>.params`. */
  networks: Readonly<Record<string, Mlp>>;
  /** Optimizers by the name of the network they step: `<name>.adam.{m,v,state}`. */
  optimizers?: Readonly<Record<string, Adam>>;
  env: EnvBatch;
  replay?: ReplayBuffer;
  clock: Clock;
  /** The metrics table's sums (so a resumed run reports exactly what the straight one did). */
  metrics?: Tensor;
  /** Algorithm-specific tensors by their own names (noise processes, temperatures, statistics). */
  other?: Readonly<Record<string, Tensor>>;
}

/** An optimizer's tensors by checkpoint name: `<prefix>.adam.{m,v,state}`. */
export function adamState(prefix: string, opt: Adam): Record<string, Tensor> {
  return { [`${prefix}.adam.m`]: opt.m, [`${prefix}.adam.v`]: opt.v, [`${prefix}.adam.state`]: opt.state };
}

export function trainingState(p: TrainingStateParts): Record<string, Tensor> {
  return {
    ...Object.fromEntries(Object.entries(p.networks).map(([name, net]) => [`${name}.params`, net.params])),
    ...Object.assign({}, ...Object.entries(p.optimizers ?? {}).map(([name, opt]) => adamState(name, opt))),
    'env.state': p.env.envState,
    'env.obs': p.env.obs,
    'env.ep_stats': p.env.epStats,
    ...(p.replay ? { 'replay.storage': p.replay.storage } : {}),
    ...p.other,
    clock: p.clock.tensor,
    ...(p.metrics ? { metrics: p.metrics } : {}),
  };
}

/**
 * WGSL sources. Each file under shaders/ is imported as a string with Vite's `?raw` suffix, which
 * works the same in the Vite browser bundle, in vitest, and in the Node build (also made by
 * Vite), so the WGSL stays plain WGSL files with no string assembly and no file-system access.
 *
 * WGSL has no #include: a shader that draws random numbers is the rng library (and the view
 * helpers) followed by the kernel file. Error line numbers refer to the concatenation; the path says so.
 */
import rng from '../../shaders/common/rng.wgsl?raw';
import rngFill from '../../shaders/common/rng_fill.wgsl?raw';
import view from '../../shaders/common/view.wgsl?raw';
import clock from '../../shaders/common/clock.wgsl?raw';
import dual from '../../shaders/common/dual.wgsl?raw';
import reduceTree from '../../shaders/common/reduce_tree.wgsl?raw';
import reduceSubgroup from '../../shaders/common/reduce_subgroup.wgsl?raw';
import envDriver from '../../shaders/envs/driver.wgsl?raw';
import envDriverVjp from '../../shaders/envs/driver_vjp.wgsl?raw';
import envDriverHer from '../../shaders/envs/driver_her.wgsl?raw';
import linear from '../../shaders/nn/linear.wgsl?raw';
import loss from '../../shaders/nn/loss.wgsl?raw';
import adam from '../../shaders/nn/adam.wgsl?raw';
import polyak from '../../shaders/nn/polyak.wgsl?raw';
import gaussian from '../../shaders/sample/gaussian.wgsl?raw';
import categorical from '../../shaders/sample/categorical.wgsl?raw';
import bernoulli from '../../shaders/sample/bernoulli.wgsl?raw';
import replay from '../../shaders/replay/replay.wgsl?raw';
import explore from '../../shaders/rl/explore.wgsl?raw';
import criticLosses from '../../shaders/rl/critic_losses.wgsl?raw';
import temperature from '../../shaders/rl/temperature.wgsl?raw';
import returns from '../../shaders/rl/returns.wgsl?raw';
import cem from '../../shaders/rl/cem.wgsl?raw';
import scgOps from '../../shaders/scg/ops.wgsl?raw';
import envRollout from '../../shaders/envs/rollout.wgsl?raw';

export interface ShaderSource {
  /** Path under shaders/ (with any prepended libraries), used as cache key and in errors. */
  path: string;
  code: string;
  /** The same kernels with subgroup operations, used where the adapter has 'subgroups'. */
  subgroups?: ShaderSource;
}

/**
 * A kernel file that reduces over its workgroup with workgroup_sum: the portable shared-memory
 * tree, plus a variant with subgroup operations for adapters that have them.
 */
function withReduce(path: string, libraries: string[], code: string): ShaderSource {
  const libs = libraries.join('\n');
  return {
    path: `${path} (with common/reduce_tree.wgsl)`,
    code: `${libs}\n${reduceTree}\n${code}`,
    subgroups: { path: `${path} (with common/reduce_subgroup.wgsl)`, code: `enable subgroups;\n${libs}\n${reduceSubgroup}\n${code}` },
  };
}

function withRng(path: string, code: string): ShaderSource {
  return { path: `${path} (after common/rng.wgsl)`, code: `${rng}\n${code}` };
}

function withRngAndViews(path: string, code: string): ShaderSource {
  return { path: `${path} (after common/rng.wgsl, common/view.wgsl)`, code: `${rng}\n${view}\n${code}` };
}

export const shaders = {
  rngFill: withRng('common/rng_fill.wgsl', rngFill),
  clock: { path: 'common/clock.wgsl', code: clock },
  linear: { path: 'nn/linear.wgsl', code: linear },
  loss: withReduce('nn/loss.wgsl', [], loss),
  adam: withReduce('nn/adam.wgsl', [], adam),
  polyak: { path: 'nn/polyak.wgsl', code: polyak },
  gaussian: withRngAndViews('sample/gaussian.wgsl', gaussian),
  categorical: withRngAndViews('sample/categorical.wgsl', categorical),
  bernoulli: withRngAndViews('sample/bernoulli.wgsl', bernoulli),
  replay: withRng('replay/replay.wgsl', replay),
  explore: withRngAndViews('rl/explore.wgsl', explore),
  criticLosses: withReduce('rl/critic_losses.wgsl', [], criticLosses),
  temperature: withReduce('rl/temperature.wgsl', [], temperature),
  returns: withReduce('rl/returns.wgsl', [], returns),
  cem: withRng('rl/cem.wgsl', cem),
  scgOps: withReduce('scg/ops.wgsl', [view], scgOps),
} satisfies Record<string, ShaderSource>;

/**
 * The program of one environment: rng and dual-number libraries, the env file, the batched
 * driver (reset, step, statistics) and, for differentiable envs, the VJP entry point.
 */
export function environmentShader(env: ShaderSource, differentiable: boolean, goals = false): ShaderSource {
  const extras = [differentiable ? 'envs/driver_vjp' : '', goals ? 'envs/driver_her' : ''].filter(Boolean);
  const path = `${env.path} (with common/rng, common/dual, envs/driver${extras.map((e) => `, ${e}`).join('')})`;
  return withReduce(path, [rng, dual], [env.code, envDriver, differentiable ? envDriverVjp : '', goals ? envDriverHer : ''].join('\n'));
}

/** An unrolled trajectory through a differentiable environment's true dynamics (envs/rollout.wgsl). */
export function rolloutShader(env: ShaderSource): ShaderSource {
  return { path: `${env.path} (with common/dual, common/view, envs/rollout)`, code: [dual, view, env.code, envRollout].join('\n') };
}

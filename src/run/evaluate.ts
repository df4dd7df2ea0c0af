/**
 * Evaluation of a deterministic policy: `episodes` fresh envs (per agent), one episode each, no
 * exploration noise; returns are read from the first-episode slots of the env statistics. The
 * same for uniformly random actions: the baseline a learned policy must beat.
 */
import { EnvBatch, type EnvBatchOptions, STATS_WIDTH } from '../envs/batch.js';
import { type EnvDefinition, actionDim } from '../envs/types.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import { Recorder, runOnce } from '../gpu/recorder.js';
import { f32 } from '../gpu/tensor.js';
import { type MatrixView, matrix } from '../gpu/view.js';
import { Clock } from '../rng/clock.js';
import { deterministicActing } from '../algos/common/acting.js';
import type { DeterministicPolicy } from '../algos/common/algorithm.js';
import type { RunConfig } from './config.js';

export interface EvalResult {
  episodes: number;
  return_mean: number;
  return_std: number;
  length_mean: number;
  success_rate: number;
  /** Per agent when several were trained together (agent a: the run of seed + a). */
  per_agent: { return_mean: number; return_std: number; success_rate: number }[];
}

export type EvalEnvOptions = Omit<EnvBatchOptions, 'envs' | 'clock'>;

export function evaluatePolicy(
  ctx: GpuContext,
  cache: PipelineCache,
  def: EnvDefinition,
  envOptions: EvalEnvOptions,
  episodes: number,
  makePolicy: (obs: MatrixView) => Promise<DeterministicPolicy>,
): Promise<EvalResult> {
  return evaluate(ctx, cache, def, envOptions, episodes, makePolicy, 0);
}

/** The same episodes with uniformly random actions. */
export function evaluateRandomPolicy(ctx: GpuContext, cache: PipelineCache, def: EnvDefinition, envOptions: EvalEnvOptions, episodes: number): Promise<EvalResult> {
  const zeros = async (obs: MatrixView): Promise<DeterministicPolicy> => {
    const output = matrix(f32(ctx, 'random policy (unused)', [obs.agents, obs.rows, actionDim(def)]), { agents: obs.agents, rows: obs.rows, cols: actionDim(def) });
    return { forward: [], input: obs, output, release: () => output.tensor.destroy() };
  };
  // Actions are uniform while the clock is below the warm-up: beyond the horizon here.
  return evaluate(ctx, cache, def, envOptions, episodes, zeros, 2 ** 30);
}

async function evaluate(
  ctx: GpuContext,
  cache: PipelineCache,
  def: EnvDefinition,
  envOptions: EvalEnvOptions,
  episodes: number,
  makePolicy: (obs: MatrixView) => Promise<DeterministicPolicy>,
  randomSteps: number,
): Promise<EvalResult> {
  const clock = new Clock(ctx, 'eval clock');
  const env = await new EnvBatch(ctx, def, { ...envOptions, envs: episodes, clock, label: `${def.name} (eval)` }).build(cache);
  const acting = await deterministicActing(cache, env, clock, await makePolicy(env.obsView), { seed: envOptions.seed, randomSteps });
  await runOnce(ctx, [env.resetDispatch]);
  // Every env finishes its first episode within the horizon (truncation at the latest).
  await new Recorder(ctx, 'evaluate').add(...acting.step).run(env.horizon);
  const stats = await env.epStats.read();
  acting.release();
  clock.tensor.destroy();
  const perAgent: EvalResult['per_agent'] = [];
  const all: number[] = [];
  let lengths = 0, successes = 0;
  for (let a = 0; a < env.agents; a++) {
    const returns: number[] = [];
    let agentSuccesses = 0;
    for (let i = 0; i < episodes; i++) {
      const s = (a * episodes + i) * STATS_WIDTH;
      returns.push(stats[s + 5]);
      lengths += stats[s + 6];
      agentSuccesses += stats[s + 7];
    }
    successes += agentSuccesses;
    all.push(...returns);
    perAgent.push({ ...meanStd(returns), success_rate: agentSuccesses / episodes });
  }
  env.destroy();
  const total = meanStd(all);
  return { episodes: all.length, ...total, length_mean: lengths / all.length, success_rate: successes / all.length, per_agent: perAgent };
}

function meanStd(xs: number[]): { return_mean: number; return_std: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  return { return_mean: mean, return_std: Math.sqrt(variance) };
}

/** Evaluation envs: the training env's settings with a seed of their own. */
export function evalEnvOptions(run: RunConfig): EvalEnvOptions {
  return { agents: run.agents, seed: (run.seed + 1_000_003) >>> 0, sensors: run.sensors as 'full', obsNoise: run.obsNoise, sysid: run.sysid };
}

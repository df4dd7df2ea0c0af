/**
 * locomotion-returns suite: mean and spread of the return of uniformly random controls over many
 * episodes, pathwise (GPU, one env per episode, evaluateRandomPolicy) against MuJoCo (mujoco-js,
 * one episode after another) with the same robot file, task definition (gymnasium v5's reward,
 * health, reset noise, frame skip, 1000 steps) and control distribution (U over the control
 * range). Different random streams: agreement is statistical (the standard error of each mean is
 * the spread over sqrt(episodes)).
 */
import type { EnvDefinition } from '../envs/types.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import { evaluateRandomPolicy } from '../run/evaluate.js';
import { type SuiteResult, markdownTable } from './harness.js';
import { mujocoTask, uniformControls } from './mujocoPeer.js';

interface Returns {
  mean: number;
  std: number;
  length: number;
}

/** Random-control returns of `episodes` MuJoCo episodes of the task (null without mujoco-js). */
export async function mujocoRandomReturns(def: EnvDefinition, episodes: number): Promise<Returns | null> {
  const peer = await mujocoTask(def, 987654321);
  if (!peer) return null;
  const controls = uniformControls(def, 123456789);
  const returns: number[] = [];
  let lengths = 0;
  for (let e = 0; e < episodes; e++) {
    peer.reset();
    let total = 0, t = 0;
    while (t < def.horizon) {
      const { reward, unhealthy } = peer.step(controls());
      total += reward;
      t++;
      if (unhealthy) break;
    }
    returns.push(total);
    lengths += t;
  }
  peer.release();
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / episodes);
  return { mean, std, length: lengths / episodes };
}

export async function locomotionReturnsSuite(ctx: GpuContext, cache: PipelineCache, defs: readonly EnvDefinition[], episodes: number): Promise<SuiteResult> {
  const rows: Record<string, unknown>[] = [];
  for (const def of defs) {
    const ours = await evaluateRandomPolicy(ctx, cache, def, { seed: 2024 }, episodes);
    const peer = await mujocoRandomReturns(def, episodes);
    rows.push({
      env: def.name, episodes,
      pathwise: { mean: ours.return_mean, std: ours.return_std, length: ours.length_mean },
      mujoco_js: peer,
      mean_difference_percent: peer ? (100 * (ours.return_mean - peer.mean)) / Math.abs(peer.mean) : null,
      std_difference_percent: peer ? (100 * (ours.return_std - peer.std)) / peer.std : null,
    });
  }
  const f = (x: number) => x.toFixed(1);
  const table = markdownTable(
    ['env', 'episodes', 'pathwise mean +- std (length)', 'MuJoCo mean +- std (length)', 'mean diff %', 'std diff %'],
    rows.map((r) => {
      const o = r.pathwise as Returns;
      const p = r.mujoco_js as Returns | null;
      return [String(r.env), String(r.episodes), `${f(o.mean)} +- ${f(o.std)} (${f(o.length)})`, p ? `${f(p.mean)} +- ${f(p.std)} (${f(p.length)})` : 'not run (no mujoco-js)',
        p ? f(r.mean_difference_percent as number) : '-', p ? f(r.std_difference_percent as number) : '-'];
    }),
  );
  return { suite: 'locomotion-returns', rows, table };
}

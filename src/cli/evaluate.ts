/** `pathwise eval --checkpoint DIR`: the deterministic policy of a checkpoint, as JSON. */
import { loadTensors } from '../run/checkpoint.js';
import { evalEnvOptions, evaluatePolicy } from '../run/evaluate.js';
import { type RunConfig, algoConfig, runConfig } from '../run/config.js';
import { getAlgorithm } from '../algos/registry.js';
import { ConfigError, requireInt } from '../errors.js';
import { EnvBatch } from '../envs/batch.js';
import { getEnv } from '../envs/registry.js';
import { PipelineCache } from '../gpu/kernel.js';
import { createNodeContext } from '../gpu/node.js';
import { Clock } from '../rng/clock.js';
import { readCheckpoint } from './files.js';

export async function evalCommand(args: { checkpoint?: string; episodes?: string; seed?: string }): Promise<void> {
  if (!args.checkpoint) throw new ConfigError('--checkpoint', args.checkpoint, 'a run directory (or checkpoint.bin)');
  const episodes = requireInt('--episodes', Number(args.episodes ?? 100), 1);
  const decoded = readCheckpoint(args.checkpoint);
  const saved = decoded.header.config as { run: RunConfig; algo: Record<string, unknown> };
  const run = runConfig(saved.run);
  const algo = algoConfig(run.algo, saved.algo);
  const envOptions = evalEnvOptions(run);
  if (args.seed !== undefined) envOptions.seed = requireInt('--seed', Number(args.seed), 0, 0xffffffff);
  const ctx = await createNodeContext();
  const cache = new PipelineCache(ctx);
  const def = getEnv(run.env);
  // A one-env batch only gives the networks their input and output sizes.
  const shapeEnv = new EnvBatch(ctx, def, { ...envOptions, envs: 1, clock: new Clock(ctx) });
  const nets = getAlgorithm(run.algo).evalNetworks(ctx, shapeEnv, algo, run.seed);
  loadTensors(decoded, nets.tensors, decoded.path);
  const result = await evaluatePolicy(ctx, cache, def, envOptions, episodes, (obs) => nets.policy(cache, obs));
  console.log(JSON.stringify({ return_mean: result.return_mean, return_std: result.return_std, episodes: result.episodes, length_mean: result.length_mean, ...(def.goalDim > 0 ? { success_rate: result.success_rate } : {}), env: run.env, iteration: decoded.header.iteration }));
}

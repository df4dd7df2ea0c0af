/** `pathwise eval --checkpoint DIR`: the deterministic policy of a checkpoint, as JSON. */
import { bindApi } from '../api/index.js';
import { ConfigError, requireInt } from '../errors.js';
import { getEnv } from '../envs/registry.js';
import { createNodeContext } from '../gpu/node.js';
import { readCheckpointBytes } from './files.js';

export async function evalCommand(args: { checkpoint?: string; episodes?: string; seed?: string }): Promise<void> {
  if (!args.checkpoint) throw new ConfigError('--checkpoint', args.checkpoint, 'a run directory (or checkpoint.bin)');
  const episodes = requireInt('--episodes', Number(args.episodes ?? 100), 1);
  const seed = args.seed === undefined ? undefined : requireInt('--seed', Number(args.seed), 0, 0xffffffff);
  const { bytes, path } = readCheckpointBytes(args.checkpoint);
  const policy = await bindApi(createNodeContext).loadPolicy(bytes, path);
  const result = await policy.evaluate(episodes, seed);
  const { run, iteration } = policy.info;
  console.log(JSON.stringify({ return_mean: result.return_mean, return_std: result.return_std, episodes: result.episodes, length_mean: result.length_mean, ...(getEnv(run.env).goalDim > 0 ? { success_rate: result.success_rate } : {}), env: run.env, iteration }));
  await policy.dispose();
}

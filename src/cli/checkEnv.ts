/** `pathwise check-env`: checkEnv (src/api/checkEnv.ts) on the command line; false when it found a problem (exit code 1). */
import { checkEnv } from '../api/checkEnv.js';
import { getEnv } from '../envs/registry.js';
import { ConfigError, requireInt } from '../errors.js';
import { PipelineCache } from '../gpu/kernel.js';
import { createNodeContext } from '../gpu/node.js';

export async function checkEnvCommand(opts: { env?: string; envs?: string; steps?: string; seed?: string }, defined: readonly string[]): Promise<boolean> {
  const names = opts.env ? [opts.env] : defined;
  if (names.length === 0) throw new ConfigError('--env', undefined, 'an environment name, or --env-module files that define environments');
  const defs = names.map((n) => getEnv(n));
  const options = {
    envs: requireInt('--envs', Number(opts.envs ?? 64), 1, 65536),
    steps: requireInt('--steps', Number(opts.steps ?? 50), 0, 100_000),
    seed: requireInt('--seed', Number(opts.seed ?? 1), 0, 0xffffffff),
  };
  const ctx = await createNodeContext();
  const cache = new PipelineCache(ctx);
  let failed = false;
  for (const def of defs) {
    const report = await checkEnv(ctx, cache, def, options);
    const compared = report.reference ? `compared with the reference: ${report.resets} resets, ${report.transitions} transitions, ${report.vjpRows} VJP rows` : 'no reference to compare with (finite values and bounds only)';
    console.log(`${def.name}: ${report.ok ? 'ok' : `${report.problems.length} problem${report.problems.length > 1 ? 's' : ''}`} (${compared})`);
    for (const p of report.problems) console.log(`  ${p.check}: ${p.message}`);
    failed ||= !report.ok;
  }
  return !failed;
}

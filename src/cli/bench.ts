/**
 * `pathwise bench [--suite nn|envs|ddpg|svg0|svg-inf|on-policy|agents|fusions|all] [--quick] [--out FILE]`: warm-up, repeated
 * timing (GPU timestamps where the adapter has them), median and spread, the adapter's name and
 * limits; JSON to bench/results/<suite>-<device>.json (or FILE) and markdown tables on stdout.
 */
import { join } from 'node:path';
import { agentsSuite, ddpgSuite, fusionsSuite } from '../bench/ddpg.js';
import { envsSuite } from '../bench/envs.js';
import { locomotionSuite } from '../bench/locomotion.js';
import { locomotionReturnsSuite } from '../bench/locomotionReturns.js';
import { LOCOMOTION_ENVS } from '../envs/locomotion.js';
import { type SuiteResult, deviceSlug, deviceSummary } from '../bench/harness.js';
import { nnSuite } from '../bench/nn.js';
import { svg0Suite } from '../bench/svg0.js';
import { svgInfSuite } from '../bench/svgInf.js';
import { onPolicySuite } from '../bench/onPolicy.js';
import { ConfigError } from '../errors.js';
import { envNames, getEnv } from '../envs/registry.js';
import { PipelineCache } from '../gpu/kernel.js';
import { createNodeContext } from '../gpu/node.js';
import { writeAtomic } from './files.js';

export const SUITES = ['nn', 'envs', 'ddpg', 'svg0', 'svg-inf', 'on-policy', 'agents', 'fusions', 'locomotion', 'locomotion-returns'] as const;

export async function benchCommand(args: { suite?: string; quick?: boolean; out?: string; env?: string; sizes?: string; widths?: string }): Promise<void> {
  const suite = args.suite ?? 'all';
  if (suite !== 'all' && !(SUITES as readonly string[]).includes(suite)) throw new ConfigError('--suite', suite, `one of ${SUITES.join(', ')}, all`);
  const quick = args.quick === true;
  const defs = (args.env === 'all' ? envNames() : (args.env ?? 'pendulum').split(',')).map((n) => getEnv(n.trim()));
  const sizes = (args.sizes ?? (quick ? '4096,65536' : '4096,65536,1048576')).split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError('--sizes', s, 'comma-separated positive integers');
    return n;
  });
  const widths = args.widths?.split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 1024) throw new ConfigError('--widths', s, 'comma-separated integers in [1, 1024]');
    return n;
  });
  const ctx = await createNodeContext();
  const cache = new PipelineCache(ctx);
  const results: SuiteResult[] = [];
  const chosen = suite === 'all' ? SUITES : [suite];
  for (const name of chosen) {
    if (name === 'nn') results.push(await nnSuite(ctx, cache, quick));
    if (name === 'envs') results.push(await envsSuite(ctx, cache, defs, sizes, quick));
    if (name === 'ddpg') results.push(await ddpgSuite(ctx, cache, quick, widths));
    if (name === 'svg0') results.push(await svg0Suite(ctx, cache, quick, widths));
    if (name === 'svg-inf') results.push(await svgInfSuite(ctx, cache, quick, widths));
    if (name === 'on-policy') results.push(await onPolicySuite(ctx, cache, quick));
    if (name === 'agents') results.push(await agentsSuite(ctx, cache, quick, widths));
    if (name === 'fusions') results.push(await fusionsSuite(ctx, cache, quick));
    if (name === 'locomotion') {
      // --env names robots to time; without one (the default names pendulum), all four.
      const named = defs.filter((d) => LOCOMOTION_ENVS.includes(d.name));
      const robots = named.length > 0 ? named : LOCOMOTION_ENVS.map((n) => getEnv(n));
      results.push(await locomotionSuite(ctx, cache, robots, sizes, quick));
    }
    if (name === 'locomotion-returns') {
      const named = defs.filter((d) => LOCOMOTION_ENVS.includes(d.name));
      results.push(await locomotionReturnsSuite(ctx, cache, named.length > 0 ? named : LOCOMOTION_ENVS.map((n) => getEnv(n)), quick ? 200 : 1000));
    }
  }
  const out = args.out ?? join('bench', 'results', `${suite}${quick ? '-quick' : ''}-${deviceSlug(ctx)}.json`);
  const data = { date: new Date().toISOString(), quick, device: deviceSummary(ctx), suites: results.map(({ suite: s, rows }) => ({ suite: s, rows })) };
  writeAtomic(out, `${JSON.stringify(data, null, 2)}\n`);
  console.log(`adapter: ${ctx.adapterName}\n`);
  for (const r of results) console.log(`## ${r.suite}\n\n${r.table}\n`);
  console.log(`wrote ${out}`);
}

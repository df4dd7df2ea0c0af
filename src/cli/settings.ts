/** `pathwise settings ALGO ENV`: what train would use, value by value, and where each value comes from. */
import { settingOrigins } from '../api/options.js';
import { ConfigError } from '../errors.js';
import { createNodeContext } from '../gpu/node.js';

const ORIGIN = { given: 'given', task: 'tuned for the task', preset: 'cpu preset', default: 'default' } as const;

/** As train decides: --preset auto (the default) is cpu on a CPU adapter (the only case that opens a device). */
export async function settingsCommand(algo: string, env: string, opts: { preset?: string }): Promise<void> {
  const given = opts.preset ?? 'auto';
  if (!['auto', 'cpu', 'gpu'].includes(given)) throw new ConfigError('--preset', given, 'one of auto, cpu, gpu');
  settingOrigins({ algo, env, preset: given === 'gpu' ? 'gpu' : 'cpu' }, true); // bad names refused before any device
  const preset: 'cpu' | 'gpu' = given === 'auto' ? ((await createNodeContext()).isSoftware ? 'cpu' : 'gpu') : given === 'gpu' ? 'gpu' : 'cpu';
  const { resolved, origins } = settingOrigins({ algo, env, preset }, preset === 'cpu');
  const { tuned } = resolved;
  console.log(tuned ? `${algo} on ${env}, ${preset} preset: tuned settings (${tuned.source})` : `${algo} on ${env}, ${preset} preset: no tuned settings for this task; ${preset === 'cpu' ? "the cpu preset's (tuned on pendulum)" : 'the published defaults'} apply`);
  const width = Math.max(...origins.map((o) => o.flag.length));
  for (const o of origins) console.log(`  ${o.flag.padEnd(width)}  ${JSON.stringify(o.value).padEnd(14)}  ${ORIGIN[o.origin]}`);
}

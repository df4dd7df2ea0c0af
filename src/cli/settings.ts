/** `pathwise settings ALGO ENV`: what train would use, value by value, and where each value comes from. */
import { settingOrigins } from '../api/options.js';
import { ConfigError } from '../errors.js';

const ORIGIN = { given: 'given', task: 'tuned for the task', preset: 'cpu preset', default: 'default' } as const;

export function settingsCommand(algo: string, env: string, opts: { preset?: string }): void {
  if (opts.preset !== 'cpu' && opts.preset !== 'gpu') throw new ConfigError('--preset', opts.preset, 'cpu or gpu');
  const { resolved, origins } = settingOrigins({ algo, env, preset: opts.preset }, opts.preset === 'cpu');
  const { tuned } = resolved;
  console.log(tuned ? `${algo} on ${env}, ${opts.preset} preset: tuned settings (${tuned.source})` : `${algo} on ${env}, ${opts.preset} preset: no tuned settings for this task; ${opts.preset === 'cpu' ? "the cpu preset's (tuned on pendulum)" : 'the published defaults'} apply`);
  const width = Math.max(...origins.map((o) => o.flag.length));
  for (const o of origins) console.log(`  ${o.flag.padEnd(width)}  ${JSON.stringify(o.value).padEnd(14)}  ${ORIGIN[o.origin]}`);
}

/**
 * `pathwise attention`: the seed's hard-attention classifier (src/attention/) trained on the GPU;
 * prints the test accuracy as it goes and writes every report to --out as JSON. Its flags come
 * from ATTENTION_SCHEMA (src/attention/model.ts).
 */
import { ATTENTION_SCHEMA, attentionConfig } from '../attention/model.js';
import { trainAttention } from '../attention/train.js';
import { pickOptions } from './flags.js';
import { ConfigError } from '../errors.js';
import { PipelineCache } from '../gpu/kernel.js';
import { createNodeContext } from '../gpu/node.js';
import { writeAtomic } from './files.js';

export const REPORT_EVERY = 100;

export async function attentionCommand(flags: Record<string, unknown>): Promise<void> {
  const config = attentionConfig(pickOptions(ATTENTION_SCHEMA, flags)); // checked before any GPU work
  const raw = flags.reportEvery ?? REPORT_EVERY;
  const reportEvery = Number(raw);
  if (!Number.isInteger(reportEvery) || reportEvery < 1) throw new ConfigError('--report-every', raw, 'an integer >= 1');
  const ctx = await createNodeContext();
  const cache = new PipelineCache(ctx);
  const what = config.version === 'v1' ? 'reward' : '-log p(label)';
  console.log(`pathwise attention ${config.version}, ${config.window} windows${config.baseline === 'none' ? ', no baseline' : ''}: ${config.iterations} updates of ${config.batch} examples`);
  const run = await trainAttention(ctx, cache, { ...config }, {
    reportEvery,
    onReport: (r) => console.log(`update ${r.iteration} | ${what} ${r.train.toFixed(3)} | test accuracy ${r.accuracy.toFixed(3)}${r.windowHits === null ? '' : ` | window hits ${r.windowHits.toFixed(3)}`} | ${r.wall_s.toFixed(1)} s`),
  });
  if (typeof flags.out === 'string') writeAtomic(flags.out, `${JSON.stringify({ config: run.config, reports: run.reports, final: run.final, seconds: run.seconds }, null, 2)}\n`);
  console.log(JSON.stringify({ accuracy: run.final.accuracy, window_hits: run.final.windowHits, wall_s: run.seconds }));
}

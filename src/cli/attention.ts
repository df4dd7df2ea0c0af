/**
 * `pathwise attention`: the seed's hard-attention classifier (src/attention/) trained on the GPU;
 * prints the test accuracy as it goes and writes every report to --out as JSON.
 */
import { ATTENTION_DEFAULTS, type AttentionConfig, attentionConfig } from '../attention/model.js';
import { trainAttention } from '../attention/train.js';
import { ConfigError } from '../errors.js';
import { PipelineCache } from '../gpu/kernel.js';
import { createNodeContext } from '../gpu/node.js';
import { writeAtomic } from './files.js';

export interface AttentionFlags {
  version?: string;
  window?: string;
  baseline?: boolean;
  batch?: string;
  iterations?: string;
  lr?: string;
  hidden?: string;
  seed?: string;
  evalExamples?: string;
  reportEvery?: string;
  out?: string;
}

/** A flag's number, or a ConfigError naming the flag. */
function num(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new ConfigError(flag, value, 'a number');
  return n;
}

export async function attentionCommand(flags: AttentionFlags): Promise<void> {
  const given: Partial<AttentionConfig> = {
    version: flags.version as AttentionConfig['version'] | undefined,
    window: flags.window as AttentionConfig['window'] | undefined,
    baseline: flags.baseline,
    batch: num('--batch', flags.batch),
    iterations: num('--iterations', flags.iterations),
    lr: num('--lr', flags.lr),
    hidden: num('--hidden', flags.hidden),
    seed: num('--seed', flags.seed),
    evalExamples: num('--eval-examples', flags.evalExamples),
  };
  const options = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<AttentionConfig>;
  // Every field checked before any GPU work, named by its flag.
  const config = attentionConfig(options, (name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  const reportEvery = num('--report-every', flags.reportEvery) ?? 100;
  if (!Number.isInteger(reportEvery) || reportEvery < 1) throw new ConfigError('--report-every', reportEvery, 'an integer >= 1');
  const ctx = await createNodeContext();
  const cache = new PipelineCache(ctx);
  const what = config.version === 'v1' ? 'reward' : '-log p(label)';
  console.log(`pathwise attention ${config.version}, ${config.window} windows${config.baseline ? '' : ', no baseline'}: ${config.iterations} updates of ${config.batch} examples`);
  const run = await trainAttention(ctx, cache, config, {
    reportEvery,
    onReport: (r) => console.log(`update ${r.iteration} | ${what} ${r.train.toFixed(3)} | test accuracy ${r.accuracy.toFixed(3)}${r.windowHits === null ? '' : ` | window hits ${r.windowHits.toFixed(3)}`} | ${r.wall_s.toFixed(1)} s`),
  });
  if (flags.out) writeAtomic(flags.out, `${JSON.stringify({ config: run.config, reports: run.reports, final: run.final, seconds: run.seconds }, null, 2)}\n`);
  console.log(JSON.stringify({ accuracy: run.final.accuracy, window_hits: run.final.windowHits, wall_s: run.seconds }));
}

export const ATTENTION_HELP = {
  version: `v1: reward 1 for the right label, score function for window and label; v2: cost -log p(label), pathwise classifier, score-function window (default ${ATTENTION_DEFAULTS.version})`,
  window: `learned (a glimpse network chooses), random (uniform: the control) or whole (no crop: the ceiling) (default ${ATTENTION_DEFAULTS.window})`,
};

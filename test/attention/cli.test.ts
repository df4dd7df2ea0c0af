/**
 * `pathwise attention` on the command line: bad flags exit 2 naming the flag and the allowed
 * values before any GPU work; a short run prints its reports and writes them to --out.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { attentionConfig } from '../../src/attention/model.js';
import { AttentionTrainer, trainAttention } from '../../src/attention/train.js';
import { gpu } from '../helpers/gpu.js';
import { main } from '../../src/cli/main.js';

afterEach(() => vi.restoreAllMocks());

it.each([
  [['--version', 'v3'], '--version: got "v3", expected one of v1, v2'],
  [['--window', 'half'], '--window: got "half", expected one of learned, random, whole'],
  [['--batch', 'x'], '--batch: got "x", expected an integer >= 1 and <= 65535'],
  [['--batch', '0'], '--batch: got "0"'],
  [['--eval-examples', '2.5'], '--eval-examples: got "2.5", expected an integer'],
  [['--lr', '-1'], '--lr: got "-1", expected a number > 0'],
  [['--baseline', 'off'], '--baseline: got "off", expected one of learned, none'],
  [['--report-every', '0'], '--report-every: got "0", expected an integer >= 1'],
])('attention %j exits 2: %s', async (flags, message) => {
  const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  expect(await main(['attention', ...flags])).toBe(2);
  expect(String(errors.mock.calls[0]?.[0])).toContain(message);
});

it('the library refuses unknown and out-of-range fields by name', async () => {
  expect(() => attentionConfig({ batch: 0 })).toThrow(/--batch: got 0/);
  expect(() => attentionConfig({ iters: 5 })).toThrow(/--iters: .*a known option: --version, --window/);
  // Within the schema's range but over this device's storage binding size: refused before allocating.
  const { ctx, cache } = await gpu();
  const most = Math.floor(ctx.limits.maxStorageBufferBindingSize / (24 * 24 * 4));
  if (most < 65535) await expect(AttentionTrainer.create(ctx, cache, { batch: most + 1 })).rejects.toThrow(new RegExp(`--batch: got ${most + 1}, expected at most ${most} on this device`));
  await expect(trainAttention(ctx, cache, {}, { reportEvery: 0 })).rejects.toThrow(/reportEvery/);
});

it('a short run prints reports and writes them with the config to --out', { timeout: 120_000 }, async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'pathwise-attention-')), 'run.json');
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  expect(await main(['attention', '--iterations', '20', '--batch', '32', '--eval-examples', '64', '--report-every', '10', '--out', out])).toBe(0);
  const lines = log.mock.calls.map((c) => String(c[0]));
  expect(lines[0]).toMatch(/^pathwise attention v2, learned windows: 20 updates of 32 examples/);
  expect(lines.filter((l) => l.startsWith('update '))).toHaveLength(2);
  const saved = JSON.parse(readFileSync(out, 'utf8'));
  expect(saved.config).toMatchObject({ version: 'v2', window: 'learned', batch: 32, iterations: 20, evalExamples: 64 });
  expect(saved.reports.map((r: { iteration: number }) => r.iteration)).toEqual([10, 20]);
  expect(saved.final.accuracy).toBeGreaterThanOrEqual(0);
  expect(saved.final.windowHits).toBeGreaterThanOrEqual(0);
});

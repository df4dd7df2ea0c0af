/**
 * The API documentation (`npm run docs`: TypeDoc over the package's entries, warnings as errors)
 * builds, and documents the entry points users call.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

it('npm run docs builds the API reference without warnings', { timeout: 180_000 }, () => {
  const root = resolve(__dirname, '../..');
  const out = mkdtempSync(join(tmpdir(), 'pathwise-docs-'));
  execFileSync(process.execPath, [join(root, 'node_modules/typedoc/bin/typedoc'), '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  expect(existsSync(join(out, 'index.html'))).toBe(true);
  const pages = [...readdirSync(join(out, 'functions')), ...readdirSync(join(out, 'variables')), ...readdirSync(join(out, 'classes'))];
  for (const name of ['index.loadPolicy', 'index.exportPolicy', 'index.evaluate', 'browser.pathwise', 'index.train', 'index.makeEnv']) {
    expect(pages.some((p) => p.startsWith(name)), name).toBe(true);
  }
  // The run handle (exported as a type) with its members' doc comments.
  expect(readFileSync(join(out, 'interfaces', 'index.TrainingRun.html'), 'utf8')).toMatch(/Trains report by report/);
});

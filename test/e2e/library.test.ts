/**
 * The library's browser entry (src/browser.ts, built as dist/browser.js by vite.browser.config.ts)
 * in real headless Chromium (Debian's package; SwiftShader's WebGPU without a GPU): the page of
 * examples/browser.html makes its own GPUDevice, hands it to `pathwise(device)`, trains CEM through
 * the async iterator, evaluates, acts with the loaded policy and exports it as ONNX, with no page
 * errors.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, serveDirectory } from '../helpers/browser.js';

const root = resolve(__dirname, '../..');
const out = mkdtempSync(join(tmpdir(), 'pathwise-browser-entry-'));

// examples/browser.html as a user serves it, its import map pointed at the bundle built here.
const PAGE = readFileSync(join(root, 'examples/browser.html'), 'utf8').replace('./node_modules/pathwise/dist/browser.js', './browser.js');

let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  await build({ configFile: join(root, 'vite.browser.config.ts'), root, logLevel: 'warn', build: { outDir: out, emptyOutDir: false } });
  writeFileSync(join(out, 'index.html'), PAGE);
  ({ server, base } = await serveDirectory(out));
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

it("trains, evaluates, acts and exports through pathwise(device) on a page's own GPUDevice", { timeout: 300_000 }, async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/index.html?small`);
  await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, { timeout: 240_000, polling: 500 });
  const result = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as { error?: string; steps: number[]; evaluation: number; action: number[]; onnxBytes: number; algos: number };
  expect(result.error).toBeUndefined();
  expect(errors).toEqual([]);
  expect(result.steps).toEqual([12800, 25600]);
  expect(Number.isFinite(result.evaluation)).toBe(true);
  expect(result.action).toHaveLength(1);
  expect(Math.abs(result.action[0])).toBeLessThanOrEqual(2);
  expect(result.onnxBytes).toBeGreaterThan(100);
  expect(result.algos).toBeGreaterThanOrEqual(12);
});

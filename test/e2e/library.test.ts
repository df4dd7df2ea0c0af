/**
 * The library's browser entry (src/browser.ts, built as dist/browser.js by vite.browser.config.ts)
 * in real headless Chromium (Debian's package; SwiftShader's WebGPU without a GPU): a page makes
 * its own GPUDevice, hands it to `pathwise(device)`, trains CEM through the async iterator,
 * evaluates, acts with the loaded policy and exports it as ONNX, with no page errors.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, serveDirectory } from '../helpers/browser.js';

const root = resolve(__dirname, '../..');
const out = mkdtempSync(join(tmpdir(), 'pathwise-browser-entry-'));

const PAGE = `<!doctype html><meta charset="utf-8"><title>pathwise/browser</title>
<script type="module">
import { pathwise } from './browser.js';
try {
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter.requestDevice();
  const pw = pathwise(device);
  const run = await pw.train({ algo: 'cem', env: 'pendulum', envs: 16, population: 8, policyHidden: [8], steps: 16 * 200 * 2, reportEvery: 200, evalEpisodes: 4 });
  const steps = [];
  for await (const r of run) steps.push(r.env_steps);
  const { evaluation } = await run.finish();
  const checkpoint = await run.checkpoint();
  const policy = await pw.loadPolicy(checkpoint);
  const action = await policy.act([1, 0, 0]);
  const onnx = await pw.exportPolicy(checkpoint, { format: 'onnx' });
  await policy.dispose();
  await run.dispose();
  window.result = { steps, evaluation: evaluation.return_mean, action: Array.from(action), onnxBytes: onnx.byteLength, algos: pw.listAlgorithms().length };
} catch (e) {
  window.result = { error: String(e && e.stack || e) };
}
</script>`;

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
  await page.goto(`${base}/index.html`);
  await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, { timeout: 240_000, polling: 500 });
  const result = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as { error?: string; steps: number[]; evaluation: number; action: number[]; onnxBytes: number; algos: number };
  expect(result.error).toBeUndefined();
  expect(errors).toEqual([]);
  expect(result.steps).toEqual([3200, 6400]);
  expect(Number.isFinite(result.evaluation)).toBe(true);
  expect(result.action).toHaveLength(1);
  expect(Math.abs(result.action[0])).toBeLessThanOrEqual(2);
  expect(result.onnxBytes).toBeGreaterThan(100);
  expect(result.algos).toBeGreaterThanOrEqual(12);
});

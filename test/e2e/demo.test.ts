/**
 * End-to-end: the browser demo in real headless Chromium (Debian's package, driven by
 * playwright-core; never a browser download), on its WebGPU adapter (SwiftShader without a GPU).
 * Builds the page with Vite, serves it on 127.0.0.1, starts DDPG on pendulum with 64 envs, waits
 * for the step counter and a first episode return, checks there were no page errors, and saves a
 * screenshot to test-output/demo.png.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.PATHWISE_CHROMIUM ?? '/usr/bin/chromium';
const root = resolve(__dirname, '../..');
const dist = join(root, 'dist-web');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

let server: Server;
let url: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does) or set PATHWISE_CHROMIUM`);
  await build({ configFile: join(root, 'web/vite.config.ts'), root: join(root, 'web'), logLevel: 'warn' });
  server = createServer((req, res) => {
    const path = normalize(join(dist, decodeURIComponent((req.url ?? '/').split('?')[0]))).replace(/\/$/, '/index.html');
    if (!path.startsWith(dist) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe('browser demo', () => {
  it('trains DDPG on pendulum in the page: steps advance, an episode return appears, no page errors', { timeout: 300_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('adapter')?.textContent !== '-', null, { timeout: 60_000 });
    expect(await page.isHidden('#unsupported')).toBe(true);
    await page.selectOption('#env', 'pendulum');
    await page.selectOption('#envs', '64');
    await page.click('#start');
    await page.waitForFunction(() => Number(document.getElementById('steps')?.textContent) > 0, null, { timeout: 120_000 });
    await page.waitForFunction(() => /^-?\d/.test(document.getElementById('last-return')?.textContent ?? ''), null, { timeout: 240_000, polling: 500 });
    // Two reports with returns, so the screenshot shows a curve rather than a point.
    await page.waitForFunction(() => Number(document.getElementById('episodes')?.textContent) >= 128 && document.querySelector('#curve svg path') !== null, null, { timeout: 240_000, polling: 500 });
    await page.waitForTimeout(1500);
    const steps = Number(await page.textContent('#steps'));
    expect(steps).toBeGreaterThanOrEqual(64 * 200);
    expect(Number.parseFloat((await page.textContent('#last-return')) ?? '')).toBeLessThan(0);
    mkdirSync(join(root, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-output/demo.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('without WebGPU the page says what is needed instead of staying blank', async () => {
    const page = await browser.newPage();
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }));
    await page.goto(url);
    await page.waitForSelector('#unsupported:not([hidden])', { timeout: 30_000 });
    expect(await page.textContent('#unsupported')).toMatch(/needs WebGPU/);
    await page.close();
  });
});

/**
 * Sweeps across machines through BullMQ on a real Redis (Debian's redis-server on a free loopback
 * port, started here and stopped after): a dozen runs over two worker processes, one of them
 * killed with SIGKILL mid-run (its run finishes on the other, resumed from its checkpoint, counted
 * once); specs refused before anything is queued; Redis going away and coming back empty.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { QUEUE_NAME } from '../../src/cli/sweep/queue.js';
import type { SweepResults } from '../../src/cli/sweep/record.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pathwise-queue-'));
const store = join(dir, 'store');
let port = 0;
let url = '';
let redis: ChildProcess | null = null;
const workers: { proc: ChildProcess; log: string[] }[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => resolve(p));
    });
  });

async function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  redis.on('error', (e) => {
    throw new Error(`redis-server could not start (${e.message}): install Debian's redis-server (scripts/setup.sh --browser does)`);
  });
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {}); // refused until the server listens: retried below
  for (let i = 0; i < 100; i++) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.disconnect();
}

async function stopRedis(): Promise<void> {
  const proc = redis;
  redis = null;
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.on('exit', r));
  proc.kill('SIGKILL');
  await exited;
}

function startWorker(): { proc: ChildProcess; log: string[] } {
  const proc = spawn(process.execPath, [join(root, 'dist/cli.js'), 'worker', '--queue', url, '--store', store, '--lock-ms', '4000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const w = { proc, log: [] as string[] };
  const collect = (b: Buffer) => w.log.push(...b.toString().split('\n').filter(Boolean));
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  workers.push(w);
  return w;
}

const specFile = (name: string, text: string) => {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
};
const TINY = 'algos: [ddpg]\nenvs: [pendulum]\npreset: cpu\nshareSeeds: false\nflags: { envs: 16, evalEpisodes: 4, reportEvery: 100, checkpointEvery: 200, learningStarts: 200, batchSize: 32, actorHidden: [16], criticHidden: [16] }\n';
const results = (name: string) => JSON.parse(readFileSync(join(store, name, 'results.json'), 'utf8')) as SweepResults;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `main` with console.error captured. */
async function quietly<T>(f: (messages: string[]) => Promise<T>): Promise<T> {
  const messages: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void messages.push(String(line)));
  try {
    return await f(messages);
  } finally {
    spy.mockRestore();
  }
}

beforeAll(async () => {
  port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  await startRedis();
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
});

afterAll(async () => {
  for (const w of workers) w.proc.kill('SIGKILL');
  await stopRedis();
});

it('refuses a bad spec before anything is queued, naming it', async () => {
  const bad: [string, RegExp][] = [
    [`name: bad1\n${TINY}budget: 10\n`, /sweep spec: budget: .*a known key/],
    [`name: bad2\n${TINY.replace('[ddpg]', '[ddpg, a2c]')}`, /sweep spec: algos: got "a2c"/],
    [`name: bad3\n${TINY.replace('[pendulum]', '[pendulum, hopper-v4]')}`, /sweep spec: envs: got "hopper-v4"/],
    [`name: bad4\n${TINY}grid: { gamma: [0.99, 1.5] }\n`, /sweep spec: run ddpg-pendulum-gamma=1.5-seed1: --gamma: got 1.5, expected a number >= 0 and <= 1/],
  ];
  for (const [text, message] of bad) {
    await quietly(async (messages) => {
      expect(await main(['sweep', specFile('bad', text), '--queue', url, '--store', store])).toBe(2);
      expect(messages.join('\n')).toMatch(message);
    });
  }
  expect(await quietly(async () => main(['sweep', specFile('bad', `name: bad5\n${TINY}`), '--queue', 'http://x', '--store', store]))).toBe(2);
  const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port } });
  const counts = await queue.getJobCounts();
  await queue.close();
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
  expect(existsSync(join(store, 'bad1'))).toBe(false);
});

it('a dozen runs over two workers, one killed with SIGKILL mid-run: every run finishes once, the killed one resumed from its checkpoint', { timeout: 420_000 }, async () => {
  const a = startWorker();
  const b = startWorker();
  const spec = specFile('dozen', `name: dozen\nseeds: 6\nsteps: 48000\ngrid: { actorLr: [0.001, 0.0003] }\n${TINY}`);
  await quietly(async (messages) => {
    const sweep = main(['sweep', spec, '--queue', url, '--store', store, '--poll-ms', '200']);
    // Kill worker a once it trains a run that has a checkpoint and no result yet.
    let victim = '';
    const deadline = performance.now() + 240_000;
    while (!victim && performance.now() < deadline) {
      await wait(100);
      const starts = a.log.filter((l) => / (starting|resuming) run /.test(l));
      const current = starts.at(-1)?.match(/run (\S+) of sweep/)?.[1];
      if (!current || a.log.some((l) => l.includes(`finished run ${current}`))) continue;
      const runDir = join(store, 'dozen', 'runs', current);
      if (existsSync(join(runDir, 'checkpoint.bin')) && !existsSync(join(runDir, 'eval.json'))) victim = current;
    }
    expect(victim).not.toBe('');
    a.proc.kill('SIGKILL');
    expect(await sweep).toBe(0);
    const r = results('dozen');
    expect(r.failed).toEqual([]);
    expect(r.summaries).toHaveLength(12);
    expect(new Set(r.summaries.map((s) => s.id)).size).toBe(12);
    // The killed worker's run finished on the other one, from its checkpoint.
    expect(b.log.some((l) => new RegExp(`finished run ${victim.replace(/[.=]/g, '\\$&')} \\(resumed at env step [1-9]\\d*\\)`).test(l))).toBe(true);
    expect(messages.some((m) => m.includes(`finished ${victim}:`) && /resumed at env step [1-9]/.test(m))).toBe(true);
    expect(r.summaries.every((s) => s.env_steps === 48000)).toBe(true);
  });
  // Counted once: one completed job per run, none failed.
  const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port } });
  const counts = await queue.getJobCounts('completed', 'failed', 'active', 'wait');
  await queue.close();
  expect(counts).toEqual({ completed: 12, failed: 0, active: 0, wait: 0 });
  // The table from the store: one task, two learning rates, six seeds each.
  expect(readFileSync(join(store, 'dozen', 'table.md'), 'utf8')).toMatch(/ddpg \(actorLr=0\.001\) \| ddpg \(actorLr=0\.0003\) \|[\s\S]*\(6 seeds\)/);

  // Queued again: finished runs come back from their jobs at once; a run whose directory is gone
  // is trained again (its completed job replaced), still once per run.
  const before = results('dozen');
  const gone = before.summaries[3].id;
  rmSync(join(store, 'dozen', 'runs', gone), { recursive: true });
  await quietly(async (messages) => {
    expect(await main(['sweep', spec, '--queue', url, '--store', store, '--poll-ms', '200'])).toBe(0);
    expect(messages.filter((m) => m.includes(`finished ${gone}:`))).toHaveLength(1);
  });
  const again = results('dozen');
  expect(again.summaries.map((s) => [s.id, s.return_mean])).toEqual(before.summaries.map((s) => [s.id, s.return_mean]));
  expect(existsSync(join(store, 'dozen', 'runs', gone, 'eval.json'))).toBe(true);
});

it('Redis going away mid-sweep: the sweep and the worker say so, wait, and finish every run when it is back (even empty)', { timeout: 300_000 }, async () => {
  const spec = specFile('outage', `name: outage\nseeds: 3\nsteps: 32000\n${TINY}`);
  await quietly(async (messages) => {
    const sweep = main(['sweep', spec, '--queue', url, '--store', store, '--poll-ms', '200']);
    const worker = workers.find((w) => w.proc.exitCode === null && w.proc.signalCode === null) ?? startWorker();
    const deadline = performance.now() + 120_000;
    while (!worker.log.some((l) => /starting run \S+ of sweep outage/.test(l)) && performance.now() < deadline) await wait(100);
    await stopRedis();
    await wait(3000);
    expect(messages.some((m) => m.startsWith(`pathwise: lost Redis at ${url}`) && m.includes('waiting for it and retrying'))).toBe(true);
    await startRedis(); // without the data: the lost runs are queued again
    expect(await sweep).toBe(0);
    expect(messages.some((m) => m === `pathwise: Redis at ${url} is back`)).toBe(true);
    const r = results('outage');
    expect(r.failed).toEqual([]);
    expect(r.summaries.map((s) => s.id)).toEqual(['ddpg-pendulum-seed1', 'ddpg-pendulum-seed2', 'ddpg-pendulum-seed3']);
    expect(worker.log.some((l) => l.startsWith(`pathwise: lost Redis at ${url}`))).toBe(true);
  });
});

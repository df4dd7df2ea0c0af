/**
 * The embedded sweep runner on this machine's adapter: a sweep stopped by SIGINT mid-run and
 * started again ends with exactly the results of one never stopped (finished runs skipped, the
 * interrupted one resumed from its checkpoint); the table of its run directories.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { SweepResults } from '../../src/cli/sweep/record.js';
import type { SweepTable } from '../../src/cli/sweep/table.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pathwise-sweep-'));
const spec = join(dir, 'spec.yaml');
let child: ChildProcess | null = null;

// Four DDPG runs of a few seconds each on lavapipe, checkpointed every 500 env steps per env.
const SPEC = `
name: resume
algos: [ddpg]
envs: [pendulum]
seeds: 2
steps: 128000
preset: cpu
flags: { envs: 16, evalEpisodes: 8, reportEvery: 250, checkpointEvery: 500, learningStarts: 200, batchSize: 32, actorHidden: [16], criticHidden: [16] }
grid: { actorLr: [0.001, 0.0003] }
shareSeeds: false
`;

beforeAll(() => {
  writeFileSync(spec, SPEC);
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] }); // the CLI the child runs
});
afterAll(() => child?.kill('SIGKILL'));

const results = (sweepDir: string) => JSON.parse(readFileSync(join(sweepDir, 'results.json'), 'utf8')) as SweepResults;
const runsIn = (sweepDir: string) => (existsSync(join(sweepDir, 'runs')) ? readdirSync(join(sweepDir, 'runs')) : []);
const has = (sweepDir: string, id: string, file: string) => existsSync(join(sweepDir, 'runs', id, file));

it('a sweep interrupted by SIGINT and started again ends with the results of an uninterrupted one', { timeout: 360_000 }, async () => {
  const whole = join(dir, 'whole');
  expect(await main(['sweep', spec, '--out', whole])).toBe(0);
  const reference = results(whole);
  expect(reference.summaries.map((s) => s.id)).toEqual(['ddpg-pendulum-actorLr=0.001-seed1', 'ddpg-pendulum-actorLr=0.001-seed2', 'ddpg-pendulum-actorLr=0.0003-seed1', 'ddpg-pendulum-actorLr=0.0003-seed2']);
  expect(reference.failed).toEqual([]);

  // The same sweep in a process of its own, stopped with SIGINT once one run has finished and the
  // next has a checkpoint but no result.
  const stopped = join(dir, 'stopped');
  child = spawn(process.execPath, [join(root, 'dist/cli.js'), 'sweep', spec, '--out', stopped], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
  let interrupted = '';
  const deadline = performance.now() + 240_000;
  while (!interrupted && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const ids = runsIn(stopped);
    const partial = ids.find((id) => has(stopped, id, 'checkpoint.bin') && !has(stopped, id, 'eval.json'));
    if (partial && ids.some((id) => has(stopped, id, 'eval.json'))) interrupted = partial;
  }
  expect(interrupted).not.toBe('');
  child.kill('SIGINT');
  expect(await exited).not.toBe(0);
  child = null;
  expect(has(stopped, interrupted, 'eval.json')).toBe(false);
  const linesBefore = readFileSync(join(stopped, 'runs', interrupted, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean);

  const messages: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void messages.push(String(line)));
  try {
    expect(await main(['sweep', spec, '--out', stopped])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  // Finished runs were not trained again; the interrupted one resumed where its checkpoint was.
  expect(messages.some((m) => /finished ddpg-pendulum-actorLr=0\.001-seed1: .*\(finished before\)/.test(m))).toBe(true);
  const resumed = messages.find((m) => m.includes(`finished ${interrupted}:`)) ?? '';
  expect(resumed).toMatch(/\(resumed at env step [1-9]\d*\)/);
  // Resumed, not retrained: the reports up to the checkpoint are the first session's, wall times included.
  const at = Number(/resumed at env step (\d+)/.exec(resumed)?.[1]);
  const kept = linesBefore.filter((l) => (JSON.parse(l) as { env_steps: number }).env_steps <= at);
  expect(kept.length).toBeGreaterThan(0);
  expect(readFileSync(join(stopped, 'runs', interrupted, 'metrics.jsonl'), 'utf8').split('\n').slice(0, kept.length)).toEqual(kept);
  // Identical evaluation returns, run by run.
  const again = results(stopped);
  expect(again.summaries.map((s) => [s.id, s.return_mean, s.return_std, s.env_steps])).toEqual(reference.summaries.map((s) => [s.id, s.return_mean, s.return_std, s.env_steps]));
  // The resumed run's metrics continue without repeating a report.
  const steps = readFileSync(join(stopped, 'runs', interrupted, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { env_steps: number }).env_steps);
  expect(steps).toEqual(readFileSync(join(whole, 'runs', interrupted, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { env_steps: number }).env_steps));

  // The table: one task, one column per learning rate, mean and std of the seeds' returns.
  const table = JSON.parse(readFileSync(join(stopped, 'table.json'), 'utf8')) as SweepTable;
  expect(table.columns).toEqual(['ddpg (actorLr=0.001)', 'ddpg (actorLr=0.0003)']);
  expect(table.rows.map((r) => r.task)).toEqual(['pendulum']);
  const cell = table.rows[0].cells['ddpg (actorLr=0.0003)'];
  const returns = again.summaries.filter((s) => s.point.actorLr === 0.0003).map((s) => s.return_mean);
  const mean = (returns[0] + returns[1]) / 2;
  expect(cell.returns).toEqual(returns);
  expect(cell.mean).toBeCloseTo(mean, 9);
  expect(cell.std).toBeCloseTo(Math.abs(returns[0] - returns[1]) / 2, 9);
  expect(cell.seeds).toEqual([1, 2]);
  expect(cell.env_steps).toBe(128000);
  expect(cell.success_rate).toBeNull();
  const md = readFileSync(join(stopped, 'table.md'), 'utf8');
  expect(md).toContain(`**${mean.toFixed(1)} +- `);
  expect(readFileSync(join(stopped, 'curves', 'pendulum.svg'), 'utf8')).toMatch(/^<svg/);
  // The random policy on the task: 100 episodes measured once per sweep directory (random.json)
  // with a fixed seed, so both sweeps' tables hold the same figure; random torques earn about -1200.
  const random = table.rows[0].random_here;
  expect(random?.episodes).toBe(100);
  expect(random?.return_mean).toBeLessThan(-900);
  expect((JSON.parse(readFileSync(join(whole, 'table.json'), 'utf8')) as SweepTable).rows[0].random_here).toEqual(random);
  expect(md).toContain(`| pendulum | ${random?.return_mean.toFixed(1)} (100 episodes) |`);

  // The same name with other settings is refused before anything runs.
  writeFileSync(spec, SPEC.replace('steps: 128000', 'steps: 64000'));
  vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    expect(await main(['sweep', spec, '--out', stopped])).toBe(2);
  } finally {
    vi.restoreAllMocks();
  }
});

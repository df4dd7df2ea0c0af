/**
 * The random-policy column of sweep tables: measured with the settings a task's runs train with
 * (fixed flags included), kept in random.json and measured again only when those settings, the
 * episode count or the adapter change; a task that cannot be measured shows '-'.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { writeTable } from '../../src/cli/sweep/table.js';
import type { RandomBaseline } from '../../src/cli/sweep/randomBaseline.js';

/** A sweep directory whose runs have not trained: one pendulum task with `flags` in its options. */
function sweepDir(options: Record<string, unknown>, env = 'pendulum'): string {
  const dir = mkdtempSync(join(tmpdir(), 'pathwise-random-'));
  const run = { id: `ddpg-${env}-seed1`, algo: 'ddpg', env, seed: 1, point: {}, options: { algo: 'ddpg', env, seed: 1, ...options } };
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ spec: { name: 'random-test' }, runs: [run], programs: [{ id: run.id, runs: [run], options: run.options }], skipped: [] }));
  return dir;
}

const baselines = (dir: string) => JSON.parse(readFileSync(join(dir, 'random.json'), 'utf8')) as Record<string, RandomBaseline>;

it("measures each task with its runs' system identification and observation settings, once", async () => {
  const plain = sweepDir({});
  const varied = sweepDir({ sysid: 0.5, obsNoise: 0.1, sensors: 'positions' });
  const a = await writeTable(plain, plain, 30);
  const b = await writeTable(varied, varied, 30);
  expect(a.rows[0].random_here?.settings).toEqual({ sensors: 'full', obsNoise: 0, sysid: 0 });
  expect(b.rows[0].random_here?.settings).toEqual({ sensors: 'positions', obsNoise: 0.1, sysid: 0.5 });
  // Pendulum's constants scaled per episode change what random torques earn.
  expect(b.rows[0].random_here?.return_mean).not.toBe(a.rows[0].random_here?.return_mean);
  expect(readFileSync(join(plain, 'table.md'), 'utf8')).toContain(`| pendulum | ${a.rows[0].random_here?.return_mean.toFixed(1)} (30 episodes) |`);
  // Kept: a second table reads the file (a planted value shows it was not measured again)...
  const kept = baselines(plain);
  kept.pendulum.return_mean = 12345;
  writeFileSync(join(plain, 'random.json'), JSON.stringify(kept));
  expect((await writeTable(plain, plain, 30)).rows[0].random_here?.return_mean).toBe(12345);
  // ...and measures again for another episode count.
  const again = await writeTable(plain, plain, 20);
  expect(again.rows[0].random_here?.episodes).toBe(20);
  expect(again.rows[0].random_here?.return_mean).not.toBe(12345);
  // 0 episodes: only what the file has.
  expect((await writeTable(varied, varied, 0)).rows[0].random_here).toEqual(b.rows[0].random_here);
});

it("leaves out a task it cannot measure (an environment this process has not loaded), saying why", async () => {
  const dir = sweepDir({}, 'my-own-env');
  const errors: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
  try {
    const table = await writeTable(dir, dir, 10);
    expect(table.rows[0].random_here).toBeNull();
  } finally {
    vi.restoreAllMocks();
  }
  expect(errors.join('\n')).toMatch(/random policy on my-own-env was not measured: .*env/);
  expect(readFileSync(join(dir, 'table.md'), 'utf8')).toContain('| my-own-env | - |');
});

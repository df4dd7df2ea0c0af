/**
 * Seeds that share a program: a sweep of 5 seeds trains each setting as one 5-agent program, and
 * its per-seed results equal those of 5 single runs exactly (agent a of seed s draws what a single
 * run of seed s + a draws: common/rng.wgsl's rng_agent_key), for an off-policy and an on-policy
 * algorithm; the table reads the agents' results and curves as seeds.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { SweepResults } from '../../src/cli/sweep/record.js';
import type { ExpandedSweep } from '../../src/cli/sweep/spec.js';
import type { SweepTable } from '../../src/cli/sweep/table.js';

const dir = mkdtempSync(join(tmpdir(), 'pathwise-shared-'));
const SPEC = `
algos: [ddpg, reinforce]
envs: [pendulum]
seeds: 5
steps: 16000
preset: cpu
flags: { envs: 16, evalEpisodes: 8, reportEvery: 100, learningStarts: 200, batchSize: 32, actorHidden: [16], criticHidden: [16] }
`;

async function sweep(name: string, share: boolean, text = SPEC): Promise<{ results: SweepResults; record: ExpandedSweep; out: string }> {
  const spec = join(dir, `${name}.yaml`);
  writeFileSync(spec, `name: ${name}\nshareSeeds: ${share}\n${text}`);
  const out = join(dir, name);
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    expect(await main(['sweep', spec, '--out', out])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  const read = (file: string) => JSON.parse(readFileSync(join(out, file), 'utf8'));
  return { results: read('results.json') as SweepResults, record: read('sweep.json') as ExpandedSweep, out };
}

it('5 seeds as one 5-agent program give exactly the results of 5 single runs', { timeout: 300_000 }, async () => {
  const shared = await sweep('shared', true);
  const single = await sweep('single', false);
  expect(shared.record.programs.map((p) => [p.id, p.options.agents])).toEqual([
    ['ddpg-pendulum-seeds1-5', 5],
    ['reinforce-pendulum-seeds1-5', 5],
  ]);
  expect(single.record.programs).toHaveLength(10);
  const key = (r: SweepResults) => r.summaries.map((s) => [s.id, s.return_mean, s.return_std, s.episodes, s.env_steps]);
  expect(shared.results.summaries).toHaveLength(10);
  expect(key(shared.results)).toEqual(key(single.results));
  // Different seeds learned differently (the agents are not copies of one another).
  expect(new Set(shared.results.summaries.filter((s) => s.algo === 'ddpg').map((s) => s.return_mean)).size).toBe(5);

  // The table and its curves are the same whichever way the seeds trained.
  const table = (out: string) => JSON.parse(readFileSync(join(out, 'table.json'), 'utf8')) as SweepTable;
  const cells = (t: SweepTable) => t.rows.map((r) => Object.entries(r.cells).map(([c, v]) => [c, v.returns, v.mean, v.std, v.seeds]));
  expect(cells(table(shared.out))).toEqual(cells(table(single.out)));
  expect(table(shared.out).rows[0].cells.ddpg.seeds).toEqual([1, 2, 3, 4, 5]);
  expect(readFileSync(join(shared.out, 'curves', 'pendulum.svg'), 'utf8')).toBe(readFileSync(join(single.out, 'curves', 'pendulum.svg'), 'utf8').replaceAll('single', 'shared'));
});

// Every keyed draw with several agents: DDPG's layers and rows programs with HER (future), TD3's
// target smoothing, OU noise and observation noise on reacher; SVG(0) and SVG(inf) in both programs.
const DDPG_DRAWS = `
algos: [ddpg]
envs: [reacher]
seeds: 3
steps: 3200
preset: cpu
flags: { envs: 8, evalEpisodes: 4, reportEvery: 100, obsNoise: 0.05, learningStarts: 200, batchSize: 16, her: future, targetPolicyNoise: 0.2, noise: ou }
grid: { program: [layers, rows] }
`;
const SVG_DRAWS = `
algos: [svg0, svg-inf]
envs: [pendulum]
seeds: 3
steps: 3200
preset: cpu
flags: { envs: 8, evalEpisodes: 4, reportEvery: 100, learningStarts: 200, batchSize: 16, horizon: 5 }
grid: { program: [layers, rows] }
`;

it('every random draw of several agents is its seed\'s: DDPG (HER, TD3 smoothing, OU, observation noise), SVG(0), SVG(inf), in layers and rows programs', { timeout: 400_000 }, async () => {
  for (const [name, text, programs] of [['ddpg-draws', DDPG_DRAWS, 2], ['svg-draws', SVG_DRAWS, 4]] as const) {
    const shared = await sweep(`${name}-shared`, true, text);
    const single = await sweep(`${name}-single`, false, text);
    expect(shared.record.programs.map((p) => p.runs.length)).toEqual(Array(programs).fill(3));
    expect(shared.results.failed).toEqual([]);
    const key = (r: SweepResults) => r.summaries.map((s) => [s.id, s.return_mean, s.return_std, s.success_rate]);
    expect(key(shared.results), name).toEqual(key(single.results));
    expect(shared.results.summaries).toHaveLength(programs * 3);
  }
});

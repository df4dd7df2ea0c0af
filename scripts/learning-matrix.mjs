#!/usr/bin/env node
// The learning matrix of docs/learning-matrix.md: every algorithm on every environment with the
// settings `pathwise train` uses by default (the preset of the machine's class plus the task's
// tuned entry, src/run/taskSettings.json), one seed: the return each reaches against the random
// policy's on the same task, and rllab's published figure where one exists. A sweep
// (`pathwise sweep`, resumable: run the script again and it goes on where it stopped) and its
// table (`pathwise table`, which measures the random policy), then this summary.
//
//   node scripts/learning-matrix.mjs [--preset cpu|gpu] [--seeds 1] [--envs a,b] [--algos a,b]
//                                    [--runs DIR] [--parallel N] [--out FILE] [--table-only]
//                                    [--archive DIR]
// --table-only writes the document from the runs finished so far without training more.
// Finished runs are kept in --archive (default bench/results/learning-matrix-PRESET, committed:
// config.json, eval.json and metrics.jsonl of each, and the random policy's returns), so the matrix
// goes on across machines: an archived run is restored into the sweep only while train would still
// use its settings (a changed preset or tuned entry makes it run again; a finished run here whose
// settings changed is moved to SWEEP/stale/ and trained again).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const lib = await import(new URL('../dist/index.js', import.meta.url).href);
const { values: o } = parseArgs({
  options: {
    preset: { type: 'string', default: 'cpu' },
    seeds: { type: 'string', default: '1' },
    envs: { type: 'string' },
    algos: { type: 'string' },
    runs: { type: 'string', default: 'runs' },
    parallel: { type: 'string', default: '1' },
    out: { type: 'string', default: 'docs/learning-matrix.md' },
    archive: { type: 'string' },
    'table-only': { type: 'boolean', default: false },
  },
});
const envs = o.envs ? o.envs.split(',') : lib.listEnvs().map((e) => e.name);
const algos = o.algos ? o.algos.split(',') : lib.listAlgorithms().map((a) => a.name);
const name = `learning-matrix-${o.preset}`;
const spec = { name, algos, envs, seeds: Number(o.seeds), preset: o.preset, flags: { checkpointEvery: 0 }, skipInvalid: true };
mkdirSync(o.runs, { recursive: true });
const specFile = join(o.runs, `${name}.json`);
writeFileSync(specFile, `${JSON.stringify(spec, null, 2)}\n`);
const sweepDir = join(o.runs, name);
const archive = o.archive ?? join('bench', 'results', name);
const RUN_FILES = ['config.json', 'eval.json', 'metrics.jsonl'];
const canonical = (v) =>
  Array.isArray(v) ? `[${v.map(canonical).join(',')}]` : v !== null && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}` : JSON.stringify(v);
const copyFiles = (from, to, files) => {
  mkdirSync(to, { recursive: true });
  for (const f of files) if (existsSync(join(from, f))) copyFileSync(join(from, f), join(to, f));
};
/**
 * Whether the finished run in `dir` trained with the settings train would use for it now (the
 * preset, the task's tuned entry, the defaults): a run whose settings changed (or that no longer
 * validates) is stale, neither restored nor archived, and trains again.
 */
async function current(dir) {
  try {
    const { run, algo } = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const now = await lib.settings({ algo: run.algo, env: run.env, seed: run.seed, agents: run.agents, preset: o.preset, ...spec.flags });
    return canonical(now.run) === canonical(run) && canonical(now.algo) === canonical(algo);
  } catch {
    return false;
  }
}
const finished = (dir) => RUN_FILES.every((f) => existsSync(join(dir, f)));
const ofThisMatrix = (dir) => {
  try {
    const { run } = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    return algos.includes(run.algo) && envs.includes(run.env);
  } catch {
    return false;
  }
};
const listDirs = (dir) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : []);
// Finished runs here whose settings changed since: moved aside (stale/), so the sweep trains them
// again (not with --table-only, which trains nothing: there they stay in the table, but are not archived).
const moved = [];
for (const id of o['table-only'] ? [] : listDirs(join(sweepDir, 'runs'))) {
  const dir = join(sweepDir, 'runs', id);
  if (!finished(dir) || (await current(dir))) continue;
  mkdirSync(join(sweepDir, 'stale'), { recursive: true });
  renameSync(dir, join(sweepDir, 'stale', `${id}-${Date.now()}`));
  moved.push(id);
}
if (moved.length) console.log(`learning-matrix: ${moved.length} finished runs trained with other settings than train's now, moved to ${join(sweepDir, 'stale')} to train again: ${moved.join(', ')}`);
// Restore: archived runs whose settings are still train's, into runs the sweep has not finished.
if (existsSync(archive)) {
  let restored = 0;
  const stale = [];
  for (const id of listDirs(archive)) {
    const from = join(archive, id);
    const to = join(sweepDir, 'runs', id);
    if (existsSync(join(to, 'eval.json')) || !finished(from) || !ofThisMatrix(from)) continue;
    if (!(await current(from))) {
      stale.push(id);
      continue;
    }
    // An interrupted run's checkpoint there belongs to other training than the restored files.
    rmSync(join(to, 'checkpoint.bin'), { force: true });
    copyFiles(from, to, RUN_FILES);
    restored += 1;
  }
  if (existsSync(join(archive, 'random.json')) && !existsSync(join(sweepDir, 'random.json'))) copyFiles(archive, sweepDir, ['random.json']);
  console.log(`learning-matrix: ${restored} finished runs restored from ${archive}${stale.length ? `; ${stale.length} not (train's settings for them changed, they run again): ${stale.join(', ')}` : ''}`);
}
if (o['table-only'] && !existsSync(join(sweepDir, 'sweep.json'))) {
  console.error(`learning-matrix: --table-only needs the sweep's record (${join(sweepDir, 'sweep.json')}), which the sweep writes when it starts: run without --table-only (restored runs are not trained again) and stop it when you want the table`);
  process.exit(2);
}
if (!o['table-only']) {
  try {
    execFileSync(process.execPath, [cli, 'sweep', specFile, '--out', sweepDir, '--parallel', o.parallel], { stdio: 'inherit' });
  } catch (e) {
    console.error(`learning-matrix: the sweep ended with failures or was stopped (${e.message.split('\n')[0]}); the document shows what finished`);
  }
}
execFileSync(process.execPath, [cli, 'table', sweepDir], { stdio: 'inherit' });
// Archive: every finished run's small files (not its checkpoint) and the random policy's returns.
for (const id of listDirs(join(sweepDir, 'runs'))) {
  const dir = join(sweepDir, 'runs', id);
  if (finished(dir) && (await current(dir))) copyFiles(dir, join(archive, id), RUN_FILES);
}
if (existsSync(join(sweepDir, 'random.json'))) copyFiles(sweepDir, archive, ['random.json']);
const table = JSON.parse(readFileSync(join(sweepDir, 'table.json'), 'utf8'));

const fmt = (x) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : Math.abs(x) >= 1e4 ? x.toExponential(2) : x.toFixed(1));
// Clearly above or below the random policy: by more than twice its standard error over its
// episodes plus 1% of its size; within that, level with it.
const noise = (r) => 2 * r.return_std / Math.sqrt(r.episodes) + 0.01 * Math.abs(r.return_mean);
const below = [], level = [], notRun = [], reasons = [];
const lines = [
  '# Learning matrix: every algorithm on every environment with the defaults',
  '',
  `Each cell: the mean return of 100 deterministic evaluation episodes after training one seed with the`,
  `settings \`pathwise train --algo A --env E\` uses (preset \`${o.preset}\` plus the task's tuned entry where`,
  'there is one: `pathwise settings A E`), its env steps and wall seconds (start-up included). Against the',
  'random policy (uniform actions, 100 episodes on the same adapter): **bold** when clearly above it,',
  '`=` when level with it (within twice its standard error plus 1%), `<` when clearly below. rllab\'s',
  'published figure (Duan et al. 2016) after it where one exists (for the rllab-* envs the same task;',
  'for our own classic envs another definition of it). Generated by `node scripts/learning-matrix.mjs`',
  `(a resumable sweep, \`runs/${name}\`, whose finished runs are kept in \`${archive}\`); not typed.`,
  '',
  `Adapter: ${table.adapters.join(', ') || 'none finished'}. Seeds: ${spec.seeds}. Generated ${new Date().toISOString().slice(0, 10)}.`,
  '',
  `| env | random | ${table.columns.join(' | ')} |`,
  `|---|---|${table.columns.map(() => '---').join('|')}|`,
];
for (const r of table.rows) {
  const random = r.random_here ?? null;
  const cells = table.columns.map((c) => {
    const cell = r.cells[c];
    if (!cell) return '';
    if (cell.skipped) {
      if (!reasons.includes(cell.skipped)) reasons.push(cell.skipped);
      return `(skipped ${reasons.indexOf(cell.skipped) + 1})`;
    }
    if (cell.returns.length === 0) {
      notRun.push(`${c} on ${r.task}`);
      return '(not run yet)';
    }
    const diff = random === null ? null : cell.mean - random.return_mean;
    const versus = diff === null ? null : diff > noise(random) ? 'above' : diff < -noise(random) ? 'below' : 'level';
    if (versus === 'below') below.push(`${c} on ${r.task}: ${fmt(cell.mean)} (random ${fmt(random.return_mean)})`);
    if (versus === 'level') level.push(`${c} on ${r.task}: ${fmt(cell.mean)} (random ${fmt(random.return_mean)})`);
    const value = versus === 'above' ? `**${fmt(cell.mean)}**` : versus === 'below' ? `< ${fmt(cell.mean)}` : versus === 'level' ? `= ${fmt(cell.mean)}` : fmt(cell.mean);
    const success = cell.success_rate !== null ? ` (${(100 * cell.success_rate).toFixed(0)}% success)` : '';
    const published = cell.published !== null ? `<br>rllab ${fmt(cell.published)}` : '';
    return `${value}${success}${published}<br>${cell.env_steps.toExponential(1)} steps, ${fmt(cell.wall_s)} s`;
  });
  const rllabRandom = r.rllab ? `<br>rllab ${fmt(r.random)}` : '';
  lines.push(`| ${r.task} | ${fmt(random?.return_mean ?? null)}${rllabRandom} | ${cells.join(' | ')} |`);
}
const list = (title, items) => ['', `## ${title} (${items.length})`, '', ...(items.length ? items.map((b) => `- ${b}`) : ['None.'])];
lines.push(...list('Below the random policy', below), ...list('Level with the random policy', level), ...list('Not run yet', notRun));
lines.push('', '## Skipped', '', ...reasons.map((r, i) => `${i + 1}. ${r.replaceAll('|', '\\|')}`));
writeFileSync(o.out, `${lines.join('\n')}\n`);
console.log(`learning-matrix: ${o.out} (${below.length} cells below the random policy, ${level.length} level with it, ${notRun.length} not run yet)`);

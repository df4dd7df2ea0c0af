/**
 * `pathwise table SWEEP_DIR`: the comparison table of a sweep in the seeds' shape - tasks x
 * algorithms, mean +- std over seeds of the final evaluation return, with rllab's published figure
 * beside ours where we give one, env steps and wall time per cell - as markdown and JSON, and one
 * picture per task of the learning curves (mean and a +-std band over seeds against env steps).
 * The run directories are the truth: a run counts when its eval.json exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSchema } from '../../run/config.js';
import { writeAtomic } from '../files.js';
import { bandChartSvg } from '../../run/plot.js';
import { runDirectory } from './execute.js';
import { rllabReturn, rllabRow, variantOf } from './published.js';
import { type EnvSettings, type RandomBaseline, envSettings, randomBaselines } from './randomBaseline.js';
import { type RunSummary, runState, runSummaries } from './runDir.js';
import { readSweepRecord } from './record.js';
import type { SweepRun } from './spec.js';

export interface TableCell {
  /** Final evaluation return per seed, in the sweep's seed order. */
  returns: number[];
  seeds: number[];
  mean: number;
  std: number;
  success_rate: number | null;
  env_steps: number;
  /** Seconds per run: start-up (device, kernels) plus training. */
  wall_s: number;
  published: number | null;
  /** Runs of this cell that did not finish (failed or not run yet) and skipped ones with the reason. */
  missing: number;
  skipped?: string;
}

export interface TableRow {
  task: string;
  env: string;
  /** The run options of the grid that make this row (e.g. sensors). */
  point: Record<string, unknown>;
  rllab: string | null;
  /** rllab's Random column for the row (published). */
  random: number | null;
  /** The run settings a random policy meets on this task (observations, system identification). */
  env_settings: EnvSettings;
  /** The uniformly random policy's return on this task measured here (null: not measured). */
  random_here: RandomBaseline | null;
  cells: Record<string, TableCell>;
}

export interface SweepTable {
  name: string;
  adapters: string[];
  columns: string[];
  rows: TableRow[];
}

const label = (point: Record<string, unknown>) =>
  Object.entries(point)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('x') : String(v)}`)
    .join(', ');

const split = (point: Record<string, unknown>) => ({
  run: Object.fromEntries(Object.entries(point).filter(([k]) => k in runSchema)),
  algo: Object.fromEntries(Object.entries(point).filter(([k]) => !(k in runSchema))),
});

const rowKey = (r: Pick<SweepRun, 'env' | 'point'>) => {
  const run = split(r.point).run;
  return label(run) ? `${r.env} (${label(run)})` : r.env;
};
const columnKey = (r: Pick<SweepRun, 'algo' | 'point'>) => {
  const algo = split(r.point).algo;
  return label(algo) ? `${r.algo} (${label(algo)})` : r.algo;
};

interface Curve {
  column: string;
  env_steps: number;
  mean: number;
  lo: number;
  hi: number;
}

/** The learning curve of `agent` of the program in `dir` (its own when it trained alone). */
function readCurve(dir: string, agent: number, agents: number): Map<number, number> {
  const out = new Map<number, number>();
  const file = join(dir, 'metrics.jsonl');
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(line) as { env_steps: number; return_mean: number | null; per_agent?: { return_mean: number | null }[] };
    const y = agents === 1 ? r.return_mean : (r.per_agent?.[agent]?.return_mean ?? null);
    if (y !== null) out.set(r.env_steps, y);
  }
  return out;
}

const meanStd = (xs: readonly number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
};

/** The table of the sweep in `sweepDir` from its run directories. */
export function buildTable(sweepDir: string): { table: SweepTable; curves: Map<string, Curve[]> } {
  const record = readSweepRecord(sweepDir);
  const rows = new Map<string, TableRow>();
  const columns: string[] = [];
  const adapters = new Set<string>();
  const curves = new Map<string, Curve[]>();
  const perCell = new Map<string, { summaries: (RunSummary & { startup: number })[]; curves: Map<number, number>[]; total: number; skipped?: string }>();
  const place = (r: Pick<SweepRun, 'env' | 'algo' | 'point'> & { options?: SweepRun['options'] }) => {
    const rk = rowKey(r);
    const ck = columnKey(r);
    if (!rows.has(rk)) {
      const variant = variantOf(split(r.point).run);
      const rl = rllabRow(r.env, variant);
      // The sweep's fixed flags reach a run through its options, not its point.
      rows.set(rk, { task: rk, env: r.env, point: split(r.point).run, rllab: rl?.row ?? null, random: rl?.random ?? null, env_settings: envSettings(r.options ?? split(r.point).run), random_here: null, cells: {} });
    }
    if (!columns.includes(ck)) columns.push(ck);
    const key = `${rk}\u0000${ck}`;
    if (!perCell.has(key)) perCell.set(key, { summaries: [], curves: [], total: 0 });
    return perCell.get(key) as NonNullable<ReturnType<typeof perCell.get>>;
  };
  for (const program of record.programs) {
    for (const run of program.runs) place(run).total += 1;
    const dir = runDirectory(sweepDir, program.id);
    if (runState(dir) !== 'finished') continue;
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { startup_s?: number };
    runSummaries(dir, program.runs).forEach((s, agent) => {
      const cell = place(s);
      cell.summaries.push({ ...s, startup: config.startup_s ?? 0 });
      cell.curves.push(readCurve(dir, agent, program.runs.length));
      adapters.add(s.adapter);
    });
  }
  for (const s of record.skipped) {
    const cell = place(s);
    cell.skipped = s.reason;
  }
  for (const [key, cell] of perCell) {
    const [rk, ck] = key.split('\u0000');
    const row = rows.get(rk) as TableRow;
    const returns = cell.summaries.map((s) => s.return_mean);
    const { mean, std } = returns.length > 0 ? meanStd(returns) : { mean: Number.NaN, std: Number.NaN };
    const successes = cell.summaries.map((s) => s.success_rate).filter((x): x is number => x !== null);
    const algo = ck.split(' ')[0];
    row.cells[ck] = {
      returns,
      seeds: cell.summaries.map((s) => s.seed),
      mean,
      std,
      success_rate: successes.length > 0 ? meanStd(successes).mean : null,
      env_steps: cell.summaries.length > 0 ? meanStd(cell.summaries.map((s) => s.env_steps)).mean : 0,
      wall_s: cell.summaries.length > 0 ? meanStd(cell.summaries.map((s) => s.wall_s + s.startup)).mean : 0,
      published: rllabReturn(row.env, variantOf(row.point), algo),
      missing: cell.total - cell.summaries.length,
      ...(cell.skipped ? { skipped: cell.skipped } : {}),
    };
    // Learning curves: the seeds' returns at each report all have (the same report schedule).
    const seedCurves = cell.curves;
    if (seedCurves.length === 0) continue;
    const steps = [...seedCurves[0].keys()].filter((s) => seedCurves.every((c) => c.has(s)));
    const points = steps.map((env_steps) => {
      const ys = meanStd(seedCurves.map((c) => c.get(env_steps) as number));
      return { column: ck, env_steps, mean: ys.mean, lo: ys.mean - ys.std, hi: ys.mean + ys.std };
    });
    curves.set(rk, [...(curves.get(rk) ?? []), ...points]);
  }
  return { table: { name: record.spec.name, adapters: [...adapters], columns, rows: [...rows.values()] }, curves };
}

const fmt = (x: number | null, d = 1) => (x === null || !Number.isFinite(x) ? '-' : Math.abs(x) >= 1e4 ? x.toExponential(2) : x.toFixed(d));

function cellText(c: TableCell | undefined): string {
  if (!c) return '';
  if (c.returns.length === 0) return c.skipped ? `(skipped: ${c.skipped.replaceAll('|', '\\|')})` : `(no finished run${c.missing > 0 ? `; ${c.missing} missing` : ''})`;
  const parts = [`**${fmt(c.mean)} +- ${fmt(c.std)}** (${c.returns.length} seeds${c.missing > 0 ? `, ${c.missing} missing` : ''})`];
  if (c.success_rate !== null) parts.push(`success ${(100 * c.success_rate).toFixed(0)}%`);
  if (c.published !== null) parts.push(`rllab ${fmt(c.published)}`);
  parts.push(`${c.env_steps.toExponential(2)} steps, ${fmt(c.wall_s)} s`);
  return parts.join('<br>');
}

export function tableMarkdown(t: SweepTable): string {
  const lines = [
    `# Sweep ${t.name}: final evaluation return, mean +- std over seeds`,
    '',
    `Adapter: ${t.adapters.join(', ') || 'none finished'}. Each cell: mean +- std over seeds of the mean return of`,
    "the run's deterministic evaluation episodes; rllab's published figure (Duan et al. 2016) for the row",
    'the task stands in for, where we give one (a landmark, unless the task is an rllab-* env: then the same',
    'task); env steps per run and wall seconds (start-up included) per program - seeds trained together as',
    "agents of one program share it. The random policy: uniform actions in the action bounds, the task's",
    'mean return measured here (and rllab\'s Random column). Made by `pathwise table`.',
    '',
    `| task | random policy here | rllab row (random) | ${t.columns.join(' | ')} |`,
    `|---|---|---|${t.columns.map(() => '---').join('|')}|`,
  ];
  const here = (r: TableRow) => (r.random_here ? `${fmt(r.random_here.return_mean)} (${r.random_here.episodes} episodes)` : '-');
  for (const r of t.rows) lines.push(`| ${r.task} | ${here(r)} | ${r.rllab ? `${r.rllab} (${fmt(r.random)})` : ''} | ${t.columns.map((c) => cellText(r.cells[c])).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9.=_-]+/g, '_').replace(/_+$/, '');

/**
 * Writes table.md, table.json and curves/<task>.svg into `outDir` (default: the sweep's directory),
 * with every task's random policy measured over `randomEpisodes` episodes (kept in the sweep's
 * random.json; 0: only what that file has).
 */
export async function writeTable(sweepDir: string, outDir = sweepDir, randomEpisodes = 100): Promise<SweepTable> {
  const { table, curves } = buildTable(sweepDir);
  const baselines = await randomBaselines(sweepDir, table.rows.map((r) => ({ task: r.task, env: r.env, settings: r.env_settings })), randomEpisodes);
  for (const row of table.rows) row.random_here = baselines[row.task] ?? null;
  writeAtomic(join(outDir, 'table.md'), tableMarkdown(table));
  writeAtomic(join(outDir, 'table.json'), `${JSON.stringify(table, null, 2)}\n`);
  for (const [task, points] of curves) {
    writeAtomic(join(outDir, 'curves', `${slug(task)}.svg`), await bandChartSvg(points, { title: `${table.name}: ${task}`, x: 'env steps', y: 'mean episodic return' }));
  }
  return table;
}

/**
 * A sweep spec (YAML or JSON, parsed by the `yaml` package): algorithms, envs, seeds, fixed flags
 * and grids of flags, the budget per run. `expandSweep` validates every key and every run it
 * expands to (through the same option schemas as `pathwise train`) before anything runs or is
 * queued, so a typo fails at once with the key's name.
 *
 *   name: lr-study          # the sweep's name (default: the file's name)
 *   algos: [ddpg, svg0]
 *   envs: [pendulum, cartpole]
 *   seeds: 5                # seeds 1..5, or a list [1, 7, 9]
 *   steps: 40000            # env steps per run (optional: the preset's)
 *   preset: cpu             # auto | cpu | gpu (as train; default auto)
 *   flags: { envs: 64, evalEpisodes: 20 }        # every run
 *   grid: { policyLr: [0.001, 0.0003] }          # every combination
 *   variants: [{}, { sensors: positions }]       # alternatives, each crossed with the grid
 *   skipInvalid: false      # true: (algo, env) pairs an algorithm refuses become skipped cells
 *   shareSeeds: true        # consecutive seeds of one setting train as one multi-agent program
 *   agentsPerProgram: 8     # at most this many seeds per program (blocks 1-8, 9-16, ...)
 *
 * Flags are named as in the library (camelCase) or on the command line (kebab-case). A flag an
 * algorithm lacks is not applied to it (and does not multiply its runs); a flag no listed
 * algorithm and no run option has is refused.
 *
 * Seeds share a program: the runs of one setting with consecutive seeds s .. s + k - 1 train as
 * one k-agent program of seed s (agent a draws exactly what a single run of seed s + a draws, see
 * common/rng.wgsl's rng_agent_key), where the algorithm takes several agents (CEM and CMA-ES use
 * the agent dimension for their population) and the spec does not set --agents itself.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ALGORITHMS, getAlgorithm } from '../../algos/registry.js';
import { envNames } from '../../envs/registry.js';
import { checkCombination, runSchema } from '../../run/config.js';
import { type TrainOptions, checkPreset, resolveTrainOptions } from '../../api/options.js';
import { ConfigError } from '../../errors.js';

export interface SweepSpec {
  name: string;
  algos: string[];
  envs: string[];
  seeds: number[];
  steps?: number;
  preset: 'auto' | 'cpu' | 'gpu';
  flags: Record<string, unknown>;
  grid: Record<string, unknown[]>;
  /** The most seeds one shared program holds (blocks aligned on seed 1, 1 + this, ...). */
  agentsPerProgram: number;
  /** Alternative settings (e.g. rllab's observation variants), each crossed with the grid. */
  variants: Record<string, unknown>[];
  skipInvalid: boolean;
  shareSeeds: boolean;
}

/** One run of a sweep: its id (also its directory's name under the sweep) and train's options. */
export interface SweepRun {
  id: string;
  algo: string;
  env: string;
  seed: number;
  /** The grid's values for this run (empty without a grid). */
  point: Record<string, unknown>;
  options: TrainOptions;
}

/**
 * What trains as one: runs of one setting with consecutive seeds as one multi-agent program
 * (agent a = runs[a], seed runs[0].seed + a), or a single run. Its directory is runs/<id>.
 */
export interface SweepProgram {
  id: string;
  runs: SweepRun[];
  options: TrainOptions;
}

export interface ExpandedSweep {
  spec: SweepSpec;
  runs: SweepRun[];
  programs: SweepProgram[];
  /** Runs an algorithm refuses (with skipInvalid), with the reason. */
  skipped: (Omit<SweepRun, 'options'> & { reason: string })[];
}

const KEYS = ['name', 'algos', 'envs', 'seeds', 'steps', 'preset', 'flags', 'grid', 'variants', 'skipInvalid', 'shareSeeds', 'agentsPerProgram'] as const;

const specError = (key: string, value: unknown, allowed: string) => new ConfigError(`sweep spec: ${key}`, value, allowed);

const camel = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function stringList(key: string, value: unknown, known: readonly string[]): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw specError(key, value, `a non-empty list of ${known.join(', ')}`);
  for (const item of list) if (typeof item !== 'string' || !known.includes(item)) throw specError(key, item, `one of ${known.join(', ')}`);
  return [...new Set(list as string[])];
}

function seedList(value: unknown): number[] {
  if (value === undefined) return [1];
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1 || value > 1000) throw specError('seeds', value, 'a count from 1 to 1000 or a list of seeds');
    return Array.from({ length: value }, (_, i) => i + 1);
  }
  if (!Array.isArray(value) || value.length === 0) throw specError('seeds', value, 'a count from 1 to 1000 or a non-empty list of seeds');
  for (const s of value) if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > 0xffffffff) throw specError('seeds', s, 'integers from 0 to 4294967295');
  return [...new Set(value as number[])];
}

/** Flags keyed by camelCase name; each must be a run option or an option of one of `algos`. */
function flagMap(key: string, value: unknown, algos: readonly string[]): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw specError(key, value, 'a map of flag names to values');
  const out: Record<string, unknown> = {};
  for (const [flag, v] of Object.entries(value)) {
    const name = camel(flag);
    if (['algo', 'env', 'seed', 'steps', 'preset'].includes(name)) throw specError(`${key}.${flag}`, v, `no ${name} here: the spec's ${name === 'algo' || name === 'env' ? `${name}s` : name === 'seed' ? 'seeds' : name} key sets it`);
    // A sweep's run is one seed; seeds share multi-agent programs by themselves (shareSeeds).
    if (name === 'agents') throw specError(`${key}.${flag}`, v, 'no agents here: every run of a sweep is one seed, and consecutive seeds train as agents of one program (shareSeeds, agentsPerProgram)');
    if (!(name in runSchema) && !algos.some((a) => name in getAlgorithm(a).schema)) {
      throw specError(`${key}.${flag}`, v, `a run option or an option of ${algos.join(', ')} (pathwise train --help lists them)`);
    }
    out[name] = v;
  }
  return out;
}

/** Parses and checks the spec's shape (not yet the runs): unknown keys, algorithms, envs, seeds. */
export function parseSweepSpec(text: string, defaultName = 'sweep'): SweepSpec {
  let raw: unknown;
  try {
    raw = parseYaml(text); // YAML is a superset of JSON
  } catch (e) {
    throw specError('text', (e as Error).message.split('\n')[0], 'YAML or JSON');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw specError('text', typeof raw, `a map with keys ${KEYS.join(', ')}`);
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!(KEYS as readonly string[]).includes(key)) throw specError(key, o[key], `a known key: ${KEYS.join(', ')}`);
  const name = o.name === undefined ? defaultName : o.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,80}$/.test(name) || /^\.+$/.test(name)) throw specError('name', name, 'letters, digits, ".", "_" or "-" (at most 80), not only dots');
  const algos = stringList('algos', o.algos, ALGORITHMS);
  const envs = stringList('envs', o.envs, envNames());
  let steps: number | undefined;
  if (o.steps !== undefined) {
    if (typeof o.steps !== 'number' || !Number.isInteger(o.steps) || o.steps < 1) throw specError('steps', o.steps, 'an integer >= 1 (env steps per run)');
    steps = o.steps;
  }
  let preset: SweepSpec['preset'];
  try {
    preset = checkPreset(o.preset);
  } catch {
    throw specError('preset', o.preset, 'one of auto, gpu, cpu');
  }
  const flags = flagMap('flags', o.flags, algos);
  const gridValues = flagMap('grid', o.grid, algos);
  const grid: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(gridValues)) {
    if (!Array.isArray(v) || v.length === 0) throw specError(`grid.${k}`, v, 'a non-empty list of values');
    if (k in flags) throw specError(`grid.${k}`, v, `a flag not also fixed under flags`);
    grid[k] = v;
  }
  let variants: Record<string, unknown>[] = [{}];
  if (o.variants !== undefined) {
    if (!Array.isArray(o.variants) || o.variants.length === 0) throw specError('variants', o.variants, 'a non-empty list of flag maps ({} for the plain setting)');
    variants = o.variants.map((v, i) => flagMap(`variants[${i}]`, v ?? {}, algos));
    variants.forEach((v, i) => {
      for (const k of Object.keys(v)) if (k in flags || k in grid) throw specError(`variants[${i}].${k}`, v[k], 'a flag not also under flags or grid');
    });
  }
  for (const key of ['skipInvalid', 'shareSeeds'] as const) if (o[key] !== undefined && typeof o[key] !== 'boolean') throw specError(key, o[key], 'true or false');
  const agentsPerProgram = o.agentsPerProgram ?? 8;
  if (typeof agentsPerProgram !== 'number' || !Number.isInteger(agentsPerProgram) || agentsPerProgram < 1 || agentsPerProgram > 64) throw specError('agentsPerProgram', agentsPerProgram, 'an integer from 1 to 64 (default 8)');
  return { name, algos, envs, seeds: seedList(o.seeds), steps, preset, flags, grid, agentsPerProgram, variants, skipInvalid: o.skipInvalid === true, shareSeeds: o.shareSeeds !== false };
}

export function readSweepSpec(file: string): SweepSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError('SPEC', file, 'a readable YAML or JSON file');
  }
  return parseSweepSpec(text, basename(file, extname(file)));
}

/** Every combination of the grid's values (one empty point without a grid). */
function gridPoints(grid: Record<string, unknown[]>): Record<string, unknown>[] {
  return Object.entries(grid).reduce<Record<string, unknown>[]>((points, [k, values]) => points.flatMap((p) => values.map((v) => ({ ...p, [k]: v }))), [{}]);
}

const pointLabel = (point: Record<string, unknown>) =>
  Object.entries(point)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('x') : String(v)}`)
    .join(',');

/** A directory-safe id: algo-env[-grid point]-seedN. */
function runId(algo: string, env: string, point: Record<string, unknown>, seed: number): string {
  const label = pointLabel(point).replace(/[^A-Za-z0-9.=,_-]/g, '_');
  return `${algo}-${env}${label ? `-${label}` : ''}-seed${seed}`;
}

/**
 * The spec's runs, each validated as `pathwise train` would validate it (`software`: whether the
 * preset auto means cpu here). An invalid run refuses the whole spec, naming the run and the flag,
 * unless skipInvalid turns refusals of an (algorithm, env) combination into skipped runs.
 */
export function expandSweep(spec: SweepSpec, software: boolean): ExpandedSweep {
  const runs: SweepRun[] = [];
  const skipped: ExpandedSweep['skipped'] = [];
  for (const algo of spec.algos) {
    const schema = getAlgorithm(algo).schema;
    const applies = (k: string) => k in runSchema || k in schema;
    const fixed = Object.fromEntries(Object.entries(spec.flags).filter(([k]) => applies(k)));
    const grid = Object.fromEntries(Object.entries(spec.grid).filter(([k]) => applies(k)));
    const variants = spec.variants.map((v) => Object.fromEntries(Object.entries(v).filter(([k]) => applies(k))));
    const points = variants.flatMap((v) => gridPoints(grid).map((p) => ({ ...v, ...p })));
    const unique = [...new Map(points.map((p) => [JSON.stringify(p), p])).values()];
    for (const env of spec.envs) {
      for (const point of unique) {
        for (const seed of spec.seeds) {
          const options: TrainOptions = { ...fixed, ...point, algo, env, seed, ...(spec.steps !== undefined ? { steps: spec.steps } : {}), preset: spec.preset };
          const id = runId(algo, env, point, seed);
          let resolved: ReturnType<typeof resolveTrainOptions>;
          try {
            resolved = resolveTrainOptions(options, software, false);
          } catch (e) {
            if (e instanceof ConfigError) throw new ConfigError(`sweep spec: run ${id}: ${e.field}`, e.value, e.allowed);
            throw e;
          }
          try {
            checkCombination(resolved.run, resolved.algo);
          } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            // A combination the algorithm refuses (e.g. svg-inf on an env without a
            // differentiable step) is skipped when asked; a value out of range never is.
            if (!spec.skipInvalid) throw new ConfigError(`sweep spec: run ${id}: ${e.field}`, e.value, `${e.allowed} (or skipInvalid: true to skip such runs)`);
            skipped.push({ id, algo, env, seed, point, reason: e.message });
            continue;
          }
          if (resolved.run.evalEpisodes < 1) throw new ConfigError(`sweep spec: run ${id}: --eval-episodes`, resolved.run.evalEpisodes, "an integer >= 1 in a sweep (a run's result is its final evaluation)");
          if (runs.some((r) => r.id === id)) throw specError('grid/variants', id, 'each setting once (two values name the same run)');
          runs.push({ id, algo, env, seed, point, options });
        }
      }
    }
  }
  if (runs.length === 0) throw specError('algos/envs', `${spec.algos.join(',')} x ${spec.envs.join(',')}`, 'at least one valid run');
  return { spec, runs, programs: programsOf(spec, runs, software), skipped };
}

/** Runs of one setting with consecutive seeds, in the spec's order. */
function consecutiveSeeds(runs: readonly SweepRun[]): SweepRun[][] {
  const settings = new Map<string, SweepRun[]>();
  for (const run of runs) {
    const key = JSON.stringify([run.algo, run.env, run.point]);
    settings.set(key, [...(settings.get(key) ?? []), run]);
  }
  const groups: SweepRun[][] = [];
  for (const same of settings.values()) {
    const sorted = [...same].sort((a, b) => a.seed - b.seed);
    for (const run of sorted) {
      const last = groups.at(-1);
      if (last && last[0].algo === run.algo && last[0].env === run.env && JSON.stringify(last[0].point) === JSON.stringify(run.point) && last.at(-1)?.seed === run.seed - 1) last.push(run);
      else groups.push([run]);
    }
  }
  return groups;
}

/**
 * Consecutive seeds cut into blocks of `size` aligned on seed 1, size + 1, ...: a program never
 * holds more than `size` agents, and adding seeds changes only the last block's program.
 */
function blocks(group: readonly SweepRun[], size: number): SweepRun[][] {
  const out: SweepRun[][] = [];
  for (const run of group) {
    const last = out.at(-1);
    if (last && last.length < size && (run.seed - 1) % size !== 0) last.push(run);
    else out.push([run]);
  }
  return out;
}

function programsOf(spec: SweepSpec, runs: readonly SweepRun[], software: boolean): SweepProgram[] {
  return consecutiveSeeds(runs).flatMap((seeds) => blocks(seeds, spec.agentsPerProgram)).flatMap((group): SweepProgram[] => {
    const singles = () => group.map((run) => ({ id: run.id, runs: [run], options: run.options }));
    if (!spec.shareSeeds || group.length === 1) return singles();
    const first = group[0];
    const last = group[group.length - 1];
    const options: TrainOptions = { ...first.options, agents: group.length };
    try {
      resolveTrainOptions(options, software); // e.g. CEM refuses agents > 1: the seeds run one by one
    } catch (e) {
      if (e instanceof ConfigError) return singles();
      throw e;
    }
    return [{ id: first.id.replace(/-seed\d+$/, `-seeds${first.seed}-${last.seed}`), runs: group, options }];
  });
}

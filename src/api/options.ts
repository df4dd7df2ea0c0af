/**
 * Training options as one object: the run's settings and the algorithm's own, named as the CLI's
 * flags in camelCase (`--actor-lr` is `actorLr`) and validated the same way, before any GPU work.
 * A preset fills what is not given: `cpu` (the small settings of the learning tests, for CPU
 * adapters such as lavapipe), `gpu` (the published settings), or `auto` (cpu on a CPU adapter).
 */
import { ALGORITHM_ENTRIES, getAlgorithm } from '../algos/registry.js';
import { flagName } from '../algos/common/options.js';
import { ConfigError } from '../errors.js';
import { type RunConfig, algoConfig, checkCombination, runConfig, runSchema } from '../run/config.js';
import { CPU_PRESETS } from '../run/presets.js';
import { type TaskSettings, taskSettings } from '../run/taskSettings.js';

export type Preset = 'auto' | 'gpu' | 'cpu';

export interface TrainOptions {
  /** Algorithm (listAlgorithms()); default ddpg. */
  algo?: string;
  /** Environment (listEnvs()); default pendulum. */
  env?: string;
  envs?: number;
  agents?: number;
  seed?: number;
  /** Env transitions per agent to train for. */
  steps?: number;
  reportEvery?: number;
  submitEvery?: number;
  checkpointEvery?: number;
  evalEpisodes?: number;
  sensors?: 'full' | 'positions';
  obsNoise?: number;
  sysid?: number;
  /** Defaults for what is not given; default auto. */
  preset?: Preset;
  /** The algorithm's own settings (listAlgorithms() names them with defaults and ranges). */
  [setting: string]: unknown;
}

/** What `settings(options)` answers: every value train would use. */
export interface TrainSettings {
  /** The run's settings (algo, env, envs, steps, seed, ...), as config.json's `run`. */
  run: Record<string, unknown>;
  /** The algorithm's settings, as config.json's `algo`. */
  algo: Record<string, unknown>;
  /** The preset that filled unset values. */
  preset: 'cpu' | 'gpu';
  /** Where the task's tuned settings come from (src/run/taskSettings.json), or null when none apply. */
  tunedSource: string | null;
}

export interface ResolvedOptions {
  run: RunConfig;
  algo: Record<string, unknown>;
  /** The preset that filled unset values ('gpu': the schemas' published defaults; 'checkpoint': a resumed run's own). */
  preset: 'gpu' | 'cpu' | 'checkpoint';
  /** The settings tuned for this (algorithm, env) and preset that applied (src/run/taskSettings.json), or null: none known. */
  tuned: TaskSettings | null;
}

/** Where a resolved value came from: given, the task's tuned settings, the cpu preset, or the schema's default. */
export type SettingOrigin = 'given' | 'task' | 'preset' | 'default';

export function checkPreset(preset: unknown): Preset {
  if (preset !== undefined && !['auto', 'gpu', 'cpu'].includes(String(preset))) throw new ConfigError('--preset', preset, 'one of auto, gpu, cpu');
  return (preset ?? 'auto') as Preset;
}

/**
 * The run and algorithm settings of `options` on an adapter that is a CPU (`software`) or not:
 * given values override the preset, the preset overrides the schemas' defaults. A setting of
 * another algorithm, or one no algorithm has, is refused by name. `checkCombinations`: also the
 * algorithm's checks of the env and settings together (e.g. svg-inf needs a differentiable env).
 */
export function resolveTrainOptions(options: TrainOptions, software: boolean, checkCombinations = true): ResolvedOptions {
  const { preset: given, ...rest } = options;
  const values = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const preset = checkPreset(given) === 'cpu' || (checkPreset(given) === 'auto' && software) ? 'cpu' : 'gpu';
  const name = getAlgorithm(String(values.algo ?? runSchema.algo.default)).name;
  const defaults = preset === 'cpu' ? CPU_PRESETS[name] : undefined;
  const tuned = taskSettings(name, String(values.env ?? runSchema.env.default), preset);
  const pick = (keys: object) => Object.fromEntries(Object.entries(values).filter(([k]) => k in keys));
  const run = runConfig({ ...defaults?.run, ...tuned?.run, ...pick(runSchema) });
  const entry = getAlgorithm(run.algo);
  for (const key of Object.keys(values)) {
    if (key in runSchema || key in entry.schema) continue;
    const known = ALGORITHM_ENTRIES.some((a) => key in a.schema);
    const allowed = Object.keys(entry.schema).map(flagName).join(', ');
    throw new ConfigError(flagName(key), values[key], known ? `an option of --algo ${run.algo} (${allowed})` : `a run option or an option of --algo ${run.algo} (${allowed})`);
  }
  const algo = algoConfig(run.algo, { ...defaults?.algo, ...tuned?.algo, ...pick(entry.schema) });
  // A sweep checks the combination of an algorithm, an env and their settings itself (a refused one may be skipped).
  if (checkCombinations) checkCombination(run, algo);
  return { run, algo, preset, tuned };
}

/** Every run and algorithm setting `options` resolve to, with where each value came from. */
export function settingOrigins(options: TrainOptions, software: boolean): { resolved: ResolvedOptions; origins: { name: string; flag: string; value: unknown; origin: SettingOrigin }[] } {
  const resolved = resolveTrainOptions(options, software);
  const given = new Set(Object.keys(options).filter((k) => options[k] !== undefined));
  const preset = resolved.preset === 'cpu' ? CPU_PRESETS[resolved.run.algo] : undefined;
  const origin = (key: string, part: 'run' | 'algo'): SettingOrigin =>
    given.has(key) ? 'given' : resolved.tuned?.[part] && key in resolved.tuned[part] ? 'task' : preset?.[part] && key in preset[part] ? 'preset' : 'default';
  const rows = (values: Record<string, unknown>, part: 'run' | 'algo') => Object.entries(values).map(([name, value]) => ({ name, flag: flagName(name), value, origin: origin(name, part) }));
  return { resolved, origins: [...rows(resolved.run as unknown as Record<string, unknown>, 'run'), ...rows(resolved.algo, 'algo')] };
}

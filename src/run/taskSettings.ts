/**
 * Settings that are known to work for one task: per (algorithm, env) and preset, a table of
 * values (src/run/taskSettings.json, data with the source of every entry) that train() applies
 * over the preset's and the schemas' defaults, under explicit options. A pair without an entry
 * trains with the preset alone, which was tuned on pendulum; train says so at start.
 */
import table from './taskSettings.json';

export type PresetName = 'cpu' | 'gpu';

export interface TaskSettings {
  /** Run options (envs, steps, ...). */
  run?: Readonly<Record<string, unknown>>;
  /** The algorithm's options. */
  algo?: Readonly<Record<string, unknown>>;
  /** Where the values come from (a published setting, RL Zoo, our own sweep) and what they reached, where. */
  source: string;
}

type Table = Readonly<Record<string, Readonly<Record<string, Partial<Record<PresetName, TaskSettings>>>>>>;

const TABLE = Object.fromEntries(Object.entries(table).filter(([k]) => !k.startsWith('$'))) as unknown as Table;

/** The tuned settings of (algo, env) for `preset`, or null where the table has none. */
export function taskSettings(algo: string, env: string, preset: PresetName): TaskSettings | null {
  return TABLE[algo]?.[env]?.[preset] ?? null;
}

/** Every entry of the table, as (algo, env, preset, settings). */
export function taskSettingsEntries(): { algo: string; env: string; preset: PresetName; settings: TaskSettings }[] {
  return Object.entries(TABLE).flatMap(([algo, envs]) =>
    Object.entries(envs).flatMap(([env, presets]) =>
      (Object.entries(presets) as [PresetName, TaskSettings][]).map(([preset, settings]) => ({ algo, env, preset, settings })),
    ),
  );
}

/**
 * The table of settings per (algorithm, env) (src/run/taskSettings.json): every entry names a real
 * algorithm, env and options with valid values and says where they come from; train() applies an
 * entry under explicit options and over the preset; `pathwise settings` shows each value's origin.
 */
import { describe, expect, it, vi } from 'vitest';
import { resolveTrainOptions, settingOrigins } from '../../src/api/options.js';
import { getAlgorithm } from '../../src/algos/registry.js';
import { main } from '../../src/cli/main.js';
import { tunedLine } from '../../src/cli/train.js';
import { getEnv } from '../../src/envs/registry.js';
import { CPU_PRESETS } from '../../src/run/presets.js';
import { runSchema } from '../../src/run/config.js';
import { taskSettings, taskSettingsEntries } from '../../src/run/taskSettings.js';

describe('the table of task settings', () => {
  const entries = taskSettingsEntries();

  it('has entries, each for a registered algorithm and env, with a source', () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const { algo, env, settings } of entries) {
      expect(() => getAlgorithm(algo), algo).not.toThrow();
      expect(() => getEnv(env), env).not.toThrow();
      expect(settings.source.length, `${algo} ${env}`).toBeGreaterThan(20);
    }
  });

  it.each(taskSettingsEntries().map((e) => [e.algo, e.env, e.preset] as const))('%s on %s (%s): valid options, applied under explicit ones', (algo, env, preset) => {
    const settings = taskSettings(algo, env, preset)!;
    for (const key of Object.keys(settings.run ?? {})) expect(key in runSchema, `run option ${key}`).toBe(true);
    for (const key of Object.keys(settings.algo ?? {})) expect(key in getAlgorithm(algo).schema, `${algo} option ${key}`).toBe(true);
    const resolved = resolveTrainOptions({ algo, env, preset }, preset === 'cpu');
    expect(resolved.tuned).toBe(settings);
    expect(resolved.run).toMatchObject(settings.run ?? {});
    expect(resolved.algo).toMatchObject(settings.algo ?? {});
    // Every value of the entry gives way to an explicit option (another valid value).
    const schema = { ...runSchema, ...getAlgorithm(algo).schema } as Record<string, { kind: string; max?: number; choices?: readonly string[] | (() => string[]) }>;
    for (const [key, value] of Object.entries({ ...settings.run, ...settings.algo })) {
      const choices = schema[key].choices;
      // Twice the value, or half of it where twice is over the option's maximum (gamma 0.995).
      const numeric = (v: number) => (schema[key].max !== undefined && v * 2 > schema[key].max ? v / 2 : v * 2);
      const other = typeof value === 'number' ? numeric(value) : (typeof choices === 'function' ? choices() : choices ?? []).find((c) => c !== value);
      expect(other, key).toBeDefined();
      const given = resolveTrainOptions({ algo, env, preset, [key]: other }, preset === 'cpu');
      expect({ ...given.run, ...given.algo }[key], key).toEqual(other);
      expect(settingOrigins({ algo, env, preset, [key]: other }, preset === 'cpu').origins.find((o) => o.name === key)?.origin).toBe('given');
    }
  });
});

describe('tuned settings in train and on the command line', () => {
  it('a task without an entry trains with the preset alone, and train says so', () => {
    const resolved = resolveTrainOptions({ algo: 'cem', env: 'acrobot', preset: 'cpu' }, true);
    expect(resolved.tuned).toBeNull();
    expect(resolved.run.envs).toBe(CPU_PRESETS.cem.run.envs);
    expect(tunedLine('cem', 'acrobot', 'cpu', null)).toBe("no settings tuned for cem on acrobot with the cpu preset: the cpu preset's, tuned on pendulum, apply (see pathwise settings cem acrobot)");
  });

  it("train's line names only the tuned values that apply", () => {
    const tuned = { run: { steps: 240000 }, algo: { noise: 'ou' }, source: 'somewhere' };
    expect(tunedLine('ddpg', 'mountain-car', 'cpu', tuned, { steps: 1000 })).toBe('settings tuned for ddpg on mountain-car (cpu preset) apply: {"noise":"ou"} (somewhere)');
    expect(tunedLine('ddpg', 'mountain-car', 'cpu', tuned, { steps: 1000, noise: 'gaussian' })).toBe('settings tuned for ddpg on mountain-car (cpu preset) are all overridden by your flags (somewhere)');
    expect(tunedLine('ddpg', 'pendulum', 'cpu', { source: 'the preset' })).toBe("settings tuned for ddpg on pendulum (cpu preset) are the cpu preset's own (the preset)");
  });

  it('pathwise settings lists every option with its value and origin', async () => {
    const entry = taskSettingsEntries().find((e) => e.preset === 'cpu' && (Object.keys(e.settings.algo ?? {}).length > 0 || Object.keys(e.settings.run ?? {}).length > 0));
    expect(entry, 'an entry with values of its own').toBeDefined();
    const { algo, env, settings } = entry!;
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main(['settings', algo, env])).toBe(0);
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines[0]).toBe(`${algo} on ${env}, cpu preset: tuned settings (${settings.source})`);
      const { origins } = settingOrigins({ algo, env, preset: 'cpu' }, true);
      expect(lines).toHaveLength(1 + origins.length);
      for (const key of Object.keys({ ...settings.run, ...settings.algo })) {
        expect(origins.find((o) => o.name === key)?.origin, key).toBe('task');
      }
      expect(origins.find((o) => o.name === 'env')?.origin).toBe('given');
      expect(origins.find((o) => o.name === 'envs')?.origin).toBe('preset'); // 32 from the cpu preset
      expect(lines.some((l) => /--seed\s+1\s+default$/.test(l))).toBe(true);
    } finally {
      log.mockRestore();
    }
  });
});

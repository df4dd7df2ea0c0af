/**
 * Typed, validated option schemas: one object per algorithm (and one for training runs) that
 * declares every setting's type, default, allowed range and a one-line help text with its
 * source. The resolved values are a typed object; the CLI derives its flags and help from the
 * same schema, so nothing is written twice (the pattern of CleanRL's Args dataclass).
 */
import { ConfigError } from '../../errors.js';

export interface NumberOption {
  kind: 'number';
  default: number;
  help: string;
  min: number;
  max?: number;
  /** min itself is not allowed (e.g. a learning rate > 0). */
  exclusiveMin?: boolean;
  integer?: boolean;
}

export interface ChoiceOption<C extends string = string> {
  kind: 'choice';
  default: C;
  help: string;
  choices: readonly C[] | (() => readonly C[]);
}

export interface ListOption {
  kind: 'list';
  default: readonly number[];
  help: string;
  /** Every entry is an integer >= min. */
  min: number;
}

export interface TextOption {
  kind: 'text';
  default: string;
  help: string;
}

export type OptionSpec = NumberOption | ChoiceOption | ListOption | TextOption;
export type Schema = Readonly<Record<string, OptionSpec>>;

export type OptionValues<S extends Schema> = {
  -readonly [K in keyof S]: S[K] extends NumberOption ? number : S[K] extends ListOption ? number[] : string;
};

/** camelCase option name -> '--kebab-case' flag. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export function choicesOf(spec: ChoiceOption): readonly string[] {
  return typeof spec.choices === 'function' ? spec.choices() : spec.choices;
}

/** A short description of the allowed values, for errors and help. */
export function allowedValues(spec: OptionSpec): string {
  switch (spec.kind) {
    case 'number': {
      const what = spec.integer ? 'an integer' : 'a number';
      const lo = `${spec.exclusiveMin ? '>' : '>='} ${spec.min}`;
      return spec.max === undefined ? `${what} ${lo}` : `${what} ${lo} and <= ${spec.max}`;
    }
    case 'choice':
      return `one of ${choicesOf(spec).join(', ')}`;
    case 'list':
      return `comma-separated integers >= ${spec.min}`;
    case 'text':
      return 'text';
  }
}

/** Converts one value (from a flag string, a config file or code) and checks its range. */
export function parseOption(key: string, spec: OptionSpec, raw: unknown): number | string | number[] {
  const bad = () => new ConfigError(flagName(key), raw, allowedValues(spec));
  switch (spec.kind) {
    case 'number': {
      const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad();
      if (spec.integer && !Number.isInteger(v)) throw bad();
      if (spec.exclusiveMin ? v <= spec.min : v < spec.min) throw bad();
      if (spec.max !== undefined && v > spec.max) throw bad();
      return v;
    }
    case 'choice': {
      if (typeof raw !== 'string' || !choicesOf(spec).includes(raw)) throw bad();
      return raw;
    }
    case 'list': {
      const items = typeof raw === 'string' ? raw.split(',').map((s) => Number(s.trim())) : raw;
      if (!Array.isArray(items) || items.length === 0) throw bad();
      for (const v of items) if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.min) throw bad();
      return items as number[];
    }
    case 'text':
      if (typeof raw !== 'string') throw bad();
      return raw;
  }
}

/** Defaults overridden by `given` (unknown keys refused), every value validated. */
export function resolveOptions<S extends Schema>(schema: S, given: Readonly<Record<string, unknown>> = {}): OptionValues<S> {
  for (const key of Object.keys(given)) {
    if (!(key in schema)) throw new ConfigError(flagName(key), key, `a known option: ${Object.keys(schema).map(flagName).join(', ')}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    out[key] = given[key] === undefined ? (spec.kind === 'list' ? [...spec.default] : spec.default) : parseOption(key, spec, given[key]);
  }
  return out as OptionValues<S>;
}

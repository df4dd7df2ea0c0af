/** Commander options derived from the option schemas, so flags and help are never written twice. */
import { type Command, Option } from 'commander';
import { type Schema, allowedValues, flagName } from '../algos/common/options.js';

function describe(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Adds `--kebab-name <value>` for every schema entry; values stay strings until validated. */
export function addSchemaOptions(command: Command, schema: Schema, group?: string): Command {
  for (const [key, spec] of Object.entries(schema)) {
    const option = new Option(`${flagName(key)} <${spec.kind === 'list' ? 'widths' : spec.kind === 'number' ? 'number' : 'value'}>`, `${spec.help} [${allowedValues(spec)}; default ${describe(spec.default)}]`);
    if (group) option.helpGroup(group);
    command.addOption(option);
  }
  return command;
}

/**
 * One flag per option name across several schemas (algorithms share names such as --gamma), with
 * each algorithm's default in the help.
 */
export function addMergedSchemaOptions(command: Command, schemas: readonly { name: string; schema: Schema }[], group: string): Command {
  const seen = new Map<string, { name: string; spec: Schema[string] }[]>();
  for (const { name, schema } of schemas) {
    for (const [key, spec] of Object.entries(schema)) seen.set(key, [...(seen.get(key) ?? []), { name, spec }]);
  }
  for (const [key, uses] of seen) {
    const { spec } = uses[0];
    const defaults = uses.map((u) => `${u.name} ${describe(u.spec.default)}`).join('; ');
    const kind = spec.kind === 'list' ? 'widths' : spec.kind === 'number' ? 'number' : 'value';
    // Algorithms sharing a name may allow different values (e.g. --policy): then each says its own.
    const allowed = new Set(uses.map((u) => allowedValues(u.spec)));
    const values = allowed.size === 1 ? allowedValues(spec) : uses.map((u) => `${u.name}: ${allowedValues(u.spec)}`).join('; ');
    const option = new Option(`${flagName(key)} <${kind}>`, `${spec.help} [${values}; default: ${defaults}]`);
    option.helpGroup(group);
    command.addOption(option);
  }
  return command;
}

/** The subset of parsed commander options that belong to `schema` and were given. */
export function pickOptions(schema: Schema, parsed: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(schema).filter((k) => parsed[k] !== undefined).map((k) => [k, parsed[k]]));
}

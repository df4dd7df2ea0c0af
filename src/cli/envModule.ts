/**
 * Environments of one's own in Node: `--env-module PATH` loads a module (TypeScript through tsx,
 * JavaScript as it is) before the command runs, so its environments are valid `--env` values -
 * those it defines with defineEnv on import, and the EnvSpec objects it exports (defined here).
 * An EnvSpec's WGSL may be a file (`{ file }`: a path or a file: URL), read here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type EnvSpec, type EnvSpecWithFile, defineEnv, isEnvSpec, isUserDefinedEnv } from '../envs/custom.js';
import { envNames, getEnv, registerEnv } from '../envs/registry.js';
import { ConfigError } from '../errors.js';

/** EnvSpec whose WGSL may also be a file to read (a path or a file: URL, named in compile errors). */
export type NodeEnvSpec = EnvSpecWithFile;

/**
 * The spec with a `{ file }` WGSL read into `{ code, file }`; a relative path is taken from
 * `base` (the folder of the module that exported the spec, as the browser demo does) or else
 * from the working directory.
 */
export function readWgslFile(spec: NodeEnvSpec, base?: string): EnvSpec {
  const { wgsl } = spec;
  if (typeof wgsl !== 'object' || wgsl === null || ('code' in wgsl && typeof wgsl.code === 'string')) return spec as EnvSpec;
  const file = wgsl.file instanceof URL ? fileURLToPath(wgsl.file) : base && typeof wgsl.file === 'string' ? resolve(base, wgsl.file) : wgsl.file;
  if (typeof file !== 'string' || !existsSync(file)) throw new ConfigError(`defineEnv(${spec.name}) wgsl.file`, String(file), 'an existing WGSL file');
  return { ...spec, wgsl: { code: readFileSync(file, 'utf8'), file } };
}

/** The `--env-module` values of a command line (`--env-module X` or `--env-module=X`, repeatable). */
export function envModuleArgs(argv: readonly string[]): string[] {
  const paths: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === '--env-module' && i + 1 < argv.length) paths.push(argv[i + 1]);
    else if (arg.startsWith('--env-module=')) paths.push(arg.slice('--env-module='.length));
  });
  return paths;
}

/** Loads each module; returns the names of the environments they defined. */
export async function loadEnvModules(paths: readonly string[]): Promise<string[]> {
  const defined: string[] = [];
  for (const path of paths) {
    const file = resolve(path);
    if (!existsSync(file)) throw new ConfigError('--env-module', path, 'an existing .ts, .mts, .js or .mjs file that defines environments with defineEnv');
    const before = new Set(envNames());
    const url = pathToFileURL(file).href;
    const module = (/\.[cm]?ts$/.test(file) ? await importTypeScript(file) : await import(url)) as Record<string, unknown>;
    const exported: string[] = [];
    for (const value of Object.values(module)) {
      if (isUserDefinedEnv(value)) {
        if (!envNames().includes(value.name) || getEnv(value.name) !== value) registerEnv(value);
        exported.push(value.name);
      } else if (isEnvSpec(value)) {
        exported.push(defineEnv(readWgslFile(value, dirname(file))).name);
      }
    }
    const names = envNames().filter((n) => !before.has(n));
    const all = [...new Set([...names, ...exported])];
    if (all.length === 0) throw new ConfigError('--env-module', path, 'a module that exports an EnvSpec (or an environment defined with defineEnv), or defines one on import');
    defined.push(...all);
  }
  return defined;
}

/** The nearest tsconfig.json at or above the module's folder (its paths and settings apply), or none. */
function nearestTsconfig(file: string): string | false {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tsconfig.json'))) return join(dir, 'tsconfig.json');
    if (dirname(dir) === dir) return false;
  }
}

async function importTypeScript(file: string): Promise<unknown> {
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(pathToFileURL(file).href, { parentURL: import.meta.url, tsconfig: nearestTsconfig(file) });
}

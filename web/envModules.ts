/**
 * `?env-module=URL` (repeatable): environments of one's own in the demo. Each URL is a JavaScript
 * module whose exports include EnvSpec objects (examples/custom-env/spring-mass.ts, compiled);
 * a `{ file }` WGSL is fetched relative to the module. They are defined before the page lists its
 * environments, so they train and show like the built-in ones.
 */
import { type EnvSpec, defineEnv, isEnvSpec } from '../src/envs/custom.js';

/** Loads the page's env modules; returns the names of the environments they define. */
export async function loadEnvModules(search: string): Promise<string[]> {
  const names: string[] = [];
  for (const given of new URLSearchParams(search).getAll('env-module')) {
    const url = new URL(given, location.href).href;
    const module = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
    const specs = Object.values(module).filter(isEnvSpec);
    if (specs.length === 0) throw new Error(`env-module ${given}: no EnvSpec among its exports (${Object.keys(module).join(', ') || 'none'})`);
    for (const spec of specs) {
      const { wgsl } = spec;
      let source: EnvSpec['wgsl'];
      if (typeof wgsl === 'string' || 'code' in wgsl) source = wgsl as EnvSpec['wgsl'];
      else {
        const file = new URL(String(wgsl.file), url);
        const response = await fetch(file);
        if (!response.ok) throw new Error(`env-module ${given}: ${spec.name}'s WGSL ${file.href}: HTTP ${response.status}`);
        source = { code: await response.text(), file: file.pathname.split('/').pop() ?? file.href };
      }
      names.push(defineEnv({ ...spec, wgsl: source }).name);
    }
  }
  return names;
}

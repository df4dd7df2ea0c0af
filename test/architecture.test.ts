/**
 * The layering of DESIGN.md, checked on the source: every import of a file under src/ points to
 * its own directory or to a lower layer, and no source file grows past a page a reader can hold.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(__dirname, '../src');

/** Lower layers first; directories on one rank must not import each other. */
const RANK: Record<string, number> = {
  'errors.ts': 0, 'wgsl.d.ts': 0,
  gpu: 1,
  rng: 2, physics: 2,
  nn: 3, sample: 3, envs: 3,
  replay: 4, scg: 4,
  algos: 5,
  run: 6, attention: 6,
  bench: 7, api: 7,
  cli: 8,
  'index.ts': 9, 'browser.ts': 9,
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The top-level entry of src/ a path lies in ('gpu', 'errors.ts', ...), or null outside src/. */
function layer(path: string): string | null {
  const rel = relative(src, path);
  return rel.startsWith('..') ? null : rel.split('/')[0];
}

describe('architecture', () => {
  const sources = files(src);

  it('every top-level entry of src/ has a layer', () => {
    expect(readdirSync(src).filter((e) => !(e in RANK))).toEqual([]);
  });

  it('imports point to the same directory or down the layers', () => {
    const upward: string[] = [];
    for (const file of sources) {
      const from = layer(file)!;
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from '([^']+)'/gm)) {
        if (!spec.startsWith('.')) continue; // packages
        const to = layer(resolve(dirname(file), spec.replace(/\?raw$/, '').replace(/\.js$/, '.ts')));
        if (to === null || to === from) continue; // shaders/, or within its own layer
        if (!(RANK[to] < RANK[from])) upward.push(`${relative(src, file)} imports ${spec} (${from} -> ${to})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('no source file is over 350 lines', () => {
    const long = sources.map((f) => [relative(src, f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 350);
    expect(long).toEqual([]);
  });
});

/**
 * WGSL sources and the shared libraries kernels are built from. Each kernel file is imported as
 * a string (Vite's `?raw` suffix: the same in the browser bundle, in vitest and in the Node build)
 * beside the TypeScript that dispatches it; this file holds only what many kernels share - the
 * random numbers, strided views, dual numbers and workgroup reductions - and the way to prepend
 * them, since WGSL has no #include. Error line numbers refer to the concatenation; the path says so.
 */
import rngWgsl from '../../shaders/common/rng.wgsl?raw';
import viewWgsl from '../../shaders/common/view.wgsl?raw';
import dualWgsl from '../../shaders/common/dual.wgsl?raw';
import reduceTree from '../../shaders/common/reduce_tree.wgsl?raw';
import reduceSubgroup from '../../shaders/common/reduce_subgroup.wgsl?raw';

/** Philox4x32-10, uniforms, normals and Gumbels (common/rng.wgsl). */
export const rng: string = rngWgsl;
/** Strided [agents x rows x cols] views (common/view.wgsl). */
export const view: string = viewWgsl;
/** Forward-mode dual numbers, for the envs' vector-Jacobian products (common/dual.wgsl). */
export const dual: string = dualWgsl;
/** workgroup_sum over a workgroup's invocations by a shared-memory tree (common/reduce_tree.wgsl). */
export const reduceTreeLibrary: string = reduceTree;

export interface ShaderSource {
  /** Path under shaders/ (with any prepended libraries), used as cache key and in errors. */
  path: string;
  code: string;
  /** The same kernels with subgroup operations, used where the adapter has 'subgroups'. */
  subgroups?: ShaderSource;
}

/**
 * A kernel file that reduces over its workgroup with workgroup_sum: the portable shared-memory
 * tree, plus a variant with subgroup operations for adapters that have them.
 */
export function withReduce(path: string, libraries: string[], code: string): ShaderSource {
  const libs = libraries.join('\n');
  return {
    path: `${path} (with common/reduce_tree.wgsl)`,
    code: `${libs}\n${reduceTree}\n${code}`,
    subgroups: { path: `${path} (with common/reduce_subgroup.wgsl)`, code: `enable subgroups;\n${libs}\n${reduceSubgroup}\n${code}` },
  };
}

export function withRng(path: string, code: string): ShaderSource {
  return { path: `${path} (after common/rng.wgsl)`, code: `${rng}\n${code}` };
}

export function withRngAndViews(path: string, code: string): ShaderSource {
  return { path: `${path} (after common/rng.wgsl, common/view.wgsl)`, code: `${rng}\n${view}\n${code}` };
}

/*
 * Where a line of a concatenated module came from. WGSL has no #line directive, so code written
 * by a user (an environment of defineEnv) is wrapped in marker comments, and compile errors are
 * told in the user's file and line however the code was concatenated with other files. A
 * contract marker tags generated calls that check a user function's signature.
 */
const MARKER = '// pathwise:';

/** The first line of a user's file inside generated code. */
export function fileStartMarker(file: string): string {
  return `${MARKER}file ${file}`;
}

/** The line after a user's file (or after a contract check). */
export function endMarker(): string {
  return `${MARKER}end`;
}

/** Precedes generated code that calls `fn` as the contract `signature` requires. */
export function contractMarker(fn: string, signature: string): string {
  return `${MARKER}contract ${fn} ${signature}`;
}

export type SourceLocation =
  | { kind: 'file'; file: string; line: number }
  | { kind: 'contract'; fn: string; signature: string };

/** The user's file and line, or the contract check, that line `lineNum` (1-based) of `code` belongs to. */
export function locateLine(code: string, lineNum: number): SourceLocation | null {
  const lines = wgslLines(code);
  for (let i = Math.min(lineNum, lines.length) - 1; i >= 0; i--) {
    const text = lines[i].trim();
    if (!text.startsWith(MARKER)) continue;
    const rest = text.slice(MARKER.length);
    if (rest.startsWith('file ')) return { kind: 'file', file: rest.slice(5), line: lineNum - 1 - i };
    if (rest.startsWith('contract ')) {
      const [fn, ...signature] = rest.slice(9).split(' ');
      return { kind: 'contract', fn, signature: signature.join(' ') };
    }
    return null;
  }
  return null;
}

/** The lines of WGSL source as WGSL counts them (its line breaks include \r, \v, \f, U+0085, U+2028, U+2029). */
export function wgslLines(code: string): string[] {
  return code.split(/\r\n|[\n\v\f\r\u0085\u2028\u2029]/);
}

/**
 * WGSL's directives (enable, requires, diagnostic) must come before every declaration, but a
 * user's file is compiled after pathwise's libraries: they move to the top, each leaving a blank
 * line so every other line keeps its distance from the markers (compile errors stay in place).
 */
export function hoistDirectives(code: string): string {
  const lines = wgslLines(code);
  const directives: string[] = [];
  let declared = false;
  const kept = lines.map((line) => {
    const text = line.trim();
    if (/^(enable|requires|diagnostic)\b[^;]*;$/.test(text)) {
      if (!declared) return line; // already before every declaration
      directives.push(text);
      return '';
    }
    if (text !== '' && !text.startsWith('//')) declared = true;
    return line;
  });
  return directives.length === 0 ? code : [...directives, ...kept].join('\n');
}

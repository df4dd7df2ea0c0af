/**
 * Environments of your own, defined at run time: `defineEnv` takes the sizes, bounds and constants
 * as data and the physics as WGSL (the functions every built-in env file defines, see
 * shaders/envs/driver.wgsl), generates what the built-in files write by hand (the size constants,
 * the Params struct and its binding, StepResult, DualStep), checks the WGSL's shape before any GPU
 * work, and registers the environment by name for every algorithm, the CLI and the demo.
 *
 * The user's WGSL is wrapped in marker comments and followed by one call of each contract
 * function with the contract's argument types, so a compile error comes back in the user's file
 * and line, and a wrong signature by the function's name (src/gpu/kernel.ts).
 */
import { ConfigError } from '../errors.js';
import { contractMarker, endMarker, fileStartMarker } from '../gpu/shaders.js';
import { PATHWISE_WGSL_NAMES } from './pathwiseNames.js';
import { registerEnv } from './registry.js';
import type { EnvDefinition, EnvReference, Scene } from './types.js';

/** What defineEnv takes: data for the sizes and constants, WGSL for the physics. */
export interface EnvSpec {
  /** Registry name: lower case letters, digits and dashes, e.g. 'spring-mass'. */
  name: string;
  description?: string;
  /** The task it reproduces or where it comes from. */
  origin?: string;
  /** Names of the state's fields (the WGSL's `array<f32, STATE_DIM>`), at most 64. */
  state: readonly string[];
  /** The observation's fields (at most 256); optional bounds per field (checkEnv reports values outside them). */
  observation: { fields: readonly string[]; low?: readonly number[]; high?: readonly number[]; positions?: readonly number[] };
  /** Bounds of each action component (policies act inside them), at most 64 components. */
  action: { low: readonly number[]; high: readonly number[] };
  /** Physical constants: the WGSL's `Params` struct has these fields, in this order, as f32. */
  params?: Readonly<Record<string, number>>;
  /**
   * Constants that system identification (`sysid`) scales per episode, at most 4, in the order of
   * the factors: without an `env_sysid` of its own, pathwise generates one that multiplies each
   * by its factor. Default none (sysid refused).
   */
  sysidParams?: readonly string[];
  /** Steps before truncation; default 200. */
  horizon?: number;
  /** Default 0.99. */
  discount?: number;
  /**
   * The WGSL: `env_reset`, `env_step`, `env_obs` (and, for pathwise methods through the
   * simulator, `env_step_dual` and `env_obs_dual`; optionally `env_success` for the success rate
   * and `env_sysid`), with `file` naming it in compile errors. ENV_CONTRACT has the signatures.
   */
  wgsl: string | { code: string; file?: string };
  /** Float64 reference of the same equations, for checkEnv. */
  reference?: EnvReference;
  /** Drawing of a state (browser demo, envs.svg); default: one bar per state field. */
  render?: (state: readonly number[], params: Readonly<Record<string, number>>) => Scene;
}

/**
 * An EnvSpec whose WGSL may be a file to read (a path, or a URL such as
 * `new URL('./env.wgsl', import.meta.url)`): Node reads it, the browser demo fetches it.
 */
export type EnvSpecWithFile = Omit<EnvSpec, 'wgsl'> & { wgsl: EnvSpec['wgsl'] | { file: string | URL } };

/** Whether a module's export is an EnvSpec (a name, the state's fields, WGSL) and not yet a definition. */
export function isEnvSpec(value: unknown): value is EnvSpecWithFile {
  const v = value as (Partial<EnvSpecWithFile> & { userDefined?: unknown }) | null;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && Array.isArray(v.state) && v.wgsl !== undefined && v.userDefined === undefined;
}

/** Whether a module's export is an environment defined with defineEnv (by any copy of the package). */
export function isUserDefinedEnv(value: unknown): value is EnvDefinition {
  const v = value as Partial<EnvDefinition> | null;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.userDefined === 'object' && typeof v.shader?.code === 'string';
}

const MAX_STATE = 64;
const MAX_OBS = 256;
const MAX_ACTION = 64;
const NAME = /^[a-z][a-z0-9-]{0,63}$/;
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
/** What pathwise generates from the definition; the user's WGSL must not declare these. */
const GENERATED = ['STATE_DIM', 'OBS_DIM', 'ACT_DIM', 'GOAL_DIM', 'Params', 'params', 'StepResult', 'DualStep', 'env_achieved_goal'];
/** WGSL's keywords and reserved words (WGSL spec 15.2, 15.3): not usable as constant names. */
const WGSL_RESERVED = new Set(
  ('alias break case const const_assert continue continuing default diagnostic discard else enable false fn for if let loop override requires return struct switch true var while '
    + 'NULL Self abstract active alignas alignof as asm asm_fragment async attribute auto await become binding_array cast catch class co_await co_return co_yield coherent column_major common compile compile_fragment concept const_cast consteval constexpr constinit crate debugger decltype delete demote demote_to_helper do dynamic_cast enum explicit export extends extern external fallthrough filter final finally friend from fxgroup get goto groupshared highp impl implements import inline instanceof interface layout lowp macro macro_rules match mediump meta mod module move mut mutable namespace new nil noexcept noinline nointerpolation noperspective null nullptr of operator package packoffset partition pass patch pixelfragment precise precision premerge priv protected pub public readonly ref regardless register reinterpret_cast require resource restrict self set shared sizeof smooth snorm static static_assert static_cast std subroutine super target template this thread_local throw trait try type typedef typeid typename typeof union unless unorm unsafe unsized use using varying virtual volatile wgsl where with writeonly yield '
    + 'f32 f16 i32 u32 bool vec2 vec3 vec4 mat2x2 mat3x3 mat4x4 array atomic ptr sampler texture_2d').split(' '),
);

/** The functions of the contract, with the signature each must have (`fn NAME` + this). */
export const ENV_CONTRACT = {
  env_reset: '(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM>',
  env_step: '(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult',
  env_obs: '(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM>',
  env_step_dual: '(s: array<vec2<f32>, STATE_DIM>, a: array<vec2<f32>, ACT_DIM>, p: Params) -> DualStep',
  env_obs_dual: '(s: array<vec2<f32>, STATE_DIM>, p: Params) -> array<vec2<f32>, OBS_DIM>',
  env_sysid: '(p: Params, f: vec4<f32>) -> Params',
  env_success: '(s: array<f32, STATE_DIM>, p: Params) -> bool',
} as const;
type ContractFunction = keyof typeof ENV_CONTRACT;

/** One call per contract function with the contract's argument and result types. */
const CONTRACT_CALLS: Record<ContractFunction, string> = {
  env_reset: 'let r: array<f32, STATE_DIM> = env_reset(vec4<f32>(0.5), vec4<f32>(0.5), params);',
  env_step: 'let r: StepResult = env_step(array<f32, STATE_DIM>(), array<f32, ACT_DIM>(), params);',
  env_obs: 'let r: array<f32, OBS_DIM> = env_obs(array<f32, STATE_DIM>(), params);',
  env_step_dual: 'let r: DualStep = env_step_dual(array<vec2<f32>, STATE_DIM>(), array<vec2<f32>, ACT_DIM>(), params);',
  env_obs_dual: 'let r: array<vec2<f32>, OBS_DIM> = env_obs_dual(array<vec2<f32>, STATE_DIM>(), params);',
  env_sysid: 'let r: Params = env_sysid(params, vec4<f32>(1.0));',
  env_success: 'let r: bool = env_success(array<f32, STATE_DIM>(), params);',
};

/** Defines an environment from `spec`, registers it under `spec.name` and returns it. */
export function defineEnv(spec: EnvSpec): EnvDefinition {
  const def = buildDefinition(spec);
  registerEnv(def);
  return def;
}

/** The definition of `spec` (validated, WGSL generated), not yet registered. */
export function buildDefinition(spec: EnvSpec): EnvDefinition {
  if (typeof spec !== 'object' || spec === null) throw new ConfigError('defineEnv', spec, 'an object { name, state, observation, action, params, wgsl, reference }');
  const { name } = spec;
  if (typeof name !== 'string' || !NAME.test(name)) throw new ConfigError('defineEnv name', name, 'lower case letters, digits and dashes, starting with a letter (at most 64)');
  const field = (f: string) => `defineEnv(${name}) ${f}`;
  const state = names(field('state'), spec.state, MAX_STATE);
  const obs = names(field('observation.fields'), spec.observation?.fields, MAX_OBS);
  const actionLow = numbers(field('action.low'), spec.action?.low, 1, MAX_ACTION, false);
  const actionHigh = numbers(field('action.high'), spec.action?.high, actionLow.length, actionLow.length, false);
  actionLow.forEach((lo, i) => {
    if (!(actionHigh[i] > lo)) throw new ConfigError(field(`action.high[${i}]`), actionHigh[i], `a number above action.low[${i}] = ${lo}`);
  });
  const observationLow = spec.observation.low === undefined ? undefined : numbers(field('observation.low'), spec.observation.low, obs.length, obs.length, true);
  const observationHigh = spec.observation.high === undefined ? undefined : numbers(field('observation.high'), spec.observation.high, obs.length, obs.length, true);
  observationLow?.forEach((lo, i) => {
    if (observationHigh && !(observationHigh[i] >= lo)) throw new ConfigError(field(`observation.high[${i}]`), observationHigh[i], `a number >= observation.low[${i}] = ${lo}`);
  });
  const positions = spec.observation.positions ?? [];
  if (!Array.isArray(positions) || positions.length > 16 || new Set(positions).size !== positions.length) {
    throw new ConfigError(field('observation.positions'), positions, 'at most 16 distinct indices of observation.fields');
  }
  positions.forEach((p, i) => {
    if (!Number.isInteger(p) || p < 0 || p >= obs.length) throw new ConfigError(field(`observation.positions[${i}]`), p, `an index of observation.fields in [0, ${obs.length - 1}]`);
  });
  const params = { ...(spec.params ?? {}) };
  for (const [k, v] of Object.entries(params)) {
    if (!IDENTIFIER.test(k) || WGSL_RESERVED.has(k)) throw new ConfigError(field(`params.${k}`), k, 'a WGSL identifier (a letter, then letters, digits, underscores) that is not a WGSL keyword or reserved word');
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(field(`params.${k}`), v, 'a finite number');
  }
  const sysidParams = spec.sysidParams ?? [];
  if (!Array.isArray(sysidParams) || sysidParams.length > 4 || new Set(sysidParams).size !== sysidParams.length || sysidParams.some((k) => !(k in params))) {
    throw new ConfigError(field('sysidParams'), sysidParams, `at most 4 distinct names of params (${Object.keys(params).join(', ') || 'none'})`);
  }
  const horizon = spec.horizon ?? 200;
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 1_000_000) throw new ConfigError(field('horizon'), horizon, 'an integer in [1, 1000000]');
  const discount = spec.discount ?? 0.99;
  if (typeof discount !== 'number' || !(discount > 0 && discount <= 1)) throw new ConfigError(field('discount'), discount, 'a number in (0, 1]');
  const source = typeof spec.wgsl === 'string' ? { code: spec.wgsl, file: `${name}.wgsl` } : { code: spec.wgsl?.code, file: spec.wgsl?.file ?? `${name}.wgsl` };
  if (typeof source.code !== 'string' || source.code.trim() === '') throw new ConfigError(field('wgsl'), source.code, 'the WGSL code of env_reset, env_step and env_obs');
  if (spec.reference !== undefined) {
    for (const fn of ['reset', 'step', 'obs'] as const) {
      if (typeof spec.reference[fn] !== 'function') throw new ConfigError(field(`reference.${fn}`), typeof spec.reference[fn], 'a function (the float64 reference of the WGSL)');
    }
  }
  const declared = checkWgsl(field('wgsl'), source.file, source.code);
  const differentiable = declared.has('env_step_dual');
  const code = generate({ name, state: state.length, obs: obs.length, action: actionLow.length, params: Object.keys(params), sysid: sysidParams, declared }, source);
  return {
    name,
    origin: spec.origin ?? `defined with defineEnv (${source.file})`,
    description: spec.description ?? `${name} (defined with defineEnv)`,
    stateFields: state,
    obsFields: obs,
    positionObs: positions,
    actionLow,
    actionHigh,
    goalDim: 0,
    horizon,
    discount,
    params,
    sysidParams: [...sysidParams],
    shader: { path: `${source.file} (environment ${name}, ${hash(code)})`, code },
    differentiable,
    ...(spec.reference ? { reference: spec.reference } : {}),
    ...(observationLow ? { observationLow } : {}),
    ...(observationHigh ? { observationHigh } : {}),
    userDefined: { file: source.file },
    render: spec.render ?? ((s) => barsScene(s)),
  };
}

function names(field: string, value: readonly string[] | undefined, max: number): string[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > max) throw new ConfigError(field, value, `an array of 1 to ${max} names`);
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'string' || v === '') throw new ConfigError(`${field}[${i}]`, v, 'a non-empty name');
  });
  if (new Set(value).size !== value.length) throw new ConfigError(field, value, 'distinct names');
  return [...value];
}

function numbers(field: string, value: readonly number[] | undefined, min: number, max: number, infinite: boolean): number[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    throw new ConfigError(field, value, min === max ? `an array of ${min} numbers` : `an array of ${min} to ${max} numbers`);
  }
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'number' || Number.isNaN(v) || (!infinite && !Number.isFinite(v))) throw new ConfigError(`${field}[${i}]`, v, infinite ? 'a number (or +-Infinity)' : 'a finite number');
  });
  return [...value];
}

/**
 * WGSL without comments (line comments, and block comments, which nest in WGSL), so a
 * commented-out function does not count as declared. One scan from the left: a `//` inside a
 * block comment, or a `/*` after `//`, is comment text.
 */
export function stripComments(code: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const two = code.slice(i, i + 2);
    if (depth === 0 && two === '//') {
      while (i < code.length && code[i] !== '\n') i++;
      out += '\n';
    } else if (two === '/*') {
      depth++;
      i++;
    } else if (depth > 0 && two === '*/') {
      depth--;
      i++;
      if (depth === 0) out += ' ';
    } else if (depth === 0) out += code[i];
  }
  return out;
}

/** The names the code declares at module scope (everything inside braces removed first). */
function moduleScopeNames(text: string): string[] {
  let flat = text;
  for (let previous = ''; previous !== flat; ) {
    previous = flat;
    flat = flat.replace(/\{[^{}]*\}/g, ' ');
  }
  return [...flat.matchAll(/\b(?:fn|struct|const|override|alias|var(?:<[^>]*>)?)\s+([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
}

/**
 * Checks the shape of the user's WGSL before any GPU work: the required functions are declared,
 * the dual pair comes together, nothing pathwise generates is redeclared, no bindings or entry
 * points of its own. Returns the contract functions it declares.
 */
function checkWgsl(field: string, file: string, code: string): Set<string> {
  const text = stripComments(code);
  const declared = new Set(Object.keys(ENV_CONTRACT).filter((fn) => new RegExp(`\\bfn\\s+${fn}\\s*\\(`).test(text)));
  for (const fn of ['env_reset', 'env_step', 'env_obs'] as const) {
    if (!declared.has(fn)) throw new ConfigError(`${field} (${file})`, `no fn ${fn}`, `a declaration of fn ${fn}${ENV_CONTRACT[fn]}`);
  }
  const dual = ['env_step_dual', 'env_obs_dual'] as const;
  const missingDual = dual.find((fn) => !declared.has(fn));
  if (missingDual && dual.some((fn) => declared.has(fn))) {
    throw new ConfigError(`${field} (${file})`, `no fn ${missingDual}`, `both dual functions or neither (a VJP needs fn ${missingDual}${ENV_CONTRACT[missingDual]})`);
  }
  for (const name of moduleScopeNames(text)) {
    if (GENERATED.includes(name)) {
      throw new ConfigError(`${field} (${file})`, `a declaration of ${name}`, `no declaration of ${GENERATED.join(', ')}: pathwise generates them from the definition (state, observation, action, params)`);
    }
    if (PATHWISE_WGSL_NAMES.has(name)) {
      throw new ConfigError(`${field} (${file})`, `a declaration of ${name}`, `names that pathwise's own WGSL, compiled in the same module, does not declare (rename ${name}, e.g. with your environment's prefix)`);
    }
  }
  if (/@(binding|group)\s*\(/.test(text)) throw new ConfigError(`${field} (${file})`, 'a @binding', 'no bindings: the constants come in through Params (the definition\'s params)');
  if (/@(compute|vertex|fragment)\b/.test(text)) throw new ConfigError(`${field} (${file})`, 'an entry point', 'no entry points: pathwise calls the contract functions from its own kernels');
  return declared;
}

interface Shape {
  name: string;
  state: number;
  obs: number;
  action: number;
  params: string[];
  sysid: readonly string[];
  declared: Set<string>;
}

/** The env's WGSL file as the built-in ones are written: generated declarations, the user's code, the contract checks. */
function generate(shape: Shape, source: { code: string; file: string }): string {
  const paramFields = shape.params.length > 0 ? shape.params.map((p) => `  ${p}: f32,`) : ['  _unused: f32,'];
  const defaults: string[] = ['fn env_achieved_goal(s: array<f32, STATE_DIM>, p: Params, i: u32) -> f32 { return 0.0; }'];
  if (!shape.declared.has('env_success')) defaults.push('fn env_success(s: array<f32, STATE_DIM>, p: Params) -> bool { return false; }');
  if (!shape.declared.has('env_sysid')) {
    const scaled = shape.sysid.map((k, i) => ` q.${k} = p.${k} * f.${'xyzw'[i]};`).join('');
    defaults.push(`fn env_sysid(p: Params, f: vec4<f32>) -> Params { var q = p;${scaled} return q; }`);
  }
  const checks = (Object.keys(ENV_CONTRACT) as ContractFunction[])
    .filter((fn) => shape.declared.has(fn))
    .flatMap((fn) => [contractMarker(fn, ENV_CONTRACT[fn]), `fn pathwise_contract_${fn}() { ${CONTRACT_CALLS[fn]} }`, endMarker()]);
  return [
    `// Generated by defineEnv for the environment "${shape.name}" from its definition and ${source.file}.`,
    `const STATE_DIM: u32 = ${shape.state}u;`,
    `const OBS_DIM: u32 = ${shape.obs}u;`,
    `const ACT_DIM: u32 = ${shape.action}u;`,
    'const GOAL_DIM: u32 = 0u;',
    'struct Params {',
    ...paramFields,
    '}',
    '@group(0) @binding(0) var<uniform> params: Params;',
    'struct StepResult { s: array<f32, STATE_DIM>, reward: f32, terminated: bool, }',
    'struct DualStep { s: array<vec2<f32>, STATE_DIM>, reward: vec2<f32>, }',
    ...defaults,
    fileStartMarker(source.file),
    source.code,
    endMarker(),
    ...checks,
  ].join('\n');
}

/** A short hash of the generated code, so a redefined env never reuses a stale compiled module. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** The default drawing: one horizontal bar per state field, length tanh(value). */
function barsScene(state: readonly number[]): Scene {
  const n = state.length;
  return {
    bounds: [-1.2, -n, 1.2, 1],
    primitives: [
      { kind: 'line', x1: 0, y1: 0.5, x2: 0, y2: -n + 0.5, width: 0.02, color: '#888' },
      ...state.map((v, i) => ({ kind: 'line' as const, x1: 0, y1: -i, x2: Math.tanh(Number.isFinite(v) ? v : 0), y2: -i, width: 0.5, color: '#2e86c1' })),
    ],
  };
}

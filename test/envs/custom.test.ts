/**
 * Environments of one's own (defineEnv, src/envs/custom.ts) and their checker (checkEnv,
 * src/api/checkEnv.ts), on the example of examples/custom-env/spring-mass.{ts,wgsl}: the shape of the WGSL
 * refused by name before any GPU work; checkEnv passing the example and catching, one test each, a
 * wrong reference, a NaN, a wrong signature, a syntax error (in the user's file and line), an
 * observation outside its bounds and a wrong dual step; and the example env learned by DDPG and by
 * SVG(inf) through its VJP.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { springMassReference, springMassSpec } from '../../examples/custom-env/spring-mass.js';
import { checkEnv, defineEnv, listEnvs, train, type EnvReference, type NodeEnvSpec } from '../../src/index.js';
import { getEnv } from '../../src/envs/registry.js';
import { evaluateRandomPolicy } from '../../src/run/evaluate.js';
import { gpu } from '../helpers/gpu.js';

const springMass = defineEnv(springMassSpec);
const wgsl = readFileSync(new URL('../../examples/custom-env/spring-mass.wgsl', import.meta.url), 'utf8');

/** The example's definition under another name, with its WGSL and reference edited. */
function variant(name: string, edit: (code: string) => string, changes: Partial<NodeEnvSpec> = {}) {
  const code = edit(wgsl);
  if (code === wgsl && !changes.reference && !changes.observation) throw new Error(`variant ${name}: the edit changed nothing`);
  return defineEnv({
    name, state: ['x', 'v'], observation: { fields: ['x', 'v'], low: [-10, -10], high: [10, 10] }, action: { low: [-1], high: [1] },
    params: { k: 1, c: 0.1, m: 1, dt: 0.05, max_force: 1, max_speed: 10 }, horizon: 100,
    wgsl: { code, file: `${name}.wgsl` }, reference: springMassReference, ...changes,
  });
}

describe('defineEnv refuses a malformed definition by name, before any GPU work', () => {
  const base = { name: 'x-env', state: ['x'], observation: { fields: ['x'] }, action: { low: [-1], high: [1] } };
  const fns = 'fn env_reset(u: vec4<f32>, u2: vec4<f32>, p: Params) -> array<f32, STATE_DIM> { return array<f32, STATE_DIM>(u.x); }\n'
    + 'fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> { return s; }\n';
  const step = 'fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult { return StepResult(s, 0.0, false); }\n';
  it.each([
    ['a missing function', { ...base, wgsl: fns }, 'defineEnv(x-env) wgsl (x-env.wgsl): got "no fn env_step", expected a declaration of fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult'],
    ['a commented-out function', { ...base, wgsl: fns + '// ' + step }, 'got "no fn env_step"'],
    ['half of the dual pair', { ...base, wgsl: fns + step + 'fn env_obs_dual(s: array<vec2<f32>, STATE_DIM>, p: Params) -> array<vec2<f32>, OBS_DIM> { return s; }' }, 'got "no fn env_step_dual", expected both dual functions or neither'],
    ['a generated name redeclared', { ...base, wgsl: 'const STATE_DIM: u32 = 1u;\n' + fns + step }, 'got "a declaration of STATE_DIM", expected no declaration of STATE_DIM'],
    ['a binding of its own', { ...base, wgsl: '@group(0) @binding(3) var<storage> w: array<f32>;\n' + fns + step }, 'expected no bindings'],
    ['a built-in name', { ...base, name: 'pendulum', wgsl: fns + step }, 'defineEnv name: got "pendulum", expected a name no built-in environment has'],
    ['a bad name', { ...base, name: 'My Env', wgsl: fns + step }, 'defineEnv name: got "My Env", expected lower case letters'],
    ['empty action bounds', { ...base, action: { low: [1], high: [1] }, wgsl: fns + step }, 'defineEnv(x-env) action.high[0]: got 1, expected a number above action.low[0] = 1'],
    ['a non-finite constant', { ...base, params: { g: Number.NaN }, wgsl: fns + step }, 'defineEnv(x-env) params.g: got NaN, expected a finite number'],
    ['a missing state', { ...base, state: [], wgsl: fns + step }, 'defineEnv(x-env) state: got [], expected an array of 1 to 64 names'],
  ])('%s', (_, spec, message) => {
    expect(() => defineEnv(spec as NodeEnvSpec)).toThrow(message);
  });

  it('a valid definition is registered by name and listed', () => {
    defineEnv({ ...base, name: 'x-env-ok', wgsl: fns + step });
    expect(getEnv('x-env-ok').userDefined?.file).toBe('x-env-ok.wgsl');
    expect(listEnvs().find((e) => e.name === 'x-env-ok')).toMatchObject({ observationSize: 1, actionSize: 1, differentiable: false, horizon: 200 });
  });
});

describe('checkEnv', () => {
  it('passes the example: resets, 3,200 transitions and the VJP agree with the float64 reference', async () => {
    const report = await checkEnv(springMass);
    expect(report).toEqual({ env: 'spring-mass', ok: true, problems: [], resets: 64, transitions: 3200, reference: true, vjpRows: 64 });
  });

  it('catches a wrong reference (the damping left out) at its first disagreement', async () => {
    const undamped: EnvReference = { ...springMassReference, step: (s, a, p) => springMassReference.step(s, a, { ...p, c: 0 }) };
    const report = await checkEnv(variant('spring-wrong-reference', (c) => c, { reference: undamped }));
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.check)).toEqual(['step', 'vjp']);
    expect(report.problems[0].message).toMatch(/^env_step \(env 0, step 0, state \[.*\], action \[.*\]\), observation of the next state: observation\[0\] 'x' is .* on the GPU \(WGSL\) but .* in the reference$/);
  });

  it('catches a NaN (the square root of a negative position) with the state and action that made it', async () => {
    const report = await checkEnv(variant('spring-nan', (c) => c.replace('let reward = -(x * x', 'let reward = sqrt(x) - (x * x')));
    expect(report.problems.find((p) => p.check === 'non-finite')?.message).toMatch(/^env_step \(env \d+, step 0, state \[-[\d.]+, .*\], action \[.*\]\): reward is NaN$/);
  });

  it('catches a wrong signature by the function name and the contract', async () => {
    const report = await checkEnv(variant('spring-signature', (c) => c.replace('a: array<f32, ACT_DIM>, p: Params) -> StepResult', 'a: f32, p: Params) -> StepResult').replace('let f = clamp(a[0]', 'let f = clamp(a')));
    expect(report).toMatchObject({ ok: false, resets: 0, transitions: 0 });
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0].check).toBe('wgsl');
    expect(report.problems[0].message).toContain('WGSL: env_step does not have the contract\'s signature `fn env_step(s: array<f32, STATE_DIM>, a: array<f32, ACT_DIM>, p: Params) -> StepResult`');
  });

  it('tells a compile error in the user\'s file and line', async () => {
    const lines = wgsl.split('\n');
    const at = lines.findIndex((l) => l.includes('let v = s[1];')); // inside env_step
    lines.splice(at + 1, 0, '  let broken = v +;');
    const report = await checkEnv(variant('spring-syntax', () => lines.join('\n')));
    expect(report.problems[0].check).toBe('wgsl');
    expect(report.problems[0].message).toMatch(new RegExp(`^WGSL compile error in spring-syntax\\.wgsl:${at + 2}:\\d+: .*\\(compiled as part of spring-syntax\\.wgsl`));
  });

  it('catches an observation outside the declared bounds', async () => {
    const report = await checkEnv(variant('spring-bounds', (c) => c, { observation: { fields: ['x', 'v'], low: [-10, -0.1], high: [10, 0.1] } }));
    expect(report.problems.map((p) => p.check)).toEqual(['observation-bounds']);
    expect(report.problems[0].message).toMatch(/^env_reset \(env \d+\): observation\[1\] 'v' = -?[\d.]+ is outside its bounds \[-0\.1, 0\.1\]$/);
  });

  it('catches a dual step that does not differentiate the step', async () => {
    const report = await checkEnv(variant('spring-dual', (c) => c.replace('0.1 * dsq(v)', '0.2 * dsq(v)')));
    expect(report.problems.map((p) => p.check)).toEqual(['vjp']);
    expect(report.problems[0].message).toMatch(/^VJP \(env_step_dual, env_obs_dual\) disagrees with the reference in \d+ of 64 rows; first: row 0 .*: d\/d state\[1\] 'v' is .* from env_step_dual but .* by central differences of the reference$/);
  });
});

describe('the example environment (defined in examples/, not src/) trains', () => {
  // Small settings (about 6 s each on lavapipe); the random policy's return is about -17.
  it.each([
    ['ddpg', { envs: 16, steps: 16 * 1500, reportEvery: 100, learningStarts: 500, actorHidden: [32, 32], criticHidden: [32, 32] }],
    ['svg-inf', { envs: 32, steps: 32 * 2000, reportEvery: 100, horizon: 25 }],
  ])('with %s, to less than half the random policy\'s cost', async (algo, options) => {
    const { ctx, cache } = await gpu();
    const random = await evaluateRandomPolicy(ctx, cache, getEnv('spring-mass'), { seed: 7 }, 50);
    const run = await train({ algo, env: 'spring-mass', preset: 'cpu', evalEpisodes: 50, ...options });
    for await (const _ of run) { /* reports */ }
    const { evaluation } = await run.finish();
    await run.dispose();
    console.log(`${algo} on spring-mass: eval ${evaluation?.return_mean.toFixed(2)}, random ${random.return_mean.toFixed(2)}`);
    expect(random.return_mean).toBeLessThan(-10);
    expect(evaluation!.return_mean).toBeGreaterThan(random.return_mean / 2);
  });
});

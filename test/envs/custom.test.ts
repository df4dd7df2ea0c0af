/**
 * Environments of one's own (defineEnv, src/envs/custom.ts) and their checker (checkEnv,
 * src/api/checkEnv.ts), on the example of examples/custom-env/spring-mass.{ts,wgsl}: the shape of the WGSL
 * refused by name before any GPU work; checkEnv passing the example and catching, one test each, a
 * wrong reference, a NaN, a wrong signature, a syntax error (in the user's file and line), an
 * observation outside its bounds and a wrong dual step; and the example env learned by DDPG and by
 * SVG(inf) through its VJP.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { endMarker, fileStartMarker } from '../../src/gpu/shaders.js';
import { PATHWISE_WGSL_NAMES } from '../../src/envs/pathwiseNames.js';
import { springMassReference, springMassSpec } from '../../examples/custom-env/spring-mass.js';
import { checkEnv, defineEnv, listEnvs, makeEnv, train, type EnvReference, type NodeEnvSpec } from '../../src/index.js';
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
    ['a WGSL reserved word as a constant', { ...base, params: { target: 1 }, wgsl: fns + step }, 'defineEnv(x-env) params.target: got "target", expected a WGSL identifier'],
    ['a name of pathwise\'s own WGSL', { ...base, wgsl: fns + step + 'fn act(x: f32) -> f32 { return x; }' }, 'got "a declaration of act", expected names that pathwise\'s own WGSL, compiled in the same module, does not declare'],
    ['an unknown constant to identify', { ...base, sysidParams: ['mass'], wgsl: fns + step }, 'defineEnv(x-env) sysidParams: got [mass], expected at most 4 distinct names of params (none)'],
  ])('%s', (_, spec, message) => {
    expect(() => defineEnv(spec as NodeEnvSpec)).toThrow(message);
  });

  it('comments do not hide declarations, nested block comments hide them, local names may be anything', () => {
    const tricky = `// same contract as shaders/*.wgsl\n${fns}${step}/* an old version: /* nested */ fn env_step_dual() {} */\nfn helper() -> f32 { let act = 1.0; return act; }\n`;
    expect(defineEnv({ ...base, name: 'x-env-comments', wgsl: tricky }).differentiable).toBe(false);
  });

  it("the names refused as pathwise's own are every module-scope name of the files compiled with an env", () => {
    const shaders = fileURLToPath(new URL('../../shaders/', import.meta.url));
    const files = [
      ...readdirSync(join(shaders, 'common')).map((f) => join('common', f)),
      ...readdirSync(join(shaders, 'fused')).map((f) => join('fused', f)),
      'envs/driver.wgsl', 'envs/driver_vjp.wgsl', 'envs/rollout.wgsl',
    ];
    const declared = files.flatMap((f) => [...readFileSync(join(shaders, f), 'utf8').matchAll(/^(?:@\S+ )*(?:fn|struct|const|override|alias|var(?:<[^>]*>)?)\s+([A-Za-z_]\w*)/gm)].map((m) => `${m[1]} (${f})`));
    expect(declared.length).toBeGreaterThan(150);
    expect(declared.filter((d) => !PATHWISE_WGSL_NAMES.has(d.split(' ')[0]) && !d.startsWith('params '))).toEqual([]);
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

  it('follows auto-resets: 5 episodes of 10 steps, each reset compared from its own Philox uniforms; a directive in the file is fine', async () => {
    const report = await checkEnv(variant('spring-short', (c) => `diagnostic(off, derivative_uniformity);\n${c}`, { horizon: 10 }));
    expect(report).toMatchObject({ ok: true, problems: [], transitions: 3200 });
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

  it('names the function of any contract check that fails (env_obs returning the state\'s type)', async () => {
    const report = await checkEnv(variant('spring-obs', (c) => c.replace('fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> array<f32, OBS_DIM> {\n  return array<f32, OBS_DIM>(s[0], s[1]);', 'fn env_obs(s: array<f32, STATE_DIM>, p: Params) -> vec2<f32> {\n  return vec2<f32>(s[0], s[1]);')));
    expect(report.problems[0].message).toMatch(/^WGSL: env_obs does not have the contract's signature `fn env_obs\(s: array<f32, STATE_DIM>, p: Params\) -> array<f32, OBS_DIM>`/);
  });

  it('tells a clash with a name of pathwise\'s own code in the user\'s file and line', async () => {
    const { cache } = await gpu();
    const code = ['fn pathwise_own() {}', fileStartMarker('mine.wgsl'), 'const X = 1;', 'fn pathwise_own() {}', endMarker(), 'fn pathwise_own() {}'].join('\n');
    await expect(cache.pipeline({ shader: { path: 'clash test', code: `${code}\n@compute @workgroup_size(1) fn main() {}` }, entryPoint: 'main' }))
      .rejects.toThrow(/^WGSL compile error in mine\.wgsl:2:\d+: redeclaration of 'pathwise_own'/);
    const late = ['const Y = 2;', fileStartMarker('mine.wgsl'), 'fn mine_only() {}', endMarker(), 'fn mine_only() {}', '@compute @workgroup_size(1) fn main() {}'].join('\n');
    await expect(cache.pipeline({ shader: { path: 'late clash', code: late }, entryPoint: 'main' }))
      .rejects.toThrow("WGSL compile error at mine.wgsl:1:1: redeclaration of 'mine_only' ('mine_only' previously declared here); the other declaration is pathwise's own, in late clash: rename yours");
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

describe('what else a definition takes', () => {
  it('generates env_sysid for sysidParams, and refuses limited sensors without positions', async () => {
    const spec = { ...springMassSpec, name: 'spring-sysid', sysidParams: ['m', 'k'] };
    defineEnv(spec);
    const env = await makeEnv('spring-sysid', { envs: 8, sysid: 0.5 });
    const step = await env.step(new Float32Array(8).fill(0.5));
    expect(step.rewards.every(Number.isFinite)).toBe(true);
    await env.dispose();
    defineEnv({ ...springMassSpec, name: 'spring-blind', observation: { fields: ['x', 'v'] } });
    await expect(makeEnv('spring-blind', { sensors: 'positions' })).rejects.toThrow('spring-blind.sensors: got "positions", expected full: spring-blind declares no position observations');
  });
});

describe('every algorithm takes an environment of one\'s own', () => {
  const replay = { batchSize: 16, learningStarts: 80, bufferSize: 2000 };
  const onPolicy = { policyHidden: [16], valueHidden: [16], segment: 20 };
  it.each([
    ['ddpg', { envs: 8, steps: 800 }, { actorHidden: [16], criticHidden: [16], ...replay }],
    ['svg0', { envs: 8, steps: 800 }, { actorHidden: [16], criticHidden: [16], ...replay }],
    ['svg1', { envs: 8, steps: 800 }, { policyHidden: [16], valueHidden: [16], modelHidden: [16], ...replay }],
    ['svg-inf', { envs: 8, steps: 240 }, { policyHidden: [16], horizon: 10 }],
    ['svg-inf', { envs: 8, steps: 240 }, { policyHidden: [16], horizon: 10, dynamics: 'model', modelHidden: [16], modelBatch: 16, modelUpdates: 3, bufferSize: 2000 }],
    ['reinforce', { envs: 8, steps: 320 }, { ...onPolicy }],
    ['ppo', { envs: 8, steps: 320 }, { ...onPolicy, minibatches: 4, epochs: 2 }],
    ['tnpg', { envs: 8, steps: 320 }, { ...onPolicy, cgIterations: 4, valueEpochs: 2, valueMinibatches: 4 }],
    ['trpo', { envs: 8, steps: 320 }, { ...onPolicy, cgIterations: 3, valueEpochs: 1, valueMinibatches: 2, maxBacktracks: 4 }],
    ['rwr', { envs: 8, steps: 320 }, { ...onPolicy, fitSteps: 3, valueEpochs: 1, valueMinibatches: 2 }],
    ['reps', { envs: 8, steps: 320 }, { policyHidden: [16], segment: 20, fitSteps: 3, dualSteps: 5 }],
    ['cem', { envs: 16, steps: 16 * 200 }, { policyHidden: [8], population: 8 }],
    ['cma-es', { envs: 16, steps: 16 * 200 }, { policyHidden: [8], population: 8 }],
  ])('%s %j %j', async (algo, run, settings) => {
    defineEnv(springMassSpec);
    const training = await train({ algo, env: 'spring-mass', reportEvery: 20, evalEpisodes: 2, seed: 3, ...run, ...settings });
    const returns: (number | null)[] = [];
    for await (const r of training) returns.push(r.return_mean);
    const { evaluation } = await training.finish();
    await training.dispose();
    expect(returns.length).toBeGreaterThan(0);
    expect(returns.filter((r) => r !== null).every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(evaluation?.return_mean)).toBe(true);
  });
});

describe('pathwise check-env', () => {
  it('exits 0 for the example and 1 for a module whose reference is wrong, printing the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pathwise-env-module-'));
    copyFileSync(fileURLToPath(new URL('../../examples/custom-env/spring-mass.wgsl', import.meta.url)), join(dir, 'wrong.wgsl'));
    writeFileSync(join(dir, 'wrong.mjs'), [
      "export const wrong = { name: 'spring-wrong-module', state: ['x', 'v'], observation: { fields: ['x', 'v'] }, action: { low: [-1], high: [1] },",
      "  params: { k: 1, c: 0.1, m: 1, dt: 0.05, max_force: 1, max_speed: 10 }, wgsl: { file: 'wrong.wgsl' },",
      '  reference: { reset: (u) => [2 * u[0] - 1, u[1] - 0.5], step: (s) => ({ state: s, reward: 0, terminated: false }), obs: (s) => s } };',
    ].join('\n'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main(['check-env', '--env-module', fileURLToPath(new URL('../../examples/custom-env/spring-mass.ts', import.meta.url))])).toBe(0);
      expect(log.mock.calls.map((c) => String(c[0]))).toContain('spring-mass: ok (compared with the reference: 64 resets, 3200 transitions, 64 VJP rows)');
      log.mockClear();
      expect(await main(['check-env', '--env-module', join(dir, 'wrong.mjs')])).toBe(1);
      const printed = log.mock.calls.map((c) => String(c[0]));
      expect(printed[0]).toMatch(/^spring-wrong-module: 2 problems \(compared with the reference/);
      expect(printed[1]).toMatch(/^ {2}step: env_step \(env 0, step 0, .*\): reward is .* on the GPU \(WGSL\) but 0 in the reference$/);
      expect(printed[2]).toMatch(/^ {2}vjp: VJP \(env_step_dual, env_obs_dual\) disagrees with the reference in \d+ of 64 rows/);
    } finally {
      log.mockRestore();
    }
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

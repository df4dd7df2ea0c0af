/** Observation wrappers (rllab's partially observed variants) and bad input. */
import { describe, expect, it } from 'vitest';
import { EnvBatch, recordWidth } from '../../src/envs/batch.js';
import { envNames, getEnv, goalEnvNames } from '../../src/envs/registry.js';
import { stateDim } from '../../src/envs/types.js';
import { EnvVjp } from '../../src/envs/vjp.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';

describe('observation wrappers', () => {
  it("limited sensors keep only position observations (cartpole: x and theta)", async () => {
    const { ctx, cache } = await gpu();
    const def = getEnv('cartpole');
    const full = await new EnvBatch(ctx, def, { envs: 50, seed: 4, clock: new Clock(ctx) }).build(cache);
    const limited = await new EnvBatch(ctx, def, { envs: 50, seed: 4, clock: new Clock(ctx), sensors: 'positions' }).build(cache);
    await runOnce(ctx, [full.resetDispatch, limited.resetDispatch]);
    expect(limited.obsWidth).toBe(2);
    const [a, b] = await Promise.all([full.obs.read(), limited.obs.read()]);
    for (let i = 0; i < 50; i++) {
      expect(b[i * 2]).toBe(a[i * 4]);
      expect(b[i * 2 + 1]).toBe(a[i * 4 + 2]);
    }
  });

  it('noisy observations add N(0, sigma^2) noise (mean and spread within 4 standard errors)', async () => {
    const { ctx, cache } = await gpu();
    const def = getEnv('pendulum');
    const n = 4096, sigma = 0.3;
    const clean = await new EnvBatch(ctx, def, { envs: n, seed: 9, clock: new Clock(ctx) }).build(cache);
    const noisy = await new EnvBatch(ctx, def, { envs: n, seed: 9, clock: new Clock(ctx), obsNoise: sigma }).build(cache);
    await runOnce(ctx, [clean.resetDispatch, noisy.resetDispatch]);
    const [a, b] = await Promise.all([clean.obs.read(), noisy.obs.read()]);
    const diffs = Array.from(b, (v, i) => v - a[i]);
    const mean = diffs.reduce((s, v) => s + v, 0) / diffs.length;
    const sd = Math.sqrt(diffs.reduce((s, v) => s + (v - mean) ** 2, 0) / (diffs.length - 1));
    expect(Math.abs(mean)).toBeLessThan((4 * sigma) / Math.sqrt(diffs.length));
    expect(Math.abs(sd / sigma - 1)).toBeLessThan(4 / Math.sqrt(2 * diffs.length));
  });

  it('system identification draws hidden constants per episode and steps with them', async () => {
    const { ctx, cache } = await gpu();
    const def = getEnv('pendulum');
    const n = 500, range = 0.3;
    const batch = await new EnvBatch(ctx, def, { envs: n, seed: 2, clock: new Clock(ctx), sysid: range }).build(cache);
    await runOnce(ctx, [batch.resetDispatch]);
    const before = await batch.envState.read();
    batch.action.write(Array.from({ length: n }, (_, i) => Math.sin(i)));
    await runOnce(ctx, [batch.stepDispatch]);
    const after = await batch.envState.read();
    const w = recordWidth(def), S = stateDim(def);
    let spread = 0;
    for (let i = 0; i < n; i++) {
      const [fm, fl] = [before[i * w + S + 3], before[i * w + S + 4]];
      expect(fm).toBeGreaterThanOrEqual(1 - range - 1e-6);
      expect(fm).toBeLessThanOrEqual(1 + range + 1e-6);
      spread = Math.max(spread, Math.abs(fm - 1), Math.abs(fl - 1));
      const p = { ...def.params, m: def.params.m * fm, l: def.params.l * fl };
      const ref = def.reference!.step([before[i * w], before[i * w + 1]], [Math.fround(Math.sin(i))], p);
      expect(Math.abs(after[i * w] - ref.state[0])).toBeLessThan(1e-4 * Math.abs(ref.state[0]) + 1e-5);
      expect(Math.abs(after[i * w + 1] - ref.state[1])).toBeLessThan(1e-4 * Math.abs(ref.state[1]) + 1e-5);
    }
    expect(spread).toBeGreaterThan(0.8 * range);
  });
});

describe('bad input', () => {
  it('an unknown env name lists the known ones', () => {
    expect(() => getEnv('pendulm')).toThrow(new RegExp(`env: got "pendulm", expected one of ${envNames().join(', ')}`));
    expect(goalEnvNames()).toEqual(['reacher', 'reacher-sparse', 'point-mass', 'point-mass-sparse']);
  });

  it('N = 0, N over the device limits, and bad options are refused naming the field and range', async () => {
    const { ctx } = await gpu();
    const def = getEnv('pendulum');
    const clock = new Clock(ctx);
    expect(() => new EnvBatch(ctx, def, { envs: 0, seed: 1, clock })).toThrow(/pendulum\.envs: got 0, expected an integer in \[1, \d+\]/);
    expect(() => new EnvBatch(ctx, def, { envs: 1e9, seed: 1, clock })).toThrow(/pendulum\.envs: got 1000000000, expected an integer in \[1, \d+\]/);
    expect(() => new EnvBatch(ctx, def, { envs: 2.5, seed: 1, clock })).toThrow(/pendulum\.envs/);
    expect(() => new EnvBatch(ctx, def, { envs: 4, seed: 1, clock, sensors: 'eyes' as 'full' })).toThrow(/sensors: got "eyes", expected one of full, positions/);
    expect(() => new EnvBatch(ctx, def, { envs: 4, seed: 1, clock, params: { mass: 2 } })).toThrow(/params\.mass: got "mass", expected one of max_speed/);
    expect(() => new EnvBatch(ctx, def, { envs: 4, seed: 1, clock, obsNoise: -1 })).toThrow(/obsNoise: got -1/);
    expect(() => new EnvVjp(ctx, getEnv('cartpole'), 4)).toThrow(/env: got "cartpole", expected a differentiable environment/);
  });

  it('NaN actions are replaced by 0, counted in the statistics, and never reach the state', async () => {
    const { ctx, cache } = await gpu();
    const def = getEnv('pendulum');
    const batch = await new EnvBatch(ctx, def, { envs: 8, seed: 1, clock: new Clock(ctx) }).build(cache);
    await runOnce(ctx, [batch.resetDispatch]);
    batch.action.write([Number.NaN, 0.5, Number.NaN, 1, 1, 1, 1, 1]);
    await runOnce(ctx, [batch.stepDispatch, batch.stepDispatch]);
    const state = await batch.envState.read();
    expect(state.every(Number.isFinite)).toBe(true);
    const [stats] = await batch.readStats();
    expect(stats.nanActions).toBe(4); // 2 NaN components x 2 steps
  });
});

describe('rendering data', () => {
  it('renders a batch of GPU states into scenes and an SVG grid', async () => {
    const { ctx, cache } = await gpu();
    const { renderStates, scenesToSvg } = await import('../../src/envs/render.js');
    const def = getEnv('acrobot');
    const batch = await new EnvBatch(ctx, def, { envs: 10, seed: 1, clock: new Clock(ctx) }).build(cache);
    await runOnce(ctx, [batch.resetDispatch]);
    const scenes = renderStates(def, await batch.envState.read(), 6);
    expect(scenes).toHaveLength(6);
    const svg = scenesToSvg(scenes, 3, 100);
    expect(svg).toMatch(/^<svg [^>]*width="300" height="200"/);
    expect(svg.match(/<line /g)).toHaveLength(6 * 3);
  });
});

/** Every registered environment: GPU step vs float64 reference, auto-reset, returns, VJP. */
import { describe, expect, it } from 'vitest';
import { EnvBatch, recordWidth } from '../../src/envs/batch.js';
import { envNames, getEnv } from '../../src/envs/registry.js';
import { actionDim, obsDim, stateDim } from '../../src/envs/types.js';
import { EnvVjp } from '../../src/envs/vjp.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { Clock } from '../../src/rng/clock.js';
import { resetUniforms } from '../../src/envs/resetUniforms.js';
import { gpu } from '../helpers/gpu.js';
import { relError, rng } from '../helpers/random.js';
import { finiteDifference } from '../reference/dense.js';
import { firstMismatch, stepFrom } from './harness.js';
import { ranges } from './ranges.js';

const draw = (next: () => number, [lo, hi]: [number, number]) => Math.fround(lo + (hi - lo) * next());


function angleDiff(a: number, b: number): number {
  const d = Math.abs(a - b) % (2 * Math.PI);
  return Math.min(d, 2 * Math.PI - d);
}

it('every environment has test ranges', () => {
  for (const name of envNames()) expect(ranges[name], name).toBeDefined();
});

describe.each(envNames())('%s', (name) => {
  const def = getEnv(name);
  const r = ranges[name];
  const S = stateDim(def), A = actionDim(def), O = obsDim(def), G = def.goalDim;

  it('GPU step equals the float64 reference on 10,000 random states, including resets at episode ends', async () => {
    const { ctx, cache } = await gpu();
    const n = 10_000;
    const next = rng(name.length * 7919 + 1);
    const states = Array.from({ length: n }, () => r.state.map((range) => draw(next, range)));
    // A tenth of the envs sit one step before the horizon, so truncation is exercised.
    const times = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? def.horizon - 1 : Math.floor(next() * (def.horizon - 1))));
    const actions = Array.from({ length: n }, () => def.actionLow.map((lo, j) => Math.fround(1.2 * (lo + (def.actionHigh[j] - lo) * next()))));
    const out = await stepFrom(ctx, cache, def, states, times, actions, { seed: 1 });
    const w = recordWidth(def);
    let terminations = 0, truncations = 0;
    for (let i = 0; i < n; i++) {
      const ref = def.reference!.step(states[i], actions[i], def.params);
      const where = `${name} env ${i}`;
      const terminated = out.stepOut[i * 3 + 1] > 0;
      const truncated = out.stepOut[i * 3 + 2] > 0;
      expect(terminated, `${where} terminated`).toBe(ref.terminated);
      expect(truncated, `${where} truncated`).toBe(!ref.terminated && times[i] + 1 >= def.horizon);
      terminations += Number(terminated);
      truncations += Number(truncated);
      // Absolute slack: 1e-5, or 1e-4 of the state's largest entry for envs compared norm-relative
      // (their rewards are velocities: x displacement over the step's duration).
      const slack = r.normRelative ? 1e-5 + 1e-4 * Math.max(...ref.state.map(Math.abs)) : 1e-5;
      expect(firstMismatch([out.stepOut[i * 3]], [ref.reward], 1e-4, slack), `${where} reward`).toBeNull();
      const reached = [...def.reference!.obs(ref.state, def.params), ...(def.reference!.achievedGoal?.(ref.state, def.params) ?? [])];
      expect(firstMismatch(out.nextObs.subarray(i * (O + G), (i + 1) * (O + G)), reached, 1e-4, slack), `${where} next obs`).toBeNull();
      const gpuState = Array.from(out.state.subarray(i * w, i * w + S));
      if (terminated || truncated) {
        // Auto-reset: the next episode (number 1) of this env, from Philox's reset uniforms.
        const fresh = def.reference!.reset(resetUniforms(def, 1, i, 1), def.params);
        expect(firstMismatch(gpuState, fresh, 1e-5, 1e-6), `${where} reset state`).toBeNull();
        expect(out.state[i * w + S], `${where} time after reset`).toBe(0);
        expect(firstMismatch(out.obs.subarray(i * O, (i + 1) * O), def.reference!.obs(fresh, def.params), 1e-5, 1e-6), `${where} reset obs`).toBeNull();
      } else {
        for (let k = 0; k < S; k++) {
          const d = r.angles?.includes(k) ? angleDiff(gpuState[k], ref.state[k]) : Math.abs(gpuState[k] - ref.state[k]);
          expect(d <= 1e-4 * Math.abs(ref.state[k]) + slack, `${where} state[${k}]: ${gpuState[k]} vs ${ref.state[k]}`).toBe(true);
        }
        expect(out.state[i * w + S], `${where} time`).toBe(times[i] + 1);
        expect(firstMismatch(out.obs.subarray(i * O, (i + 1) * O), def.reference!.obs(ref.state, def.params), 1e-4, slack), `${where} obs`).toBeNull();
      }
    }
    expect(truncations).toBeGreaterThan(0);
    if (['cartpole', 'double-pendulum'].includes(name)) expect(terminations).toBeGreaterThan(0);
  });

  it('auto-resets exactly at the horizon or on termination; GPU-accumulated returns equal the summed rewards', async () => {
    const { ctx, cache } = await gpu();
    const envs = 37, horizon = Math.min(def.horizon, 25), steps = 2 * horizon + 7;
    const batch = await new EnvBatch(ctx, def, { envs, seed: 3, clock: new Clock(ctx), horizon }).build(cache);
    await runOnce(ctx, [batch.resetDispatch]);
    const next = rng(11);
    const running = new Float64Array(envs);
    const time = new Array(envs).fill(0);
    const finished: { ret: number; len: number }[] = [];
    for (let t = 0; t < steps; t++) {
      batch.action.write(Array.from({ length: envs * A }, (_, j) => def.actionLow[j % A] + (def.actionHigh[j % A] - def.actionLow[j % A]) * next()));
      await runOnce(ctx, [batch.stepDispatch]);
      const [out, st] = await Promise.all([batch.stepOut.read(), batch.envState.read()]);
      for (let i = 0; i < envs; i++) {
        running[i] += out[i * 3];
        time[i] += 1;
        const done = out[i * 3 + 1] > 0 || out[i * 3 + 2] > 0;
        if (out[i * 3 + 2] > 0) expect(time[i], `${name} env ${i} truncated at`).toBe(horizon);
        if (time[i] === horizon && out[i * 3 + 1] === 0) expect(out[i * 3 + 2], `${name} env ${i} must truncate`).toBe(1);
        if (done) {
          finished.push({ ret: running[i], len: time[i] });
          running[i] = 0;
          time[i] = 0;
        }
        expect(st[i * recordWidth(def) + S], `${name} env ${i} time`).toBe(time[i]);
      }
    }
    const [stats] = await batch.readStats();
    expect(stats.episodes).toBe(finished.length);
    expect(finished.length).toBeGreaterThanOrEqual(envs);
    const meanReturn = finished.reduce((s, e) => s + e.ret, 0) / finished.length;
    expect(relError([stats.returnMean], [meanReturn])).toBeLessThan(1e-5);
    expect(stats.lengthMean).toBeCloseTo(finished.reduce((s, e) => s + e.len, 0) / finished.length, 6);
    expect(stats.nanActions).toBe(0);
    // Reading clears the statistics.
    expect((await batch.readStats())[0].episodes).toBe(0);
  });

  it('render returns finite primitives for a reset state', () => {
    const s = def.reference!.reset(resetUniforms(def, 1, 0, 0), def.params);
    const scene = def.render(s, def.params);
    expect(scene.primitives.length).toBeGreaterThan(0);
    expect(scene.bounds.every(Number.isFinite)).toBe(true);
    for (const p of scene.primitives) expect(Object.values(p).filter((v) => typeof v === 'number').every(Number.isFinite)).toBe(true);
  });

  if (def.differentiable) {
    it('VJP of (next state, reward, next obs) matches central finite differences of the float64 reference', async () => {
      const { ctx, cache } = await gpu();
      const rows = 64;
      const next = rng(name.length * 31 + 5);
      const smooth = r.smoothState!;
      const vjp = new EnvVjp(ctx, def, rows);
      const inputs = Array.from({ length: rows }, () => [
        ...smooth.map((range) => draw(next, range)),
        ...def.actionLow.map((lo, j) => Math.fround(0.8 * (lo + (def.actionHigh[j] - lo) * next()))),
      ]);
      const cots = Array.from({ length: rows }, () => Array.from({ length: S + 1 + O }, () => Math.fround(2 * next() - 1)));
      vjp.input.write(inputs.flat());
      vjp.cotangent.write(cots.flat());
      await runOnce(ctx, [await vjp.dispatch(cache)]);
      const got = await vjp.output.read();
      const ref: number[] = [];
      for (let i = 0; i < rows; i++) {
        const c = cots[i];
        const loss = (x: Float64Array) => {
          const step = def.reference!.step(Array.from(x.subarray(0, S)), Array.from(x.subarray(S)), def.params);
          const o = def.reference!.obs(step.state, def.params);
          let total = c[S] * step.reward;
          for (let k = 0; k < S; k++) total += c[k] * step.state[k];
          for (let k = 0; k < O; k++) total += c[S + 1 + k] * o[k];
          return total;
        };
        ref.push(...finiteDifference(Float64Array.from(inputs[i]), loss, 1e-6));
      }
      expect(relError(got, ref)).toBeLessThan(1e-3);
    });
  }
});

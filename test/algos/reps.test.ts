/**
 * REPS's dual (shaders/rl/reps.wgsl) against a float64 replica on a random segment: rllab's
 * features and their differences, the dual's value before and after, the Adam steps on (log eta,
 * standardized v) - which test its gradient through the trajectory they take - the weights of the
 * fit and the reweighting's KL; and the replica's gradient against finite differences of the dual.
 */
import { expect, it } from 'vitest';
import { RepsDual, repsFeatures } from '../../src/algos/common/repsDual.js';
import { onPolicySegment } from '../../src/algos/common/segmentRows.js';
import { EnvBatch } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError, rng } from '../helpers/random.js';
import { finiteDifference } from '../reference/dense.js';

interface Records {
  reward: number[];
  /** Standardized feature differences per record. */
  feats: number[][];
}

/** g(log eta, u) in float64, its gradient, and what the kernel reports. */
function dual(rec: Records, logEta: number, u: number[], epsilon: number) {
  const eta = Math.exp(logEta);
  const delta = rec.reward.map((r, i) => r + rec.feats[i].reduce((s, x, f) => s + u[f] * x, 0));
  const m = Math.max(...delta);
  const w = delta.map((d) => Math.exp((d - m) / eta));
  const total = w.reduce((s, x) => s + x, 0);
  const M = delta.length;
  const logMean = Math.log(total / M);
  const weighted = w.reduce((s, x, i) => s + x * (delta[i] - m), 0) / total;
  return {
    value: eta * epsilon + m + eta * logMean,
    dLogEta: eta * (epsilon + logMean - weighted / eta),
    grad: u.map((_, f) => w.reduce((s, x, i) => s + x * rec.feats[i][f], 0) / total),
    kl: weighted / eta - logMean,
    weights: w,
  };
}

it('REPS dual: features, the Adam steps on the dual, the weights and the KL match float64', async () => {
  const { ctx, cache } = await gpu();
  const clock = new Clock(ctx);
  const N = 4, T = 6, agents = 2, steps = 6, lr = 0.05, epsilon = 0.5;
  const env = await new EnvBatch(ctx, getEnv('pendulum'), { envs: N, agents, seed: 3, clock }).build(cache);
  const segment = onPolicySegment(ctx, 'segment', env, T);
  const W = segment.width, M = segment.rows, O = env.obsWidth, F = repsFeatures(O);
  const data = randomArray(agents * M * W, 61);
  const next = rng(62);
  for (let r = 0; r < agents * M; r++) {
    const u = next();
    data[r * W + segment.col('terminated')] = u < 0.1 ? 1 : 0;
    data[r * W + segment.col('truncated')] = u > 0.9 ? 1 : 0;
    data[r * W + segment.col('time')] = Math.floor(next() * 200);
    for (let j = 0; j < O; j++) data[r * W + j] = Math.fround(3 * data[r * W + j]);
  }
  segment.tensor.write(data);
  const reps = new RepsDual(cache, env, segment);
  // Agent 1 warm-starts from another update's (eta, v).
  const start = [15, ...new Array<number>(F).fill(0), Math.fround(2), ...Array.from(randomArray(F, 63, -0.5, 0.5))];
  reps.state.write(start);
  const metrics = f32(ctx, 'metrics', [agents, 8]);
  await runOnce(ctx, [await reps.dispatch({ epsilon, dualSteps: steps, dualLr: lr }, metrics, { width: 8, eta: 0, kl: 1, dualBefore: 2, dualAfter: 3 })]);
  const [seg, state, m] = await Promise.all([segment.tensor.read(), reps.state.read(), metrics.read()]);

  const clip = (x: number) => Math.min(Math.max(x, -10), 10);
  const phi = (at: number, t: number) => {
    const o = Array.from({ length: O }, (_, j) => clip(data[at + j]));
    const a = t / 100;
    return [...o, ...o.map((x) => x * x), a, a * a, a * a * a, 1];
  };
  for (let a = 0; a < agents; a++) {
    const diffs = Array.from({ length: M }, (_, r) => {
      const at = (a * M + r) * W;
      const t = data[at + segment.col('time')];
      const ended = data[at + segment.col('terminated')] + data[at + segment.col('truncated')] > 0.5 || r % T === T - 1;
      const here = phi(at, t), there = ended ? new Array<number>(F).fill(0) : phi(at + W, t + 1);
      return there.map((x, f) => x - here[f]);
    });
    const spread = Array.from({ length: F }, (_, f) => Math.sqrt(diffs.reduce((s, d) => s + d[f] ** 2, 0) / M) + 1e-8);
    const rec: Records = { reward: Array.from({ length: M }, (_, r) => data[(a * M + r) * W + segment.col('reward')]), feats: diffs.map((d) => d.map((x, f) => x / spread[f])) };
    let logEta = Math.log(start[a * (1 + F)]);
    const u = Array.from({ length: F }, (_, f) => start[a * (1 + F) + 1 + f] * spread[f]);
    const before = dual(rec, logEta, u, epsilon);
    // The replica's gradient is the dual's (finite differences in float64).
    const theta = Float64Array.from([logEta, ...u]);
    const fd = finiteDifference(theta, (t) => dual(rec, t[0], Array.from(t.subarray(1)), epsilon).value);
    expect(relError([before.dLogEta, ...before.grad], fd), 'the replica\'s gradient').toBeLessThan(1e-6);
    const mo = new Array<number>(F + 1).fill(0), vo = new Array<number>(F + 1).fill(0);
    let last = before;
    for (let k = 1; k <= steps; k++) {
      const g = [last.dLogEta, ...last.grad];
      const c1 = 1 - 0.9 ** k, c2 = 1 - 0.999 ** k;
      for (let i = 0; i <= F; i++) {
        mo[i] = 0.9 * mo[i] + 0.1 * g[i];
        vo[i] = 0.999 * vo[i] + 0.001 * g[i] * g[i];
        const stepI = (lr * (mo[i] / c1)) / (Math.sqrt(vo[i] / c2) + 1e-8);
        if (i === 0) logEta -= stepI;
        else u[i - 1] -= stepI;
      }
      last = dual(rec, logEta, u, epsilon);
    }
    const got = Array.from(state.subarray(a * (1 + F), (a + 1) * (1 + F)));
    expect(relError(got, [Math.exp(logEta), ...u.map((x, f) => x / spread[f])]), `eta and v, agent ${a}`).toBeLessThan(1e-4);
    expect(relError(Array.from({ length: M }, (_, r) => seg[(a * M + r) * W + segment.col('adv')]), last.weights), `weights, agent ${a}`).toBeLessThan(1e-4);
    expect(relError(Array.from(m.subarray(a * 8, a * 8 + 4)), [Math.exp(logEta), last.kl, before.value, last.value]), `metrics, agent ${a}`).toBeLessThan(1e-4);
    expect(last.value).toBeLessThan(before.value);
  }
});

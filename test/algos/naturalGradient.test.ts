/**
 * The natural gradient methods' kernels (TNPG, TRPO) against float64 on random segments: the vanilla policy gradient (finite
 * differences of the float64 surrogate), the Fisher-vector product (the explicit Fisher matrix
 * J^T D J of a small network, J by finite differences), conjugate gradient (float64 CG with the
 * same iterations; on an 8-parameter policy, also the direct solve), the KL-bounded step, TRPO's
 * line search (every candidate's surrogate gain and KL, the choice; its accept/reject rule on a
 * constructed search tape), and the value fit's gradient on its shuffled minibatch.
 */
import { describe, expect, it } from 'vitest';
import { GaussianPolicy } from '../../src/algos/common/gaussianPolicy.js';
import { LOG_STD_RANGE, onPolicySegment } from '../../src/algos/common/segmentRows.js';
import { type LineSearch, NPG_METRICS_WIDTH, NPG_METRIC_SLOTS, NaturalGradient, type NpgLearner } from '../../src/algos/common/naturalGradient.js';
import { trpoConfig } from '../../src/algos/trpo.js';
import { EnvBatch } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { Adam } from '../../src/nn/adam.js';
import { Mlp } from '../../src/nn/mlp.js';
import { Clock } from '../../src/rng/clock.js';
import { Stream } from '../../src/rng/philox.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError } from '../helpers/random.js';
import { agentBlock, finiteDifference, mlpForward as forward } from '../reference/dense.js';
import { shuffleKeys, shuffledIndex } from '../reference/shuffle.js';


const clampLs = (ls: number) => Math.min(Math.max(ls, LOG_STD_RANGE[0]), LOG_STD_RANGE[1]);
const dotp = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i], 0);

/** Solves A x = b (A symmetric positive definite, float64) by Gaussian elimination. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const m = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    const piv = m.slice(c).reduce((best, row, k) => (Math.abs(row[c]) > Math.abs(m[best][c]) ? c + k : best), c);
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

async function setup(envName: string, hidden: number[], cgIterations: number, lineSearch?: LineSearch, stepSize = 0.02, weighted?: { fitSteps: number; fitLr: number }) {
  const { ctx, cache } = await gpu();
  const clock = new Clock(ctx);
  const agents = 2;
  const env = await new EnvBatch(ctx, getEnv(envName), { envs: 4, agents, seed: 3, clock }).build(cache);
  const config = trpoConfig({ segment: 5, cgIterations, damping: 0.1, stepSize, valueMinibatches: 2, ...lineSearch });
  const policy = GaussianPolicy.create(ctx, env.obsWidth, env.actionDim, hidden, agents, { seed: 5, squash: false, activation: 'tanh' });
  const value = Mlp.create(ctx, { sizes: [env.obsWidth, 6, 1], hidden: 'tanh', agents }, { seed: 6, label: 'value' });
  const l: NpgLearner = {
    ctx, cache, env, clock, config, seed: 9, policy, value,
    step: weighted ? { kind: 'weighted', ...weighted } : { kind: 'natural', stepSize: config.stepSize, cgIterations: config.cgIterations, damping: config.damping, lineSearch },
    policyOpt: weighted ? new Adam(ctx, policy.net.params, policy.net.grads, agents, { lr: weighted.fitLr }, 'policy.adam') : undefined,
    valueOpt: new Adam(ctx, value.params, value.grads, agents, { lr: 1e-3 }, 'value.adam'),
    metrics: f32(ctx, 'metrics', [agents, NPG_METRICS_WIDTH]),
    segment: onPolicySegment(ctx, 'segment', env, config.segment),
    returnStats: f32(ctx, 'stats', [agents, 2], [0, 1, 0, 1]),
  };
  const data = randomArray(agents * l.segment.rows * l.segment.width, 41);
  l.segment.tensor.write(data);
  clock.tensor.write([0, 23, 0, 0]);
  return { l, data, config, natural: new NaturalGradient(l) };
}

describe.each([
  ['reacher', 'a 79-parameter policy (10 -> 5 -> 4), 10 CG iterations', [5], 10],
  ['pendulum', 'an 8-parameter policy (3 -> 2): 8 CG iterations solve exactly', [] as number[], 8],
])('TNPG policy update on %s, %s', (envName, _name, hidden, iterations) => {
  it('g, F x, CG and the KL-bounded step match float64', async () => {
    const { l, data, natural, config } = await setup(envName as string, hidden as number[], iterations as number);
    const { policy, segment, env } = l;
    const p0 = await policy.net.params.read();
    await runOnce(l.ctx, await natural.policyUpdate(1));
    const [g, fv, x, p1, scalars] = await Promise.all([policy.net.grads.read(), natural.fv.read(), natural.x.read(), policy.net.params.read(), natural.scalars.read()]);
    const O = env.obsWidth, A = env.actionDim, W = segment.width, M = segment.rows, P = policy.net.paramsPerAgent;
    for (let a = 0; a < 2; a++) {
      const theta = agentBlock(policy.net, p0, a);
      const rec = (r: number) => (a * M + r) * W;
      const obs = (r: number) => Array.from(data.subarray(rec(r), rec(r) + O));
      // The surrogate mean over records of A log pi(x | s).
      const surrogate = (t: Float64Array) => {
        let s = 0;
        for (let r = 0; r < M; r++) {
          const h = forward(policy.net, t, obs(r));
          for (let d = 0; d < A; d++) {
            const ls = clampLs(h[A + d]);
            const z = (data[rec(r) + segment.col('x') + d] - h[d]) / Math.exp(ls);
            s += data[rec(r) + segment.col('adv')] * (-0.5 * z * z - ls) / M;
          }
        }
        return s;
      };
      expect(relError(agentBlock(policy.net, g, a), finiteDifference(theta, surrogate)), `g, agent ${a}`).toBeLessThan(1e-4);
      // The explicit Fisher matrix: mean over records of J^T D J.
      const F = Array.from({ length: P }, () => new Array<number>(P).fill(0));
      for (let r = 0; r < M; r++) {
        const J = Array.from({ length: 2 * A }, (_, k) => finiteDifference(theta, (t) => forward(policy.net, t, obs(r))[k]));
        const heads = forward(policy.net, theta, obs(r));
        const D = Array.from({ length: 2 * A }, (_, k) => (k < A ? Math.exp(-2 * clampLs(heads[A + k])) : 2));
        for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) for (let k = 0; k < 2 * A; k++) F[i][j] += (J[k][i] * D[k] * J[k][j]) / M;
      }
      const xa = agentBlock(policy.net, x, a), ga = agentBlock(policy.net, g, a);
      expect(relError(agentBlock(policy.net, fv, a), F.map((row) => dotp(row, xa))), `F x, agent ${a}`).toBeLessThan(1e-4);
      // CG on (F + damping I) s = g in float64, from the GPU's g.
      const damped = F.map((row, i) => row.map((v, j) => v + (i === j ? config.damping : 0)));
      const s = new Array<number>(P).fill(0), res = Array.from(ga), dir = Array.from(ga);
      let rr = dotp(res, res);
      for (let k = 0; k < config.cgIterations && rr >= 1e-10; k++) {
        const Ad = damped.map((row) => dotp(row, dir));
        const alpha = rr / dotp(dir, Ad);
        for (let i = 0; i < P; i++) {
          s[i] += alpha * dir[i];
          res[i] -= alpha * Ad[i];
        }
        const next = dotp(res, res);
        for (let i = 0; i < P; i++) dir[i] = res[i] + (next / rr) * dir[i];
        rr = next;
      }
      // float32 CG drifts from float64 CG as its directions lose conjugacy: 1.3e-3 measured on the
      // 79-parameter policy after 10 iterations (agent 0; 1e-5 for agent 1).
      expect(relError(xa, s), `CG solution, agent ${a}`).toBeLessThan(5e-3);
      if (P <= config.cgIterations) expect(P).toBe(8);
      if (P <= config.cgIterations) expect(relError(xa, solve(damped, Array.from(ga))), `direct solve, agent ${a}`).toBeLessThan(1e-3);
      // The step: beta = sqrt(2 step_size / x^T (F + damping I) x).
      const quad = dotp(xa, damped.map((row) => dotp(row, xa)));
      const beta = Math.sqrt((2 * config.stepSize) / quad);
      expect(relError([scalars[4 * a + 1], scalars[4 * a + 2]], [beta, quad]), `beta, agent ${a}`).toBeLessThan(1e-4);
      expect(relError(Array.from(agentBlock(policy.net, p1, a)).map((v, i) => v - theta[i]), Array.from(xa).map((v) => beta * v)), `step, agent ${a}`).toBeLessThan(1e-4);
    }
  });
});

it('the value fit differentiates 0.5 (V - G)^2 over the shuffled minibatch', async () => {
  const { l, data, natural } = await setup('reacher', [5], 2);
  const { value, segment, env } = l;
  const v0 = await value.params.read();
  const dispatches = await natural.valueUpdate(1);
  await runOnce(l.ctx, dispatches.slice(0, 2)); // epoch 0, minibatch 0: rows and their sum
  const grads = await value.grads.read();
  const M = segment.rows, B = natural.valueBatch, W = segment.width, O = env.obsWidth;
  for (let a = 0; a < 2; a++) {
    const keys = shuffleKeys(9 + a, Stream.replay, 23, 0); // each agent its own permutation
    const records = Array.from({ length: B }, (_, r) => (a * M + shuffledIndex(r, M, keys)) * W);
    const loss = (phi: Float64Array) => records.reduce((s, at) => s + 0.5 * (forward(value, phi, Array.from(data.subarray(at, at + O)))[0] - data[at + segment.col('ret')]) ** 2 / B, 0);
    expect(relError(agentBlock(value, grads, a), finiteDifference(agentBlock(value, v0, a), loss)), `agent ${a}`).toBeLessThan(1e-4);
  }
});

/** The mean over records of (pi_k / pi_old - 1) A and of KL(pi_old || pi_k), in float64. */
function searchMeans(policy: GaussianPolicy, oldParams: Float64Array, params: Float64Array, records: { obs: number[]; x: number[]; adv: number }[]) {
  const A = policy.actionDim;
  let gain = 0, kl = 0;
  for (const r of records) {
    const ho = forward(policy.net, oldParams, r.obs), hn = forward(policy.net, params, r.obs);
    let logRatio = 0;
    for (let d = 0; d < A; d++) {
      const lo = clampLs(ho[A + d]), ln = clampLs(hn[A + d]);
      const zo = (r.x[d] - ho[d]) / Math.exp(lo), zn = (r.x[d] - hn[d]) / Math.exp(ln);
      logRatio += -0.5 * zn * zn - ln + 0.5 * zo * zo + lo;
      kl += (ln - lo + (Math.exp(2 * lo) + (ho[d] - hn[d]) ** 2) / (2 * Math.exp(2 * ln)) - 0.5) / records.length;
    }
    gain += ((Math.exp(logRatio) - 1) * r.adv) / records.length;
  }
  return { gain, kl };
}

describe('TRPO line search', () => {
  it('evaluates every candidate of the backtracking search as float64 does, and takes the first that passes', async () => {
    // Whether a candidate is taken at k = 0 or after backtracking depends on the data (with this
    // data, both agents take k = 0); the choice must be what float64 makes of the same
    // candidates. The accept/reject rule on every branch is the next test's.
    const lineSearch = { backtrackRatio: 0.6, maxBacktracks: 8 };
    const { l, data, natural, config } = await setup('reacher', [5], 10, lineSearch, 0.5);
    const { policy, segment, env } = l;
    const p0 = await policy.net.params.read();
    await runOnce(l.ctx, await natural.policyUpdate(1));
    const [x, scalars, p1, search, metrics] = await Promise.all([natural.x.read(), natural.scalars.read(), policy.net.params.read(), natural.search!.read(), l.metrics.read()]);
    const O = env.obsWidth, A = env.actionDim, W = segment.width, M = segment.rows, K = lineSearch.maxBacktracks;
    let accepted = 0;
    for (let a = 0; a < 2; a++) {
      const old = agentBlock(policy.net, p0, a), xa = agentBlock(policy.net, x, a), beta = scalars[4 * a + 1];
      const records = Array.from({ length: M }, (_, r) => {
        const at = (a * M + r) * W;
        return { obs: Array.from(data.subarray(at, at + O)), x: Array.from(data.subarray(at + segment.col('x'), at + segment.col('x') + A)), adv: data[at + segment.col('adv')] };
      });
      let chosen = K;
      for (let k = 0; k < K; k++) {
        const cand = old.map((v, i) => v + lineSearch.backtrackRatio ** k * beta * xa[i]);
        const want = searchMeans(policy, old, cand, records);
        const rows = Array.from({ length: M }, (_, r) => [search[((a * K + k) * M + r) * 2], search[((a * K + k) * M + r) * 2 + 1]]);
        const got = { gain: rows.reduce((s, v) => s + v[0], 0) / M, kl: rows.reduce((s, v) => s + v[1], 0) / M };
        expect(relError([got.gain, got.kl], [want.gain, want.kl]), `candidate ${k}, agent ${a}`).toBeLessThan(1e-3);
        if (chosen === K && want.gain > 0 && want.kl <= config.stepSize) chosen = k;
      }
      const expected = chosen < K ? old.map((v, i) => v + lineSearch.backtrackRatio ** chosen * beta * xa[i]) : old;
      expect(relError(agentBlock(policy.net, p1, a), expected), `chosen ${chosen}, agent ${a}`).toBeLessThan(1e-5);
      expect(metrics[a * NPG_METRICS_WIDTH + NPG_METRIC_SLOTS.backtracks]).toBe(chosen);
      if (chosen < K) accepted++;
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it('accepts the first candidate with a positive gain within the KL bound, and rejects every step when none has both', async () => {
    const lineSearch = { backtrackRatio: 0.5, maxBacktracks: 4 };
    const { l, natural, config } = await setup('pendulum', [3], 2, lineSearch);
    const { policy, segment } = l;
    const M = segment.rows, K = lineSearch.maxBacktracks, P = policy.net.paramsPerAgent, delta = config.stepSize;
    const p0 = await policy.net.params.read();
    const candidates = randomArray(2 * K * P, 51);
    natural.candidates!.write(candidates);
    // Per agent and candidate, every record's (gain, KL) set to the means wanted.
    const means: [number, number][][] = [
      [[0.3, 2 * delta], [-0.1, 0.5 * delta], [0.05, 0.9 * delta], [0.2, 0.1 * delta]], // agent 0: candidate 2
      [[0.3, 1.5 * delta], [0, 0.2 * delta], [-0.2, 0.1 * delta], [Number.NaN, 0]], // agent 1: none
    ];
    const tape = new Float64Array(2 * K * M * 2);
    for (let a = 0; a < 2; a++) for (let k = 0; k < K; k++) for (let r = 0; r < M; r++) [tape[((a * K + k) * M + r) * 2], tape[((a * K + k) * M + r) * 2 + 1]] = means[a][k];
    natural.search!.write(tape);
    const { select } = await natural.lineSearchDispatches(1);
    await runOnce(l.ctx, [select]);
    const [p1, metrics] = await Promise.all([policy.net.params.read(), l.metrics.read()]);
    expect(Array.from(agentBlock(policy.net, p1, 0))).toEqual(Array.from(candidates.subarray((0 * K + 2) * P, (0 * K + 3) * P)).map(Math.fround));
    expect(Array.from(agentBlock(policy.net, p1, 1))).toEqual(Array.from(agentBlock(policy.net, p0, 1)));
    const S = NPG_METRIC_SLOTS, m = (a: number, slot: number) => metrics[a * NPG_METRICS_WIDTH + slot];
    expect([m(0, S.backtracks), m(0, S.rejected), m(1, S.backtracks), m(1, S.rejected), m(1, S.kl)]).toEqual([2, 0, K, 1, 0]);
    expect(m(0, S.kl)).toBeCloseTo(0.9 * delta, 6);
  });
});

it('RWR: the weighted fit descends -(1 / M) sum w log pi(x | s), w the stored positive weights', async () => {
  const { l, data, natural } = await setup('reacher', [5], 1, undefined, 0.02, { fitSteps: 3, fitLr: 1e-2 });
  const { policy, segment, env } = l;
  const O = env.obsWidth, A = env.actionDim, W = segment.width, M = segment.rows;
  // Positive weights in the advantage column, as shift_advantages_positive leaves them.
  const weights = data.map((v) => v);
  for (let r = 0; r < 2 * M; r++) weights[r * W + segment.col('adv')] = Math.fround(Math.abs(data[r * W + segment.col('adv')]) + 0.1);
  segment.tensor.write(weights);
  const p0 = await policy.net.params.read();
  const update = await natural.policyUpdate(1);
  expect(update.length).toBe(3 * 4); // per step: rows, sum, Adam prepare and update
  await runOnce(l.ctx, update.slice(0, 2));
  const grads = await policy.net.grads.read();
  for (let a = 0; a < 2; a++) {
    const rec = (r: number) => (a * M + r) * W;
    const loss = (t: Float64Array) => {
      let s = 0;
      for (let r = 0; r < M; r++) {
        const h = forward(policy.net, t, Array.from(weights.subarray(rec(r), rec(r) + O)));
        for (let d = 0; d < A; d++) {
          const ls = clampLs(h[A + d]);
          const z = (weights[rec(r) + segment.col('x') + d] - h[d]) / Math.exp(ls);
          s -= (weights[rec(r) + segment.col('adv')] * (-0.5 * z * z - ls)) / M;
        }
      }
      return s;
    };
    expect(relError(agentBlock(policy.net, grads, a), finiteDifference(agentBlock(policy.net, p0, a), loss)), `agent ${a}`).toBeLessThan(1e-4);
  }
  // The whole fit lowers the loss (3 Adam steps).
  await runOnce(l.ctx, update.slice(2));
  const p1 = await policy.net.params.read();
  expect(Array.from(p1)).not.toEqual(Array.from(p0));
});

/**
 * TNPG's kernels against float64 on random segments: the vanilla policy gradient (finite
 * differences of the float64 surrogate), the Fisher-vector product (the explicit Fisher matrix
 * J^T D J of a small network, J by finite differences), conjugate gradient (float64 CG with the
 * same iterations; on an 8-parameter policy, also the direct solve), the KL-bounded step, and the value
 * fit's gradient on its shuffled minibatch.
 */
import { describe, expect, it } from 'vitest';
import { GaussianPolicy } from '../../src/algos/common/gaussianPolicy.js';
import { LOG_STD_RANGE, onPolicySegment } from '../../src/algos/common/segmentRows.js';
import { NaturalGradient, TNPG_METRICS_WIDTH, type TnpgLearner, tnpgConfig } from '../../src/algos/tnpg.js';
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
import { act, finiteDifference } from '../reference/dense.js';
import { shuffleKeys, shuffledIndex } from '../reference/shuffle.js';

function forward(net: Mlp, params: ArrayLike<number>, x: readonly number[]): number[] {
  let h = [...x];
  for (const layer of net.layers) {
    const out: number[] = [];
    for (let j = 0; j < layer.outDim; j++) {
      let z = params[layer.offset + layer.inDim * layer.outDim + j];
      for (let i = 0; i < layer.inDim; i++) z += h[i] * params[layer.offset + i * layer.outDim + j];
      out.push(act(layer.activation, z));
    }
    h = out;
  }
  return h;
}

const block = (net: Mlp, all: ArrayLike<number>, a: number) => Float64Array.from(Array.prototype.slice.call(all, a * net.paramsPerAgent, (a + 1) * net.paramsPerAgent) as number[]);
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

async function setup(envName: string, hidden: number[], cgIterations: number) {
  const { ctx, cache } = await gpu();
  const clock = new Clock(ctx);
  const agents = 2;
  const env = await new EnvBatch(ctx, getEnv(envName), { envs: 4, agents, seed: 3, clock }).build(cache);
  const config = tnpgConfig({ segment: 5, cgIterations, damping: 0.1, stepSize: 0.02, valueMinibatches: 2 });
  const policy = GaussianPolicy.create(ctx, env.obsWidth, env.actionDim, hidden, agents, { seed: 5, squash: false, activation: 'tanh' });
  const value = Mlp.create(ctx, { sizes: [env.obsWidth, 6, 1], hidden: 'tanh', agents }, { seed: 6, label: 'value' });
  const l: TnpgLearner = {
    ctx, cache, env, clock, config, seed: 9, policy, value,
    valueOpt: new Adam(ctx, value.params, value.grads, agents, { lr: 1e-3 }, 'value.adam'),
    metrics: f32(ctx, 'metrics', [agents, TNPG_METRICS_WIDTH]),
    segment: onPolicySegment(ctx, 'segment', env, config.segment),
    returnStats: f32(ctx, 'stats', [agents, 2], [0, 1, 0, 1]),
  };
  const data = randomArray(agents * l.segment.rows * l.segment.width, 41);
  l.segment.tensor.write(data);
  clock.tensor.write([0, 23, 0, 0]);
  return { l, data, natural: new NaturalGradient(l) };
}

describe.each([
  ['reacher', 'a 79-parameter policy (10 -> 5 -> 4), 10 CG iterations', [5], 10],
  ['pendulum', 'an 8-parameter policy (3 -> 2): 8 CG iterations solve exactly', [] as number[], 8],
])('TNPG policy update on %s, %s', (envName, _name, hidden, iterations) => {
  it('g, F x, CG and the KL-bounded step match float64', async () => {
    const { l, data, natural } = await setup(envName as string, hidden as number[], iterations as number);
    const { policy, segment, env, config } = l;
    const p0 = await policy.net.params.read();
    await runOnce(l.ctx, await natural.policyUpdate(1));
    const [g, fv, x, p1, scalars] = await Promise.all([policy.net.grads.read(), natural.fv.read(), natural.x.read(), policy.net.params.read(), natural.scalars.read()]);
    const O = env.obsWidth, A = env.actionDim, W = segment.width, M = segment.rows, P = policy.net.paramsPerAgent;
    for (let a = 0; a < 2; a++) {
      const theta = block(policy.net, p0, a);
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
      expect(relError(block(policy.net, g, a), finiteDifference(theta, surrogate)), `g, agent ${a}`).toBeLessThan(1e-4);
      // The explicit Fisher matrix: mean over records of J^T D J.
      const F = Array.from({ length: P }, () => new Array<number>(P).fill(0));
      for (let r = 0; r < M; r++) {
        const J = Array.from({ length: 2 * A }, (_, k) => finiteDifference(theta, (t) => forward(policy.net, t, obs(r))[k]));
        const heads = forward(policy.net, theta, obs(r));
        const D = Array.from({ length: 2 * A }, (_, k) => (k < A ? Math.exp(-2 * clampLs(heads[A + k])) : 2));
        for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) for (let k = 0; k < 2 * A; k++) F[i][j] += (J[k][i] * D[k] * J[k][j]) / M;
      }
      const xa = block(policy.net, x, a), ga = block(policy.net, g, a);
      expect(relError(block(policy.net, fv, a), F.map((row) => dotp(row, xa))), `F x, agent ${a}`).toBeLessThan(1e-4);
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
      expect(relError(Array.from(block(policy.net, p1, a)).map((v, i) => v - theta[i]), Array.from(xa).map((v) => beta * v)), `step, agent ${a}`).toBeLessThan(1e-4);
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
  const keys = shuffleKeys(9, Stream.replay, 23, 0);
  for (let a = 0; a < 2; a++) {
    const records = Array.from({ length: B }, (_, r) => (a * M + shuffledIndex(r, M, keys)) * W);
    const loss = (phi: Float64Array) => records.reduce((s, at) => s + 0.5 * (forward(value, phi, Array.from(data.subarray(at, at + O)))[0] - data[at + segment.col('ret')]) ** 2 / B, 0);
    expect(relError(block(value, grads, a), finiteDifference(block(value, v0, a), loss)), `agent ${a}`).toBeLessThan(1e-4);
  }
});

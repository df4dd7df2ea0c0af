/**
 * PPO's kernels against float64 references on random inputs: segment collection as a row program
 * (samples, log-probabilities, V(s), V(s')), GAE with its standardizations, the minibatch
 * permutation, and the minibatch row program's gradients (clipped surrogate, entropy bonus,
 * clipped value loss) against central finite differences of the float64 loss.
 */
import { describe, expect, it } from 'vitest';
import { GaussianPolicy } from '../../src/algos/common/gaussianPolicy.js';
import { gaeDispatches } from '../../src/algos/common/returns.js';
import { LOG_STD_RANGE, SegmentRows, onPolicySegment } from '../../src/algos/common/segmentRows.js';
import { PPO_METRICS_WIDTH, PPO_METRIC_SLOTS, type PpoLearner, PpoUpdate, ppoConfig } from '../../src/algos/ppo.js';
import { EnvBatch } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { Adam } from '../../src/nn/adam.js';
import { Mlp } from '../../src/nn/mlp.js';
import { Clock } from '../../src/rng/clock.js';
import { Stream, agentKey, normal4 } from '../../src/rng/philox.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError, rng } from '../helpers/random.js';
import { agentBlock, finiteDifference, mlpForward as forward } from '../reference/dense.js';
import { shuffleKeys, shuffledIndex } from '../reference/shuffle.js';


const clampLs = (ls: number) => Math.min(Math.max(ls, LOG_STD_RANGE[0]), LOG_STD_RANGE[1]);
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** log N(x; mu, sigma) and the entropy of a diagonal Gaussian from its heads [mu | log sigma]. */
function gaussian(heads: readonly number[], x: readonly number[]): { logp: number; entropy: number } {
  const A = x.length;
  let logp = 0, entropy = 0;
  for (let d = 0; d < A; d++) {
    const ls = clampLs(heads[A + d]);
    const z = (x[d] - heads[d]) / Math.exp(ls);
    logp += -0.5 * z * z - ls - HALF_LOG_TWO_PI;
    entropy += ls + 0.5 + HALF_LOG_TWO_PI;
  }
  return { logp, entropy };
}

async function setup(envName: string, o: { envs: number; agents: number; steps: number }) {
  const { ctx, cache } = await gpu();
  const clock = new Clock(ctx);
  const env = await new EnvBatch(ctx, getEnv(envName), { envs: o.envs, agents: o.agents, seed: 3, clock }).build(cache);
  await runOnce(ctx, [env.resetDispatch]);
  const policy = GaussianPolicy.create(ctx, env.obsWidth, env.actionDim, [7], o.agents, { seed: 5, squash: false, activation: 'tanh' });
  const value = Mlp.create(ctx, { sizes: [env.obsWidth, 6, 1], hidden: 'tanh', agents: o.agents }, { seed: 6, label: 'value' });
  const segment = onPolicySegment(ctx, 'segment', env, o.steps);
  return { ctx, cache, clock, env, policy, value, segment };
}

describe.each(['pendulum', 'reacher'])('on-policy segment collection as one row program (%s)', (envName) => {
  it('stores samples, log-probabilities, V(s) and V(s\') as float64 computes them', async () => {
    const N = 6, agents = 2, T = 5, seed = 11;
    const { ctx, cache, clock, env, policy, value, segment } = await setup(envName, { envs: N, agents, steps: T });
    clock.tensor.write([40, 0, 0, 0]);
    const slots = { read: 0 };
    await runOnce(ctx, [await new SegmentRows(cache, { env, clock, seed, policy, value, segment }).collect(slots)]);
    expect(slots.read).toBe(1);
    const [seg, pp, vp, clk, nextObs] = await Promise.all([segment.tensor.read(), policy.net.params.read(), value.params.read(), clock.tensor.read(), env.nextObs.read()]);
    expect(clk[1]).toBe(40 + T);
    const O = env.obsWidth, A = env.actionDim, W = segment.width, G = env.def.goalDim;
    const got = { x: [] as number[], logp: [] as number[], v: [] as number[], next: [] as number[] };
    const want = { x: [] as number[], logp: [] as number[], v: [] as number[], next: [] as number[] };
    let continued = 0;
    for (let a = 0; a < agents; a++) {
      const pa = agentBlock(policy.net, pp, a), va = agentBlock(value, vp, a);
      for (let i = 0; i < N; i++) {
        const flat = a * N + i;
        for (let t = 0; t < T; t++) {
          const at = (flat * T + t) * W;
          const obs = Array.from(seg.subarray(at, at + O));
          const heads = forward(policy.net, pa, obs);
          const x: number[] = [];
          for (let d = 0; d < A; d++) {
            const z = normal4(agentKey([seed, Stream.explore], a), [i, 40 + 1 + t, Math.floor(d / 4), 0])[d % 4];
            x.push(heads[d] + Math.exp(clampLs(heads[A + d])) * z);
            got.x.push(seg[at + segment.col('x') + d]);
          }
          want.x.push(...x);
          want.logp.push(gaussian(heads, x).logp);
          got.logp.push(seg[at + segment.col('logp')]);
          want.v.push(forward(value, va, obs)[0]);
          got.v.push(seg[at + segment.col('value')]);
          // V(s'): of the next record's observation where the episode went on, of the env's last
          // reached observation after the final step.
          const ended = seg[at + segment.col('terminated')] + seg[at + segment.col('truncated')] > 0;
          if (t < T - 1 && !ended) {
            continued++;
            want.next.push(forward(value, va, Array.from(seg.subarray(at + W, at + W + O)))[0]);
            got.next.push(seg[at + segment.col('nextValue')]);
          } else if (t === T - 1) {
            want.next.push(forward(value, va, Array.from(nextObs.subarray(flat * (O + G), flat * (O + G) + O)))[0]);
            got.next.push(seg[at + segment.col('nextValue')]);
          }
        }
      }
    }
    expect(continued).toBeGreaterThan(0);
    for (const k of ['x', 'logp', 'v', 'next'] as const) expect(relError(got[k], want[k]), k).toBeLessThan(1e-5);
    // The records hold what the env paid: pendulum's rewards are never positive, never zero here.
    const rewards = Array.from({ length: agents * N * T }, (_, r) => seg[r * W + segment.col('reward')]);
    expect(rewards.some((r) => r !== 0)).toBe(true);
  });
});

it.each([false, true])('GAE(lambda), the standardized returns and advantages (shifted to positive weights: %s) match float64 (terminations, truncations, segment ends)', async (shift) => {
  const N = 5, agents = 2, T = 7, gamma = Math.fround(0.97), lambda = Math.fround(0.9);
  const { ctx, cache, env, segment } = await setup('pendulum', { envs: N, agents, steps: T });
  const W = segment.width;
  const data = randomArray(agents * N * T * W, 21);
  const next = rng(22);
  for (let r = 0; r < agents * N * T; r++) {
    const u = next();
    data[r * W + segment.col('terminated')] = u < 0.12 ? 1 : 0;
    data[r * W + segment.col('truncated')] = u > 0.88 ? 1 : 0;
  }
  segment.tensor.write(data);
  const stats0 = [Math.fround(-3), Math.fround(2.5), Math.fround(1.5), Math.fround(0.7)];
  const stats = f32(ctx, 'stats', [agents, 2], stats0);
  await runOnce(ctx, await gaeDispatches(cache, segment.tensor, stats, {
    envs: N, steps: T, width: W, rewardCol: segment.col('reward'), valueCol: segment.col('nextValue'), returnCol: segment.col('ret'),
    gamma, lambda, stateValueCol: segment.col('value'), advCol: segment.col('adv'), positive: shift,
  }));
  const [seg, st] = await Promise.all([segment.tensor.read(), stats.read()]);
  const standardize = (xs: number[]) => {
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const spread = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length) + 1e-6;
    return { mean, spread, out: xs.map((x) => (x - mean) / spread) };
  };
  for (let a = 0; a < agents; a++) {
    const [mean, std] = [stats0[2 * a], stats0[2 * a + 1]];
    const adv: number[] = [], ret: number[] = [], v: number[] = [];
    for (let i = 0; i < N; i++) {
      const envAdv: number[] = new Array(T), envRet: number[] = new Array(T), envV: number[] = new Array(T);
      let carry = 0;
      for (let t = T - 1; t >= 0; t--) {
        const at = ((a * N + i) * T + t) * W;
        const [reward, term, trunc] = [data[at + segment.col('reward')], data[at + segment.col('terminated')], data[at + segment.col('truncated')]];
        const vs = mean + std * data[at + segment.col('value')];
        const vNext = mean + std * data[at + segment.col('nextValue')];
        const delta = reward + gamma * (1 - term) * vNext - vs;
        carry = term || trunc || t === T - 1 ? delta : delta + gamma * lambda * carry;
        [envAdv[t], envRet[t], envV[t]] = [carry, carry + vs, vs];
      }
      adv.push(...envAdv);
      ret.push(...envRet);
      v.push(...envV);
    }
    const R = standardize(ret), Adv = standardize(adv);
    const col = (name: 'adv' | 'ret' | 'value') => Array.from({ length: N * T }, (_, r) => seg[(a * N * T + r) * W + segment.col(name)]);
    expect(relError(col('ret'), R.out), 'returns').toBeLessThan(1e-5);
    const least = Math.min(...Adv.out);
    expect(relError(col('adv'), shift ? Adv.out.map((v) => v - least + 1e-8) : Adv.out), 'advantages').toBeLessThan(1e-5);
    if (shift) expect(Math.min(...col('adv'))).toBeGreaterThanOrEqual(0);
    expect(relError(col('value'), v), 'V(s) in raw units').toBeLessThan(1e-6);
    expect(relError([st[2 * a], st[2 * a + 1]], [R.mean, R.spread]), 'statistics').toBeLessThan(1e-5);
  }
});

describe('the minibatch permutation (fused/shuffle.wgsl)', () => {
  it('is a bijection of [0, n) for any n, and differs between epochs', () => {
    for (const n of [1, 2, 3, 17, 64, 1000, 4097]) {
      const keys = shuffleKeys(7, Stream.replay, 123, 0);
      const seen = new Set(Array.from({ length: n }, (_, i) => shuffledIndex(i, n, keys)));
      expect(seen.size).toBe(n);
      expect(Math.max(...seen)).toBe(n - 1);
    }
    const a = Array.from({ length: 64 }, (_, i) => shuffledIndex(i, 64, shuffleKeys(7, Stream.replay, 123, 0)));
    const b = Array.from({ length: 64 }, (_, i) => shuffledIndex(i, 64, shuffleKeys(7, Stream.replay, 123, 1)));
    expect(a).not.toEqual(b);
    expect(a).not.toEqual(Array.from({ length: 64 }, (_, i) => i));
  });
});

describe.each(['on', 'off'])('PPO minibatch rows, value clipping %s', (clipValueLoss) => {
  it('take the shuffled records, and their gradients equal finite differences of the float64 loss', async () => {
    const N = 6, agents = 2, T = 5, minibatches = 3, seed = 9, now = 17, epoch = 1, draw = 2;
    const { ctx, cache, clock, env, policy, value, segment } = await setup('reacher', { envs: N, agents, steps: T });
    const config = ppoConfig({ segment: T, minibatches, epochs: 2, clip: 0.2, entropyCoef: 0.05, valueCoef: 0.7, clipValueLoss });
    const l: PpoLearner = {
      ctx, cache, env, clock, config, seed, policy, value, segment,
      policyOpt: new Adam(ctx, policy.net.params, policy.net.grads, agents, { lr: 1e-3 }, 'policy.adam'),
      valueOpt: new Adam(ctx, value.params, value.grads, agents, { lr: 1e-3 }, 'value.adam'),
      metrics: f32(ctx, 'metrics', [agents, PPO_METRICS_WIDTH]),
      returnStats: f32(ctx, 'stats', [agents, 2], [Math.fround(-2), Math.fround(3), Math.fround(0.5), Math.fround(1.5)]),
    };
    const update = new PpoUpdate(l);
    const B = update.batch, M = N * T, O = env.obsWidth, A = env.actionDim, W = segment.width;
    expect(B).toBe(M / minibatches);
    const [pp, vp, statsData] = await Promise.all([policy.net.params.read(), value.params.read(), l.returnStats.read()]);
    // Random records whose old log-probabilities put the ratios on both sides of the clip range.
    const data = randomArray(agents * M * W, 31);
    const jitter = rng(32);
    for (let a = 0; a < agents; a++) {
      for (let r = 0; r < M; r++) {
        const at = (a * M + r) * W;
        const heads = forward(policy.net, agentBlock(policy.net, pp, a), Array.from(data.subarray(at, at + O)));
        data[at + segment.col('logp')] = Math.fround(gaussian(heads, Array.from(data.subarray(at + segment.col('x'), at + segment.col('x') + A))).logp + 0.8 * (jitter() - 0.5));
        data[at + segment.col('value')] = Math.fround(statsData[2 * a] + statsData[2 * a + 1] * data[at + segment.col('value')]);
      }
    }
    segment.tensor.write(data);
    clock.tensor.write([0, now, 0, 0]);
    const m = await update.minibatch(epoch, draw, 1, false);
    await runOnce(ctx, [m.rows, m.policyGradient, m.valueGradient]);
    const [tape, pg, vg, metrics] = await Promise.all([update.tape.read(), policy.net.grads.read(), value.grads.read(), l.metrics.read()]);

    const clip = config.clip, vc = Math.fround(config.valueCoef), ec = Math.fround(config.entropyCoef);
    let clippedRows = 0;
    for (let a = 0; a < agents; a++) {
      // Each agent its own permutation: key agentKey((seed, stream), a).
      const keys = shuffleKeys(seed + a, Stream.replay, now, epoch);
      const records = Array.from({ length: B }, (_, r) => shuffledIndex(draw * B + r, M, keys));
      // The tape's first policy input of row r is the observation of the record it read.
      for (let r = 0; r < B; r++) {
        const at = (a * M + records[r]) * W;
        expect(Array.from(tape.subarray((a * B + r) * update.widths.row, (a * B + r) * update.widths.row + O))).toEqual(Array.from(data.subarray(at, at + O)).map(Math.fround));
      }
      const field = (r: number, name: 'x' | 'logp' | 'value' | 'adv' | 'ret', k = 0) => data[(a * M + records[r]) * W + segment.col(name) + k];
      const obs = (r: number) => Array.from(data.subarray((a * M + records[r]) * W, (a * M + records[r]) * W + O));
      const [mean, std] = [statsData[2 * a], statsData[2 * a + 1]];
      const parts = (theta: Float64Array) => {
        const out = { pg: 0, kl: 0, clipped: 0, entropy: 0 };
        for (let r = 0; r < B; r++) {
          const heads = forward(policy.net, theta, obs(r));
          const g = gaussian(heads, Array.from({ length: A }, (_, d) => field(r, 'x', d)));
          const logRatio = g.logp - field(r, 'logp');
          const ratio = Math.exp(logRatio);
          const adv = field(r, 'adv');
          out.pg += Math.max(-adv * ratio, -adv * Math.min(Math.max(ratio, 1 - clip), 1 + clip)) / B;
          out.kl += (ratio - 1 - logRatio) / B;
          out.clipped += (Math.abs(ratio - 1) > clip ? 1 : 0) / B;
          out.entropy += g.entropy / B;
        }
        return out;
      };
      const policyLoss = (theta: Float64Array) => {
        const p = parts(theta);
        return p.pg - ec * p.entropy;
      };
      const valueLoss = (phi: Float64Array) => {
        let loss = 0;
        for (let r = 0; r < B; r++) {
          const v = forward(value, phi, obs(r))[0];
          const g = field(r, 'ret');
          const vOld = (field(r, 'value') - mean) / std;
          const plain = 0.5 * (v - g) ** 2;
          const vClip = vOld + Math.min(Math.max(v - vOld, -clip), clip);
          loss += (clipValueLoss === 'on' ? Math.max(plain, 0.5 * (vClip - g) ** 2) : plain) / B;
        }
        return vc * loss;
      };
      const theta = agentBlock(policy.net, pp, a), phi = agentBlock(value, vp, a);
      const p = parts(theta);
      clippedRows += p.clipped * B;
      expect(relError(agentBlock(policy.net, pg, a), finiteDifference(theta, policyLoss)), `policy gradient, agent ${a}`).toBeLessThan(1e-4);
      expect(relError(agentBlock(value, vg, a), finiteDifference(phi, valueLoss)), `value gradient, agent ${a}`).toBeLessThan(1e-4);
      const row = metrics.subarray(a * PPO_METRICS_WIDTH, (a + 1) * PPO_METRICS_WIDTH);
      const S = PPO_METRIC_SLOTS;
      expect(relError([row[S.pgLoss], row[S.approxKl], row[S.entropy], row[S.valueLoss] * vc], [p.pg, p.kl, p.entropy, valueLoss(phi)]), 'metrics').toBeLessThan(1e-5);
      expect(row[S.clipFraction]).toBeCloseTo(p.clipped, 6);
      expect([row[S.updates], row[S.valueUpdates]]).toEqual([1, 1]);
    }
    // Both branches of the clipped surrogate were exercised.
    expect(clippedRows).toBeGreaterThan(0);
    expect(clippedRows).toBeLessThan(agents * B);
  });
});

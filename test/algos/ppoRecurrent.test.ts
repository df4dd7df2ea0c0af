/**
 * PPO with a recurrent policy (src/algos/ppoRecurrent.ts), on minibatch 1 of 2 (envs 4..7 of 8,
 * two agents), segments of 6 steps with episode resets inside and random states at their start:
 * - the update's graph recomputes exactly the log-probabilities the old pass stored, so every
 *   ratio of an unchanged policy is 1 (approx KL and clip fraction 0 on every row);
 * - its gradient - for every parameter of the cell, the policy head and V, through the clipped
 *   surrogate (ratios straddling 1 +- eps), the entropy bonus and the clipped value loss - matches
 *   central differences of the objective its own forward pass computes;
 * - minibatches that do not divide the envs are refused before any GPU work, by name.
 */
import { describe, expect, it } from 'vitest';
import { SURROGATE_COLUMNS } from '../../src/algos/common/sampleLosses.js';
import type { RecurrentPolicy } from '../../src/algos/common/recurrentPolicy.js';
import { Ppo, ppoConfig } from '../../src/algos/ppo.js';
import { minibatchGraph, minibatchOrder, oldPass, recurrentPpoLearner } from '../../src/algos/ppoRecurrent.js';
import { EnvBatch } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, rng } from '../helpers/random.js';

const N = 8, T = 6, AGENTS = 2, K = 1, B = N / 2;
const ENTROPY = 0.05, STATS = [0.3, 1.7, -0.2, 2.1];

async function setup(kind: 'gru' | 'lstm') {
  const { ctx, cache } = await gpu();
  const clock = new Clock(ctx);
  const env = await new EnvBatch(ctx, getEnv('pendulum'), { envs: N, agents: AGENTS, seed: 3, clock }).build(cache);
  const config = ppoConfig({ recurrent: kind, recurrentWidth: 6, segment: T, minibatches: 2, epochs: 1, policyHidden: [8], valueHidden: [8], entropyCoef: ENTROPY, clipValueLoss: 'on' });
  const { policy, value } = Ppo.networks(ctx, env, config, 7);
  const l = recurrentPpoLearner(ctx, cache, env, clock, config, 7, policy as RecurrentPolicy, value);
  const seg = l.segment;
  seg.tensor.write(randomArray(seg.tensor.size, 1, -1, 1));
  l.record.segmentStart.write(randomArray(l.record.segmentStart.size, 2, -0.8, 0.8));
  // Episodes begin inside some of the sequences (row n * T + t), at t = 0 of env 5 too.
  l.record.resets.write(Array.from({ length: AGENTS * N * T }, (_, r) => ([3, 11, 30, 33, 40].includes(r % (N * T)) ? 1 : 0)));
  l.returnStats.write(STATS);
  const m = await minibatchGraph(l, K);
  return { ctx, l, m, old: await oldPass(l) };
}

describe.each(['gru', 'lstm'] as const)('recurrent PPO (%s), minibatch 1 of 2', (kind) => {
  it('recomputes the stored log-probabilities exactly: every ratio of the unchanged policy is 1', async () => {
    const { ctx, m, old } = await setup(kind);
    await runOnce(ctx, [...old, ...m.gather, ...m.forward]);
    const out = await m.surrogate.tensor.read();
    const kl = Array.from({ length: AGENTS * B * T }, (_, r) => out[r * 4 + SURROGATE_COLUMNS.approxKl]);
    const clipped = Array.from({ length: AGENTS * B * T }, (_, r) => out[r * 4 + SURROGATE_COLUMNS.clipped]);
    expect(kl.every((x) => x === 0)).toBe(true);
    expect(clipped.every((x) => x === 0)).toBe(true);
    // (the entropy column is filled: the forward pass ran)
    expect(out[SURROGATE_COLUMNS.entropy]).not.toBe(0);
  });

  it('its gradient (cell, policy head, V) matches central differences of its own objective', { timeout: 120_000 }, async () => {
    const { ctx, l, m, old } = await setup(kind);
    await runOnce(ctx, [...old, ...m.gather]);
    // Spread the ratios across the clipping range and V_old (raw units) around V, as after some epochs.
    const seg = l.segment, W = seg.width, data = await seg.tensor.read(), next = rng(5);
    let clippedRows = 0;
    for (let r = 0; r < AGENTS * N * T; r++) {
      const a = Math.floor(r / (N * T));
      data[r * W + seg.col('logp')] += 0.6 * (next() - 0.5);
      data[r * W + seg.col('adv')] = 2 * next() - 1;
      data[r * W + seg.col('value')] = STATS[2 * a] + STATS[2 * a + 1] * (data[r * W + seg.col('value')] + 0.5 * (next() - 0.5));
    }
    seg.tensor.write(data);
    const nets = [l.policy.cell.params, l.policy.net.params, l.value.params];
    const grads = [l.policy.cell.grads, l.policy.net.grads, l.value.grads];
    await runOnce(ctx, [...m.forward, ...m.backward]);
    const analytic = (await Promise.all(grads.map((g) => g.read()))).flatMap((g) => Array.from(g));
    const theta = (await Promise.all(nets.map((p) => p.read()))).flatMap((p) => Array.from(p));
    const surrogate0 = await m.surrogate.tensor.read();
    for (let r = 0; r < AGENTS * B * T; r++) clippedRows += surrogate0[r * 4 + SURROGATE_COLUMNS.clipped];
    expect(clippedRows).toBeGreaterThan(5);
    expect(clippedRows).toBeLessThan(AGENTS * B * T - 5);

    const rows = B * T, valueCoef = l.config.valueCoef;
    const objective = async (p: number[]) => {
      let at = 0;
      for (const t of nets) {
        t.write(p.slice(at, at + t.size));
        at += t.size;
      }
      await runOnce(ctx, m.forward);
      const [s, v] = await Promise.all([m.surrogate.tensor.read(), m.valueLoss.tensor.read()]);
      let total = 0; // the sum of the two agents' objectives (each agent's parameters see only its own)
      for (let r = 0; r < AGENTS * rows; r++) total += (s[r * 4] - ENTROPY * s[r * 4 + SURROGATE_COLUMNS.entropy] + valueCoef * v[r]) / rows;
      return total;
    };
    const H = 3e-3, got: number[] = [], want: number[] = [];
    const cellCount = nets[0].size;
    let cellScale = 0;
    for (let i = 0; i < theta.length; i += 3) {
      const plus = [...theta], minus = [...theta];
      plus[i] += H;
      minus[i] -= H;
      const fd = ((await objective(plus)) - (await objective(minus))) / (2 * H);
      want.push(fd);
      got.push(analytic[i]);
      if (i < cellCount) cellScale = Math.max(cellScale, Math.abs(fd));
    }
    const scale = Math.max(...want.map(Math.abs));
    const err = Math.max(...got.map((x, j) => Math.abs(x - want[j])));
    console.log(`${kind}: ${got.length} parameters, max |gradient| ${scale.toFixed(4)} (cell ${cellScale.toFixed(4)}), max error ${err.toExponential(2)}`);
    expect(cellScale).toBeGreaterThan(1e-3);
    expect(err / scale).toBeLessThan(2e-2);
  });
});

it('refuses minibatches that do not divide the envs, and a truncation beyond the segment, before any GPU work', async () => {
  const run = { envs: 16, agents: 1 } as Parameters<typeof Ppo.check>[0];
  const def = getEnv('pendulum');
  expect(() => Ppo.check(run, def, ppoConfig({ recurrent: 'gru', minibatches: 32 }))).toThrow(/--minibatches.*divisor of the envs \(16\), e\.g\. 16:/);
  expect(() => Ppo.check({ ...run, envs: 12 }, def, ppoConfig({ recurrent: 'gru', minibatches: 8 }))).toThrow(/divisor of the envs \(12\), e\.g\. 6:/);
  expect(() => Ppo.check(run, def, ppoConfig({ recurrent: 'gru', minibatches: 4, segment: 8, truncation: 9 }))).toThrow(/--truncation.*at most the segment length 8/);
  expect(() => Ppo.check(run, def, ppoConfig({ recurrent: 'gru', minibatches: 4 }))).not.toThrow();
});

it('draws each epoch its own order of the minibatches, the same for the same seed', () => {
  const orders = Array.from({ length: 6 }, (_, e) => minibatchOrder(3, e, 8));
  for (const o of orders) expect([...o].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(new Set(orders.map((o) => o.join())).size).toBeGreaterThan(3);
  expect(minibatchOrder(3, 2, 8)).toEqual(orders[2]);
  expect(minibatchOrder(4, 2, 8)).not.toEqual(orders[2]);
});

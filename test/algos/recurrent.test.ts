/**
 * Recurrent policies in REINFORCE: the learner's graph recomputes exactly the states the policy
 * acted with (from the state at the segment's start and the stored reset flags; episodes ending
 * inside the segment, or none); checkpoints load for `pathwise eval` and export (as ONNX's GRU / LSTM:
 * test/api/export.test.ts), and a truncation longer than the segment is refused; acting with the
 * mode over episodes back to back starts each episode from a zero state.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import type { RecurrentPolicy } from '../../src/algos/common/recurrentPolicy.js';
import type { Reinforce } from '../../src/algos/reinforce.js';
import { bindApi } from '../../src/api/index.js';
import { main } from '../../src/cli/main.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import { Trainer } from '../../src/run/trainer.js';
import { deterministicActing } from '../../src/algos/common/acting.js';
import { EnvBatch } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { matrix } from '../../src/gpu/view.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';

afterEach(() => vi.restoreAllMocks());

// cartpole: random episodes last about 20 steps, so every env's segment of 50 holds resets;
// pendulum: none within 3 segments of 4 steps (horizon 200), so the last state depends on the
// state stored at the segment's start (the cells forget it within a few tens of steps).
it.each([
  ['gru', 'cartpole', 'categorical', 50, true],
  ['lstm', 'cartpole', 'categorical', 50, true],
  ['gru', 'pendulum', 'gaussian', 4, false],
  ['lstm', 'pendulum', 'gaussian', 4, false],
] as const)('%s on %s: the update recomputes the acting states', async (kind, env, policy, T, resets) => {
  const { ctx, cache } = await gpu();
  const N = 8, H = 8;
  const trainer = await Trainer.create(ctx, cache, runConfig({ env, sensors: 'positions', envs: N, steps: N * T * 3, seed: 1, evalEpisodes: 0, reportEvery: 1000, algo: 'reinforce' }), algoConfig('reinforce', { policy, recurrent: kind, recurrentWidth: H, segment: T }));
  await trainer.train(trainer.targetIteration, () => {});
  const algo = trainer.algo as Reinforce;
  const flags = await algo.segment.tensor.read();
  const width = algo.segment.width, ended = [algo.segment.col('terminated'), algo.segment.col('truncated')];
  for (let n = 0; n < N; n++) expect(Array.from({ length: T }, (_, t) => ended.some((c) => flags[(n * T + t) * width + c] === 1)).some(Boolean)).toBe(resets);
  // The acting state after the segment's last step equals the graph's h at t = T - 1 (the update's
  // forward pass ran before its parameter step); for LSTM the state is [h | c], h first.
  const state = await (algo.policy as RecurrentPolicy).state.read();
  const view = algo.recurrentStates!;
  const hs = await view.tensor.read();
  const S = kind === 'gru' ? H : 2 * H;
  let worst = 0;
  for (let n = 0; n < N; n++) for (let j = 0; j < H; j++) worst = Math.max(worst, Math.abs(hs[view.offset + (n * T + T - 1) * view.rowStride + j] - state[n * S + j]));
  expect(Math.max(...Array.from(state).map(Math.abs))).toBeGreaterThan(1e-3);
  expect(worst).toBeLessThan(1e-6);
});

it('a recurrent checkpoint evaluates with pathwise eval and exports; a truncation beyond the segment is refused by name', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pathwise-recurrent-'));
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const train = ['train', '--env', 'cartpole', '--sensors', 'positions', '--algo', 'reinforce', '--policy', 'categorical', '--recurrent', 'gru', '--recurrent-width', '8', '--segment', '16', '--envs', '8', '--steps', '1024', '--eval-episodes', '10'];
  expect(await main([...train, '--out', dir])).toBe(0);
  expect(await main(['eval', '--checkpoint', dir, '--episodes', '10'])).toBe(0);
  expect(JSON.parse(String(log.mock.calls.at(-1)?.[0])).return_mean).toBeGreaterThan(0);
  expect(await main(['export', '--checkpoint', dir, '--out', join(dir, 'p.onnx')])).toBe(0); // test/api/export.test.ts runs it
  expect(existsSync(join(dir, 'p.onnx'))).toBe(true);
  expect(await main([...train, '--truncation', '17', '--out', join(dir, 'b')])).toBe(2);
  expect(String(errors.mock.calls.at(-1)?.[0])).toContain('--truncation: got 17, expected at most the segment length 16');
});

it('a loaded recurrent policy carries its state from act() to act(), and resetState() starts it from zeros again', { timeout: 120_000 }, async () => {
  const { ctx } = await gpu();
  const api = bindApi(async () => ctx);
  const run = await api.train({ algo: 'reinforce', env: 'pendulum', envs: 8, steps: 8 * 20 * 2, segment: 20, recurrent: 'gru', recurrentWidth: 8, policyHidden: [8], valueHidden: [8], evalEpisodes: 2, seed: 2 });
  await run.finish();
  const policy = await api.loadPolicy(await run.checkpoint());
  expect(policy.recurrent).toBe('gru');
  const obs = [0.3, -0.8, 1.5, -0.6, 0.2, -2.1];
  const first = Array.from(await policy.act(obs));
  const second = Array.from(await policy.act(obs));
  expect(second).not.toEqual(first); // the same observations, another state
  await policy.resetState();
  expect(Array.from(await policy.act(obs))).toEqual(first);
  await policy.dispose();
});

it("acting with a recurrent policy's mode over episodes back to back (the demo's watch) starts each episode from a zero state", { timeout: 120_000 }, async () => {
  const { ctx, cache } = await gpu();
  const N = 8;
  const trainer = await Trainer.create(ctx, cache, runConfig({ env: 'cartpole', envs: N, steps: N * 16 * 2, seed: 3, evalEpisodes: 0, reportEvery: 1000, algo: 'reinforce' }), algoConfig('reinforce', { policy: 'categorical', recurrent: 'gru', recurrentWidth: 8, segment: 16 }));
  await trainer.train(trainer.targetIteration, () => {});
  const clock = new Clock(ctx, 'watch clock');
  // A horizon of 7: episodes end by truncation as well as by termination.
  const env = await new EnvBatch(ctx, getEnv('cartpole'), { envs: N, seed: 5, clock, horizon: 7, label: 'watch' }).build(cache);
  const policy = await trainer.algo.evalPolicy(cache, env.obsView);
  const acting = await deterministicActing(cache, env, clock, policy, { seed: 5 });
  // The same policy from a zero state, on copies of the observations: what a fresh episode's first step gives.
  const O = env.obsView.cols;
  const copies = f32(ctx, 'fresh obs', [N, O]);
  const fresh = await trainer.algo.evalPolicy(cache, matrix(copies, { agents: 1, rows: N, cols: O }));
  await runOnce(ctx, [env.resetDispatch]);
  const S = 8;
  let restarted = 0, carried = 0;
  for (let t = 0; t < 60; t++) {
    const all = await env.obsView.tensor.read();
    const obs = Array.from({ length: N }, (_, e) => Array.from(all.slice(env.obsView.offset + e * env.obsView.rowStride, env.obsView.offset + e * env.obsView.rowStride + O)));
    const flags = await env.stepOut.read();
    await runOnce(ctx, acting.step, 'watch step');
    const h = await policy.state!.read();
    fresh.state!.write(new Float32Array(N * S));
    copies.write(obs.flat());
    await runOnce(ctx, fresh.forward, 'fresh step');
    const h0 = await fresh.state!.read();
    for (let e = 0; e < N; e++) {
      const diff = Math.max(...Array.from({ length: S }, (_, j) => Math.abs(h[e * S + j] - h0[e * S + j])));
      if (flags[e * 3 + 1] + flags[e * 3 + 2] > 0) {
        expect(diff, `env ${e} at step ${t}: a new episode`).toBeLessThan(1e-6);
        restarted++;
      } else if (t > 0 && diff > 1e-3) carried++;
    }
  }
  expect(restarted).toBeGreaterThanOrEqual(4); // episodes ended and began again in the 60 steps
  expect(carried).toBeGreaterThan(0); // and within an episode the state is carried, not zeroed
  acting.release();
  fresh.release();
  copies.destroy();
  env.destroy();
  clock.tensor.destroy();
});

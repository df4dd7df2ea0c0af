/**
 * The library API (src/api) on this machine's adapter: a run iterated report by report equals the
 * trainer's own reports; stop() and an AbortSignal end it; a checkpoint resumes it exactly;
 * options are validated by name before any GPU work; a loaded policy acts as the GPU policy does;
 * makeEnv steps like the float64 reference; dispose releases the run's buffers.
 */
import { describe, expect, it } from 'vitest';
import { bindApi } from '../../src/api/index.js';
import { pendulumReference } from '../../src/envs/pendulum.js';
import { resolveParams } from '../../src/envs/batch.js';
import { getEnv } from '../../src/envs/registry.js';
import { ConfigError } from '../../src/errors.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { matrix } from '../../src/gpu/view.js';
import { Trainer } from '../../src/run/trainer.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError } from '../helpers/random.js';

const api = bindApi(async () => (await gpu()).ctx);
const runPart = { algo: 'cem', env: 'pendulum', envs: 16, steps: 16 * 200 * 3, reportEvery: 200, evalEpisodes: 4, seed: 3 };
const algoPart = { population: 8, policyHidden: [8] };
const small = { ...runPart, ...algoPart };
const withoutWall = <T extends { wall_s: number }>(rs: T[]) => rs.map(({ wall_s: _, ...rest }) => rest);

describe('train()', () => {
  it('iterates the reports the trainer gives, finishes with an evaluation, and resumes a checkpoint exactly', async () => {
    const { ctx, cache } = await gpu();
    const run = await api.train(small);
    expect(run.settings.run.envs).toBe(16);
    expect(run.targetEnvSteps).toBe(16 * 200 * 3);
    const first = [];
    for await (const r of run) {
      first.push(r);
      if (first.length === 1) break;
    }
    const bytes = await run.checkpoint();
    const { reports, evaluation } = await run.finish();
    expect(reports.map((r) => r.env_steps)).toEqual([3200, 6400, 9600]);
    expect(evaluation?.episodes).toBe(4);
    expect(Number.isFinite(evaluation?.return_mean)).toBe(true);
    // The same run through the trainer directly.
    const trainer = await Trainer.create(ctx, cache, runConfig(runPart), algoConfig('cem', algoPart));
    const direct: typeof reports = [];
    await trainer.train(trainer.targetIteration, (r) => void direct.push(r));
    expect(withoutWall(reports)).toEqual(withoutWall(direct));
    // Resumed after the first report: the rest is the same.
    const resumed = await api.train({ steps: small.steps }, { resume: bytes });
    expect(resumed.envSteps).toBe(3200);
    const rest = (await resumed.finish()).reports;
    expect(withoutWall(rest)).toEqual(withoutWall(reports.slice(1)));
    // The same options again are no change; another value is refused.
    const same = await api.train(small, { resume: bytes });
    expect(same.settings.preset).toBe('checkpoint');
    await Promise.all([run.dispose(), resumed.dispose(), same.dispose()]);
    await expect(api.train({ envs: 32 }, { resume: bytes })).rejects.toThrow(/resume.*envs.*no other settings than steps/);
    await expect(api.train({ ...small, population: 16 }, { resume: bytes })).rejects.toThrow(/resume.*population/);
  });

  it('hands a due checkpoint over after its report was consumed, and runs one call at a time', async () => {
    const events: string[] = [];
    const run = await api.train({ ...small, checkpointEvery: 200 }, { onCheckpoint: (bytes, iteration) => void events.push(`checkpoint ${iteration} (${bytes.byteLength > 0})`) });
    const iterator = run[Symbol.asyncIterator]();
    const pending = iterator.next();
    await expect(run.evaluate(2)).rejects.toThrow(/busy/);
    events.push(`report ${((await pending).value as { iteration: number }).iteration}`);
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) events.push(`report ${r.value.iteration}`);
    expect(events).toEqual(['report 200', 'checkpoint 200 (true)', 'report 400', 'checkpoint 400 (true)', 'report 600', 'checkpoint 600 (true)']);
    await run.dispose();
    await expect(run.checkpoint()).rejects.toThrow(/disposed/);
  });

  it('stops at the next report on stop() or an AbortSignal', async () => {
    const run = await api.train(small);
    for await (const r of run) if (r.env_steps >= 3200) run.stop();
    expect(run.reports.length).toBe(1);
    const controller = new AbortController();
    const other = await api.train(small, { signal: controller.signal });
    controller.abort();
    const { reports } = await other.finish();
    expect(reports).toEqual([]);
    await Promise.all([run.dispose(), other.dispose()]);
    // An already aborted signal builds nothing.
    await expect(api.train(small, { signal: controller.signal })).rejects.toThrow(/abort/i);
  });

  it('refuses bad options by name before any GPU work', async () => {
    await expect(api.train({ algo: 'nope' })).rejects.toThrow(/--algo.*one of ddpg/);
    await expect(api.train({ algo: 'svg-inf', tau: 0.1 })).rejects.toThrow(/--tau.*an option of --algo svg-inf/);
    await expect(api.train({ algo: 'ddpg', colour: 'red' })).rejects.toThrow(/--colour.*a run option or an option of --algo ddpg/);
    await expect(api.train({ envs: 0 })).rejects.toThrow(ConfigError);
    await expect(api.train({ preset: 'fast' as 'cpu' })).rejects.toThrow(/--preset.*one of auto, gpu, cpu/);
  });

  it('dispose() releases the buffers the run created', async () => {
    const run = await api.train(small);
    const params = run.trainer.algo.state['policy.params'];
    await params.read();
    await run.dispose();
    await expect(params.read()).rejects.toThrow();
    // The failed copy's validation error surfaces at the next check (and is cleared by it).
    await expect((await gpu()).ctx.sync('after dispose')).rejects.toThrow(/destroyed/);
    // Per-device caches (stand-in buffers) outlive a disposed run: the next runs still train.
    for (const algo of ['ddpg', 'ddpg', 'svg-inf']) {
      const next = await api.train({ algo, envs: 4, steps: 400, reportEvery: 50, evalEpisodes: 2, preset: 'cpu', ...(algo === 'ddpg' ? { learningStarts: 100, batchSize: 16 } : { horizon: 10 }) });
      expect((await next.finish()).reports).toHaveLength(2);
      await next.dispose();
    }
  });
});

describe('loadPolicy()', () => {
  it("acts as the run's evaluation policy on the GPU, actions in the env's bounds", async () => {
    const { ctx, cache } = await gpu();
    const run = await api.train(small);
    await run.finish();
    const policy = await api.loadPolicy(await run.checkpoint());
    expect(policy.observationSize).toBe(3);
    const rows = 5;
    const obs = randomArray(rows * 3, 17, -2, 2);
    const actions = await policy.act(obs);
    // The run's own evaluation policy on the same observations.
    const input = f32(ctx, 'obs', [rows, 3], obs);
    const evalPolicy = await run.trainer.algo.evalPolicy(cache, matrix(input, { rows, cols: 3 }));
    await runOnce(ctx, evalPolicy.forward);
    const normalized = Array.from(await evalPolicy.output.tensor.read()).slice(0, rows);
    const { actionLow: [lo], actionHigh: [hi] } = getEnv('pendulum');
    expect(relError(actions, normalized.map((x) => lo + ((x + 1) * (hi - lo)) / 2))).toBeLessThan(1e-6);
    await expect(policy.act([1, 2])).rejects.toThrow(/observations.length/);
    const evaluation = await api.evaluate(await run.checkpoint(), { episodes: 4 });
    expect(evaluation.return_mean).toBeCloseTo((await run.evaluate(4)).return_mean, 3);
    await Promise.all([policy.dispose(), run.dispose()]);
  });
});

describe('makeEnv()', () => {
  it('steps like the float64 reference, with rewards, terminations and auto-reset', async () => {
    const env = await api.makeEnv('pendulum', { envs: 6, seed: 4, horizon: 3 });
    expect([env.numEnvs, env.observationSize, env.actionSize]).toEqual([6, 3, 1]);
    // Created reset: a step right away is a step of a fresh episode (time 1 of 3).
    expect((await env.step(new Array(6).fill(0))).truncated.every((t) => t === 0)).toBe(true);
    let obs = await env.reset();
    const p = resolveParams(getEnv('pendulum'));
    for (let t = 0; t < 3; t++) {
      const actions = randomArray(6, 30 + t, -2, 2);
      const out = await env.step(actions);
      for (let e = 0; e < 6; e++) {
        const state = [Math.atan2(obs[e * 3 + 1], obs[e * 3]), obs[e * 3 + 2]];
        const want = pendulumReference.step(state, [actions[e]], p);
        expect(out.rewards[e]).toBeCloseTo(want.reward, 4);
        const final = pendulumReference.obs(want.state, p);
        expect(relError(Array.from(out.finalObservations.slice(e * 3, e * 3 + 3)), final)).toBeLessThan(1e-5);
        expect(out.terminated[e]).toBe(0);
        expect(out.truncated[e]).toBe(t === 2 ? 1 : 0);
      }
      obs = out.observations;
    }
    await expect(env.step([1])).rejects.toThrow(/actions.length.*6/);
    await env.close();
    await expect(env.reset()).rejects.toThrow(/disposed/);
    await expect(api.makeEnv('nope')).rejects.toThrow(ConfigError);
  });

  it('lists every env and algorithm with its options', () => {
    expect(api.listEnvs().map((e) => e.name)).toContain('pendulum');
    const cma = api.listAlgorithms().find((a) => a.name === 'cma-es');
    expect(cma?.options.find((o) => o.name === 'sigma0')).toMatchObject({ flag: '--sigma0', default: 1 });
    expect(api.listRunOptions().find((o) => o.name === 'reportEvery')).toMatchObject({ flag: '--report-every' });
  });

  it("answers the settings train would use: the task's tuned entry over the preset, the options given over both", async () => {
    const tuned = await api.settings({ algo: 'ddpg', env: 'mountain-car', preset: 'cpu', seed: 7, tau: 0.05 });
    expect(tuned.preset).toBe('cpu');
    expect(tuned.tunedSource).toMatch(/RL Zoo/);
    expect(tuned.run).toMatchObject({ algo: 'ddpg', env: 'mountain-car', seed: 7, envs: 32, steps: 240_000 });
    expect(tuned.algo).toMatchObject({ noise: 'ou', explorationNoise: 0.5, tau: 0.05, batchSize: 64, gamma: 0.99 });
    const published = await api.settings({ algo: 'ddpg', env: 'pendulum', preset: 'gpu' });
    expect(published).toMatchObject({ preset: 'gpu', tunedSource: null });
    expect(published.algo).toMatchObject({ batchSize: 256, tau: 0.005 });
    await expect(api.settings({ algo: 'ddpg', env: 'pendulum', preset: 'cpu', tau: 2 })).rejects.toThrow(/tau/);
    await expect(api.settings({ algo: 'ddpg', env: 'nope', preset: 'cpu' })).rejects.toThrow(ConfigError);
    // No device for an explicit preset, nor for bad options with preset auto; the lists are copies.
    const deviceless = bindApi(() => Promise.reject(new Error('no device here')));
    const cpu = await deviceless.settings({ algo: 'ddpg', env: 'pendulum', preset: 'cpu' });
    (cpu.algo.actorHidden as number[]).push(1);
    expect((await deviceless.settings({ algo: 'ddpg', env: 'pendulum', preset: 'cpu' })).algo.actorHidden).toEqual([64, 64]);
    await expect(deviceless.settings({ algo: 'ddpg', env: 'pendulum', tau: 2 })).rejects.toThrow(ConfigError);
    await expect(deviceless.settings({ algo: 'ddpg', env: 'pendulum' })).rejects.toThrow(/no device here/);
  });
});

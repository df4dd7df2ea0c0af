/** DDPG's training loop: determinism, exact resume, checkpoints, divergence, CLI reliability. */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { decodeCheckpoint } from '../../src/run/checkpoint.js';
import { DivergedError, type Report, Trainer } from '../../src/run/trainer.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import { Ddpg, NO_FUSIONS, ddpgConfig } from '../../src/algos/ddpg.js';
import type { EnvBatch } from '../../src/envs/batch.js';
import type { Clock } from '../../src/rng/clock.js';
import { main } from '../../src/cli/main.js';
import { readCheckpoint, writeAtomic } from '../../src/cli/files.js';
import { gpu } from '../helpers/gpu.js';

// Small enough for lavapipe: 8 envs, 16-16 networks, batch 16.
const tiny = { envs: 8, steps: 2000, reportEvery: 50, submitEvery: 25, checkpointEvery: 0, evalEpisodes: 0, seed: 5 };
const tinyAlgo = { actorHidden: [16, 16], criticHidden: [16, 16], batchSize: 16, learningStarts: 100, bufferSize: 5000 };

const withoutWall = (reports: Report[]) => reports.map(({ wall_s: _, ...rest }) => rest);

async function trainFor(iterations: number, extra: Record<string, unknown> = {}, algoExtra: Record<string, unknown> = {}, fusions?: typeof NO_FUSIONS) {
  const { ctx, cache } = await gpu();
  const run = runConfig({ ...tiny, ...extra }), settings = algoConfig('ddpg', { ...tinyAlgo, ...algoExtra });
  const build = fusions && ((env: EnvBatch, clock: Clock) => Ddpg.create(ctx, cache, env, clock, ddpgConfig(settings), run.seed, fusions));
  const trainer = await Trainer.create(ctx, cache, run, settings, build);
  const reports: Report[] = [];
  await trainer.train(iterations, (r) => void reports.push(r));
  return { trainer, reports };
}

describe('DDPG training loop', () => {
  it('two runs with the same seed report identical metrics; another seed differs', async () => {
    const a = await trainFor(150);
    const b = await trainFor(150);
    const c = await trainFor(150, { seed: 6 });
    expect(a.reports.length).toBe(3);
    expect(a.reports.some((r) => r.critic_updates !== null && (r.critic_updates as number) > 0)).toBe(true);
    expect(withoutWall(b.reports)).toEqual(withoutWall(a.reports));
    expect(withoutWall(c.reports)).not.toEqual(withoutWall(a.reports));
  });

  it.each([
    ['DDPG', {}],
    ['TD3 options (policy delay 2, target smoothing, 2 updates per step)', { policyDelay: 2, targetPolicyNoise: 0.2, updatesPerStep: 2 }],
    ['one update every 2 steps, OU noise', { updatesPerStep: 0.5, noise: 'ou', explorationNoise: 0.2 }],
  ])('%s: the fused per-layer program trains bit for bit like the unfused one', async (_, settings) => {
    // The per-layer program's fusions (row programs are checked against it in rows.test.ts).
    const algoExtra = { ...settings, program: 'layers' };
    const fused = await trainFor(150, {}, algoExtra);
    const plain = await trainFor(150, {}, algoExtra, NO_FUSIONS);
    expect(fused.trainer.algo.train.recorder.length).toBeLessThan(plain.trainer.algo.train.recorder.length);
    expect(withoutWall(fused.reports)).toEqual(withoutWall(plain.reports));
    const [x, y] = await Promise.all([(fused.trainer.algo as Ddpg).nets.critic.params.read(), (plain.trainer.algo as Ddpg).nets.critic.params.read()]);
    expect(Array.from(x)).toEqual(Array.from(y));
    expect(fused.reports.at(-1)!.critic_updates).toBeGreaterThan(0);
  });

  it('train 2k steps, checkpoint, resume 2k more == train 4k steps straight', async () => {
    const { ctx, cache } = await gpu();
    // 2000 steps / 8 envs = 250 iterations per half.
    const straight = await trainFor(500);
    const first = await trainFor(250);
    const bytes = await first.trainer.checkpoint(1.5);
    const resumed = await Trainer.create(ctx, cache, runConfig({ ...tiny }), algoConfig('ddpg', tinyAlgo));
    resumed.restore(decodeCheckpoint(bytes, 'memory'), 'memory');
    expect(resumed.iteration).toBe(250);
    const rest: Report[] = [];
    await resumed.train(500, (r) => void rest.push(r));
    expect(withoutWall([...first.reports, ...rest])).toEqual(withoutWall(straight.reports));
    // The parameters end identical too.
    const [x, y] = await Promise.all([(straight.trainer.algo as Ddpg).nets.actor.params.read(), (resumed.algo as Ddpg).nets.actor.params.read()]);
    expect(Array.from(y)).toEqual(Array.from(x));
  });

  it('a non-finite loss stops training with an error naming the quantity', async () => {
    const { ctx, cache } = await gpu();
    const trainer = await Trainer.create(ctx, cache, runConfig({ ...tiny }), algoConfig('ddpg', tinyAlgo));
    const critic = (trainer.algo as Ddpg).nets.critic;
    critic.params.write(new Float32Array(critic.params.size).fill(Number.NaN));
    await expect(trainer.train(100, () => {})).rejects.toThrow(DivergedError);
    await expect(trainer.train(150, () => {})).rejects.toThrow(/critic_loss became non-finite/);
  });
});

describe('checkpoint files', () => {
  it('a truncated or foreign file is refused with a clear message', async () => {
    const { trainer } = await trainFor(10);
    const bytes = await trainer.checkpoint(0);
    const dir = mkdtempSync(join(tmpdir(), 'pathwise-'));
    writeFileSync(join(dir, 'checkpoint.bin'), bytes.subarray(0, bytes.byteLength - 100));
    expect(() => readCheckpoint(dir)).toThrow(/truncated or padded: payload of \d+ bytes, header describes \d+/);
    writeFileSync(join(dir, 'checkpoint.bin'), 'PK\u0003\u0004 this is a zip file, not a checkpoint');
    expect(() => readCheckpoint(dir)).toThrow(/not a pathwise checkpoint/);
    writeFileSync(join(dir, 'checkpoint.bin'), bytes.subarray(0, 20));
    expect(() => readCheckpoint(dir)).toThrow(/truncated: header of \d+ bytes/);
  });

  it('a checkpoint of another shape is refused naming the tensor', async () => {
    const { ctx, cache } = await gpu();
    const { trainer } = await trainFor(10);
    const decoded = decodeCheckpoint(await trainer.checkpoint(0), 'small.bin');
    const bigger = await Trainer.create(ctx, cache, runConfig({ ...tiny }), algoConfig('ddpg', { ...tinyAlgo, actorHidden: [32, 16] }));
    expect(() => bigger.restore(decoded, 'small.bin')).toThrow(/checkpoint small\.bin: tensor actor\.params is f32\[1x\d+\], this run needs f32\[1x\d+\]/);
  });

  it('a crash in the middle of writing leaves the previous checkpoint intact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pathwise-'));
    const path = join(dir, 'checkpoint.bin');
    writeAtomic(path, new Uint8Array(3 << 20).fill(7));
    let chunks = 0;
    const crash = () => {
      chunks += 1;
      if (chunks === 2) throw new Error('simulated crash mid-write');
    };
    expect(() => writeAtomic(path, new Uint8Array(3 << 20).fill(9), (fd, c) => { crash(); writeFileSync(fd, c); })).toThrow(/simulated crash/);
    const kept = readFileSync(path);
    expect(kept.byteLength).toBe(3 << 20);
    expect(kept.every((b) => b === 7)).toBe(true);
  });
});

describe('command line', () => {
  async function cli(args: string[]): Promise<{ code: number; err: string }> {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...m: unknown[]) => void lines.push(m.join(' ')));
    const code = await main(args);
    spy.mockRestore();
    return { code, err: lines.join('\n') };
  }

  it.each([
    [['train', '--envs', '0'], /^pathwise: --envs: got "0", expected an integer >= 1$/],
    [['train', '--envs', '-3'], /^pathwise: --envs: got "-3", expected an integer >= 1$/],
    [['train', '--env', 'pendulm'], /^pathwise: --env: got "pendulm", expected one of pendulum, mountain-car/],
    [['train', '--actor-lr', 'fast'], /^pathwise: --actor-lr: got "fast", expected a number > 0$/],
    [['train', '--updates-per-step', '0.3'], /^pathwise: --updates-per-step: got 0.3, expected an integer >= 1 or 1\/k/],
    [['eval', '--checkpoint', '/nonexistent/run'], /^pathwise: checkpoint \/nonexistent\/run: no such file/],
  ])('%j exits non-zero with one line naming the flag', async (args, message) => {
    const { code, err } = await cli(args);
    expect(code).toBe(2);
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toMatch(message);
  });

  it('a replay buffer too large for the device exits non-zero naming --buffer-size', async () => {
    const { code, err } = await cli(['train', '--envs', '4', '--buffer-size', '2000000000', '--out', mkdtempSync(join(tmpdir(), 'pathwise-'))]);
    expect(code).toBe(2);
    expect(err).toMatch(/^pathwise: --buffer-size: got 2000000000, expected an integer in \[1, \d+\]$/);
  });

  it('train writes config, metrics, curve, checkpoint and eval; eval and resume read them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pathwise-run-'));
    const args = ['--envs', '8', '--steps', '800', '--report-every', '50', '--eval-episodes', '4', '--actor-hidden', '16,16', '--critic-hidden', '16,16', '--batch-size', '16', '--learning-starts', '100', '--buffer-size', '5000'];
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect((await cli(['train', ...args, '--out', dir])).code).toBe(0);
    for (const f of ['config.json', 'metrics.jsonl', 'curve.svg', 'envs.svg', 'checkpoint.bin', 'eval.json']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, 'envs.svg'), 'utf8').match(/<g clip-path/g)).toHaveLength(8); // 8 envs in this run
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Report);
    expect(lines.map((r) => r.env_steps)).toEqual([400, 800]);
    expect(readFileSync(join(dir, 'curve.svg'), 'utf8')).toMatch(/^<svg/);
    expect((await cli(['eval', '--checkpoint', dir, '--episodes', '3'])).code).toBe(0);
    const printed = JSON.parse(String(log.mock.calls.at(-1)?.[0])) as { return_mean: number; return_std: number; episodes: number };
    expect(printed.episodes).toBe(3);
    expect(Number.isFinite(printed.return_mean) && Number.isFinite(printed.return_std)).toBe(true);
    expect((await cli(['train', '--resume', dir, '--steps', '1200'])).code).toBe(0);
    const resumed = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Report);
    expect(resumed.map((r) => r.env_steps)).toEqual([400, 800, 1200]);
    const changed = await cli(['train', '--resume', dir, '--envs', '16']);
    expect(changed.code).toBe(2);
    expect(changed.err).toMatch(/--resume: .*no other settings than --steps/);

    // A run whose critic turns non-finite stops, naming the quantity and the last good checkpoint.
    const file = join(dir, 'checkpoint.bin');
    const bytes = new Uint8Array(readFileSync(file));
    const decoded = decodeCheckpoint(bytes, file);
    const critic = decoded.header.tensors.find((t) => t.name === 'critic.params')!;
    const start = bytes.byteLength - decoded.payload.byteLength + critic.offset;
    new Float32Array(bytes.buffer, start, critic.bytes / 4).fill(Number.NaN);
    writeFileSync(file, bytes);
    const diverged = await cli(['train', '--resume', dir, '--steps', '1600']);
    expect(diverged.code).toBe(1);
    expect(diverged.err).toMatch(new RegExp(`critic_loss became non-finite .*the last good checkpoint is ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    log.mockRestore();
  });
});

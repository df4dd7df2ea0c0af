/**
 * Every algorithm of the registry through the shared training loop: a seed reproduces its
 * reports, a checkpoint resumes exactly (reports and policy parameters), `pathwise eval` loads
 * its policy, and bad settings are refused before any GPU work. Tiny configurations for lavapipe.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { decodeCheckpoint } from '../../src/run/checkpoint.js';
import { type Report, Trainer } from '../../src/run/trainer.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import { CPU_PRESETS } from '../../src/run/presets.js';
import { ALGORITHMS } from '../../src/algos/registry.js';
import { main } from '../../src/cli/main.js';
import { ConfigError } from '../../src/errors.js';
import { gpu } from '../helpers/gpu.js';

const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ['svg0', { envs: 8 }, { actorHidden: [16], criticHidden: [16], batchSize: 16, learningStarts: 80, bufferSize: 2000 }],
  ['svg0', { envs: 8, env: 'cartpole' }, { actorHidden: [16], criticHidden: [16], batchSize: 16, learningStarts: 80, bufferSize: 2000, policy: 'straight-through' }],
  ['svg0', { envs: 8 }, { actorHidden: [16], criticHidden: [16], batchSize: 16, learningStarts: 80, bufferSize: 2000, entropy: 'auto' }],
  ['svg0', { envs: 8, env: 'cartpole' }, { actorHidden: [16], criticHidden: [16], batchSize: 16, learningStarts: 80, bufferSize: 2000, policy: 'binary-straight-through' }],
  ['svg1', { envs: 8 }, { policyHidden: [16], valueHidden: [16], modelHidden: [16], batchSize: 16, learningStarts: 80, bufferSize: 2000 }],
  ['svg1', { envs: 8 }, { policyHidden: [16], valueHidden: [16], modelHidden: [16], batchSize: 16, learningStarts: 80, bufferSize: 2000, updatesPerStep: 3 }],
  ['svg-inf', { envs: 8 }, { policyHidden: [16], horizon: 10 }],
  ['svg-inf', { envs: 8, env: 'cartpole-swingup' }, { policyHidden: [16], horizon: 10 }],
  ['svg-inf', { envs: 8, sensors: 'positions' }, { policyHidden: [16], horizon: 10, recurrent: 'gru', recurrentWidth: 8 }],
  ['svg-inf', { envs: 8, env: 'cartpole-swingup', sensors: 'positions' }, { policyHidden: [16], horizon: 10, recurrent: 'lstm', recurrentWidth: 8, truncation: 5 }],
  ['svg-inf', { envs: 8, env: 'acrobot' }, { policyHidden: [16], horizon: 10, dynamics: 'model', modelHidden: [16], modelBatch: 16, modelUpdates: 3, bufferSize: 2000 }],
  ['svg-inf', { envs: 8, sensors: 'positions' }, { policyHidden: [16], horizon: 10, dynamics: 'model', modelHidden: [16], modelBatch: 16, modelUpdates: 3, bufferSize: 2000, recurrent: 'lstm', recurrentWidth: 8 }],
  ['reinforce', { envs: 8 }, { policyHidden: [16], valueHidden: [16], segment: 20 }],
  ['reinforce', { envs: 8, env: 'cartpole' }, { policyHidden: [16], valueHidden: [16], segment: 20, policy: 'categorical' }],
  ['reinforce', { envs: 8, env: 'cartpole' }, { policyHidden: [16], valueHidden: [16], segment: 20, policy: 'bernoulli' }],
  ['reinforce', { envs: 8, env: 'cartpole', sensors: 'positions' }, { policyHidden: [16], valueHidden: [16], segment: 20, policy: 'categorical', recurrent: 'gru', recurrentWidth: 8 }],
  ['reinforce', { envs: 8 }, { policyHidden: [16], valueHidden: [16], segment: 20, recurrent: 'lstm', recurrentWidth: 8, truncation: 5 }],
  ['ppo', { envs: 8 }, { policyHidden: [16], valueHidden: [16], segment: 20, minibatches: 4, epochs: 2 }],
  ['ppo', { envs: 8, env: 'reacher' }, { policyHidden: [16], valueHidden: [16], segment: 20, minibatches: 5, epochs: 1, entropyCoef: 0.01, clipValueLoss: 'off', activation: 'relu' }],
  ['ppo', { envs: 8, sensors: 'positions' }, { policyHidden: [16], valueHidden: [16], segment: 20, minibatches: 2, epochs: 2, recurrent: 'gru', recurrentWidth: 8 }],
  ['ppo', { envs: 8, env: 'reacher' }, { policyHidden: [16], valueHidden: [16], segment: 20, minibatches: 4, epochs: 1, recurrent: 'lstm', recurrentWidth: 8, truncation: 5, entropyCoef: 0.01 }],
  ['tnpg', { envs: 8 }, { policyHidden: [16], valueHidden: [16], segment: 20, cgIterations: 4, valueEpochs: 2, valueMinibatches: 4 }],
  ['trpo', { envs: 8, env: 'reacher' }, { policyHidden: [16], valueHidden: [16], segment: 20, cgIterations: 3, valueEpochs: 1, valueMinibatches: 2, maxBacktracks: 4, stepSize: 0.2 }],
  ['rwr', { envs: 8 }, { policyHidden: [16], valueHidden: [16], segment: 20, fitSteps: 3, valueEpochs: 1, valueMinibatches: 2 }],
  ['rwr', { envs: 8, sensors: 'positions' }, { policyHidden: [16], valueHidden: [16], segment: 20, fitSteps: 3, valueEpochs: 1, valueMinibatches: 2, recurrent: 'lstm', recurrentWidth: 8, truncation: 6 }],
  ['reps', { envs: 8, env: 'reacher' }, { policyHidden: [16], segment: 20, fitSteps: 3, dualSteps: 5 }],
  ['reps', { envs: 8, sensors: 'positions' }, { policyHidden: [16], segment: 20, fitSteps: 3, dualSteps: 5, recurrent: 'gru', recurrentWidth: 8 }],
  ['cem', { envs: 16 }, { policyHidden: [8], population: 8 }],
  ['cma-es', { envs: 16 }, { policyHidden: [8], population: 8, decomposeEvery: 2 }],
  ['cma-es', { envs: 16 }, { policyHidden: [8], population: 8, covariance: 'diagonal' }],
];

const withoutWall = (reports: Report[]) => reports.map(({ wall_s: _, ...rest }) => rest);

async function trainFor(algo: string, run: Record<string, unknown>, settings: Record<string, unknown>, iterations: number) {
  const { ctx, cache } = await gpu();
  const trainer = await Trainer.create(ctx, cache, runConfig({ steps: 10_000, reportEvery: 20, submitEvery: 10, evalEpisodes: 0, seed: 4, ...run, algo }), algoConfig(algo, settings));
  const reports: Report[] = [];
  await trainer.train(iterations, (r) => void reports.push(r));
  return { trainer, reports };
}

describe.each(cases)('%s (%j, %j)', (algo, run, settings) => {
  // Whole units: svg-inf 10 steps, reinforce and the batch methods (ppo, tnpg, trpo, rwr, reps) 20,
  // cem and cma-es one episode (pendulum: 200) per unit.
  const unit = ['cem', 'cma-es'].includes(algo) ? 200 : ['reinforce', 'ppo', 'tnpg', 'trpo', 'rwr', 'reps'].includes(algo) ? 20 : algo === 'svg-inf' ? 10 : 1;
  const half = Math.max(unit, 20 * Math.ceil(60 / (20 * unit)) * unit);

  it('reproduces its reports from a seed and resumes a checkpoint exactly', async () => {
    const { ctx, cache } = await gpu();
    const straight = await trainFor(algo, run, settings, 2 * half);
    const again = await trainFor(algo, run, settings, 2 * half);
    expect(withoutWall(again.reports)).toEqual(withoutWall(straight.reports));
    const updates = straight.reports.at(-1)!;
    expect(Object.entries(updates).some(([k, v]) => k.endsWith('updates') && (v as number) > 0)).toBe(true);

    const first = await trainFor(algo, run, settings, half);
    const bytes = await first.trainer.checkpoint(1);
    const resumed = await Trainer.create(ctx, cache, runConfig({ steps: 10_000, reportEvery: 20, submitEvery: 10, evalEpisodes: 0, seed: 4, ...run, algo }), algoConfig(algo, settings));
    resumed.restore(decodeCheckpoint(bytes, 'memory'), 'memory');
    const rest: Report[] = [];
    await resumed.train(2 * half, (r) => void rest.push(r));
    expect(withoutWall([...first.reports, ...rest])).toEqual(withoutWall(straight.reports));
    const name = 'policy.params' in straight.trainer.algo.state ? 'policy.params' : 'actor.params';
    const [x, y] = await Promise.all([straight.trainer.algo.state[name].read(), resumed.algo.state[name].read()]);
    expect(Array.from(y)).toEqual(Array.from(x));
  });
});

describe('algorithm selection', () => {
  it('pathwise train --algo NAME trains, and pathwise eval reads the checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pathwise-algos-'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const code = await main(['train', '--algo', 'svg-inf', '--envs', '8', '--steps', '800', '--horizon', '20', '--policy-hidden', '16', '--eval-episodes', '5', '--out', dir, '--preset', 'gpu']);
      expect(code).toBe(0);
      expect(await main(['eval', '--checkpoint', dir, '--episodes', '5'])).toBe(0);
      const lines = log.mock.calls.map((c) => String(c[0]));
      const trainEval = JSON.parse(lines.find((l) => l.startsWith('{"return_mean"') && l.includes('wall_s'))!);
      const evalOut = JSON.parse(lines.at(-1)!);
      expect(evalOut.env).toBe('pendulum');
      expect(evalOut.return_mean).toBeCloseTo(trainEval.return_mean, 3);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });

  it('refuses options of another algorithm and envs an algorithm cannot use, naming them', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    // Each call's own output: what it printed, and only that.
    const refusal = async (args: string[]) => {
      err.mockClear();
      expect(await main(args)).toBe(2);
      return err.mock.calls.flat().join('\n');
    };
    try {
      expect(await refusal(['train', '--algo', 'svg-inf', '--tau', '0.1', '--steps', '10'])).toMatch(/^pathwise: --tau.*an option of --algo svg-inf/);
      expect(await refusal(['train', '--algo', 'svg-inf', '--env', 'mountain-car', '--steps', '10'])).toMatch(/^pathwise: --env.*differentiable/);
      // The envs it names are the ones it takes (reacher-sparse is differentiable, but its reward
      // is a step function: no gradient to follow; dense goal envs are among them).
      const sparse = await refusal(['train', '--algo', 'svg-inf', '--env', 'reacher-sparse', '--steps', '10']);
      expect(sparse).toMatch(/^pathwise: --env.*"reacher-sparse".*dense reward.*\(pendulum, cartpole-swingup, acrobot, double-pendulum, reacher, point-mass, point-mass-cue\)/);
      // A recurrent SVG(inf) runs in the per-layer program.
      expect(await refusal(['train', '--algo', 'svg-inf', '--recurrent', 'lstm', '--program', 'rows', '--steps', '10'])).toMatch(/^pathwise: --program.*auto or layers: --recurrent lstm/);
      expect(await refusal(['train', '--algo', 'svg-inf', '--sensors', 'positions', '--program', 'rows', '--steps', '10'])).toMatch(/^pathwise: --program.*auto or layers: --sensors positions/);
      expect(await refusal(['train', '--algo', 'svg-inf', '--recurrent', 'gru', '--horizon', '10', '--truncation', '11', '--steps', '10'])).toMatch(/^pathwise: --truncation.*at most the segment length 10/);
      expect(await refusal(['train', '--algo', 'cem', '--envs', '100', '--population', '64', '--steps', '10'])).toMatch(/^pathwise: --envs.*multiple of --population/);
      expect(await refusal(['train', '--algo', 'cma-es', '--policy-hidden', '64,64', '--steps', '10'])).toMatch(/^pathwise: --covariance.*diagonal for this policy of 4481 parameters/);
      expect(await refusal(['train', '--algo', 'svg0', '--policy', 'binary-concrete', '--entropy', 'auto', '--steps', '10'])).toMatch(/^pathwise: --entropy.*off with a discrete --policy/);
    } finally {
      err.mockRestore();
    }
    expect(() => algoConfig('svg0', { policy: 'gumbel-softmax', entropy: 'auto' })).toThrow(ConfigError);
    // Every algorithm has a CPU preset, and it is valid.
    for (const name of ALGORITHMS) {
      expect(CPU_PRESETS[name], name).toBeDefined();
      expect(() => algoConfig(name, CPU_PRESETS[name].algo)).not.toThrow();
      expect(() => runConfig({ ...CPU_PRESETS[name].run, algo: name })).not.toThrow();
    }
    expect(() => algoConfig('nope')).toThrow(/--algo.*one of ddpg, svg0/);
  });
});

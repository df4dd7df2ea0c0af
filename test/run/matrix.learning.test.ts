/**
 * The learning matrix's reduced form for CI (docs/learning-matrix.md has the whole one): every
 * environment learned by at least one algorithm and every algorithm learning on at least two
 * environments, each cell asserting a margin over the random policy (uniform actions) on the same
 * evaluation seeds. Cells other learning tests already train are listed with their file and test
 * name (checked to exist there); the cells here fill in the rest with the smallest settings that
 * show learning on lavapipe, measured on this 2-core machine (the comments give what they reached).
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { getAlgorithm, ALGORITHMS } from '../../src/algos/registry.js';
import { envNames, getEnv } from '../../src/envs/registry.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import { evaluatePolicy, evaluateRandomPolicy } from '../../src/run/evaluate.js';
import { CPU_PRESETS } from '../../src/run/presets.js';
import { Trainer } from '../../src/run/trainer.js';
import { gpu } from '../helpers/gpu.js';

interface Cell {
  algo: string;
  env: string;
  /** Run options over the algorithm's CPU preset. */
  run: Record<string, unknown>;
  /** Algorithm options over the preset. */
  options?: Record<string, unknown>;
  /** The mean evaluation return must exceed the random policy's by this much. */
  margin: number;
  /** Evaluation episodes (default 100; fewer where a learned policy's episodes are long and slow). */
  episodes?: number;
  /** What it reached here, for the reader. */
  measured: string;
}

const onPolicy = (updates: number) => ({ steps: 16 * 128 * updates });

const CELLS: Cell[] = [
  { algo: 'trpo', env: 'rllab-cartpole', run: onPolicy(10), margin: 300, measured: '1047 +- 260 (5000, the maximum, after 20 updates); random 89' },
  { algo: 'trpo', env: 'double-pendulum', run: onPolicy(10), margin: 40, measured: '171 +- 36; random 98.7' },
  { algo: 'reps', env: 'rllab-cartpole', run: onPolicy(10), margin: 300, measured: '802 +- 188; random 89' },
  { algo: 'tnpg', env: 'rllab-double-pendulum', run: onPolicy(20), margin: 250, measured: '767 +- 235; random 155' },
  { algo: 'rwr', env: 'point-mass', run: onPolicy(20), margin: 15, measured: '-18.1 +- 8.4 (23% success); random -46.1' },
  // Above -110 too: crashing the cart into the track's end at once (-100) beats random here.
  { algo: 'ppo', env: 'rllab-cartpole-swingup', run: onPolicy(20), margin: 100, measured: '70.7 +- 50.2; random -151' },
  { algo: 'cem', env: 'swimmer', run: { envs: 64, steps: 64 * 1000 * 3, reportEvery: 1000 }, margin: 10, measured: '25.4 +- 4.2 after 3 generations of 64; random 0.8' },
  { algo: 'cma-es', env: 'acrobot', run: { envs: 128, steps: 128 * 500 * 5, reportEvery: 500 }, margin: 150, measured: '-88 +- 30 after 8 generations of 128 (-250 in training after 4); random -500' },
  { algo: 'svg1', env: 'point-mass', run: { steps: 20_480 }, margin: 20, measured: '-11.0 +- 4.9 (59% success); random -46.1' },
  { algo: 'svg-inf', env: 'cartpole-swingup', run: { steps: 128_000 }, margin: 200, measured: '27.3 +- 0.8; random -377' },
  { algo: 'ddpg', env: 'rllab-mountain-car', run: { steps: 80_000 }, options: { noise: 'ou', explorationNoise: 0.5 }, margin: 200, measured: '-41.3 +- 10.6, every episode at the goal; random -408' },
  { algo: 'ddpg', env: 'rllab-acrobot', run: { steps: 80_000 }, margin: 80, measured: '-1070 +- 4; random -1237' },
  { algo: 'ddpg', env: 'reacher', run: { steps: 80_000 }, margin: 2, measured: '-10.0 +- 3.1; random -13.1' },
  // Through the simulator of a goal env: the goal a constant part of the state, read through the observation.
  { algo: 'svg-inf', env: 'reacher', run: {}, margin: 3, measured: '-8.2 +- 3.4 (2% success) after 768,000 steps (the preset); random -13.1' },
  // SAC (the locomotion tests' settings) with 64 envs; 20 evaluation episodes: a walker that
  // stays up plays 1000 slow steps.
  { algo: 'svg0', env: 'walker2d', run: { envs: 64, steps: 16_000 }, options: { entropy: 'auto' }, margin: 50, episodes: 20, measured: '308 +- 116 over 100 episodes; random 3' },
];

/** Cells trained by other learning tests: [algo, env, file under test/, the test's name (a part of it)]. */
const ELSEWHERE: [string, string, string, string][] = [
  ['ddpg', 'pendulum', 'algos/learning.test.ts', 'DDPG reaches a mean evaluation return >= -250 on pendulum'],
  ['ddpg', 'mountain-car', 'run/taskSettings.learning.test.ts', 'DDPG with the defaults reaches >= 80 on mountain-car'],
  ['ddpg', 'cartpole-swingup', 'run/taskSettings.learning.test.ts', 'DDPG with the defaults swings cartpole-swingup up'],
  ['ddpg', 'cartpole', 'run/taskSettings.learning.test.ts', 'DDPG with the defaults balances cartpole'],
  ['ddpg', 'point-mass-sparse', 'algos/her.test.ts', 'DDPG + HER (future) reaches >= 90% success on sparse point-mass'],
  ['svg0', 'pendulum', 'algos/svg.learning.test.ts', 'SVG(0) reaches a mean evaluation return >= -300 on pendulum'],
  ['svg0', 'cartpole', 'algos/discrete.learning.test.ts', 'SVG(0) with a %s categorical policy reaches >= %d on cartpole'],
  ['svg0', 'half-cheetah', 'algos/locomotion.learning.test.ts', 'SAC raises the half-cheetah evaluation return'],
  ['svg0', 'hopper', 'algos/locomotion.learning.test.ts', 'SAC keeps the hopper healthy longer than random actions'],
  ['svg1', 'pendulum', 'algos/svg.learning.test.ts', 'SVG(1) reaches a mean evaluation return >= -400 on pendulum'],
  ['svg-inf', 'pendulum', 'algos/svg.learning.test.ts', 'SVG(inf) through the simulator reaches a mean evaluation return >= -300 on pendulum'],
  ['reinforce', 'pendulum', 'algos/svg.learning.test.ts', 'REINFORCE with a value baseline improves pendulum by >= 300'],
  ['reinforce', 'cartpole', 'algos/discrete.learning.test.ts', 'REINFORCE with a categorical policy (score function, value baseline) reaches >= 400 on cartpole'],
  ['ppo', 'cartpole', 'algos/onPolicy.learning.test.ts', 'PPO balances cartpole'],
  ['tnpg', 'cartpole', 'algos/onPolicy.learning.test.ts', 'TNPG balances cartpole'],
  ['trpo', 'cartpole', 'algos/onPolicy.learning.test.ts', 'TRPO balances cartpole'],
  ['rwr', 'cartpole', 'algos/onPolicy.learning.test.ts', 'RWR improves cartpole clearly over the random policy'],
  ['reps', 'cartpole', 'algos/onPolicy.learning.test.ts', 'REPS improves cartpole clearly over the random policy'],
  ['cem', 'pendulum', 'algos/svg.learning.test.ts', 'CEM improves pendulum by >= 300 over the random policy'],
  ['cma-es', 'cartpole', 'algos/onPolicy.learning.test.ts', 'CMA-ES balances cartpole'],
  ['svg-inf', 'point-mass-cue', 'algos/svgInfRecurrent.learning.test.ts', 'SVG(inf) with a GRU policy uses the cue of point-mass-cue'],
];

/** Environments no cell covers yet, with the reason (docs/learning-matrix.md and bench/results/task-settings-llvmpipe.md show the attempts). */
const NOT_COVERED: Record<string, string> = {
  'reacher-sparse': 'no algorithm learns it at the CPU settings yet: DDPG + HER (future), 160,000 steps, ends at 0% success like the random policy',
};

it('covers every environment with an algorithm and every algorithm on at least two environments', () => {
  for (const [algo, env, file, name] of ELSEWHERE) {
    expect(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'), `${algo} on ${env}: ${file}`).toContain(name);
  }
  const all = [...CELLS.map((c) => [c.algo, c.env]), ...ELSEWHERE.map(([a, e]) => [a, e])];
  for (const env of envNames()) {
    if (env in NOT_COVERED) expect(all.some(([, e]) => e === env), `${env} is listed as not covered but is`).toBe(false);
    else expect(all.some(([, e]) => e === env), `${env}: no learning cell`).toBe(true);
  }
  for (const algo of ALGORITHMS) {
    getAlgorithm(algo);
    expect(new Set(all.filter(([a]) => a === algo).map(([, e]) => e)).size, `${algo}: environments`).toBeGreaterThanOrEqual(2);
  }
});

it.each(CELLS.map((c) => [`${c.algo} on ${c.env}`, c] as const))('%s beats the random policy', { timeout: 300_000 }, async (_, c) => {
  const { ctx, cache } = await gpu();
  const start = performance.now();
  const preset = CPU_PRESETS[c.algo];
  const trainer = await Trainer.create(ctx, cache, runConfig({ ...preset.run, algo: c.algo, env: c.env, ...c.run, seed: 1, evalEpisodes: 0 }), algoConfig(c.algo, { ...preset.algo, ...c.options }));
  await trainer.train(trainer.targetIteration, () => {});
  const def = getEnv(c.env);
  const episodes = c.episodes ?? 100;
  const learned = await evaluatePolicy(ctx, cache, def, { seed: 12345 }, episodes, (obs) => trainer.algo.evalPolicy(cache, obs));
  const random = await evaluateRandomPolicy(ctx, cache, def, { seed: 12345 }, episodes);
  console.log(`${c.algo} on ${c.env}: ${learned.return_mean.toFixed(1)} +- ${learned.return_std.toFixed(1)} (success ${learned.success_rate}), random ${random.return_mean.toFixed(1)}, ${((performance.now() - start) / 1000).toFixed(1)} s (measured before: ${c.measured})`);
  expect(learned.return_mean).toBeGreaterThan(random.return_mean + c.margin);
});

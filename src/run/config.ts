/**
 * The settings of a training run (environment, envs, agents, seed, budget, reporting) as one
 * validated schema, and the algorithm's own settings validated through the registry. Everything
 * here runs before any GPU work, so bad input fails with the flag's name and its allowed range.
 */
import { envNames, getEnv } from '../envs/registry.js';
import { ALGORITHMS, getAlgorithm } from '../algos/registry.js';
import { type OptionValues, resolveOptions } from '../algos/common/options.js';

/** Settings of a training run (the algorithm's own are in its schema). */
export const runSchema = {
  algo: { kind: 'choice', default: 'ddpg', choices: () => ALGORITHMS, help: 'algorithm' },
  env: { kind: 'choice', default: 'pendulum', choices: envNames, help: 'environment' },
  envs: { kind: 'number', default: 4096, min: 1, integer: true, help: 'parallel environments per agent' },
  agents: { kind: 'number', default: 1, min: 1, integer: true, help: 'agents trained side by side in the same dispatches: agent a is the run of seed + a, with the results it has alone' },
  seed: { kind: 'number', default: 1, min: 0, max: 0xffffffff, integer: true, help: 'random seed' },
  steps: { kind: 'number', default: 20_000 * 4096, min: 1, integer: true, help: 'env transitions per agent (all envs together) to train for' },
  reportEvery: { kind: 'number', default: 200, min: 1, integer: true, help: 'env steps per env between metric readbacks (and progress updates)' },
  submitEvery: { kind: 'number', default: 50, min: 1, integer: true, help: 'env steps per env recorded into one queue submit' },
  checkpointEvery: { kind: 'number', default: 5000, min: 0, integer: true, help: 'env steps per env between checkpoints (0: only at the end)' },
  evalEpisodes: { kind: 'number', default: 100, min: 0, integer: true, help: 'deterministic evaluation episodes at the end (0: none)' },
  sensors: { kind: 'choice', default: 'full', choices: ['full', 'positions'], help: "observations: full, or positions only (rllab's limited sensors)" },
  obsNoise: { kind: 'number', default: 0, min: 0, help: 'standard deviation of Gaussian observation noise' },
  sysid: { kind: 'number', default: 0, min: 0, max: 0.99, help: 'system identification: physical constants scaled by U(1 - x, 1 + x) per episode' },
} as const;

export type RunConfig = OptionValues<typeof runSchema>;

export function runConfig(given: Readonly<Record<string, unknown>> = {}): RunConfig {
  // An unknown env name is told with the ways to define one (a checkpoint of an env of one's own
  // needs that env defined again, e.g. by --env-module).
  if (typeof given.env === 'string') getEnv(given.env, '--env');
  return resolveOptions(runSchema, given);
}

/** Checks settings that depend on each other (before any GPU work). */
export function checkCombination(run: RunConfig, algo: Record<string, unknown>): void {
  const entry = getAlgorithm(run.algo);
  entry.check(run, getEnv(run.env), algo);
}

/** Validated algorithm settings for `algo`. */
export function algoConfig(algo: string, given: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return getAlgorithm(algo).config(given);
}

/** What pathwise offers, as data: its environments and algorithms with their options. */
import { ALGORITHM_ENTRIES } from '../algos/registry.js';
import { type Schema, allowedValues, flagName } from '../algos/common/options.js';
import { runSchema } from '../run/config.js';
import { envNames, getEnv } from '../envs/registry.js';
import { actionDim, obsDim } from '../envs/types.js';

export interface EnvInfo {
  name: string;
  description: string;
  observationSize: number;
  actionSize: number;
  /** Size of the goal appended to observations (goal-conditioned envs), else 0. */
  goalSize: number;
  horizon: number;
  /** Whether the step has a VJP kernel (needed by svg-inf through the simulator). */
  differentiable: boolean;
  actionLow: readonly number[];
  actionHigh: readonly number[];
}

export interface OptionInfo {
  /** The key in option objects (camelCase) and its CLI flag. */
  name: string;
  flag: string;
  default: unknown;
  allowed: string;
  help: string;
}

export interface AlgorithmInfo {
  name: string;
  summary: string;
  options: OptionInfo[];
}

export function listEnvs(): EnvInfo[] {
  return envNames().map((name) => {
    const d = getEnv(name);
    return {
      name, description: d.description, observationSize: obsDim(d), actionSize: actionDim(d), goalSize: d.goalDim, horizon: d.horizon,
      differentiable: d.differentiable, actionLow: [...d.actionLow], actionHigh: [...d.actionHigh],
    };
  });
}

/** The run's own options (envs, steps, seed, ...), shared by every algorithm. */
export function listRunOptions(): OptionInfo[] {
  return optionInfos(runSchema);
}

function optionInfos(schema: Schema): OptionInfo[] {
  return Object.entries(schema).map(([name, spec]) => ({ name, flag: flagName(name), default: spec.default, allowed: allowedValues(spec), help: spec.help }));
}

export function listAlgorithms(): AlgorithmInfo[] {
  return ALGORITHM_ENTRIES.map((a) => ({
    name: a.name,
    summary: a.summary,
    options: optionInfos(a.schema),
  }));
}

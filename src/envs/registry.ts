/**
 * Environments by name: the built-in ones, and those defined at run time (defineEnv,
 * src/envs/custom.ts), which every algorithm, the CLI and the demo then find by name as well.
 */
import { ConfigError } from '../errors.js';
import { acrobot } from './acrobot.js';
import { cartpole } from './cartpole.js';
import { cartpoleSwingup } from './cartpoleSwingup.js';
import { doublePendulum } from './doublePendulum.js';
import { halfCheetah, hopper, swimmer, walker2d } from './locomotion.js';
import { mountainCar } from './mountainCar.js';
import { pendulum } from './pendulum.js';
import { pointMass, pointMassSparse } from './pointMass.js';
import { pointMassCue } from './pointMassCue.js';
import { reacher, reacherSparse } from './reacher.js';
import { rllabAcrobot } from './rllabAcrobot.js';
import { rllabCartpole, rllabCartpoleSwingup } from './rllabCartpole.js';
import { rllabDoublePendulum } from './rllabDoublePendulum.js';
import { rllabMountainCar } from './rllabMountainCar.js';
import type { EnvDefinition } from './types.js';

const builtIn: ReadonlyMap<string, EnvDefinition> = new Map(
  [pendulum, mountainCar, cartpole, cartpoleSwingup, acrobot, doublePendulum, reacher, reacherSparse, pointMass, pointMassSparse, pointMassCue, swimmer, hopper, walker2d, halfCheetah, rllabCartpole, rllabCartpoleSwingup, rllabMountainCar, rllabAcrobot, rllabDoublePendulum].map((e) => [e.name, e]),
);
/*
 * One table per process, kept on globalThis: a user's env module may import its own copy of the
 * package (the CLI's bundle and the library's entry are separate files), and an env it defines
 * must be found by whichever copy trains it.
 */
const USER_DEFINED = Symbol.for('pathwise.userDefinedEnvs');
const userDefined: Map<string, EnvDefinition> = ((globalThis as Record<symbol, unknown>)[USER_DEFINED] ??= new Map()) as Map<string, EnvDefinition>;

export function envNames(): string[] {
  return [...builtIn.keys(), ...userDefined.keys()];
}

/** The environment called `name`; an unknown name is refused naming `field` and the known names. */
export function getEnv(name: string, field = 'env'): EnvDefinition {
  const def = builtIn.get(name) ?? userDefined.get(name);
  if (!def) throw new ConfigError(field, name, `one of ${envNames().join(', ')} (or an environment of your own: defineEnv in the library, --env-module on the command line)`);
  return def;
}

export function goalEnvNames(): string[] {
  return envNames().map((n) => getEnv(n)).filter((e) => e.goalDim > 0).map((e) => e.name);
}

/**
 * Whether backpropagation through the simulator has a return gradient to follow: smooth dynamics
 * and a reward that is not a step function. Goal envs qualify with a dense reward (the goal is a
 * constant part of the state, the policy's input through the observation).
 */
export function hasRewardGradient(def: EnvDefinition): boolean {
  return def.differentiable && def.sparseReward !== true;
}

/** The envs SVG(inf) can differentiate through: a differentiable step (its VJP), a dense reward. */
export function simulatorDifferentiableEnvNames(): string[] {
  return envNames().map((n) => getEnv(n)).filter(hasRewardGradient).map((e) => e.name);
}

export function isBuiltInEnv(name: string): boolean {
  return builtIn.has(name);
}

/**
 * Registers an environment defined at run time under its name; defining the same name again
 * replaces the earlier definition (as when a module is reloaded). Built-in names are refused.
 */
export function registerEnv(def: EnvDefinition): void {
  if (builtIn.has(def.name)) throw new ConfigError('defineEnv name', def.name, `a name no built-in environment has (built in: ${[...builtIn.keys()].join(', ')})`);
  userDefined.set(def.name, def);
}

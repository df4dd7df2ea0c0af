/** Environments by name. */
import { ConfigError } from '../errors.js';
import { acrobot } from './acrobot.js';
import { cartpole } from './cartpole.js';
import { cartpoleSwingup } from './cartpoleSwingup.js';
import { doublePendulum } from './doublePendulum.js';
import { mountainCar } from './mountainCar.js';
import { pendulum } from './pendulum.js';
import { pointMass, pointMassSparse } from './pointMass.js';
import { reacher, reacherSparse } from './reacher.js';
import type { EnvDefinition } from './types.js';

const registry: ReadonlyMap<string, EnvDefinition> = new Map(
  [pendulum, mountainCar, cartpole, cartpoleSwingup, acrobot, doublePendulum, reacher, reacherSparse, pointMass, pointMassSparse].map((e) => [e.name, e]),
);

export function envNames(): string[] {
  return [...registry.keys()];
}

export function getEnv(name: string): EnvDefinition {
  const def = registry.get(name);
  if (!def) throw new ConfigError('env', name, `one of ${envNames().join(', ')}`);
  return def;
}

export function goalEnvNames(): string[] {
  return [...registry.values()].filter((e) => e.goalDim > 0).map((e) => e.name);
}

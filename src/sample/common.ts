/** Shared checks of the samplers' options. */
import { ConfigError, requireInt } from '../errors.js';
import type { MatrixView } from '../gpu/view.js';
import type { Clock } from '../rng/clock.js';

export interface NoiseKey {
  /** Philox seed: the run's seed. */
  seed: number;
  /** Philox stream: keeps this sampler's draws apart from every other consumer's. */
  stream: number;
}

export function checkKey(label: string, key: NoiseKey): void {
  requireInt(`${label}.seed`, key.seed, 0, 0xffffffff);
  requireInt(`${label}.stream`, key.stream, 0, 0xffffffff);
}

export function checkTemperature(label: string, tau: number): number {
  if (!(tau > 0) || !Number.isFinite(tau)) throw new ConfigError(`${label}.tau`, tau, 'a finite temperature > 0');
  return tau;
}

/** Checks that `view` has the reference's [agents x rows x cols] shape. */
export function sameShape(label: string, what: string, view: MatrixView, ref: MatrixView): void {
  if (view.agents !== ref.agents || view.rows !== ref.rows || view.cols !== ref.cols) {
    throw new ConfigError(`${label} ${what}`, `[${view.agents} x ${view.rows} x ${view.cols}]`, `[${ref.agents} x ${ref.rows} x ${ref.cols}]`);
  }
}

/** Workgroups for one thread per row (64 per group) and agent. */
export function rowGroups(view: MatrixView): [number, number] {
  return [Math.ceil(view.rows / 64), view.agents];
}

/** The clock of a sampler that draws noise (a ConfigError naming the sampler without one). */
export function requireClock(label: string, clock: Clock | undefined): Clock {
  if (!clock) throw new ConfigError(`${label}.clock`, 'none', 'a clock: drawing samples mixes the step counter into the noise');
  return clock;
}

/**
 * The reset uniforms the GPU draws for episode `episodes` of env `flat` (envs/driver.wgsl):
 * Philox key (seed, Stream.env), counters (flat, episodes, draw, 0) for draws 0 and 1 (env_reset's
 * u and u2), then draws 3, 4, ... (reset_uniform4) for environments that need more than eight.
 */
import { Stream, uniform4 } from '../rng/philox.js';
import type { EnvDefinition } from './types.js';

export function resetUniforms(def: Pick<EnvDefinition, 'resetUniforms'>, seed: number, flat: number, episodes: number): number[] {
  const draws = Math.max(2, Math.ceil((def.resetUniforms ?? 8) / 4));
  const out: number[] = [];
  for (let d = 0; d < draws; d++) out.push(...uniform4([seed, Stream.env], [flat, episodes, d < 2 ? d : d + 1, 0]));
  return out;
}

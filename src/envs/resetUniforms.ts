/**
 * The reset uniforms the GPU draws for episode `episodes` of env `env` of agent `agent`
 * (envs/driver.wgsl): Philox key agentKey((seed, Stream.env), agent), counters (env, episodes,
 * draw, 0) for draws 0 and 1 (env_reset's u and u2), then draws 3, 4, ... (reset_uniform4) for
 * environments that need more than eight.
 */
import { Stream, agentKey, uniform4 } from '../rng/philox.js';
import type { EnvDefinition } from './types.js';

export function resetUniforms(def: Pick<EnvDefinition, 'resetUniforms'>, seed: number, env: number, episodes: number, agent = 0): number[] {
  const draws = Math.max(2, Math.ceil((def.resetUniforms ?? 8) / 4));
  const out: number[] = [];
  for (let d = 0; d < draws; d++) out.push(...uniform4(agentKey([seed, Stream.env], agent), [env, episodes, d < 2 ? d : d + 1, 0]));
  return out;
}

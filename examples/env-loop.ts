/**
 * A gymnasium-style loop outside training: a batch of envs on the GPU (`makeEnv`), a trained policy
 * acting on their observations (`loadPolicy`), returns summed on the CPU until every env finished
 * one episode.
 *   npx tsc && node out/env-loop.js              (EXAMPLE_SMALL=1: a few seconds on a CPU adapter)
 */
import { loadPolicy, makeEnv, train } from 'pathwise';

const small = process.env.EXAMPLE_SMALL === '1';
const run = await train({ algo: 'cem', env: 'pendulum', envs: 512, population: 64, steps: 512 * 200 * (small ? 1 : 40), evalEpisodes: 0 });
await run.finish();
const policy = await loadPolicy(await run.checkpoint());
await run.dispose();

const env = await makeEnv('pendulum', { envs: 8, seed: 7 });
let observations = await env.reset();
const returns = new Array(env.numEnvs).fill(0);
const done = new Array(env.numEnvs).fill(false);
while (done.some((d) => !d)) {
  const step = await env.step(await policy.act(observations));
  step.rewards.forEach((r, e) => {
    if (!done[e]) returns[e] += r;
    if (step.terminated[e] || step.truncated[e]) done[e] = true;
  });
  observations = step.observations;
}
await env.close();
await policy.dispose();
console.log(JSON.stringify({ example: 'env-loop', returns }));

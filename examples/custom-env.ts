/**
 * Your own environment: custom-env/spring-mass.ts describes `spring-mass` (the physics in
 * custom-env/spring-mass.wgsl, a float64 reference beside it); checkEnv compares the two, then DDPG
 * and SVG(inf) - through the VJP pathwise derives from the WGSL's dual-number step - learn it.
 *   npx tsc && cp custom-env/*.wgsl out/custom-env/ && node out/custom-env.js
 *   (EXAMPLE_SMALL=1: a few seconds each on a CPU adapter)
 * The same env on the command line:
 *   npx pathwise check-env --env-module custom-env/spring-mass.ts
 *   npx pathwise train --env-module custom-env/spring-mass.ts --env spring-mass --algo svg-inf
 */
import { checkEnv, defineEnv, train, type TrainOptions } from 'pathwise';
import { springMassSpec } from './custom-env/spring-mass.js';

const springMass = defineEnv(springMassSpec); // registered: every algorithm takes it by name

const small = process.env.EXAMPLE_SMALL === '1';
const report = await checkEnv(springMass);
for (const p of report.problems) console.error(`checkEnv ${p.check}: ${p.message}`);
if (!report.ok) process.exit(1);

const settings: Record<string, TrainOptions> = {
  ddpg: { envs: 16, steps: 16 * 1500 * (small ? 1 : 4), learningStarts: 500, actorHidden: [32, 32], criticHidden: [32, 32] },
  'svg-inf': { envs: 32, steps: 32 * 2000 * (small ? 1 : 4), horizon: 25 },
};
const evaluations: Record<string, number | undefined> = {};
for (const [algo, options] of Object.entries(settings)) {
  const run = await train({ algo, env: springMass.name, preset: 'cpu', reportEvery: 100, evalEpisodes: 50, ...options });
  for await (const r of run) console.error(`${algo}: ${r.env_steps} env steps, return ${r.return_mean?.toFixed(2)}`);
  const { evaluation } = await run.finish();
  evaluations[algo] = evaluation?.return_mean;
  await run.dispose();
}
console.log(JSON.stringify({ example: 'custom-env', checked: report.transitions, ...evaluations }));

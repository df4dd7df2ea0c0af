/**
 * Train from a script and plot the learning curve: every report of `train()` as it arrives, the
 * final evaluation, and curve.svg drawn with Vega-Lite (npm install pathwise vega vega-lite).
 *   npx tsc && node out/train-and-plot.js        (EXAMPLE_SMALL=1: a few seconds on a CPU adapter)
 */
import { writeFileSync } from 'node:fs';
import { type Report, train } from 'pathwise';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

const small = process.env.EXAMPLE_SMALL === '1';
const run = await train({ algo: 'cma-es', env: 'cartpole', envs: 128, steps: 128 * 500 * (small ? 2 : 20), reportEvery: 500, evalEpisodes: small ? 5 : 100 });
const reports: Report[] = [];
for await (const r of run) {
  reports.push(r);
  console.error(`${r.env_steps} env steps: return ${r.return_mean?.toFixed(1)}`);
}
const { evaluation } = await run.finish();
await run.dispose();

const spec = vegaLite.compile({
  title: `CMA-ES on cartpole (evaluation ${evaluation?.return_mean.toFixed(1)})`,
  data: { values: reports.map((r) => ({ env_steps: r.env_steps, return_mean: r.return_mean })) },
  mark: { type: 'line', point: true },
  encoding: { x: { field: 'env_steps', type: 'quantitative' }, y: { field: 'return_mean', type: 'quantitative', title: 'mean episodic return' } },
}).spec;
const view = new vega.View(vega.parse(spec), { renderer: 'none' });
writeFileSync('curve.svg', await view.toSVG());
view.finalize();
console.log(JSON.stringify({ example: 'train-and-plot', reports: reports.length, evaluation: evaluation?.return_mean }));

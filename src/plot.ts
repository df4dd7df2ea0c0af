/** The learning curve as SVG, rendered with Vega-Lite: the same code in Node (curve.svg) and in the browser demo. */
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { Report } from './algos/common/trainer.js';

export async function learningCurveSvg(reports: readonly Report[], title: string): Promise<string> {
  const values = reports.filter((r) => r.return_mean !== null).map((r) => ({ env_steps: r.env_steps, return_mean: r.return_mean, wall_s: r.wall_s }));
  const spec = vegaLite.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 520,
    height: 300,
    data: { values },
    mark: { type: 'line', point: values.length < 60 },
    encoding: {
      x: { field: 'env_steps', type: 'quantitative', title: 'env steps', axis: { format: '~s' } },
      y: { field: 'return_mean', type: 'quantitative', title: 'mean episodic return', scale: { zero: false }, axis: { format: ',.0f' } },
      tooltip: [{ field: 'wall_s', type: 'quantitative', title: 'wall seconds' }],
    },
  }).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/**
 * The learning curve as SVG, rendered with Vega-Lite: the same code in Node (curve.svg) and in the
 * browser demo. Goal-conditioned runs get a second panel with the success rate.
 */
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { Report } from './trainer.js';

export async function learningCurveSvg(reports: readonly Report[], title: string): Promise<string> {
  const values = reports
    .filter((r) => r.return_mean !== null)
    .map((r) => ({ env_steps: r.env_steps, return_mean: r.return_mean, success_rate: r.success_rate, wall_s: r.wall_s }));
  const goals = values.some((v) => v.success_rate !== null);
  const x = { field: 'env_steps', type: 'quantitative', title: 'env steps', axis: { format: '~s' } } as const;
  const panel = (field: string, label: string, format: string) => ({
    width: 520,
    height: goals ? 200 : 300,
    mark: { type: 'line' as const, point: values.length < 60 },
    encoding: {
      x,
      y: { field, type: 'quantitative' as const, title: label, scale: { zero: false }, axis: { format } },
      tooltip: [{ field: 'wall_s', type: 'quantitative' as const, title: 'wall seconds' }],
    },
  });
  const spec = vegaLite.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values },
    vconcat: goals
      ? [panel('return_mean', 'mean episodic return', ',.4~r'), panel('success_rate', 'success rate', '.0%')]
      : [panel('return_mean', 'mean episodic return', ',.4~r')],
  }).spec;
  return render(spec);
}

/** One quantity against another as an SVG line chart (e.g. the attention example's test accuracy). */
export async function lineChartSvg(points: readonly { x: number; y: number }[], o: { title: string; x: string; y: string; yFormat?: string }): Promise<string> {
  const spec = vegaLite.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title,
    data: { values: points.map((p) => ({ ...p })) },
    width: 520,
    height: 300,
    mark: { type: 'line', point: points.length < 60 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: o.x, axis: { format: '~s' } },
      y: { field: 'y', type: 'quantitative', title: o.y, scale: { zero: false }, axis: { format: o.yFormat ?? ',.4~r' } },
    },
  }).spec;
  return render(spec);
}

async function render(spec: vega.Spec): Promise<string> {
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Lines of means with a band (lo..hi) per series, e.g. learning curves over seeds. */
export async function bandChartSvg(points: readonly { column: string; env_steps: number; mean: number; lo: number; hi: number }[], o: { title: string; x: string; y: string }): Promise<string> {
  const x = { field: 'env_steps', type: 'quantitative', title: o.x, axis: { format: '~s' } } as const;
  const color = { field: 'column', type: 'nominal', title: null } as const;
  const spec = vegaLite.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title,
    data: { values: points.map((p) => ({ ...p })) },
    width: 520,
    height: 300,
    layer: [
      { mark: { type: 'area', opacity: 0.2 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: o.y, scale: { zero: false } }, y2: { field: 'hi' }, color } },
      { mark: { type: 'line' }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: o.y, scale: { zero: false } }, color } },
    ],
  }).spec;
  return render(spec);
}

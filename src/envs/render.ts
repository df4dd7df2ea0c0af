/**
 * Drawing data for a batch of environments: scenes from a readback of EnvBatch.envState (one
 * record per env), and an SVG rendering of a grid of scenes for pictures from the CLI. The
 * browser demo draws the same scenes on a canvas.
 */
import { recordWidth } from './batch.js';
import { type EnvDefinition, type Scene, stateDim } from './types.js';

/** Scenes of the first `count` envs of an env_state readback. */
export function renderStates(def: EnvDefinition, envState: Float32Array, count: number, params = def.params): Scene[] {
  const w = recordWidth(def);
  const s = stateDim(def);
  const n = Math.min(count, Math.floor(envState.length / w));
  return Array.from({ length: n }, (_, i) => def.render(Array.from(envState.subarray(i * w, i * w + s)), params));
}

/** A grid of scenes as one SVG document, each scene in a `cell` x `cell` pixel square. */
export function scenesToSvg(scenes: readonly Scene[], columns = 8, cell = 120): string {
  const rows = Math.ceil(scenes.length / columns);
  const parts = scenes.map((scene, i) => {
    const [x0, y0, x1, y1] = scene.bounds;
    const scale = cell / Math.max(x1 - x0, y1 - y0);
    const ox = (i % columns) * cell;
    const oy = Math.floor(i / columns) * cell;
    // World y points up; SVG y points down.
    const px = (x: number) => (ox + (x - x0) * scale).toFixed(2);
    const py = (y: number) => (oy + cell - (y - y0) * scale).toFixed(2);
    const shapes = scene.primitives.map((p) =>
      p.kind === 'line'
        ? `<line x1="${px(p.x1)}" y1="${py(p.y1)}" x2="${px(p.x2)}" y2="${py(p.y2)}" stroke="${p.color}" stroke-width="${Math.max(1, p.width * scale).toFixed(2)}" stroke-linecap="round"/>`
        : `<circle cx="${px(p.x)}" cy="${py(p.y)}" r="${Math.max(1, p.r * scale).toFixed(2)}" ${p.fill ? `fill="${p.color}"` : `fill="none" stroke="${p.color}"`}/>`,
    );
    // Each scene is clipped to its cell, so a cart that leaves its track stays in its own square.
    const clip = `<clipPath id="cell${i}"><rect x="${ox}" y="${oy}" width="${cell}" height="${cell}"/></clipPath>`;
    return `${clip}<g clip-path="url(#cell${i})"><rect x="${ox}" y="${oy}" width="${cell}" height="${cell}" fill="#fafafa" stroke="#ddd"/>${shapes.join('')}</g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${columns * cell}" height="${rows * cell}">${parts.join('')}</svg>\n`;
}

/** Draws a grid of environment scenes (from src/envs render data) on a 2D canvas. */
import type { Scene } from '../src/envs/types.js';

export function drawScenes(canvas: HTMLCanvasElement, scenes: readonly Scene[], columns: number): void {
  const g = canvas.getContext('2d');
  if (!g) return;
  const cell = canvas.width / columns;
  g.clearRect(0, 0, canvas.width, canvas.height);
  scenes.forEach((scene, i) => {
    const ox = (i % columns) * cell;
    const oy = Math.floor(i / columns) * cell;
    const [x0, y0, x1, y1] = scene.bounds;
    const scale = cell / Math.max(x1 - x0, y1 - y0);
    const px = (x: number) => ox + (x - x0) * scale;
    const py = (y: number) => oy + cell - (y - y0) * scale;
    g.save();
    g.beginPath();
    g.rect(ox, oy, cell, cell);
    g.clip();
    g.fillStyle = '#fafafa';
    g.fillRect(ox, oy, cell, cell);
    g.strokeStyle = '#ddd';
    g.strokeRect(ox + 0.5, oy + 0.5, cell - 1, cell - 1);
    for (const p of scene.primitives) {
      if (p.kind === 'line') {
        g.strokeStyle = p.color;
        g.lineWidth = Math.max(1, p.width * scale);
        g.lineCap = 'round';
        g.beginPath();
        g.moveTo(px(p.x1), py(p.y1));
        g.lineTo(px(p.x2), py(p.y2));
        g.stroke();
      } else {
        g.beginPath();
        g.arc(px(p.x), py(p.y), Math.max(1, p.r * scale), 0, 2 * Math.PI);
        if (p.fill) {
          g.fillStyle = p.color;
          g.fill();
        } else {
          g.strokeStyle = p.color;
          g.stroke();
        }
      }
    }
    g.restore();
  });
}

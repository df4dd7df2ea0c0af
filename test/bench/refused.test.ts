/**
 * A benchmark suite goes on when the device cannot run one of its cases: a row kernel the driver
 * refuses (as NVIDIA's did at width 256) or a case over the device's limits becomes a row marked
 * refused, with the reason, and every other case is still timed. The driver's refusal is
 * simulated here with the pipeline cache's `refusePipelines` option (a case over the device's
 * limits takes the same path, a ConfigError); tiny networks keep it fast on lavapipe.
 */
import { describe, expect, it } from 'vitest';
import { ddpgSuite } from '../../src/bench/ddpg.js';
import { svgInfSuite } from '../../src/bench/svgInf.js';
import { PipelineCache } from '../../src/gpu/kernel.js';
import { gpu } from '../helpers/gpu.js';

describe('bench suites with refused cases', () => {
  it('ddpg: the refused row programs are listed with the reason, the per-layer ones timed', async () => {
    const { ctx } = await gpu();
    const cache = new PipelineCache(ctx, { refusePipelines: (name) => name.startsWith('fused/ddpg.wgsl') });
    const result = await ddpgSuite(ctx, cache, true, [16]);
    const rows = result.rows.filter((r) => r.program === 'rows');
    const layers = result.rows.filter((r) => r.program === 'layers');
    expect(rows.length).toBe(3);
    expect(layers.length).toBe(3);
    for (const r of rows) expect(r.refused).toMatch(/^refused by the driver: creating pipeline fused\/ddpg\.wgsl.*refused/);
    for (const r of layers) {
      expect(r.refused).toBeUndefined();
      expect(r.us_per_iteration as number).toBeGreaterThan(0);
      expect(r.dispatches_per_iteration).toBe(38);
    }
    expect(result.table).toContain('| rows | 1 | 64 | 16-16 | not run |');
    expect(result.table).toContain('Not run on this device:');
  });

  it('svg-inf: same, and a driver that builds everything gives no refused rows', async () => {
    const { ctx } = await gpu();
    const refusing = new PipelineCache(ctx, { refusePipelines: (name) => name.startsWith('fused/svg_inf.wgsl') });
    const refused = await svgInfSuite(ctx, refusing, true, [16]);
    expect(refused.rows.filter((r) => r.refused).map((r) => r.program)).toEqual(['rows', 'rows']);
    expect(refused.rows.filter((r) => !r.refused).every((r) => (r.us_per_unit as number) > 0)).toBe(true);
    expect(refused.table).toContain('rows H = 10: refused by the driver: creating pipeline fused/svg_inf.wgsl');
    const built = await svgInfSuite(ctx, new PipelineCache(ctx), true, [16]);
    expect(built.rows.some((r) => r.refused)).toBe(false);
    expect(built.rows.filter((r) => r.program === 'rows').every((r) => r.dispatches_per_unit === 5)).toBe(true);
  });
});

import { it } from 'vitest';
import { evaluatePolicy, evaluateRandomPolicy } from '../../src/run/evaluate.js';
import { Trainer } from '../../src/run/trainer.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import { CPU_PRESETS } from '../../src/run/presets.js';
import { getEnv } from '../../src/envs/registry.js';
import { gpu } from '../helpers/gpu.js';

const cells = JSON.parse(process.env.CELLS ?? '[]') as { algo: string; env: string; run?: Record<string, unknown>; algoOpts?: Record<string, unknown> }[];
it('probe', { timeout: 3_600_000 }, async () => {
  const { ctx, cache } = await gpu();
  for (const c of cells) {
    const start = performance.now();
    const preset = CPU_PRESETS[c.algo];
    const trainer = await Trainer.create(ctx, cache, runConfig({ ...preset.run, algo: c.algo, env: c.env, ...c.run, seed: 1, evalEpisodes: 0 }), algoConfig(c.algo, { ...preset.algo, ...c.algoOpts }));
    const returns: string[] = [];
    await trainer.train(trainer.targetIteration, (r) => void returns.push(r.return_mean === null ? '-' : r.return_mean.toFixed(0)));
    const env = getEnv(c.env);
    const result = await evaluatePolicy(ctx, cache, env, { seed: 12345 }, 100, (obs) => trainer.algo.evalPolicy(cache, obs));
    const random = await evaluateRandomPolicy(ctx, cache, env, { seed: 12345 }, 100);
    console.log(`CELL ${c.algo} ${c.env} ${JSON.stringify(c.run ?? {})} ${JSON.stringify(c.algoOpts ?? {})}: eval ${result.return_mean.toFixed(1)} +- ${result.return_std.toFixed(1)} success ${result.success_rate} (random ${random.return_mean.toFixed(1)}), ${((performance.now() - start) / 1000).toFixed(1)} s; training ${returns.join(' ')}`);
  }
});

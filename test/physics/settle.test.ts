/**
 * Each robot released at rest under zero control, on the GPU: it falls, lands and settles; its
 * kinetic energy decays towards zero, nothing jitters once it rests, and it rests where MuJoCo
 * (mujoco-js, MuJoCo 3.3.8 in WebAssembly) puts the same robot file from the same state: the
 * root's height within 1 mm of MuJoCo's (its soft contacts let bodies sink by millimetres; ours
 * sink as much) and its pitch within 0.01 rad. The swimmer has no ground to rest on: its fluid
 * damps it, and only the decay is checked.
 */
import { describe, expect, it } from 'vitest';
import { loadMujoco } from '../../src/bench/mujocoPeer.js';
import { EnvBatch, recordWidth } from '../../src/envs/batch.js';
import { locomotionModel, locomotionTask } from '../../src/envs/locomotion.js';
import { getEnv } from '../../src/envs/registry.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { massMatrix } from '../../src/physics/planarDynamics64.js';
import { Clock } from '../../src/rng/clock.js';
import { gpu } from '../helpers/gpu.js';

/** Simulated time: the walkers land and rest within 3 s; the swimmer's fluid drag, quadratic, decays slowly. */
const seconds = (name: string) => (name === 'swimmer' ? 20 : 3);

function kinetic(name: string, q: number[], v: number[]): number {
  const M = massMatrix(locomotionModel(name), q);
  let e = 0;
  for (let i = 0; i < v.length; i++) for (let j = 0; j < v.length; j++) e += 0.5 * v[i] * M[i * v.length + j] * v[j];
  return e;
}

describe.each(['half-cheetah', 'hopper', 'walker2d', 'swimmer'])('%s released under zero control', (name) => {
  it(`settles within ${seconds(name)} s with kinetic energy decaying to ~0, without jitter, at MuJoCo's resting pose`, { timeout: 120_000 }, async () => {
    const { ctx, cache } = await gpu();
    const def = getEnv(name);
    const task = locomotionTask(name);
    const model = locomotionModel(name);
    const n = model.dofs.length, w = recordWidth(def);
    // No termination; the walkers start at their model pose at rest (no reset noise) and may fall;
    // the swimmer keeps its reset noise (velocities of 0.1) for the fluid to damp.
    const params: Record<string, number> = name === 'swimmer' ? { terminate: 0 } : { reset_noise: 0, terminate: 0 };
    const batch = await new EnvBatch(ctx, def, { envs: 1, seed: 1, clock: new Clock(ctx), horizon: 100_000, params }).build(cache);
    await runOnce(ctx, [batch.resetDispatch]);
    batch.action.write(new Array<number>(def.actionLow.length).fill(0));
    const dt = model.timestep * task.frameSkip;
    const steps = Math.round(seconds(name) / dt);
    const energy: number[] = [];
    const heights: number[] = [];
    let state: Float32Array = new Float32Array();
    for (let t = 0; t < steps; t++) {
      await runOnce(ctx, [batch.stepDispatch]);
      state = await batch.envState.read();
      const q = Array.from(state.subarray(0, n)), v = Array.from(state.subarray(n, 2 * n));
      energy.push(kinetic(name, q, v));
      heights.push(q[1]);
    }
    batch.destroy();
    const peak = Math.max(...energy);
    const last = energy.slice(-Math.round(0.5 / dt));
    if (name === 'swimmer') {
      // Nothing but drag acts in the swimmer's plane: its kinetic energy may only fall (to about 1/30
      // in 20 s: the quadratic drag weakens as it slows; the float64 reference decays alike).
      energy.slice(1).forEach((e, t) => expect(e, `step ${t + 1}`).toBeLessThanOrEqual(energy[t] * (1 + 1e-4) + 1e-9));
      expect(Math.max(...last)).toBeLessThan(0.05 * peak);
    } else {
      // Resting: the last half second carries under 0.1% of the peak kinetic energy, and it does
      // not grow again (no jitter feeding energy in).
      expect(Math.max(...last)).toBeLessThan(1e-3 * peak);
      expect(last[last.length - 1]).toBeLessThanOrEqual(last[0] + 1e-6);
    }

    if (name === 'swimmer') return;
    const mj = await loadMujoco();
    expect(mj, 'mujoco-js (a dev dependency) loads').not.toBeNull();
    mj!.FS.writeFile('/pathwise/settle.xml', task.xml);
    const m = mj!.MjModel.loadFromXML('/pathwise/settle.xml');
    const d = new mj!.MjData(m);
    for (let k = 0; k < steps * task.frameSkip; k++) mj!.mj_step(m, d);
    const mujocoQ = Array.from(d.qpos);
    d.delete();
    m.delete();
    const ours = Array.from(state.subarray(0, n));
    // Resting pose: height and pitch of the root (the falls end in the same place) within 1 mm / 0.01 rad.
    expect(Math.abs(ours[1] - mujocoQ[1])).toBeLessThan(1e-3);
    expect(Math.abs(ours[2] - mujocoQ[2])).toBeLessThan(1e-2);
  });
});

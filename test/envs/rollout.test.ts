/**
 * SVG(inf) through the true simulator: the gradient of a short rollout's discounted return with
 * respect to its actions, computed by the graph (rollout steps + VJP kernels), against central
 * finite differences of the float64 reference rollout; reacher is a goal env (its goal a constant
 * part of the state, read through the observation).
 */
import { describe, expect, it } from 'vitest';
import { getEnv } from '../../src/envs/registry.js';
import { SimRollout } from '../../src/envs/rollout.js';
import { actionDim, stateDim } from '../../src/envs/types.js';
import { runOnce } from '../../src/gpu/recorder.js';
import { f32 } from '../../src/gpu/tensor.js';
import { broadcastRow, matrix } from '../../src/gpu/view.js';
import { Clock } from '../../src/rng/clock.js';
import { Graph, type Value } from '../../src/scg/graph.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray, relError } from '../helpers/random.js';

const rows = 5, horizon = 12, gamma = 0.97;

/** Discounted return of the float64 reference rollout from s0 under normalized actions. */
function referenceReturn(envName: string, s0: number[], actions: number[][]): number {
  const def = getEnv(envName);
  let s = s0, total = 0;
  actions.forEach((a, t) => {
    const u = a.map((x, j) => (def.actionLow[j] + def.actionHigh[j]) / 2 + ((def.actionHigh[j] - def.actionLow[j]) / 2) * x);
    const r = def.reference!.step(s, u, def.params);
    total += gamma ** t * r.reward;
    s = r.state;
  });
  return total;
}

describe.each(['pendulum', 'cartpole-swingup', 'reacher'])('rollout gradient through %s', (envName) => {
  it('matches finite differences of the float64 reference (< 1e-3 relative)', async () => {
    const { ctx, cache } = await gpu();
    const def = getEnv(envName);
    const S = stateDim(def), A = actionDim(def);
    const rollout = new SimRollout(ctx, def, 1, rows, horizon);
    // Start states: the env's own reset distribution, from float32 uniforms.
    const u = randomArray(rows * 8, 11, 0.05, 0.95);
    const starts = Array.from({ length: rows }, (_, r) => def.reference!.reset(Array.from(u.subarray(r * 8, r * 8 + 8)), def.params).map(Math.fround));
    const stateTensor = f32(ctx, 'starts', [rows, S], starts.flat());
    const actions = randomArray(rows * horizon * A, 12, -0.8, 0.8);
    const traj = new Float32Array(rows * rollout.rowWidth);
    for (let r = 0; r < rows; r++) for (let t = 0; t < horizon; t++) for (let j = 0; j < A; j++) {
      traj[r * rollout.rowWidth + t * rollout.blockWidth + S + rollout.O + j] = actions[(r * horizon + t) * A + j];
    }
    rollout.trajectory.write(traj);

    const g = new Graph(ctx, cache, { agents: 1, rows, clock: new Clock(ctx), label: 'rollout test' });
    let s: Value = g.input(rollout.state(0));
    const grad = g.gradTensor(rollout.trajectory);
    const a: Value[] = [], r: Value[] = [];
    for (let t = 0; t < horizon; t++) {
      a.push(g.input(rollout.action(t), { grad: true, label: `a${t}` }));
      const [next, , reward] = g.custom({
        label: `step ${t}`, inputs: [s, a[t]], outputs: [rollout.state(t + 1), rollout.obs(t + 1), rollout.reward(t)],
        forward: [await rollout.step(cache, t)], backward: [await rollout.vjp(cache, t, grad)],
      });
      s = next;
      r.push(reward);
    }
    const discounts = f32(ctx, 'discounts', [horizon], Array.from({ length: horizon }, (_, t) => gamma ** t));
    g.sumCost(g.join(r), { scale: -1, weights: broadcastRow(discounts, { agents: 1, rows, cols: horizon }), label: 'negative return' });
    const { forward, backward } = await g.compile();
    await runOnce(ctx, [await rollout.start(cache, matrix(stateTensor, { rows, cols: S })), ...forward, ...backward]);

    const gpuGrad = await grad.read();
    const got: number[] = [], want: number[] = [];
    for (let row = 0; row < rows; row++) {
      const acts = Array.from({ length: horizon }, (_, t) => Array.from(actions.subarray((row * horizon + t) * A, (row * horizon + t + 1) * A)));
      for (let t = 0; t < horizon; t++) for (let j = 0; j < A; j++) {
        const h = 1e-6;
        const plus = acts.map((x) => [...x]), minus = acts.map((x) => [...x]);
        plus[t][j] += h;
        minus[t][j] -= h;
        want.push((referenceReturn(envName, starts[row], plus) - referenceReturn(envName, starts[row], minus)) / (2 * h));
        // The graph differentiates the mean over rows of the negative return.
        got.push(-rows * gpuGrad[row * rollout.rowWidth + t * rollout.blockWidth + S + rollout.O + j]);
      }
    }
    expect(want.some((x) => Math.abs(x) > 1e-3)).toBe(true);
    expect(relError(got, want)).toBeLessThan(1e-3);
  });
});

/**
 * The policy gradients of SVG(1) and of SVG(inf) with a learned model - through inferred policy
 * noise, the model, V and the inferred model residuals (whole stochastic computation graphs) -
 * against central finite differences of the same surrogates evaluated by the graphs' forward
 * passes with the inferred noise held fixed.
 */
import { expect, it } from 'vitest';
import { Trainer } from '../../src/run/trainer.js';
import { algoConfig, runConfig } from '../../src/run/config.js';
import type { Svg1 } from '../../src/algos/svg1.js';
import type { SvgInf } from '../../src/algos/svgInf.js';
import type { RecurrentPolicy } from '../../src/algos/common/recurrentPolicy.js';
import type { Dispatch } from '../../src/gpu/kernel.js';
import type { MatrixView } from '../../src/gpu/view.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { runOnce } from '../../src/gpu/recorder.js';
import type { GaussianNode } from '../../src/scg/graph.js';
import { gpu } from '../helpers/gpu.js';
import { getEnv } from '../../src/envs/registry.js';

/**
 * The forward pass with noise inference (of `inferred` action nodes) replaced by re-evaluation
 * from the kept noise and the model residuals (dispatches labelled zeta...) kept from the
 * unperturbed pass. Drawn noise needs no replacing: the draw is a function of the clock, which
 * the pass does not advance.
 */
async function frozen(forward: Dispatch[], inferred: GaussianNode[]): Promise<Dispatch[]> {
  const { cache } = await gpu();
  const replace = new Map<string, Dispatch>();
  for (const a of inferred) replace.set(`${a.sampler.label} infer`, await a.sampler.reparameterize(cache, a.sample.view));
  expect(forward.filter((d) => replace.has(d.label)).length).toBe(inferred.length);
  expect(forward.some((d) => d.label.startsWith('zeta'))).toBe(true);
  return forward.filter((d) => !d.label.startsWith('zeta')).map((d) => replace.get(d.label) ?? d);
}

// h: the central difference's step. SVG(1)'s policy moves the model's and V's inputs (a fresh
// action), so its surrogate curves more within a step than a pinned one: its largest derivative
// (4.2e-3) is off by 3% at h = 1e-2 and by 0.4% at 3e-3 (float32 rounding grows below 1e-3).
async function check(algo: Svg1 | SvgInf, forward: Dispatch[], backward: Dispatch[], inferred: GaussianNode[], slots: number[], prepare: Dispatch[] = [], H = 1e-2) {
  const { ctx } = await gpu();
  await runOnce(ctx, [...prepare, ...forward, ...backward]);
  const grads = await algo.policy.net.grads.read();
  const params = await algo.policy.net.params.read();
  const fixed = await frozen(forward, inferred);
  const surrogate = async (p: Float32Array) => {
    algo.policy.net.params.write(p);
    algo.metrics.tensor.fill(0);
    await runOnce(ctx, fixed);
    const m = await algo.metrics.tensor.read();
    return slots.reduce((s, k) => s + m[k], 0);
  };
  const got: number[] = [], want: number[] = [];
  for (let i = 0; i < params.length; i += 7) {
    const plus = Float32Array.from(params), minus = Float32Array.from(params);
    plus[i] += H;
    minus[i] -= H;
    want.push(((await surrogate(plus)) - (await surrogate(minus))) / (2 * H));
    got.push(grads[i]);
  }
  const scale = Math.max(...want.map(Math.abs));
  const err = Math.max(...got.map((g, k) => Math.abs(g - want[k])));
  expect(scale).toBeGreaterThan(1e-3);
  expect(err / scale).toBeLessThan(2e-2);
}

const run = { envs: 8, reportEvery: 30, seed: 3, evalEpisodes: 0 };

it('SVG(1) policy gradient matches finite differences of its surrogate', async () => {
  const { ctx, cache } = await gpu();
  const trainer = await Trainer.create(ctx, cache, runConfig({ ...run, steps: 8 * 60, algo: 'svg1' }),
    algoConfig('svg1', { policyHidden: [16], valueHidden: [16], modelHidden: [16], batchSize: 16, learningStarts: 160, bufferSize: 1000 }));
  await trainer.train(trainer.targetIteration, () => {});
  const algo = trainer.algo as Svg1;
  const { prepare, forward, backward, action } = algo.policyUpdate;
  // The policy's noise is drawn (not inferred from the replayed action); the model's residual
  // zeta is inferred at the replayed action and held fixed.
  expect(forward.some((d) => d.label === `${action.sampler.label} infer`)).toBe(false);
  // The surrogate: metric slots 4 and 5 (-r_f and -gamma V(s')).
  await check(algo, forward, backward, [], [4, 5], prepare, 3e-3);
});

it('SVG(inf) with a learned model: policy gradient through 6 model steps matches finite differences', async () => {
  const { ctx, cache } = await gpu();
  const trainer = await Trainer.create(ctx, cache, runConfig({ ...run, steps: 8 * 60, algo: 'svg-inf' }),
    algoConfig('svg-inf', { dynamics: 'model', policyHidden: [16], modelHidden: [16], horizon: 6, modelBatch: 16, modelUpdates: 5, bufferSize: 1000 }));
  await trainer.train(trainer.targetIteration, () => {});
  const algo = trainer.algo as SvgInf;
  const { forward, backward, actions } = algo.policyUpdate!; // the per-layer program (--dynamics model)
  expect(actions.length).toBe(6);
  // The surrogate: metric slot 0 (the negative discounted imagined return).
  await check(algo, forward, backward, actions, [0]);
});

// The central difference's step for the recurrent model test: the model's ReLUs and the cell's
// gates curve the imagined return within a step of 1e-2 (the GRU's largest cell derivative was off
// by 5% there, 10% at 3e-2, 0.6% at 3e-3), as SVG(1)'s above.
const FD = 3e-3;

/**
 * Every fifth parameter of a recurrent policy's cell and head: its gradient (as backward left it)
 * against central differences of `surrogate`, within 2% of the largest.
 */
async function checkRecurrentPolicy(policy: RecurrentPolicy, surrogate: () => Promise<number>, o: { step: number; minScale: number; label: string }) {
  for (const net of [policy.cell, policy.net]) {
    const grads = await net.grads.read(), params = await net.params.read();
    const got: number[] = [], want: number[] = [];
    for (let i = 0; i < params.length; i += 5) {
      const plus = Float32Array.from(params), minus = Float32Array.from(params);
      plus[i] += o.step;
      minus[i] -= o.step;
      net.params.write(plus);
      const up = await surrogate();
      net.params.write(minus);
      want.push((up - (await surrogate())) / (2 * o.step));
      got.push(grads[i]);
    }
    net.params.write(params);
    const scale = Math.max(...want.map(Math.abs));
    const err = Math.max(...got.map((g, k) => Math.abs(g - want[k])));
    console.log(`${o.label}: ${net === policy.net ? 'head' : 'cell'} max |grad| ${scale.toExponential(2)}, max error ${err.toExponential(2)} over ${got.length}`);
    expect(scale).toBeGreaterThan(o.minScale);
    expect(err / scale).toBeLessThan(2e-2);
  }
}

/**
 * -1/rows sum_rows sum_t 0.99^t r_t after running `forward`, summed in float64 from each step's
 * reward: the float32 metric slot (~1e1..1e2) rounds a central difference to ~1e-4 of a step of 1e-2.
 */
async function returnIn64(ctx: GpuContext, forward: Dispatch[], rewards: MatrixView[]): Promise<number> {
  await runOnce(ctx, forward);
  let sum = 0;
  for (const [t, r] of rewards.entries()) {
    const data = await r.tensor.read();
    for (let row = 0; row < r.rows; row++) sum -= 0.99 ** t * data[r.offset + row * r.rowStride];
  }
  return sum / rewards[0].rows;
}

it.each(['gru', 'lstm'] as const)('SVG(inf) with a learned model and a %s policy: the gradient through 6 model steps and the cell matches finite differences', async (kind) => {
  const { ctx, cache } = await gpu();
  const trainer = await Trainer.create(ctx, cache, runConfig({ ...run, steps: 8 * 60, algo: 'svg-inf' }),
    algoConfig('svg-inf', { dynamics: 'model', policyHidden: [16], modelHidden: [16], horizon: 6, modelBatch: 16, modelUpdates: 5, bufferSize: 1000, recurrent: kind, recurrentWidth: 8 }));
  await trainer.train(trainer.targetIteration, () => {});
  const algo = trainer.algo as SvgInf;
  const policy = algo.policy as RecurrentPolicy;
  const { forward, backward, actions } = algo.policyUpdate!;
  await runOnce(ctx, [...forward, ...backward]);
  const fixed = await frozen(forward, actions);
  // The surrogate: the negative discounted imagined return, noise and residuals held, summed in float64.
  const surrogate = () => returnIn64(ctx, fixed, algo.policyUpdate!.rewards);
  await checkRecurrentPolicy(policy, surrogate, { step: FD, minScale: 1e-3, label: `svg-inf model ${kind}` });
});

// Cartpole swing-up: its positions (0, 2, 3) are copied from two runs of columns of the rollout's
// observation, and its dynamics and reward are smooth. (Pendulum's and the double pendulum's are
// not everywhere - the angle wraps at the bottom - and central differences across those kinks
// miss by 2-4% with the feedforward policy too.) Within 6 steps of dt 0.01 the path o_{t+1} ->
// h_{t+1} weighs less than the check resolves; the loop's input gradients are checked exactly
// against the whole sequence's in test/nn/recurrent.test.ts.

/** Runs of adjacent columns among an env's position observations, when more than one (each copied per step). */
function copiedRuns(env: string): number {
  const runs = getEnv(env).positionObs.filter((c, i, all) => i === 0 || all[i - 1] !== c - 1).length;
  return runs > 1 ? runs : 0;
}

const HZ = 6;
it.each([
  ['gru', 'cartpole-swingup'],
  ['lstm', 'cartpole-swingup'],
] as const)('SVG(inf) through the simulator with a %s policy on %s positions: the gradient through 6 steps of cell and simulator matches finite differences (float64 sums)', async (kind, env) => {
  const { ctx, cache } = await gpu();
  const trainer = await Trainer.create(ctx, cache, runConfig({ ...run, env, sensors: 'positions', steps: 8 * 60, algo: 'svg-inf' }),
    algoConfig('svg-inf', { policyHidden: [16], horizon: HZ, recurrent: kind, recurrentWidth: 8 }));
  await trainer.train(trainer.targetIteration, () => {}); // the acting state the rollouts start from is no longer zero
  const algo = trainer.algo as SvgInf;
  const policy = algo.policy as RecurrentPolicy;
  expect(policy.cell.kind).toBe(kind);
  expect(Math.max(...(await policy.state.read()).map(Math.abs))).toBeGreaterThan(1e-2);
  const { forward, backward, actions } = algo.policyUpdate!;
  expect(actions.length).toBe(HZ);
  expect(forward.filter((d) => d.label.startsWith('sensed o')).length).toBe(copiedRuns(env) * HZ);
  await runOnce(ctx, [...forward, ...backward]);
  // The surrogate -1/rows sum_rows sum_t gamma^t r_t from the forward pass alone (the drawn noise
  // is a function of the clock, which the pass does not advance), summed in float64.
  const surrogate = () => returnIn64(ctx, forward, algo.policyUpdate!.rewards);
  // 50 times the differences' rounding (~1e-5 here) at least.
  await checkRecurrentPolicy(policy, surrogate, { step: 1e-2, minScale: 5e-4, label: `svg-inf ${kind} ${env}` });
});

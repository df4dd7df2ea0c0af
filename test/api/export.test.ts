/**
 * Policy export (src/api/export.ts) checked by onnxruntime-node: for every policy kind - DDPG's and
 * CEM's deterministic networks, SVG(0)'s squashed and PPO's unsquashed Gaussians, REINFORCE's
 * categorical (3 bins) and binary units, and one agent of several trained together - the ONNX
 * model's actions equal the GPU policy's (loadPolicy().act) to 1e-5 on random observations, and so
 * does a float64 forward pass of the JSON export; the Gaussian's log std comes out as a second
 * output. Recurrent policies (GRU, LSTM) export their cell as ONNX's GRU / LSTM node with the state
 * as an input and the next state as an output: over 4 steps with the state fed back, ONNX's
 * actions and states equal the GPU policy's (which carries its state in act()) and a float64
 * pass of the JSON export's cell and MLP. Bad input is refused by name.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it, vi } from 'vitest';
import { type PolicyJson, policyJson } from '../../src/api/export.js';
import { bindApi } from '../../src/api/index.js';
import { main } from '../../src/cli/main.js';
import { gpu } from '../helpers/gpu.js';
import { randomArray } from '../helpers/random.js';

const api = bindApi(async () => (await gpu()).ctx);

/** The JSON policy in float64: normalized network output -> head -> clip -> env bounds. */
function forward(p: PolicyJson, obs: ArrayLike<number>, rows: number): { actions: number[]; logStd: number[] } {
  const actions: number[] = [], logStd: number[] = [];
  const A = p.actionSize;
  for (let r = 0; r < rows; r++) {
    let x = Array.from({ length: p.observationSize }, (_, i) => obs[r * p.observationSize + i]);
    for (const l of p.layers) {
      const y = l.bias.map((b, o) => x.reduce((s, xi, i) => s + xi * l.weights[i][o], b));
      x = y.map((v) => (l.activation === 'relu' ? Math.max(0, v) : l.activation === 'tanh' ? Math.tanh(v) : v));
    }
    const h = p.head;
    const normalized = Array.from({ length: A }, (_, d) => {
      if (h.kind === 'deterministic') return x[d];
      if (h.kind === 'gaussian') return h.squash ? Math.tanh(x[d]) : x[d];
      if (h.kind === 'binary') return x[d] > 0 ? 1 : -1;
      const group = x.slice(d * h.bins, (d + 1) * h.bins);
      return -1 + (2 * group.indexOf(Math.max(...group))) / (h.bins - 1);
    });
    if (h.kind === 'gaussian') logStd.push(...x.slice(A, 2 * A));
    normalized.forEach((a, d) => actions.push(p.actionLow[d] + ((Math.min(1, Math.max(-1, a)) + 1) * (p.actionHigh[d] - p.actionLow[d])) / 2));
  }
  return { actions, logStd };
}

/** One step of a recurrent cell in float64 (PyTorch's GRU and LSTM equations). */
function cellStep(cell: NonNullable<PolicyJson['recurrent']>, x: number[], h: number[], c: number[]): { h: number[]; c: number[] } {
  const H = cell.hidden;
  const affine = (w: number[][], b: number[], v: number[]) => b.map((bias, o) => v.reduce((s, vi, i) => s + vi * w[i][o], bias));
  const px = affine(cell.inputWeights, cell.inputBias, x), ph = affine(cell.hiddenWeights, cell.hiddenBias, h);
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const gate = (k: number, j: number) => px[k * H + j] + ph[k * H + j];
  if (cell.kind === 'gru') {
    const next = h.map((hj, j) => {
      const r = sig(gate(0, j)), z = sig(gate(1, j));
      const n = Math.tanh(px[2 * H + j] + r * ph[2 * H + j]);
      return (1 - z) * n + z * hj;
    });
    return { h: next, c };
  }
  const cNext = c.map((cj, j) => sig(gate(1, j)) * cj + sig(gate(0, j)) * Math.tanh(gate(2, j)));
  return { h: cNext.map((cj, j) => sig(gate(3, j)) * Math.tanh(cj)), c: cNext };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

const cases: [string, Record<string, unknown>, string, number][] = [
  ['ddpg', { env: 'pendulum', envs: 8, steps: 400, learningStarts: 100, batchSize: 16, actorHidden: [16], criticHidden: [16] }, 'deterministic', 0],
  ['cem', { env: 'pendulum', envs: 16, population: 8, policyHidden: [8], steps: 3200 }, 'deterministic', 0],
  ['svg0', { env: 'pendulum', envs: 8, steps: 400, learningStarts: 100, batchSize: 16, actorHidden: [16], criticHidden: [16] }, 'gaussian', 0],
  ['ppo', { env: 'reacher', envs: 8, steps: 320, segment: 20, minibatches: 4, epochs: 1, policyHidden: [16], valueHidden: [16] }, 'gaussian', 0],
  ['reinforce', { env: 'cartpole', envs: 8, steps: 320, segment: 20, policy: 'categorical', actionBins: 3, policyHidden: [16], valueHidden: [16] }, 'categorical', 0],
  ['reinforce', { env: 'cartpole', envs: 8, steps: 320, segment: 20, policy: 'bernoulli', policyHidden: [16], valueHidden: [16] }, 'binary', 0],
  ['ddpg', { env: 'reacher', envs: 8, agents: 2, steps: 400, learningStarts: 100, batchSize: 16, actorHidden: [16], criticHidden: [16] }, 'deterministic', 1],
];

describe('exportPolicy', () => {
  it.each(cases)('%s %j: ONNX (onnxruntime) and JSON act as the GPU policy (%s head, agent %d)', { timeout: 120_000 }, async (algo, settings, kind, agent) => {
    const run = await api.train({ algo, ...settings, reportEvery: 20, evalEpisodes: 0, preset: 'cpu' });
    await run.finish();
    const checkpoint = await run.checkpoint();
    await run.dispose();
    const policy = await api.loadPolicy(checkpoint);
    expect(policy.head.kind).toBe(kind);
    const rows = 9, O = policy.observationSize, A = policy.actionSize;
    const obs = Float32Array.from(randomArray(policy.agents * rows * O, 61, -2, 2));
    const gpuActions = (await policy.act(obs)).slice(agent * rows * A, (agent + 1) * rows * A);
    const mine = obs.slice(agent * rows * O, (agent + 1) * rows * O);

    const json = await policyJson(policy, agent);
    const reference = forward(json, mine, rows);
    expect(maxDiff(gpuActions, reference.actions)).toBeLessThan(1e-5);
    const exported = JSON.parse((await api.exportPolicy(checkpoint, { format: 'json', agent })) as string) as PolicyJson;
    expect(exported.layers.map((l) => [l.inputs, l.outputs, l.activation])).toEqual(json.layers.map((l) => [l.inputs, l.outputs, l.activation]));

    const session = await ort.InferenceSession.create((await api.exportPolicy(checkpoint, { format: 'onnx', agent })) as Uint8Array);
    const out = await session.run({ observations: new ort.Tensor('float32', mine, [rows, O]) });
    expect(maxDiff(out.actions.data as Float32Array, gpuActions)).toBeLessThan(1e-5);
    if (kind === 'gaussian') expect(maxDiff(out.log_std.data as Float32Array, reference.logStd)).toBeLessThan(1e-5);
    else expect(session.outputNames).toEqual(['actions']);
    await policy.dispose();
  });

  it.each([
    ['gru', { env: 'pendulum' }],
    ['lstm', { env: 'reacher', sensors: 'positions' }],
  ] as const)('a %s policy %j: ONNX (state in, next state out) and JSON act as the GPU policy step after step', { timeout: 120_000 }, async (kind, settings) => {
    const H = 6;
    const run = await api.train({ algo: 'reinforce', ...settings, envs: 8, steps: 8 * 20 * 2, segment: 20, recurrent: kind, recurrentWidth: H, policyHidden: [8], valueHidden: [8], reportEvery: 20, evalEpisodes: 0, preset: 'cpu' });
    await run.finish();
    const checkpoint = await run.checkpoint();
    await run.dispose();
    const policy = await api.loadPolicy(checkpoint);
    const json = JSON.parse((await api.exportPolicy(checkpoint, { format: 'json' })) as string) as PolicyJson;
    expect(json.version).toBe(2);
    const cell = json.recurrent!;
    expect(cell).toMatchObject({ kind, hidden: H, inputs: policy.observationSize });
    const session = await ort.InferenceSession.create((await api.exportPolicy(checkpoint, { format: 'onnx' })) as Uint8Array);
    expect(session.inputNames).toEqual(kind === 'gru' ? ['observations', 'h'] : ['observations', 'h', 'c']);
    expect(session.outputNames).toEqual(kind === 'gru' ? ['actions', 'log_std', 'h_next'] : ['actions', 'log_std', 'h_next', 'c_next']);
    const rows = 5, O = policy.observationSize;
    let h = new Float32Array(rows * H), c = new Float32Array(rows * H);
    let h64 = Array.from({ length: rows }, () => new Array<number>(H).fill(0)), c64 = h64.map((r) => [...r]);
    for (let t = 0; t < 4; t++) {
      const obs = Float32Array.from(randomArray(rows * O, 70 + t, -2, 2));
      const gpuActions = await policy.act(obs);
      // float64: the cell (PyTorch's equations, gates in PyTorch's order), then the MLP and head.
      const next = h64.map((hr, r) => cellStep(cell, Array.from(obs.slice(r * O, (r + 1) * O)), hr, c64[r]));
      h64 = next.map((n) => n.h);
      c64 = next.map((n) => n.c);
      const reference = forward({ ...json, observationSize: H }, h64.flat(), rows);
      expect(maxDiff(gpuActions, reference.actions)).toBeLessThan(1e-4);
      const feeds: Record<string, ort.Tensor> = { observations: new ort.Tensor('float32', obs, [rows, O]), h: new ort.Tensor('float32', h, [rows, H]) };
      if (kind === 'lstm') feeds.c = new ort.Tensor('float32', c, [rows, H]);
      const out = await session.run(feeds);
      expect(maxDiff(out.actions.data as Float32Array, gpuActions)).toBeLessThan(1e-4);
      expect(maxDiff(out.h_next.data as Float32Array, h64.flat())).toBeLessThan(1e-4);
      h = Float32Array.from(out.h_next.data as Float32Array);
      if (kind === 'lstm') c = Float32Array.from(out.c_next.data as Float32Array);
    }
    // The carried state is far from zeros (so feeding it back is what was compared).
    expect(Math.max(...Array.from(h).map(Math.abs))).toBeGreaterThan(1e-2);
    await policy.dispose();
  });

  it('refuses an unknown format, an agent the checkpoint lacks and a missing checkpoint, by name', async () => {
    const run = await api.train({ algo: 'cem', env: 'pendulum', envs: 16, population: 8, policyHidden: [8], steps: 3200, evalEpisodes: 0 });
    await run.finish();
    const checkpoint = await run.checkpoint();
    await run.dispose();
    await expect(api.exportPolicy(checkpoint, { format: 'tflite' as 'onnx' })).rejects.toThrow(/--format: got "?tflite"?, expected one of onnx, json/);
    await expect(api.exportPolicy(checkpoint, { agent: 1 })).rejects.toThrow(/agent.*expected an integer in \[0, 0\]/);
    const dir = mkdtempSync(join(tmpdir(), 'pathwise-export-'));
    writeFileSync(join(dir, 'checkpoint.bin'), checkpoint);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await main(['export', '--checkpoint', dir, '--format', 'json', '--out', join(dir, 'policy.json')])).toBe(0);
      expect((JSON.parse(readFileSync(join(dir, 'policy.json'), 'utf8')) as PolicyJson).format).toBe('pathwise-policy');
      expect(await main(['export', '--checkpoint', join(dir, 'nope'), '--out', join(dir, 'x.onnx')])).toBe(2);
      expect(err.mock.calls.flat().join('\n')).toMatch(/nope.*no such file/);
      expect(await main(['export', '--checkpoint', dir, '--format', 'pt', '--out', join(dir, 'x.pt')])).toBe(2);
      expect(err.mock.calls.flat().join('\n')).toMatch(/--format.*one of onnx, json/);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });
});

/**
 * A recurrent policy: a GRU or LSTM cell over the observations, then a stochastic policy head
 * (Gaussian, categorical or binary) on its hidden state - pi(a_t | h_t), h_t = f(h_{t-1}, o_t).
 * Acting carries one state per env (zeroed when an episode ends: the env's terminated or
 * truncated flag of the previous step); evaluation starts every episode from zeros. The learner
 * recomputes the states of a whole segment in its graph from the state at the segment's start
 * (`segmentStart`) and the per-step reset flags it stores, with backpropagation through time.
 */
import type { EnvBatch } from '../../envs/batch.js';
import { ConfigError } from '../../errors.js';
import type { Dispatch, PipelineCache } from '../../gpu/kernel.js';
import { f32, type Tensor } from '../../gpu/tensor.js';
import { type MatrixView, matrix } from '../../gpu/view.js';
import type { Mlp } from '../../nn/mlp.js';
import { CELL_KINDS, type RecurrentCell } from '../../nn/recurrent.js';
import type { Clock } from '../../rng/clock.js';
import type { Graph, RecurrentLoop, Value } from '../../scg/graph.js';
import { mapDispatch } from '../../scg/ops.js';
import type { DeterministicPolicy, EvalNetworks, PolicyHead, RunShape } from './algorithm.js';
import type { ActingOptions, Actor, StochasticPolicy } from './policy.js';

export class RecurrentPolicy implements StochasticPolicy {
  /** Per env: the state acting carries, [agents x envs x stateWidth]. */
  readonly state: Tensor<'f32'>;
  /** Per env: 1 where the current observation starts an episode, [agents x envs]. */
  readonly resets: Tensor<'f32'>;

  constructor(
    readonly cell: RecurrentCell,
    readonly headPolicy: StochasticPolicy,
    env: EnvBatch,
  ) {
    this.state = f32(cell.ctx, `${cell.label}.acting_state`, [env.agents, env.envs, cell.stateWidth]);
    this.resets = f32(cell.ctx, `${cell.label}.acting_resets`, [env.agents, env.envs]);
  }

  get net(): Mlp {
    return this.headPolicy.net;
  }
  get actionDim(): number {
    return this.headPolicy.actionDim;
  }
  get sampleWidth(): number {
    return this.headPolicy.sampleWidth;
  }
  get head(): PolicyHead {
    return this.headPolicy.head;
  }

  /**
   * The cell's closed loop over an H-step rollout (SVG(inf)), from the state acting carries when the
   * unit begins: copied then (with the step-0 reset flags of the env's current observations), as
   * the rollout copies the env states; the rollout itself never resets. `truncation` 0 = full BPTT.
   */
  async rolloutLoop(g: Graph, cache: PipelineCache, env: EnvBatch, H: number, truncation: number): Promise<{ loop: RecurrentLoop; start: Dispatch[] }> {
    const { agents, envs: rows } = env;
    const cell = this.cell;
    const h0 = f32(g.ctx, 'svg-inf.rollout_h0', [agents, rows, cell.stateWidth]);
    const resets = f32(g.ctx, 'svg-inf.rollout_resets', [agents, H * rows]); // rows of steps 1.. stay 0
    const loop = g.recurrentLoop(cell, { steps: H, h0, resets, truncation: truncation || undefined, label: 'recurrent' });
    const all = (t: Tensor<'f32'>, cols: number) => matrix(t, { agents, rows, cols });
    const start = [
      await mapDispatch(cache, { op: 'add', a: all(this.state, cell.stateWidth), alpha: 1, beta: 0, out: all(h0, cell.stateWidth) }, 'rollout h0'),
      await this.resetFlags(cache, env, matrix(resets, { agents, rows, cols: 1, agentStride: H * rows })),
    ];
    return { loop, start };
  }

  /** The reset flags of the env's current observations (terminated or truncated at the previous step; never both). */
  resetFlags(cache: PipelineCache, env: EnvBatch, into: Tensor<'f32'> | MatrixView = this.resets): Promise<Dispatch> {
    const flags = (col: number) => matrix(env.stepOut, { agents: env.agents, rows: env.envs, cols: 1, offset: col, rowStride: 3 });
    const out = 'tensor' in into ? into : matrix(into, { agents: env.agents, rows: env.envs, cols: 1 });
    return mapDispatch(cache, { op: 'add', a: flags(1), b: flags(2), alpha: 1, beta: 1, out }, `${this.cell.label} reset flags`);
  }

  /** One step: the reset flags, the cell on the observations (state carried), the head acting on h. */
  async acting(cache: PipelineCache, env: EnvBatch, clock: Clock, o: ActingOptions): Promise<Actor> {
    const seq = this.cell.bind(cache, env.obsView, { steps: 1, h0: this.state, carry: true, resets: this.resets, label: `${this.cell.label} (acting)` });
    const head = await this.headPolicy.acting(cache, env, clock, { ...o, input: seq.output });
    const before = [await this.resetFlags(cache, env), ...(await seq.forward())];
    return { step: async (into) => [...before, ...(await head.step(into))] };
  }

  /** h_t over a segment of `steps` steps (rows n * steps + t), from the state at its start and its per-step reset flags. */
  hidden(g: Graph, obs: Value, o: { steps: number; segmentStart: Tensor<'f32'>; resets: Tensor<'f32'>; truncation?: number }): Value {
    return g.recurrent(this.cell, obs, { steps: o.steps, h0: o.segmentStart, resets: o.resets, truncation: o.truncation, order: 'env', label: this.cell.label });
  }

  observedSamples(g: Graph, out: Value, observed: MatrixView, o: { seed: number; stream: number; baseline?: Value }): Value[] {
    return this.headPolicy.observedSamples(g, out, observed, o);
  }

  /**
   * The mode on `obs`, step after step, from a zero state: one episode per row, as evaluation runs
   * them, or episodes back to back (the demo's watch) with `episodeResets` run before each step,
   * which zeroes the state of rows whose env started a new episode.
   */
  async mode(cache: PipelineCache, obs: MatrixView): Promise<DeterministicPolicy> {
    const state = f32(this.cell.ctx, `${this.cell.label}.eval_state`, [obs.agents, obs.rows, this.cell.stateWidth]);
    const resets = f32(this.cell.ctx, `${this.cell.label}.eval_resets`, [obs.agents, obs.rows]);
    const seq = this.cell.bind(cache, obs, { steps: 1, h0: state, carry: true, resets, label: `${this.cell.label} (eval)` });
    const head = await this.headPolicy.mode(cache, seq.output);
    return {
      forward: [...(await seq.forward()), ...head.forward], input: obs, output: head.output, state,
      episodeResets: async (c, env) => {
        if (env.agents !== obs.agents || env.envs !== obs.rows) throw new Error(`${this.cell.label}: episode resets from ${env.agents} x ${env.envs} envs for a policy over ${obs.agents} x ${obs.rows} rows`);
        return [await this.resetFlags(c, env, resets)];
      },
      release: () => {
        head.release();
        seq.destroy();
        state.destroy();
        resets.destroy();
      },
    };
  }

  evalNetworks(): EvalNetworks {
    return {
      tensors: { 'policy.params': this.headPolicy.net.params, 'recurrent.params': this.cell.params },
      policy: (cache, obs) => this.mode(cache, obs),
      network: this.headPolicy.net,
      head: this.headPolicy.head,
      recurrent: this.cell.kind,
      cell: this.cell,
    };
  }
}

/** The options of a recurrent policy, as the on-policy algorithms that take one declare them. */
export const recurrentSchema = {
  recurrent: { kind: 'choice', default: 'none', choices: ['none', ...CELL_KINDS], help: 'a recurrent policy: a GRU or LSTM cell over the observations before the policy network (pi(a_t | h_t)), trained by backpropagation through time over each segment' },
  recurrentWidth: { kind: 'number', default: 64, min: 1, max: 4096, integer: true, help: "the recurrent cell's hidden state width" },
  truncation: { kind: 'number', default: 0, min: 0, integer: true, help: 'recurrent policies: backpropagate through at most this many steps (truncated BPTT; 0: the whole segment)' },
} as const;

/** maxComputeWorkgroupsPerDimension that WebGPU guarantees (the recurrent gate kernel's 1-D dispatch). */
const MAX_WORKGROUPS = 65535;

/** Recurrent settings checked before any GPU work: the truncation within a segment of `steps`, one gate thread per env and unit within a dispatch. */
export function checkRecurrent(run: RunShape, steps: number, config: { truncation: number; recurrentWidth: number }): void {
  if (config.truncation > steps) throw new ConfigError('--truncation', config.truncation, `at most the segment length ${steps} (0: the whole segment)`);
  const most = Math.floor((MAX_WORKGROUPS * 64) / run.envs);
  if (config.recurrentWidth > most) throw new ConfigError('--recurrent-width', config.recurrentWidth, `at most ${most} with ${run.envs} envs (one thread per env and unit: ${MAX_WORKGROUPS} x 64 per dispatch)`);
}

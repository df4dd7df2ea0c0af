/**
 * A trained policy outside training: `loadPolicy(checkpoint)` gives the deterministic policy of a
 * checkpoint (the mode of a stochastic one, the mean of CEM's and CMA-ES's search distribution)
 * acting on observations from the CPU, actions in the env's units; `evaluateCheckpoint` runs it
 * on fresh envs, as `pathwise eval` does.
 */
import type { RecurrentCell } from '../nn/recurrent.js';
import { getAlgorithm } from '../algos/registry.js';
import type { DeterministicPolicy, PolicyHead } from '../algos/common/algorithm.js';
import type { Mlp } from '../nn/mlp.js';
import { EnvBatch } from '../envs/batch.js';
import { getEnv } from '../envs/registry.js';
import { type EnvDefinition, actionDim } from '../envs/types.js';
import { ConfigError, requireInt } from '../errors.js';
import type { Destroyable, GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import { runOnce } from '../gpu/recorder.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { matrix } from '../gpu/view.js';
import { Clock } from '../rng/clock.js';
import { type DecodedCheckpoint, decodeCheckpoint, loadTensors } from '../run/checkpoint.js';
import { type RunConfig, algoConfig, runConfig } from '../run/config.js';
import { type EvalResult, evalEnvOptions, evaluatePolicy } from '../run/evaluate.js';

/** A checkpoint's header: what trained it. */
export interface CheckpointInfo {
  run: RunConfig;
  algo: Record<string, unknown>;
  /** Env steps per env at the checkpoint. */
  iteration: number;
}

function checkpointInfo(decoded: DecodedCheckpoint): CheckpointInfo {
  const saved = decoded.header.config as { run: RunConfig; algo: Record<string, unknown> };
  const run = runConfig(saved.run);
  return { run, algo: algoConfig(run.algo, saved.algo), iteration: decoded.header.iteration };
}

interface Acting {
  obs: Tensor<'f32'>;
  policy: DeterministicPolicy;
  resources: Destroyable[];
}

/** Batch sizes whose forward passes a policy keeps built (the least recently used goes first). */
const KEPT_BATCH_SIZES = 4;

export class Policy {
  private readonly byRows = new Map<number, Acting>();
  private disposed = false;
  /** Calls of act() one after another: they share the input and output buffers of a batch size. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly ctx: GpuContext,
    private readonly cache: PipelineCache,
    readonly info: CheckpointInfo,
    readonly env: EnvDefinition,
    /** Floats per observation (fewer than the env's with limited sensors). */
    readonly observationSize: number,
    private readonly forward: (obs: ReturnType<typeof matrix>) => Promise<DeterministicPolicy>,
    /** The network the policy runs and how its output becomes the action (for export). */
    readonly network: Mlp,
    readonly head: PolicyHead,
    private readonly resources: Destroyable[],
    /** The recurrent cell before `network`, if any: act() then carries its state from call to call (resetState() zeroes it). */
    readonly cell?: RecurrentCell,
  ) {}

  /** The kind of the recurrent cell before the network (gru, lstm), if any. */
  get recurrent(): string | undefined {
    return this.cell?.kind;
  }

  static async load(ctx: GpuContext, cache: PipelineCache, checkpoint: Uint8Array, where = 'checkpoint'): Promise<Policy> {
    const decoded = decodeCheckpoint(checkpoint, where);
    const info = checkpointInfo(decoded);
    const def = getEnv(info.run.env);
    const { value, resources } = await ctx.collect(async () => {
      // A one-env batch only gives the networks their input and output sizes.
      const shapeEnv = new EnvBatch(ctx, def, { ...evalEnvOptions(info.run), envs: 1, clock: new Clock(ctx) });
      const nets = getAlgorithm(info.run.algo).evalNetworks(ctx, shapeEnv, info.algo, info.run.seed);
      loadTensors(decoded, nets.tensors, where);
      return { nets, width: shapeEnv.obsWidth };
    });
    return new Policy(ctx, cache, info, def, value.width, (obs) => value.nets.policy(cache, obs), value.nets.network, value.nets.head, resources, value.nets.cell);
  }

  /** Agents trained side by side in the checkpoint (observations and actions are per agent). */
  get agents(): number {
    return this.info.run.agents;
  }

  get actionSize(): number {
    return actionDim(this.env);
  }

  /**
   * Actions for a batch of observations, [agents x rows x observationSize] row-major (rows =
   * length / (agents observationSize)), as [agents x rows x actionSize] in the env's bounds.
   */
  act(observations: ArrayLike<number>): Promise<Float32Array> {
    if (this.disposed) return Promise.reject(new ConfigError('policy', 'disposed', 'a policy that was not disposed'));
    const per = this.agents * this.observationSize;
    const rows = observations.length / per;
    try {
      requireInt(`observations.length / (agents ${this.agents} x observationSize ${this.observationSize})`, rows, 1);
    } catch (e) {
      return Promise.reject(e);
    }
    const next = this.queue.then(() => this.actNow(observations, rows));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async actNow(observations: ArrayLike<number>, rows: number): Promise<Float32Array> {
    const acting = await this.acting(rows);
    acting.obs.write(observations);
    await runOnce(this.ctx, acting.policy.forward, 'policy act');
    const out = acting.policy.output;
    const all = await out.tensor.read();
    const A = this.actionSize, { actionLow: low, actionHigh: high } = this.env;
    const actions = new Float32Array(this.agents * rows * A);
    for (let a = 0; a < this.agents; a++) {
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < A; j++) {
          const x = all[out.offset + a * out.agentStride + r * out.rowStride + j];
          actions[(a * rows + r) * A + j] = low[j] + ((Math.min(1, Math.max(-1, x)) + 1) * (high[j] - low[j])) / 2;
        }
      }
    }
    return actions;
  }

  /** The forward pass for `rows` observations per agent, built once per batch size. */
  private async acting(rows: number): Promise<Acting> {
    const known = this.byRows.get(rows);
    if (known) {
      // Most recently used last.
      this.byRows.delete(rows);
      this.byRows.set(rows, known);
      return known;
    }
    const { value, resources } = await this.ctx.collect(async () => {
      const obs = f32(this.ctx, `policy obs [${rows}]`, [this.agents * rows, this.observationSize]);
      return { obs, policy: await this.forward(matrix(obs, { agents: this.agents, rows, cols: this.observationSize })) };
    });
    const acting = { ...value, resources };
    this.byRows.set(rows, acting);
    if (this.byRows.size > KEPT_BATCH_SIZES) {
      const [oldest, dropped] = this.byRows.entries().next().value as [number, Acting];
      this.byRows.delete(oldest);
      for (const r of dropped.resources) r.destroy();
    }
    return acting;
  }

  /**
   * Starts every row of a recurrent policy from a zero state again (call it when new episodes
   * begin): act() carries the state from call to call for a batch size. For a feedforward policy it
   * only drops the buffers of the batch sizes used so far.
   */
  resetState(): Promise<void> {
    const next = this.queue.then(async () => {
      await this.ctx.sync('policy reset');
      for (const a of this.byRows.values()) for (const r of a.resources) r.destroy();
      this.byRows.clear();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The policy on `episodes` fresh envs (seeded from the run's seed unless `seed` is given). */
  async evaluate(episodes = 100, seed?: number): Promise<EvalResult> {
    const options = evalEnvOptions(this.info.run);
    if (seed !== undefined) options.seed = requireInt('seed', seed, 0, 0xffffffff);
    const { value, resources } = await this.ctx.collect(() => evaluatePolicy(this.ctx, this.cache, this.env, options, requireInt('episodes', episodes, 1), (obs) => this.forward(obs)));
    for (const r of resources) r.destroy();
    return value;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    await this.ctx.sync('dispose');
    for (const r of [...this.resources, ...[...this.byRows.values()].flatMap((a) => a.resources)]) r.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

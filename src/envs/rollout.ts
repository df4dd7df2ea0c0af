/**
 * An unrolled trajectory through a differentiable environment's true dynamics, forward and
 * backward (shaders/envs/rollout.wgsl): SVG(inf) with known dynamics. One tensor holds the
 * trajectory of `rows` envs per agent, a block of columns per time step:
 *   [s_t | o_t | a_t] for t = 0..H, then the rewards r_0..r_{H-1}
 * so a policy reads o_t and writes a_t through column views, and the gradient (a twin tensor of
 * the same layout) flows through the same places. Actions are normalized to [-1, 1].
 */
import { hasRewardGradient, simulatorDifferentiableEnvNames } from './registry.js';
import { ConfigError, requireInt } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { type Dispatch, type PipelineCache, groups, makeDispatch } from '../gpu/kernel.js';
import { type ShaderSource, dual, view } from '../gpu/shaders.js';
import rolloutWgsl from '../../shaders/envs/rollout.wgsl?raw';
import { f32, type Tensor } from '../gpu/tensor.js';
import { uniform } from '../gpu/uniform.js';
import { type MatrixView, matrix } from '../gpu/view.js';
import { paramsUniform, resolveParams } from './batch.js';
import { type EnvDefinition, actionDim, obsDim, stateDim } from './types.js';

/** An unrolled trajectory through a differentiable environment's true dynamics (envs/rollout.wgsl). */
function rolloutShader(env: ShaderSource): ShaderSource {
  return { path: `${env.path} (with common/dual, common/view, envs/rollout)`, code: [dual, view, env.code, rolloutWgsl].join('\n') };
}

export class SimRollout {
  readonly S: number;
  readonly O: number;
  readonly A: number;
  /** Columns of one time step's block: state, observation, action. */
  readonly blockWidth: number;
  readonly rowWidth: number;
  readonly trajectory: Tensor<'f32'>;
  private readonly physics: GPUBuffer;

  constructor(
    readonly ctx: GpuContext,
    readonly def: EnvDefinition,
    readonly agents: number,
    readonly rows: number,
    readonly horizon: number,
    params: Readonly<Record<string, number>> = {},
  ) {
    if (!hasRewardGradient(def)) {
      throw new ConfigError('env', def.name, `a differentiable environment with a dense reward (${simulatorDifferentiableEnvNames().join(', ')})`);
    }
    requireInt(`${def.name} rollout horizon`, horizon, 1);
    if (actionDim(def) > 16) throw new ConfigError(`${def.name} action size`, actionDim(def), 'at most 16');
    this.S = stateDim(def);
    this.O = obsDim(def);
    this.A = actionDim(def);
    this.blockWidth = this.S + this.O + this.A;
    this.rowWidth = (horizon + 1) * this.blockWidth + horizon;
    this.trajectory = f32(ctx, `${def.name}.rollout`, [agents, rows, this.rowWidth]);
    this.physics = paramsUniform(ctx, def, resolveParams(def, params));
  }

  private cols(from: number, count: number): MatrixView {
    return matrix(this.trajectory, { agents: this.agents, rows: this.rows, cols: count, offset: from, rowStride: this.rowWidth });
  }

  state(t: number): MatrixView {
    return this.cols(t * this.blockWidth, this.S);
  }

  obs(t: number): MatrixView {
    return this.cols(t * this.blockWidth + this.S, this.O);
  }

  action(t: number): MatrixView {
    return this.cols(t * this.blockWidth + this.S + this.O, this.A);
  }

  reward(t: number): MatrixView {
    return this.cols((this.horizon + 1) * this.blockWidth + t, 1);
  }

  /** All H rewards as one [agents x rows x H] view. */
  rewards(): MatrixView {
    return this.cols((this.horizon + 1) * this.blockWidth, this.horizon);
  }

  private uniformFor(t: number, state: MatrixView | null, record: number, label: string): GPUBuffer {
    const u = uniform().u32(this.rows).u32(record).u32(0).u32(0);
    const at = (v: MatrixView) => u.view(v);
    at(this.state(t)); at(this.obs(t)); at(this.action(t)); at(this.reward(Math.min(t, this.horizon - 1)));
    at(this.state(Math.min(t + 1, this.horizon))); at(this.obs(Math.min(t + 1, this.horizon)));
    at(state ?? this.state(t));
    const { actionLow: lo, actionHigh: hi } = this.def;
    for (let i = 0; i < 16; i++) u.f32(i < this.A ? (lo[i] + hi[i]) / 2 : 0);
    for (let i = 0; i < 16; i++) u.f32(i < this.A ? (hi[i] - lo[i]) / 2 : 0);
    return u.build(this.ctx, label);
  }

  private dispatch(cache: PipelineCache, entryPoint: string, bindings: Record<number, Tensor | GPUBuffer>, label: string): Promise<Dispatch> {
    return makeDispatch(cache, { shader: rolloutShader(this.def.shader), entryPoint }, { 0: this.physics, ...bindings }, [groups(this.rows, 64), this.agents], label);
  }

  /** s_0 from env records (state in the first S columns of `state`'s rows), o_0 = obs(s_0). */
  start(cache: PipelineCache, state: MatrixView): Promise<Dispatch> {
    if (state.agents !== this.agents || state.rows !== this.rows || state.cols < this.S) {
      throw new ConfigError(`${this.def.name} rollout start`, `[${state.agents} x ${state.rows} x ${state.cols}]`, `[${this.agents} x ${this.rows} x >= ${this.S}]`);
    }
    const label = `${this.def.name} rollout start`;
    return this.dispatch(cache, 'start', { 13: this.uniformFor(0, state, 0, label), 14: this.trajectory, 17: state.tensor }, label);
  }

  /** s_{t+1}, o_{t+1}, r_t from s_t, a_t. */
  step(cache: PipelineCache, t: number): Promise<Dispatch> {
    const label = `${this.def.name} rollout step ${t}`;
    return this.dispatch(cache, 'step', { 13: this.uniformFor(t, null, 0, label), 14: this.trajectory }, label);
  }

  /** Adds J^T [c_s(t+1), c_r(t), c_o(t+1)] into block t (s_t, a_t) of `grad`. */
  vjp(cache: PipelineCache, t: number, grad: Tensor<'f32'>): Promise<Dispatch> {
    if (grad.size !== this.trajectory.size) throw new ConfigError(`${this.def.name} rollout gradient`, grad.size, `${this.trajectory.size} elements`);
    const label = `${this.def.name} rollout vjp ${t}`;
    return this.dispatch(cache, 'vjp', { 13: this.uniformFor(t, null, 0, label), 15: this.trajectory, 16: grad }, label);
  }
}

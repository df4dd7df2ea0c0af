/**
 * SVG(inf): stochastic value gradients through a whole trajectory (Heess et al. 2015, sec. 4.1).
 * The policy's noise z_t and the dynamics are frozen along a trajectory of H steps, so its return
 * is a deterministic, differentiable function of the policy parameters:
 *
 *   a_t = tanh(mu(o_t) + sigma(o_t) z_t),  s_{t+1} = f(s_t, a_t),  J = sum_t gamma^t r(s_t, a_t)
 *   theta <- theta + Adam(clip(grad_theta J))       (backpropagation through time)
 *
 * Each training unit acts H steps in the real envs with the current policy (the returns the
 * trainer reports), then takes one policy step. Dynamics 'sim' differentiates H-step rollouts of
 * the true simulator (the envs' VJP kernels) from the states the envs were in when the unit began,
 * with fresh frozen noise: analytic policy gradient. Dynamics 'model' is the paper's: it infers
 * the policy noise and a learned model's residuals along the unit's real trajectories and
 * differentiates the model's rewards along them (see modelGraph).
 *
 * With `--recurrent gru|lstm` the policy is pi(a_t | h_t), h_t = f(h_{t-1}, o_t): each rollout
 * starts from the state the acting cell carried when the unit began (zeroed where the env's
 * current observation starts an episode) and the cell runs in the graph one step at a time (a
 * closed loop: o_{t+1} depends on a_t), so the return is differentiated through the simulator (or
 * the learned model) and the cell together. With `--sensors positions` the policy reads only the positions
 * of the simulator's observation, in the rollout as in the env.
 */
import { hasRewardGradient, simulatorDifferentiableEnvNames } from '../envs/registry.js';
import { ConfigError } from '../errors.js';
import type { EnvBatch } from '../envs/batch.js';
import { recordWidth } from '../envs/batch.js';
import { SimRollout } from '../envs/rollout.js';
import { type EnvDefinition, stateDim } from '../envs/types.js';
import type { GpuContext } from '../gpu/context.js';
import type { Dispatch, PipelineCache } from '../gpu/kernel.js';
import { Recorder } from '../gpu/recorder.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { type MatrixView, broadcastRow, columns, matrix } from '../gpu/view.js';
import { Adam } from '../nn/adam.js';
import { Mlp } from '../nn/mlp.js';
import { ReplayBuffer } from '../replay/buffer.js';
import { mapDispatch } from '../scg/ops.js';
import { Minibatch } from './common/minibatch.js';
import type { Clock } from '../rng/clock.js';
import { Stream } from '../rng/philox.js';
import { type GaussianNode, Graph, type Value } from '../scg/graph.js';
import type { AlgorithmParts, Build, EvalNetworks, RunShape } from './common/algorithm.js';
import { PolicyAlgorithm } from './common/policy.js';
import { SvgInfRows, svgInfRowsUnsupported } from './svgInfRows.js';
import { chooseProgram } from './common/rowProgram.js';
import { type MetricTable, counter, mean } from './common/metrics.js';
import { trainingState } from './common/state.js';
import { GaussianPolicy } from './common/gaussianPolicy.js';
import { type OptionValues, resolveOptions } from './common/options.js';
import { RecurrentPolicy, checkRecurrent, recurrentSchema } from './common/recurrentPolicy.js';
import { type CellKind, RecurrentCell } from '../nn/recurrent.js';

export const svgInfSchema = {
  policyHidden: { kind: 'list', default: [64, 64], min: 1, help: 'hidden layer widths of the policy (ours)' },
  policyLr: { kind: 'number', default: 1e-3, min: 0, exclusiveMin: true, help: 'Adam learning rate of the policy (Kingma & Ba default)' },
  gamma: { kind: 'number', default: 0.99, min: 0, max: 1, help: 'discount factor' },
  horizon: { kind: 'number', default: 0, min: 0, integer: true, help: 'steps differentiated through per rollout (0: the episode length)' },
  maxGradNorm: { kind: 'number', default: 1, min: 0, help: 'clip the policy gradient to this global norm (0 = off); long horizons explode without it' },
  dynamics: { kind: 'choice', default: 'sim', choices: ['sim', 'model'], help: 'what the rollout differentiates: sim = the true simulator through its VJP kernels; model = a learned model along real trajectories (as in the paper)' },
  modelHidden: { kind: 'list', default: [64, 64], min: 1, help: '--dynamics model: hidden layer widths of the model f(o, a) = [o\' - o | r] (ours)' },
  modelLr: { kind: 'number', default: 1e-3, min: 0, exclusiveMin: true, help: '--dynamics model: Adam learning rate of the model' },
  modelBatch: { kind: 'number', default: 256, min: 1, integer: true, help: '--dynamics model: minibatch size of a model update' },
  modelUpdates: { kind: 'number', default: 50, min: 1, integer: true, help: '--dynamics model: model updates per training unit (H env steps)' },
  bufferSize: { kind: 'number', default: 200_000, min: 1, integer: true, help: '--dynamics model: replay capacity for the model, transitions per agent' },
  ...recurrentSchema,
  program: {
    kind: 'choice', default: 'auto', choices: ['auto', 'rows', 'layers'],
    help: 'how a unit runs: rows = row programs (5 dispatches whatever the horizon: acting, each rollout and its backward in one invocation, gradient, Adam), layers = one dispatch per layer and step; auto = rows where they can run (--dynamics sim, a feedforward policy on all sensors, layers up to 256 wide) and the driver builds them',
  },
} as const;

export type SvgInfConfig = OptionValues<typeof svgInfSchema>;

export function svgInfConfig(given: Readonly<Record<string, unknown>> = {}): SvgInfConfig {
  return resolveOptions(svgInfSchema, given);
}

/** Metric slots per agent: the imagined cost (every step's cost adds to it), the update counter, the model loss. */
const SLOTS = { cost: 0, updates: 1, modelLoss: 2 } as const;
const METRICS_WIDTH = 8;

export class SvgInf extends PolicyAlgorithm<SvgInfConfig, GaussianPolicy | RecurrentPolicy> {
  readonly name = 'svg-inf';

  private constructor(
    b: Build<SvgInfConfig>,
    policy: GaussianPolicy | RecurrentPolicy,
    parts: AlgorithmParts,
    /** The policy update's graph passes and its action nodes (for gradient checks): the per-layer program's. */
    readonly policyUpdate: { forward: Dispatch[]; backward: Dispatch[]; actions: GaussianNode[]; rewards: MatrixView[] } | null,
    /** The row programs a unit runs as, or null (one dispatch per layer and step). */
    readonly rows: SvgInfRows | null = null,
  ) {
    super(b, policy, parts);
  }

  /** The policy: with --recurrent a cell over the observations, the Gaussian head then reading h_t. */
  static networks(ctx: GpuContext, env: EnvBatch, config: SvgInfConfig, seed: number): { policy: GaussianPolicy | RecurrentPolicy } {
    // Init stream 4: the learned model's is 3 (the cell's draws would repeat its first layer's).
    const cell = config.recurrent === 'none' ? null : RecurrentCell.create(ctx, { kind: config.recurrent as CellKind, inDim: env.obsWidth, hidden: config.recurrentWidth, agents: env.agents }, { seed, stream: 4, label: 'recurrent' });
    const head = GaussianPolicy.create(ctx, cell ? config.recurrentWidth : env.obsWidth, env.actionDim, config.policyHidden, env.agents, { seed, squash: true });
    return { policy: cell ? new RecurrentPolicy(cell, head, env) : head };
  }

  static async create(ctx: GpuContext, cache: PipelineCache, env: EnvBatch, clock: Clock, config: SvgInfConfig, seed: number): Promise<SvgInf> {
    const { policy } = SvgInf.networks(ctx, env, config, seed);
    const horizon = config.horizon > 0 ? config.horizon : env.horizon;
    const agents = env.agents, rows = env.envs;
    const opt = new Adam(ctx, policy.net.params, policy.net.grads, agents, { lr: config.policyLr, maxGradNorm: config.maxGradNorm }, 'policy.adam');
    // A recurrent policy's cell: its own Adam, clipped to the same norm (as the recurrent PPO's).
    const cell = policy instanceof RecurrentPolicy ? policy.cell : null;
    const cellOpt = cell && new Adam(ctx, cell.params, cell.grads, agents, { lr: config.policyLr, maxGradNorm: config.maxGradNorm }, 'recurrent.adam');
    const metrics = f32(ctx, 'svg-inf.metrics', [agents, METRICS_WIDTH]);

    // ---- acting: H steps of the real envs with the current stochastic policy ----
    const action = f32(ctx, 'svg-inf.action', [agents * rows, env.actionDim]);
    const actor = await policy.acting(cache, env, clock, { seed, action });
    const acting = { dispatches: await actor.step() };
    const act: Dispatch[] = [await clock.tick(cache), ...acting.dispatches, env.stepDispatch];

    const state = trainingState({ networks: { policy: policy.net }, optimizers: { policy: opt }, env, clock, metrics });
    const table: MetricTable = {
      tensor: metrics,
      width: METRICS_WIDTH,
      specs: [
        mean('imagined_return', SLOTS.cost, 'updates', { scale: -1 }),
        ...(config.dynamics === 'model' ? [mean('model_loss', SLOTS.modelLoss, 'updates', { times: config.modelUpdates })] : []),
        counter('updates', SLOTS.updates),
      ],
    };
    const warmup = { recorder: new Recorder(ctx, 'svg-inf warmup').add(...act), iterations: 1 };
    const build = { ctx, cache, env, clock, config, seed };
    const rowsUnsupported = () => (policy instanceof RecurrentPolicy ? `--recurrent ${config.recurrent} (the cell runs in the per-layer program)` : env.selection.length > 0 ? '--sensors positions (the per-layer program selects the rollout\'s observations)' : svgInfRowsUnsupported(ctx.limits, config, policy, env, horizon));
    if (chooseProgram(config.program, true, rowsUnsupported) === 'rows' && policy instanceof GaussianPolicy) {
      // Row programs: acting, then each rollout and its backward through time, the gradient and Adam.
      const rows = new SvgInfRows(cache, { env, clock, config, seed, horizon, policy, opt, metrics: { tensor: metrics, width: METRICS_WIDTH, costSlot: SLOTS.cost, counterSlot: SLOTS.updates } });
      const train = new Recorder(ctx, 'svg-inf train (rows)').add(await rows.acting(), ...(await rows.policyUpdate()));
      return new SvgInf(build, policy, { warmup, train: { recorder: train, iterations: horizon }, warmupIterations: 0, state, metrics: table }, null, rows);
    }

    // ---- the policy update: the return of H-step trajectories, differentiated through them ----
    const g = new Graph(ctx, cache, { agents, rows, clock, label: 'svg-inf', metrics: { tensor: metrics, width: METRICS_WIDTH, firstSlot: SLOTS.modelLoss + 1 } });
    const unrolled: Unrolled = { ctx, g, cache, env, clock, policy, horizon, config, seed, action };
    const parts = config.dynamics === 'sim' ? await simulatorGraph(unrolled) : await modelGraph(unrolled);
    g.counter('updates', SLOTS.updates);
    const update = await g.compile();

    const train = new Recorder(ctx, 'svg-inf train').add(...parts.start);
    for (let t = 0; t < horizon; t++) train.add(await clock.tick(cache), ...acting.dispatches, ...parts.beforeStep(t), env.stepDispatch, ...parts.afterStep(t));
    train.add(...parts.beforeUpdate, ...update.forward, ...update.backward, ...(await opt.step(cache)), ...(cellOpt ? await cellOpt.step(cache) : []));
    const layersState = trainingState({
      networks: { policy: policy.net, ...parts.networks },
      optimizers: { policy: opt, ...parts.optimizers, ...(cellOpt ? { recurrent: cellOpt } : {}) },
      env, replay: parts.replay, clock, metrics,
      // A recurrent policy's reset flags come from the env's last step flags (step_out), read before stepping.
      other: policy instanceof RecurrentPolicy ? { 'recurrent.params': policy.cell.params, 'recurrent.acting_state': policy.state, 'env.step_out': env.stepOut } : undefined,
    });
    return new SvgInf(build, policy, { warmup, train: { recorder: train, iterations: horizon }, warmupIterations: 0, state: layersState, metrics: table }, { ...update, actions: parts.actions, rewards: parts.rewards });
  }

  static evalNetworks(ctx: GpuContext, env: EnvBatch, config: SvgInfConfig, seed: number): EvalNetworks {
    return SvgInf.networks(ctx, env, config, seed).policy.evalNetworks();
  }

  /** Through the simulator: a differentiable env with a dense reward and exact observations (all, or its positions). */
  static check(run: RunShape, def: EnvDefinition, config: SvgInfConfig): void {
    if (config.recurrent !== 'none') checkRecurrent(run, config.horizon > 0 ? config.horizon : def.horizon, config);
    if (config.dynamics !== 'sim') return;
    const name = 'svg-inf --dynamics sim';
    if (!hasRewardGradient(def)) throw new ConfigError('--env', def.name, `a differentiable env with a dense reward for ${name} (${simulatorDifferentiableEnvNames().join(', ')})`);
    if (run.obsNoise !== 0) throw new ConfigError('--obs-noise', run.obsNoise, `0 for ${name} through the simulator`);
    if (run.sysid !== 0) throw new ConfigError('--sysid', run.sysid, `0 for ${name} through the simulator`);
  }
}

/** What building the unrolled graph of one policy update needs. */
interface Unrolled extends Build<SvgInfConfig> {
  g: Graph;
  policy: GaussianPolicy | RecurrentPolicy;
  horizon: number;
  /** The actions the acting policy takes (normalized), for recording real trajectories. */
  action: Tensor<'f32'>;
}

/** What a dynamics source adds to a training unit of H acting steps, and its graph. */
interface DynamicsParts {
  start: Dispatch[];
  beforeStep(t: number): Dispatch[];
  afterStep(t: number): Dispatch[];
  beforeUpdate: Dispatch[];
  /** What it adds to the checkpoint. */
  networks?: Record<string, Mlp>;
  optimizers?: Record<string, Adam>;
  replay?: ReplayBuffer;
  actions: GaussianNode[];
  /** Each step's (imagined) reward [agents x rows x 1], as the forward pass leaves them (for gradient checks in float64). */
  rewards: MatrixView[];
}

/** Discounted negative rewards as costs, all reported into the imagined-cost slot. */
function returnCosts(g: Graph, rewards: Value[], gamma: number): void {
  rewards.forEach((r, t) => g.sumCost(r, { scale: -(gamma ** t), label: `-gamma^${t} r${t}`, metricSlot: SLOTS.cost }));
}

/**
 * o_t -> policy -> a_t -> true simulator -> (s, o)_{t+1}, r_t, from the states the envs were in
 * when the unit began, with the policy noise drawn once per step (`draw` = t) and held fixed.
 */
async function simulatorGraph({ g, cache, env, policy, horizon: H, config, seed }: Unrolled): Promise<DynamicsParts> {
  const { agents, envs: rows, actionDim: A } = env;
  const rollout = new SimRollout(g.ctx, env.def, agents, rows, H, env.params);
  const trajGrad = g.gradTensor(rollout.trajectory);
  const heads = f32(g.ctx, 'svg-inf.policy_heads', [agents, rows, H * 2 * A]);
  let s: Value = g.input(rollout.state(0), { label: 's0' });
  let o: Value = g.input(rollout.obs(0), { label: 'o0' });
  const rewards: Value[] = [];
  const actions: GaussianNode[] = [];
  // What the policy reads: the env's observations (its selected sensors) of the rollout's states.
  const sensed = (v: Value, t: number) => (env.selection.length > 0 ? g.selectColumns(v, env.selection, `sensed o${t}`) : v);
  const recurrent = policy instanceof RecurrentPolicy ? await policy.rolloutLoop(g, cache, env, H, config.truncation) : null;
  let h: Value | null = null;
  for (let t = 0; t < H; t++) {
    const into = matrix(heads, { agents, rows, cols: 2 * A, offset: t * 2 * A, rowStride: H * 2 * A });
    if (recurrent) h = recurrent.loop.step(t, sensed(o, t), h);
    const out = g.mlp(policy.net, h ?? sensed(o, t), { into, label: `policy t${t}` });
    actions.push(g.gaussian(g.slice(out, 0, A), g.slice(out, A, A), {
      estimator: 'pathwise', squash: true, seed, stream: Stream.sample, draw: t, into: rollout.action(t), label: `a${t}`,
    }));
    const a = actions[t].sample;
    const [next, nextObs, r] = g.custom({
      label: `sim step ${t}`, inputs: [s, a], outputs: [rollout.state(t + 1), rollout.obs(t + 1), rollout.reward(t)], outputLabels: [`s${t + 1}`, `o${t + 1}`, `r${t}`],
      forward: [await rollout.step(cache, t)], backward: [await rollout.vjp(cache, t, trajGrad)],
    });
    [s, o] = [next, nextObs];
    rewards.push(r);
  }
  const discounts = f32(g.ctx, 'svg-inf.discounts', [H], Array.from({ length: H }, (_, t) => config.gamma ** t));
  // Cost: the negative discounted return, averaged over rollouts.
  g.sumCost(g.join(rewards), { scale: -1, weights: broadcastRow(discounts, { agents, rows, cols: H }), label: 'negative return', metricSlot: SLOTS.cost });
  const envStates = matrix(env.envState, { agents, rows, cols: stateDim(env.def), rowStride: recordWidth(env.def) });
  return { start: [await rollout.start(cache, envStates), ...(recurrent?.start ?? [])], beforeStep: () => [], afterStep: () => [], beforeUpdate: [], actions, rewards: rewards.map((r) => r.view) };
}

/**
 * The paper's SVG(inf): the real trajectory of the unit is recorded (o_t, a_t, r_t), the policy
 * noise eta_t that reproduces each a_t and the model residual zeta_t = o_{t+1} - o_t - f_o(o_t, a_t)
 * are inferred, and the return r_f summed along o_{t+1} = o_t + f_o(o_t, a_t) + zeta_t is
 * differentiated with eta and zeta held fixed. The model f(o, a) = [o' - o | r] is fitted to
 * replayed real transitions before each policy update.
 */
async function modelGraph({ g, cache, env, clock, policy, horizon: H, config, seed, action }: Unrolled): Promise<DynamicsParts> {
  const ctx = g.ctx;
  const { agents, envs: rows, actionDim: A, obsWidth: O } = env;
  const model = Mlp.create(ctx, { sizes: [O + A, ...config.modelHidden, O + 1], agents }, { seed, stream: 3, label: 'model' });
  const modelOpt = new Adam(ctx, model.params, model.grads, agents, { lr: config.modelLr }, 'model.adam');

  // ---- the real trajectory: blocks [o_t | a_t] for t = 0..H, rewards after them ----
  const W = O + A, width = (H + 1) * W + H;
  const real = f32(ctx, 'svg-inf.real', [agents, rows, width]);
  const at = (t: number, from: number, cols: number): MatrixView => matrix(real, { agents, rows, cols, offset: t * W + from, rowStride: width });
  const reward = (t: number) => matrix(real, { agents, rows, cols: 1, offset: (H + 1) * W + t, rowStride: width });
  const copy = (a: MatrixView, out: MatrixView, label: string) => mapDispatch(cache, { op: 'add', a, alpha: 1, beta: 0, out }, label);
  const nextObs = matrix(env.nextObs, { agents, rows, cols: O, rowStride: O + env.def.goalDim });
  const actionView = matrix(action, { agents, rows, cols: A });
  const stepOut = matrix(env.stepOut, { agents, rows, cols: 3 });
  const replay = new ReplayBuffer(ctx, env, action, clock, { capacity: config.bufferSize, seed, stream: Stream.replay, field: '--buffer-size' });
  const [insertStart, insertEnd] = await replay.inserts(cache);
  const afterStep: Dispatch[][] = [];
  for (let t = 0; t < H; t++) {
    afterStep.push([
      insertEnd,
      await copy(actionView, at(t, O, A), `record a${t}`),
      await copy(columns(stepOut, 0, 1), reward(t), `record r${t}`),
      // The state the step reached (the final one at an episode end): the chain continues there.
      await copy(nextObs, at(t + 1, 0, O), `record o${t + 1}`),
    ]);
  }

  // ---- model regression on replayed transitions: [o' - o | r] from (o, a) ----
  const B = config.modelBatch;
  const batch = new Minibatch(ctx, 'svg-inf.model_batch', agents, B, { o: O, a: A, o2: O, r: 1, terminated: 1 });
  const target = new Minibatch(ctx, 'svg-inf.model_target', agents, B, { do: O, r: 1 });
  const gm = new Graph(ctx, cache, { agents, rows: B, clock, label: 'svg-inf model', metrics: { tensor: g.metrics, width: g.metricWidth, firstSlot: SLOTS.modelLoss } });
  gm.squaredError(gm.mlp(model, gm.input(batch.view('o', 'a'), { label: '(o, a)' }), { label: 'model' }), target.view('do', 'r'), { label: 'model loss' });
  const modelStep = await gm.compile();
  const modelUpdates: Dispatch[] = [];
  for (let u = 0; u < config.modelUpdates; u++) {
    modelUpdates.push(
      await batch.sample(cache, replay, { o: 'obs', a: 'action', o2: 'nextObs', r: 'reward' }, { draw: u }),
      await mapDispatch(cache, { op: 'add', a: batch.view('o2'), b: batch.view('o'), alpha: 1, beta: -1, out: target.view('do') }, "o' - o"),
      await copy(batch.view('r'), target.view('r'), 'r'),
      ...modelStep.forward, ...modelStep.backward, ...(await modelOpt.step(cache)),
    );
  }

  // ---- the graph: blocks [o_t | a_theta_t] of the imagined (= real, in value) trajectory ----
  const imagined = f32(ctx, 'svg-inf.imagined', [agents, rows, (H + 1) * W]);
  const im = (t: number, from: number, cols: number): MatrixView => matrix(imagined, { agents, rows, cols, offset: t * W + from, rowStride: (H + 1) * W });
  let o: Value = g.input(im(0, 0, O), { label: 'o0' });
  const rewards: Value[] = [];
  const recurrent = policy instanceof RecurrentPolicy ? await policy.rolloutLoop(g, cache, env, H, config.truncation) : null;
  const start = [await copy(env.obsView, at(0, 0, O), 'record o0'), ...(recurrent?.start ?? [])];
  const setup: Dispatch[] = [await copy(at(0, 0, O), im(0, 0, O), 'o0 into the graph')];
  const actions: GaussianNode[] = [];
  let h: Value | null = null;
  for (let t = 0; t < H; t++) {
    // A recurrent policy's cell over the imagined observations, from the state acting carried at the unit's start.
    if (recurrent) h = recurrent.loop.step(t, o, h);
    const heads = g.mlp(policy.net, h ?? o, { label: `policy t${t}` });
    actions.push(g.gaussian(g.slice(heads, 0, A), g.slice(heads, A, A), {
      estimator: 'pathwise', squash: true, inferFrom: at(t, O, A), into: im(t, O, A), seed, stream: Stream.sample, draw: t, label: `a${t}`,
    }));
    const a = actions[t].sample;
    const f = g.mlp(model, g.join([o, a]), { train: false, label: `model t${t}` });
    const predicted = g.add(o, g.slice(f, 0, O), 1, 1, `o${t} + f_o`);
    const zetaView = matrix(f32(ctx, `svg-inf.zeta${t}`, [agents, rows, O]), { agents, rows, cols: O });
    const [zeta] = g.custom({
      label: `infer zeta${t}`, inputs: [], outputs: [zetaView], outputLabels: [`zeta${t}`],
      forward: [await mapDispatch(cache, { op: 'add', a: at(t + 1, 0, O), b: predicted.view, alpha: 1, beta: -1, out: zetaView }, `zeta${t}`)],
    });
    o = g.add(predicted, zeta, 1, 1, `o${t + 1}`, im(t + 1, 0, O));
    rewards.push(g.slice(f, O, 1, `r_f${t}`));
  }
  returnCosts(g, rewards, config.gamma);
  return {
    start: [...start, ...setup],
    beforeStep: () => [insertStart],
    afterStep: (t) => afterStep[t],
    beforeUpdate: modelUpdates,
    networks: { model },
    optimizers: { model: modelOpt },
    replay,
    actions,
    rewards: rewards.map((r) => r.view),
  };
}

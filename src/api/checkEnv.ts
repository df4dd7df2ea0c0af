/**
 * checkEnv: gymnasium's env checker for an environment's WGSL. It compiles the env's programs,
 * resets a batch on the GPU and plays random actions in the action bounds, and at every step
 * compares what the WGSL did with the float64 reference (when the definition has one) from the
 * very state the GPU was in: reset states (from the same Philox uniforms), rewards, terminations,
 * next states and observations. It reports non-finite values, observations outside the declared
 * bounds, and for differentiable envs the VJP (from the dual-number step) against central
 * differences of the reference. Each kind of problem is reported once, at its first occurrence.
 */
import { EnvBatch, recordWidth } from '../envs/batch.js';
import { getEnv } from '../envs/registry.js';
import { type EnvDefinition, type EnvReference, actionDim, obsDim, stateDim } from '../envs/types.js';
import { EnvVjp } from '../envs/vjp.js';
import { GpuError, requireInt, requireNumber } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/kernel.js';
import { runOnce } from '../gpu/recorder.js';
import { Clock } from '../rng/clock.js';
import { normal4, uniform4 } from '../rng/philox.js';
import { resetUniforms } from '../envs/resetUniforms.js';

export interface CheckEnvOptions {
  /** Environments stepped in parallel; default 64. */
  envs?: number;
  /** Random-action steps of every env; default 50. */
  steps?: number;
  seed?: number;
  /** GPU (float32) against reference (float64): |gpu - ref| <= rel |ref| + abs; default 1e-4, 1e-5. */
  tolerance?: { rel?: number; abs?: number };
  /** The VJP against central differences of the reference, the same form; default 1e-3, 1e-3. */
  vjpTolerance?: { rel?: number; abs?: number };
}

export type EnvCheck = 'wgsl' | 'reset' | 'step' | 'non-finite' | 'observation-bounds' | 'vjp';

export interface EnvProblem {
  check: EnvCheck;
  message: string;
}

export interface EnvCheckReport {
  env: string;
  /** No problem found. */
  ok: boolean;
  problems: EnvProblem[];
  /** Environments reset and transitions stepped (each compared with the reference where there is one). */
  resets: number;
  transitions: number;
  /** Whether a float64 reference was compared; rows of the VJP compared (0: none, or no reference). */
  reference: boolean;
  vjpRows: number;
}


/** The stream of checkEnv's own random actions and cotangents (no kernel draws from it). */
const CHECK_STREAM = 0x636b;

const fmt = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : String(v));
const vec = (v: ArrayLike<number>) => `[${Array.from(v, fmt).join(', ')}]`;

class Problems {
  readonly list: EnvProblem[] = [];
  add(check: EnvCheck, message: string): void {
    if (!this.list.some((p) => p.check === check)) this.list.push({ check, message });
  }
  has(check: EnvCheck): boolean {
    return this.list.some((p) => p.check === check);
  }
}

/** Runs the checks on `env` (a definition or a registered name) and returns what it found. */
export async function checkEnv(ctx: GpuContext, cache: PipelineCache, env: EnvDefinition | string, options: CheckEnvOptions = {}): Promise<EnvCheckReport> {
  const def = typeof env === 'string' ? getEnv(env) : env;
  const n = requireInt('checkEnv envs', options.envs ?? 64, 1, 65536);
  const steps = requireInt('checkEnv steps', options.steps ?? 50, 0, 100_000);
  const seed = requireInt('checkEnv seed', options.seed ?? 1, 0, 0xffffffff);
  const rel = requireNumber('checkEnv tolerance.rel', options.tolerance?.rel ?? 1e-4, 0, 1);
  const abs = requireNumber('checkEnv tolerance.abs', options.tolerance?.abs ?? 1e-5, 0, 1e6);
  const vjpTolerance = {
    rel: requireNumber('checkEnv vjpTolerance.rel', options.vjpTolerance?.rel ?? 1e-3, 0, 1),
    abs: requireNumber('checkEnv vjpTolerance.abs', options.vjpTolerance?.abs ?? 1e-3, 0, 1e6),
  };
  const problems = new Problems();
  const report = (resets: number, transitions: number, vjpRows: number): EnvCheckReport => ({
    env: def.name, ok: problems.list.length === 0, problems: problems.list, resets, transitions, reference: def.reference !== undefined, vjpRows,
  });

  const { value, resources } = await ctx.collect(async () => {
    const clock = new Clock(ctx);
    try {
      const batch = await new EnvBatch(ctx, def, { envs: n, seed, clock, label: `checkEnv(${def.name})` }).build(cache);
      const vjp = def.differentiable ? new EnvVjp(ctx, def, n) : null;
      if (vjp) await vjp.dispatch(cache);
      return { error: null, batch, vjp, tick: await clock.tick(cache) };
    } catch (e) {
      if (e instanceof GpuError) return { error: e, batch: null };
      throw e;
    }
  });
  try {
    if (value.error || !value.batch) {
      problems.add('wgsl', value.error?.message ?? 'the env did not build');
      return report(0, 0, 0);
    }
    const { batch, vjp, tick } = value;
    const p = def.params;
    const S = stateDim(def), O = obsDim(def), A = actionDim(def), W = recordWidth(def);
    const close = (got: number, want: number) => Math.abs(got - want) <= rel * Math.abs(want) + abs;
    const field = (names: readonly string[], k: number) => `[${k}] '${names[k]}'`;

    const checkObs = (obs: ArrayLike<number>, where: string) => {
      for (let k = 0; k < O; k++) {
        const v = obs[k];
        if (!Number.isFinite(v)) problems.add('non-finite', `${where}: observation${field(def.obsFields, k)} is ${v}`);
        else if ((def.observationLow && v < def.observationLow[k]) || (def.observationHigh && v > def.observationHigh[k])) {
          problems.add('observation-bounds', `${where}: observation${field(def.obsFields, k)} = ${fmt(v)} is outside its bounds [${fmt(def.observationLow?.[k] ?? -Infinity)}, ${fmt(def.observationHigh?.[k] ?? Infinity)}]`);
        }
      }
    };
    // A value the GPU made non-finite is reported by the non-finite check, not again here.
    const compare = (what: string, got: ArrayLike<number>, want: readonly number[], names: readonly string[], check: EnvCheck, where: string) => {
      if (!Array.isArray(want) || want.length !== names.length) {
        problems.add(check, `${where}: the reference gave ${Array.isArray(want) ? `${want.length} values` : String(want)} for the ${what} (${names.length} fields: ${names.join(', ')})`);
        return;
      }
      for (let k = 0; k < want.length; k++) {
        if (Number.isFinite(got[k]) && !close(got[k], want[k])) {
          problems.add(check, `${where}: ${what}${field(names, k)} is ${fmt(got[k])} on the GPU (WGSL) but ${fmt(want[k])} in the reference`);
          return;
        }
      }
    };

    // Reset: every env's first state and observation.
    await runOnce(ctx, [batch.resetDispatch], 'checkEnv reset');
    let record = await batch.envState.read();
    const obs0 = await batch.obs.read();
    for (let i = 0; i < n; i++) {
      const s = record.subarray(i * W, i * W + S);
      const where = `env_reset (env ${i})`;
      s.forEach((v, k) => {
        if (!Number.isFinite(v)) problems.add('non-finite', `${where}: state${field(def.stateFields, k)} is ${v}`);
      });
      checkObs(obs0.subarray(i * O, (i + 1) * O), where);
      if (def.reference) {
        const u = resetUniforms(def, seed, i, 0);
        compare('state', s, def.reference.reset(u, p), def.stateFields, 'reset', `env_reset vs reference.reset (env ${i}, uniforms ${vec(u)})`);
        compare('observation', obs0.subarray(i * O, (i + 1) * O), def.reference.obs(Array.from(s), p), def.obsFields, 'reset', `env_obs vs reference.obs after reset (env ${i}, state ${vec(s)})`);
      }
    }

    // Steps with random actions, each compared from the exact state the GPU stepped.
    const actions = new Float32Array(n * A);
    for (let t = 0; t < steps; t++) {
      for (let i = 0; i < n * A; i += 4) {
        const u = uniform4([seed, CHECK_STREAM], [i, t, 0, 0]);
        for (let j = 0; j < 4 && i + j < n * A; j++) {
          const k = (i + j) % A;
          actions[i + j] = def.actionLow[k] + u[j] * (def.actionHigh[k] - def.actionLow[k]);
        }
      }
      const before = record.slice();
      batch.action.write(actions);
      await runOnce(ctx, [tick, batch.stepDispatch], 'checkEnv step');
      const [after, nextObs, out] = await Promise.all([batch.envState.read(), batch.nextObs.read(), batch.stepOut.read()]);
      for (let i = 0; i < n; i++) {
        const s = Array.from(before.subarray(i * W, i * W + S));
        const a = Array.from(actions.subarray(i * A, (i + 1) * A));
        const where = `env_step (env ${i}, step ${t}, state ${vec(s)}, action ${vec(a)})`;
        const [reward, terminated, truncated] = [out[i * 3], out[i * 3 + 1] > 0.5, out[i * 3 + 2] > 0.5];
        const reached = nextObs.subarray(i * O, (i + 1) * O);
        const ended = terminated || truncated;
        if (!Number.isFinite(reward)) problems.add('non-finite', `${where}: reward is ${reward}`);
        after.subarray(i * W, i * W + S).forEach((v, k) => {
          if (!Number.isFinite(v)) problems.add('non-finite', `${where}: next state${field(def.stateFields, k)} is ${v}${ended ? ' (after the auto-reset)' : ''}`);
        });
        checkObs(reached, where);
        if (!def.reference || problems.has('step')) continue;
        const ref = def.reference.step(s, a, p);
        if (Number.isFinite(reward) && !close(reward, ref.reward)) problems.add('step', `${where}: reward is ${fmt(reward)} on the GPU (WGSL) but ${fmt(ref.reward)} in the reference`);
        else if (terminated !== ref.terminated) problems.add('step', `${where}: terminated is ${terminated} on the GPU (WGSL) but ${ref.terminated} in the reference`);
        else {
          compare('observation', reached, def.reference.obs(ref.state, p), def.obsFields, 'step', `${where}, observation of the next state`);
          if (!ended) compare('next state', after.subarray(i * W, i * W + S), ref.state, def.stateFields, 'step', where);
          else if (!problems.has('step')) {
            const episodes = before[i * W + S + 1] + 1;
            compare('state', after.subarray(i * W, i * W + S), def.reference.reset(resetUniforms(def, seed, i, episodes), p), def.stateFields, 'reset', `auto-reset after an episode end (env ${i}, episode ${episodes})`);
          }
        }
      }
      record = after;
    }

    // VJP of the dual-number step against central differences of the reference.
    let vjpRows = 0;
    if (vjp && def.reference) {
      vjpRows = n;
      const inputs = new Float32Array(n * (S + A));
      const cot = new Float32Array(n * (S + 1 + O));
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < S; k++) inputs[i * (S + A) + k] = record[i * W + k];
        for (let k = 0; k < A; k++) inputs[i * (S + A) + S + k] = actions[i * A + k];
        for (let k = 0; k < S + 1 + O; k++) cot[i * (S + 1 + O) + k] = normal4([seed, CHECK_STREAM + 1], [i, k, 0, 0])[0];
      }
      vjp.input.write(inputs);
      vjp.cotangent.write(cot);
      await runOnce(ctx, [await vjp.dispatch(cache)], 'checkEnv vjp');
      const got = await vjp.output.read();
      checkVjp(def, def.reference, inputs, cot, got, n, vjpTolerance, problems);
    }
    return report(n, n * steps, vjpRows);
  } finally {
    try {
      await ctx.sync('checkEnv');
    } finally {
      for (const r of resources) r.destroy();
    }
  }
}

/**
 * The VJP is compared row by row with central differences of the reference's
 * <c_s, s'> + c_r r + <c_o, obs(s')>. A random state can sit on a kink (a clipped velocity, a
 * wrapped angle) where the two legitimately differ, so a problem is reported only when more than
 * a tenth of the rows disagree, quoting the first (a derivative wrong only in a small region, such
 * as a saturated one, can pass: the reference comparison of the step itself still covers it).
 */
function checkVjp(def: EnvDefinition, ref: EnvReference, inputs: Float32Array, cot: Float32Array, got: Float32Array, n: number, tol: { rel: number; abs: number }, problems: Problems): void {
  const S = stateDim(def), A = actionDim(def), O = obsDim(def), p = def.params;
  const objective = (x: number[], c: Float32Array) => {
    const r = ref.step(x.slice(0, S), x.slice(S), p);
    const o = ref.obs(r.state, p);
    let total = c[S] * r.reward;
    for (let k = 0; k < S; k++) total += c[k] * r.state[k];
    for (let k = 0; k < O; k++) total += c[S + 1 + k] * o[k];
    return total;
  };
  let first: string | null = null;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const x = Array.from(inputs.subarray(i * (S + A), (i + 1) * (S + A)));
    const c = cot.subarray(i * (S + 1 + O), (i + 1) * (S + 1 + O));
    for (let k = 0; k < S + A; k++) {
      const h = 1e-6 * Math.max(1, Math.abs(x[k]));
      const plus = [...x], minus = [...x];
      plus[k] += h;
      minus[k] -= h;
      const fd = (objective(plus, c) - objective(minus, c)) / (2 * h);
      const g = got[i * (S + A) + k];
      if (!(Math.abs(g - fd) <= tol.rel * Math.abs(fd) + tol.abs)) {
        bad++;
        const name = k < S ? `state${`[${k}] '${def.stateFields[k]}'`}` : `action[${k - S}]`;
        first ??= `row ${i} (state ${vec(x.slice(0, S))}, action ${vec(x.slice(S))}): d/d ${name} is ${fmt(g)} from env_step_dual but ${fmt(fd)} by central differences of the reference`;
        break;
      }
    }
  }
  if (first && bad > n / 10) problems.add('vjp', `VJP (env_step_dual, env_obs_dual) disagrees with the reference in ${bad} of ${n} rows; first: ${first}`);
}

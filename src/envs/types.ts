/**
 * What an environment is: a spec (sizes, bounds, horizon), its WGSL file (physics on the GPU),
 * a float64 reference of the same equations (for tests), and drawing primitives. Algorithms see
 * only this interface and EnvBatch; src/envs knows nothing about networks.
 */
import type { ShaderSource } from '../gpu/shaders.js';

export type State = number[];

export interface StepResult {
  state: State;
  reward: number;
  terminated: boolean;
}

/**
 * Float64 reference with the same function names as the WGSL, so the two read side by side.
 * Parameters are the env's physical constants by name.
 */
export interface EnvReference {
  /** A fresh state from 8 uniforms in (0, 1) (the GPU draws them with Philox). */
  reset(u: readonly number[], p: Readonly<Record<string, number>>): State;
  step(s: readonly number[], a: readonly number[], p: Readonly<Record<string, number>>): StepResult;
  obs(s: readonly number[], p: Readonly<Record<string, number>>): number[];
  /** Goal envs: the goal the state achieves. */
  achievedGoal?(s: readonly number[], p: Readonly<Record<string, number>>): number[];
  /** Goal envs: whether the achieved goal is within tolerance of the desired one. */
  success?(s: readonly number[], p: Readonly<Record<string, number>>): boolean;
  /** Goal envs: the (goal part of the) reward for reaching `achieved` when `desired` was asked. */
  goalReward?(achieved: readonly number[], desired: readonly number[], p: Readonly<Record<string, number>>): number;
}

/** Drawing primitives in world coordinates (y up), for the browser demo and CLI pictures. */
export type Primitive =
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number; width: number; color: string }
  | { kind: 'circle'; x: number; y: number; r: number; color: string; fill: boolean };

export interface Scene {
  /** World-coordinate box to show: [xmin, ymin, xmax, ymax]. */
  bounds: readonly [number, number, number, number];
  primitives: Primitive[];
}

export interface EnvDefinition {
  /** Registry name, e.g. 'pendulum'. */
  name: string;
  /** The task it reproduces, e.g. 'Pendulum-v1 (gymnax)'. */
  origin: string;
  description: string;
  stateFields: readonly string[];
  obsFields: readonly string[];
  /** Indices into obsFields that are positions (rllab's limited-sensors variant keeps these). */
  positionObs: readonly number[];
  actionLow: readonly number[];
  actionHigh: readonly number[];
  /** Goal-conditioned envs: size of the achieved / desired goal (desired goal ends the obs). */
  goalDim: number;
  horizon: number;
  discount: number;
  /** Physical constants in the order of the WGSL `Params` struct (all f32). */
  params: Readonly<Record<string, number>>;
  /** Constants that system identification scales per episode (at most 4, in factor order). */
  sysidParams: readonly string[];
  shader: ShaderSource;
  /**
   * Uniforms env_reset consumes (default 8: u and u2); more come from the driver's reset_uniform4,
   * and the reference's reset gets them all (resetUniforms in src/envs/resetUniforms.ts).
   */
  resetUniforms?: number;
  /** Smooth almost everywhere: has env_step_dual and a VJP kernel. */
  differentiable: boolean;
  /**
   * The reward is a step function of the state (a sparse goal reward: 0 or -1), so its gradient is
   * zero wherever it exists: nothing to follow by backpropagation through the simulator.
   */
  sparseReward?: boolean;
  /** Float64 reference of the same equations (every built-in env has one; optional for defineEnv's). */
  reference?: EnvReference;
  /** Bounds of each observation field (checkEnv reports values outside them); absent: unbounded. */
  observationLow?: readonly number[];
  observationHigh?: readonly number[];
  /** Set for environments defined at run time (defineEnv): the file its WGSL came from. */
  userDefined?: { file: string };
  render(state: readonly number[], p: Readonly<Record<string, number>>): Scene;
}

export function obsDim(def: EnvDefinition): number {
  return def.obsFields.length;
}

export function actionDim(def: EnvDefinition): number {
  return def.actionLow.length;
}

export function stateDim(def: EnvDefinition): number {
  return def.stateFields.length;
}

/** What both entries of the package (src/index.ts, src/browser.ts) export besides their functions. */
export type { Pathwise } from './index.js';
export type { Preset, TrainOptions, TrainSettings } from './options.js';
export type { TrainControl, TrainResult, TrainingRun } from './training.js';
export type { CheckpointInfo, Policy } from './policy.js';
export type { MakeEnvOptions, StepResult, VectorEnv } from './vectorEnv.js';
export type { AlgorithmInfo, EnvInfo, OptionInfo } from './catalog.js';
export type { ExportFormat, PolicyJson, PolicyLayer } from './export.js';
export type { CheckEnvOptions, EnvCheck, EnvCheckReport, EnvProblem } from './checkEnv.js';
export type { EnvSpec } from '../envs/custom.js';
export type { EnvDefinition, EnvReference, Primitive, Scene, StepResult as ReferenceStepResult } from '../envs/types.js';
export { ENV_CONTRACT } from '../envs/custom.js';
export type { PolicyHead } from '../algos/common/algorithm.js';
export type { Report } from '../run/trainer.js';
export type { EvalResult } from '../run/evaluate.js';
export { CheckpointError } from '../run/checkpoint.js';
export { ConfigError, GpuError } from '../errors.js';

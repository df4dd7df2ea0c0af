/**
 * Settings for a CPU adapter (lavapipe, SwiftShader), per algorithm: each learns pendulum in one
 * to three minutes on 2 cores (lavapipe) - the configurations of the learning tests - where the
 * published settings (the schemas' defaults) would take hours. Used by `pathwise train --preset
 * cpu` (chosen automatically on a CPU adapter) and by the browser demo.
 */
export interface Preset {
  run: Readonly<Record<string, unknown>>;
  algo: Readonly<Record<string, unknown>>;
}

const replaySmall = { batchSize: 64, criticLr: 1e-3, tau: 0.02, learningStarts: 2000, bufferSize: 200_000 } as const;

export const CPU_PRESETS: Readonly<Record<string, Preset>> = {
  ddpg: {
    run: { envs: 32, steps: 160_000, reportEvery: 250 },
    algo: { actorHidden: [64, 64], criticHidden: [64, 64], actorLr: 1e-3, ...replaySmall },
  },
  svg0: {
    run: { envs: 32, steps: 160_000, reportEvery: 250 },
    algo: { actorHidden: [64, 64], criticHidden: [64, 64], actorLr: 1e-3, ...replaySmall },
  },
  svg1: {
    run: { envs: 32, steps: 160_000, reportEvery: 250 },
    algo: { policyHidden: [64, 64], valueHidden: [64, 64], modelHidden: [64, 64], policyLr: 1e-3, ...replaySmall },
  },
  'svg-inf': { run: { envs: 64, steps: 768_000, reportEvery: 200 }, algo: { horizon: 50, policyLr: 3e-3 } },
  reinforce: { run: { envs: 64, steps: 64 * 200 * 150, reportEvery: 200 }, algo: {} },
  // CleanRL's batch (2048 steps per update: 16 envs x 128) and minibatches of 64.
  ppo: { run: { envs: 16, steps: 16 * 128 * 100, reportEvery: 640 }, algo: { segment: 128 } },
  tnpg: { run: { envs: 16, steps: 16 * 128 * 100, reportEvery: 640 }, algo: { segment: 128 } },
  trpo: { run: { envs: 16, steps: 16 * 128 * 100, reportEvery: 640 }, algo: { segment: 128 } },
  rwr: { run: { envs: 16, steps: 16 * 128 * 100, reportEvery: 640 }, algo: { segment: 128 } },
  reps: { run: { envs: 16, steps: 16 * 128 * 100, reportEvery: 640 }, algo: { segment: 128 } },
  cem: { run: { envs: 512, steps: 512 * 200 * 40, reportEvery: 200 }, algo: {} },
  'cma-es': { run: { envs: 512, steps: 512 * 200 * 40, reportEvery: 200 }, algo: {} },
};

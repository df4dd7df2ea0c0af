/**
 * Settings for a CPU adapter (lavapipe, SwiftShader): DDPG learns pendulum (about -160 over 100
 * evaluation episodes) in about a minute on 2 cores (lavapipe), where the published settings (the
 * schemas' defaults) would take hours. Used by `pathwise train --preset cpu` (chosen
 * automatically on a CPU adapter) and by the browser demo.
 */
export const CPU_PRESET = {
  run: { envs: 32, steps: 160_000, reportEvery: 250 },
  algo: { actorHidden: [64, 64], criticHidden: [64, 64], batchSize: 64, actorLr: 1e-3, criticLr: 1e-3, tau: 0.02, learningStarts: 2000, bufferSize: 200_000 },
} as const;

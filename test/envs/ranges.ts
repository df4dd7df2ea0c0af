/**
 * Per-environment ranges for random test states: wide enough to exercise the dynamics, clipping
 * and termination for the step test; and for the VJP test an interior range that stays away from
 * clipping kinks, angle wrap-arounds and terminations, where finite differences mean nothing.
 */
export interface TestRanges {
  /** [lo, hi] per state field, for the step test. */
  state: [number, number][];
  /** Same, for the VJP test (smooth region; differentiable envs only). */
  smoothState?: [number, number][];
  /** State fields that are angles wrapped into [-pi, pi): compared modulo 2 pi. */
  angles?: number[];
  /**
   * Compare states and observations to 1e-4 of the largest entry (plus 1e-5) rather than of each
   * entry: contact and limit forces couple every velocity, so float32 rounding on the largest
   * (about 10 rad/s) shows in all of them, the ones near zero included.
   */
  normRelative?: boolean;
}

const PI = Math.PI;

export const ranges: Record<string, TestRanges> = {
  pendulum: { state: [[-7, 7], [-8, 8]], smoothState: [[-3, 3], [-3, 3]] },
  'mountain-car': { state: [[-1.2, 0.6], [-0.07, 0.07]] },
  cartpole: { state: [[-2.6, 2.6], [-3, 3], [-0.3, 0.3], [-3, 3]] },
  'cartpole-swingup': { state: [[-3, 3], [-5, 5], [-7, 7], [-10, 10]], smoothState: [[-1, 1], [-1, 1], [-3, 3], [-3, 3]] },
  // Acrobot velocities stop at 8 and 16 rad/s: beyond them one RK4 step of 0.2 s is so violent
  // that float32 rounding alone exceeds 1e-4 (the gymnax recordings cover clipping at 4 pi, 9 pi).
  acrobot: { state: [[-PI, PI], [-PI, PI], [-8, 8], [-16, 16]], smoothState: [[-0.5, 0.5], [-0.5, 0.5], [-1, 1], [-1, 1]], angles: [0, 1] },
  'double-pendulum': {
    state: [[-2.5, 2.5], [-0.6, 0.6], [-0.6, 0.6], [-2, 2], [-3, 3], [-3, 3]],
    smoothState: [[-1, 1], [-0.3, 0.3], [-0.3, 0.3], [-1, 1], [-1, 1], [-1, 1]],
  },
  reacher: {
    state: [[-PI, PI], [-PI, PI], [-10, 10], [-10, 10], [-0.2, 0.2], [-0.2, 0.2]],
    smoothState: [[-3, 3], [-3, 3], [-2, 2], [-2, 2], [-0.2, 0.2], [-0.2, 0.2]],
  },
  'point-mass': {
    state: [[-1, 1], [-1, 1], [-2, 2], [-2, 2], [-0.8, 0.8], [-0.8, 0.8]],
    smoothState: [[-0.5, 0.5], [-0.5, 0.5], [-1, 1], [-1, 1], [-0.8, 0.8], [-0.8, 0.8]],
  },
  'rllab-cartpole': { state: [[-2.6, 2.6], [-3, 3], [-0.3, 0.3], [-3, 3]] },
  'rllab-cartpole-swingup': { state: [[-3.2, 3.2], [-5, 5], [-7, 7], [-10, 10]] },
  'rllab-mountain-car': { state: [[-2.1, 0.7], [-3, 3]] },
  // Angular speeds up to 200 rad/s reach Box2D's limit of pi/2 per 0.01 s step (157 rad/s); the
  // centripetal terms of speeds that high couple into every acceleration, so compared norm-relative.
  'rllab-acrobot': { normRelative: true, state: [[-7, 7], [-7, 7], [-200, 200], [-200, 200]] },
};
// Tilts up to 0.9 rad either way (the tip falls below 1, termination, from about 0.59 rad of tilt
// with the second pole straight); speeds past the observation's clip at 10.
ranges['rllab-double-pendulum'] = { state: [[-2, 2], [-0.9, 0.9], [-0.9, 0.9], [-11, 11], [-11, 11], [-11, 11]] };
ranges['reacher-sparse'] = ranges.reacher;
ranges['point-mass-sparse'] = ranges['point-mass'];
// The step counter as a float: random states are past the first step (the cue's own test shows it:
// test/envs/pointMassCue.test.ts).
ranges['point-mass-cue'] = { state: [...ranges['point-mass'].state, [0, 40]], smoothState: [...ranges['point-mass'].smoothState!, [0, 40]] };

// Locomotion: positions around the reset pose (roots displaced, joints inside and a little beyond
// their limits, bodies lifted or pressed into the ground so contacts switch on and off), moderate
// velocities; hopper and walker2d states reach their health limits so termination is exercised.
const joints = (n: number, r: number): [number, number][] => Array.from({ length: n }, () => [-r, r]);
ranges.swimmer = { normRelative: true, state: [[-1, 1], [-1, 1], [-1.5, 1.5], ...joints(2, 1.9), ...joints(5, 1.5)] };
ranges.hopper = { normRelative: true, state: [[-1, 1], [0.65, 1.45], [-0.25, 0.25], [-1.5, 0.1], [-1.5, 0.1], [-0.8, 0.8], ...joints(6, 1.5)] };
ranges.walker2d = { normRelative: true, state: [[-1, 1], [0.75, 1.45], [-1.1, 1.1], [-1.5, 0.1], [-1.5, 0.1], [-0.8, 0.8], [-1.5, 0.1], [-1.5, 0.1], [-0.8, 0.8], ...joints(9, 1.5)] };
ranges['half-cheetah'] = { normRelative: true, state: [[-1, 1], [-0.25, 0.2], [-0.4, 0.4], ...joints(6, 0.6), ...joints(9, 1.5)] };

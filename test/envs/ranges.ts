/**
 * Per-environment ranges for random test states and actions: wide enough to exercise the
 * dynamics (and, for the step test, clipping), and for the VJP test an interior range that stays
 * away from clipping kinks and angle wrap-arounds, where finite differences are meaningless.
 */
export interface TestRanges {
  /** [lo, hi] per state field, for the step test. */
  state: [number, number][];
  /** Same, for the VJP test (smooth region). */
  smoothState?: [number, number][];
  /** Actions are drawn from this multiple of the action range (> 1 exercises clipping). */
  actionScale: number;
}

export const ranges: Record<string, TestRanges> = {
  pendulum: {
    state: [[-7, 7], [-8, 8]],
    smoothState: [[-3, 3], [-3, 3]],
    actionScale: 1.2,
  },
};

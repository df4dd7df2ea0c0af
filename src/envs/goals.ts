/** Goal rewards shared by the goal-conditioned envs' float64 references (as env_goal_reward in their WGSL). */
export function goalDistance(achieved: readonly number[], desired: readonly number[]): number {
  return Math.hypot(achieved[0] - desired[0], achieved[1] - desired[1]);
}

/** Sparse: 0 within tolerance else -1; dense: -distance. */
export function goalReward(achieved: readonly number[], desired: readonly number[], p: Readonly<Record<string, number>>): number {
  const d = goalDistance(achieved, desired);
  return p.sparse > 0 ? (d <= p.tolerance ? 0 : -1) : -d;
}

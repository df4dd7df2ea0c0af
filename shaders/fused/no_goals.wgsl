// fused/no_goals.wgsl - for an env without goals (GOAL_DIM = 0), the goal reward a row program
// that can relabel goals (HER) refers to; never called, since such envs take no HER.
fn env_goal_reward(achieved: array<f32, 1>, desired: array<f32, 1>, p: Params) -> f32 {
  return 0.0;
}

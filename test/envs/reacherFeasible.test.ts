/**
 * reacher's success test (fingertip within 2 cm of the goal at the last of 50 steps) is reachable
 * with its dynamics and action bounds: a proportional-derivative controller on the joint angles
 * that inverse kinematics gives, run on the float64 reference from the env's own reset
 * distribution, succeeds in nearly every episode. Learned policies are measured against this
 * (bench/results/task-settings-llvmpipe.md); if a change of the env made it fail, the issue's
 * success-rate target would be unreachable rather than unmet.
 */
import { expect, it } from 'vitest';
import { getEnv } from '../../src/envs/registry.js';

const def = getEnv('reacher');
const p = def.params;
const ref = def.reference!;

/** Joint angles putting the fingertip at (gx, gy), the elbow bent to the side `side` (+-1). */
function inverseKinematics(gx: number, gy: number, side: number): [number, number] {
  const r2 = gx * gx + gy * gy;
  const c2 = Math.min(Math.max((r2 - p.link1 ** 2 - p.link2 ** 2) / (2 * p.link1 * p.link2), -1), 1);
  const q2 = side * Math.acos(c2);
  const q1 = Math.atan2(gy, gx) - Math.atan2(p.link2 * Math.sin(q2), p.link1 + p.link2 * Math.cos(q2));
  return [q1, q2];
}

const wrap = (a: number) => Math.atan2(Math.sin(a), Math.cos(a));

it('a PD controller to the inverse-kinematics angles reaches the goal within tolerance in >= 95% of episodes', () => {
  // A fixed-seed stream of uniforms in [0, 1) for the reset (the GPU reset draws its own).
  let s = 12345;
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const episodes = 1000;
  let successes = 0;
  let total = 0;
  for (let e = 0; e < episodes; e++) {
    let state = ref.reset([uniform(), uniform(), uniform(), uniform(), uniform(), uniform()], p);
    const [t1, t2] = inverseKinematics(state[4], state[5], state[1] >= 0 ? 1 : -1);
    for (let t = 0; t < def.horizon; t++) {
      const action = [4 * wrap(t1 - state[0]) - 0.5 * state[2], 4 * (t2 - state[1]) - 0.5 * state[3]];
      const step = ref.step(state, action, p);
      total += step.reward;
      state = step.state;
    }
    if (ref.success!(state, p)) successes++;
  }
  console.log(`reacher, PD to inverse kinematics: ${(100 * successes / episodes).toFixed(1)}% success, mean return ${(total / episodes).toFixed(2)}`);
  expect(successes / episodes).toBeGreaterThanOrEqual(0.95);
  // Above the learned policies' -7.3 to -9.0 as well: the return rewards the same reaching.
  expect(total / episodes).toBeGreaterThan(-7);
});

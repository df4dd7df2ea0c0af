/**
 * Published figures shown beside ours in a sweep's table: rllab's (Duan et al. 2016, Table 1)
 * mean returns for the rows our classic envs stand in for - the random policy and DDPG on all five
 * rows and TRPO and TNPG on Cart-Pole Balancing as quoted in this project's issues; TRPO's other
 * cells (and per partially observed variant) as paperswithcode.com lists them for the paper (page
 * "paper/33553"). Our classic envs' task definitions differ from rllab's, so beside them these are
 * landmarks; the rllab-* envs are rllab's own definitions (src/envs/rllab*.ts), the same tasks.
 */

/** A variant of rllab's table: full observations, limited sensors, noisy observations, system identification. */
export type Variant = 'full' | 'ls' | 'no' | 'si';

interface Row {
  row: string;
  random: number;
  full: Readonly<Record<string, number>>;
  ls?: Readonly<Record<string, number>>;
  no?: Readonly<Record<string, number>>;
  si?: Readonly<Record<string, number>>;
}

const RLLAB: Record<string, Row> = {
  cartpole: { row: 'Cart-Pole Balancing', random: 77.1, full: { ddpg: 4634, trpo: 4869.8, tnpg: 3986.4 }, no: { trpo: 606.2 }, si: { trpo: 980.3 } },
  'cartpole-swingup': { row: 'Inverted Pendulum', random: -153.4, full: { ddpg: 40 }, no: { trpo: 10.4 } },
  'mountain-car': { row: 'Mountain Car', random: -415.4, full: { ddpg: -288, trpo: -61.7 }, si: { trpo: -61.6 } },
  acrobot: { row: 'Acrobot', random: -1904.5, full: { ddpg: -224 }, ls: { trpo: -83.3 }, si: { trpo: -170.9 } },
  'double-pendulum': { row: 'Double Inverted Pendulum', random: 149.7, full: { ddpg: 2863, trpo: 4412.4 } },
};
// rllab's own definitions of the same rows.
for (const [ours, rllab] of [['cartpole', 'rllab-cartpole'], ['cartpole-swingup', 'rllab-cartpole-swingup'], ['mountain-car', 'rllab-mountain-car'], ['acrobot', 'rllab-acrobot'], ['double-pendulum', 'rllab-double-pendulum']]) {
  RLLAB[rllab] = RLLAB[ours];
}

const SUFFIX: Record<Variant, string> = { full: '', ls: ' (LS)', no: ' (NO)', si: ' (SI)' };

/** The rllab variant a run's observation settings correspond to. */
export function variantOf(run: { sensors?: unknown; obsNoise?: unknown; sysid?: unknown }): Variant {
  if (run.sensors === 'positions') return 'ls';
  if (typeof run.obsNoise === 'number' && run.obsNoise > 0) return 'no';
  if (typeof run.sysid === 'number' && run.sysid > 0) return 'si';
  return 'full';
}

/** The rllab row an env and variant stand in for, with its random policy's return (null: none). */
export function rllabRow(env: string, variant: Variant): { row: string; random: number | null } | null {
  const r = RLLAB[env];
  return r ? { row: `${r.row}${SUFFIX[variant]}`, random: variant === 'full' ? r.random : null } : null;
}

/** rllab's published return of `algo` on the row `env` stands in for, or null. */
export function rllabReturn(env: string, variant: Variant, algo: string): number | null {
  return RLLAB[env]?.[variant]?.[algo] ?? null;
}

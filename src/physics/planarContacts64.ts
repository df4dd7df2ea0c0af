/**
 * Ground contacts of a planar robot, MuJoCo's model (float64 reference): capsule ends and spheres
 * against world planes, soft constraints with pyramidal friction cones solved with the joint
 * limits (planarDynamics64.ts). Per MuJoCo 3.x:
 *   pairs      a robot geom and a world plane collide when (contype1 & conaffinity2) or the reverse;
 *              condim = max, friction = max (at least 1e-5), solimp = mean, solref = mean
 *              (min in the direct form) (solmix 1),
 *              margin = sum of the two geoms' margins
 *   points     a sphere, and each end of a capsule (mjc_PlaneCapsule): cdist = (c - p0) . n;
 *              dist = cdist - r; a row when dist < margin; position c - n (r + dist / 2)
 *   rows       condim 1: J_n with R = (1 - imp) / imp * w (w: the body's translational
 *              invweight0); condim 3: MuJoCo's four pyramid rows J_n +- mu J_t1, J_n +- mu J_t2,
 *              all with R = 2 mu^2 (1 - imp) / imp * w (1 + mu^2). In the plane one tangent lies
 *              out of the plane (its rows are exactly J_n), so the rows kept are J_n + mu J_t,
 *              J_n - mu J_t and J_n with twice the weight: the same cost, one row fewer.
 * Self-collisions between the robot's own geoms are not simulated (MuJoCo would test non-adjacent
 * bodies whose contype / conaffinity match, as in gymnasium's hopper); contacts with world geoms
 * other than planes are refused.
 */
import { MjcfError } from './mjcf.js';
import { softRow, type ConstraintRow } from './planarConstraints64.js';
import type { Kinematics } from './planarDynamics64.js';
import type { PlanarModel, Vec2 } from './planarModel.js';

export interface ContactPair {
  geom: number;
  plane: number;
  body: number;
  /** Sphere: 1 point; capsule: its two ends. */
  points: number;
  rowsPerPoint: number;
  radius: number;
  /** Plane point and unit normal (world, plane coordinates). */
  planePos: Vec2;
  normal: Vec2;
  condim: number;
  mu: number;
  margin: number;
  solref: number[];
  solimp: number[];
}

const mean = (a: readonly number[], b: readonly number[]) => a.map((x, i) => 0.5 * (x + b[i]));
/** MuJoCo's solref mix (solmix 1 each): the mean in the standard form, the element-wise min in the direct one. */
const mixSolref = (a: readonly number[], b: readonly number[]) => (a[0] > 0 && b[0] > 0 ? mean(a, b) : a.map((x, i) => Math.min(x, b[i])));

const cache = new WeakMap<PlanarModel, ContactPair[]>();

/** The robot-geom / world-plane pairs MuJoCo would collide, with their mixed parameters. */
export function contactPairs(m: PlanarModel): ContactPair[] {
  const known = cache.get(m);
  if (known) return known;
  const planes = m.geoms.map((g, i) => ({ g, i })).filter((x) => x.g.body < 0 && x.g.type === 'plane');
  const collide = (a: PlanarModel['geoms'][number], b: PlanarModel['geoms'][number]) => (a.contype & b.conaffinity) !== 0 || (b.contype & a.conaffinity) !== 0;
  const pairs: ContactPair[] = [];
  m.geoms.forEach((g, gi) => {
    if (g.body < 0) return;
    const label = g.name ? `<geom name="${g.name}">` : `<geom> (geom ${gi} of the file)`;
    const obstacle = m.geoms.find((w) => w.body < 0 && w.type !== 'plane' && collide(g, w));
    if (obstacle) throw new MjcfError(`${label} attributes "contype" / "conaffinity"`, `${g.contype} / ${g.conaffinity}`, `no contact with world geoms other than planes (the world's ${obstacle.type} "${obstacle.name}" would touch it)`);
    for (const { g: p, i: pi } of planes) {
      if (!collide(g, p)) continue;
      if (g.type !== 'capsule' && g.type !== 'sphere') {
        throw new MjcfError(`${label} attribute "type"`, g.type, 'capsule or sphere for a geom that touches the ground (set contype="0" conaffinity="0" to keep others out of contact)');
      }
      if (g.type === 'capsule' && Math.abs(Math.hypot(...g.halfAxis) - g.size[1]) > 1e-9) throw new MjcfError(`${label} orientation`, 'a capsule leaving the plane', "a capsule along the robot's plane for a geom that touches the ground");
      const n = p.planeNormal;
      if (Math.abs(Math.hypot(n[0], n[1]) - 1) > 1e-9) throw new MjcfError(`<geom name="${p.name}"> orientation`, `[${n.join(', ')}]`, 'a ground plane whose normal lies in the robot\'s plane');
      const condim = Math.max(g.condim, p.condim);
      if (condim !== 1 && condim !== 3) throw new MjcfError(`${label} attribute "condim"`, condim, '1 or 3 (for the pair with the ground)');
      pairs.push({
        geom: gi, plane: pi, body: g.body, points: g.type === 'capsule' ? 2 : 1, rowsPerPoint: condim === 3 ? 3 : 1, radius: g.size[0],
        planePos: p.pos, normal: [n[0], n[1]], condim, mu: Math.max(1e-5, Math.max(g.friction[0], p.friction[0])),
        margin: g.margin + p.margin, solref: mixSolref(g.solref, p.solref), solimp: mean(g.solimp, p.solimp),
      });
    }
  });
  cache.set(m, pairs);
  return pairs;
}

const rot = (a: number, v: Vec2): Vec2 => [Math.cos(a) * v[0] - Math.sin(a) * v[1], Math.sin(a) * v[0] + Math.cos(a) * v[1]];

/** Contact points of a pair in the current pose: world centre of each end sphere. */
export function contactCentres(m: PlanarModel, kin: Kinematics, pair: ContactPair): Vec2[] {
  const g = m.geoms[pair.geom];
  const o = kin.origin[pair.body], a = kin.angle[pair.body];
  const ends: Vec2[] = pair.points === 2 ? [[g.pos[0] + g.halfAxis[0], g.pos[1] + g.halfAxis[1]], [g.pos[0] - g.halfAxis[0], g.pos[1] - g.halfAxis[1]]] : [g.pos];
  return ends.map((e) => {
    const w = rot(a, e);
    return [o[0] + w[0], o[1] + w[1]];
  });
}

/** Constraint rows of every active contact at (q, v); `column` gives a point's Jacobian column. */
export function contactRows(
  m: PlanarModel,
  kin: Kinematics,
  v: readonly number[],
  column: (dof: number, p: Vec2) => Vec2,
): { rows: ConstraintRow[]; contacts: number } {
  const rows: ConstraintRow[] = [];
  let contacts = 0;
  const n = m.dofs.length;
  for (const pair of contactPairs(m)) {
    const w = m.bodies[pair.body].invweightTran;
    for (const c of contactCentres(m, kin, pair)) {
      const cdist = (c[0] - pair.planePos[0]) * pair.normal[0] + (c[1] - pair.planePos[1]) * pair.normal[1];
      const dist = cdist - pair.radius;
      if (!(dist < pair.margin)) continue;
      contacts++;
      const at: Vec2 = [c[0] - pair.normal[0] * (pair.radius + dist / 2), c[1] - pair.normal[1] * (pair.radius + dist / 2)];
      const t: Vec2 = [-pair.normal[1], pair.normal[0]];
      const Jn = new Array<number>(n).fill(0), Jt = new Array<number>(n).fill(0);
      for (const j of m.bodies[pair.body].chain) {
        const col = column(j, at);
        Jn[j] = col[0] * pair.normal[0] + col[1] * pair.normal[1];
        Jt[j] = col[0] * t[0] + col[1] * t[1];
      }
      const dot = (J: number[]) => J.reduce((s, x, i) => s + x * v[i], 0);
      const row = (J: number[], diag: number, scale: number) => {
        const r = softRow(J, dist, dot(J), pair.margin, pair.solref, pair.solimp, diag, m.timestep);
        rows.push({ ...r, D: r.D * scale });
      };
      if (pair.condim === 1) {
        row(Jn, w, 1);
        continue;
      }
      const mu = pair.mu;
      const pyramid = 2 * mu * mu * w * (1 + mu * mu);
      row(Jn.map((x, i) => x + mu * Jt[i]), pyramid, 1);
      row(Jn.map((x, i) => x - mu * Jt[i]), pyramid, 1);
      row(Jn, pyramid, 2);
    }
  }
  return { rows, contacts };
}

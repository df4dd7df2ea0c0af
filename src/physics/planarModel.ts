/**
 * A planar articulated robot compiled from MJCF: every hinge turns about one plane normal n, every
 * slide moves in the plane, every body frame is a rotation about n. Quantities are 2D in the plane
 * basis (e1, e2) with e1 x e2 = n, so a positive angle turns e1 towards e2 (a hinge whose axis is
 * -n turns the other way: its `sign` is -1). This is what both the float64 reference
 * (planarDynamics64.ts) and the WGSL step (planarWgsl.ts) simulate.
 */
import { MjcfError, principalInertia, type Integrator, type MjcfGeom, type MjcfJoint, type MjcfModel } from './mjcf.js';
import { contactPairs } from './planarContacts64.js';
import { column as comColumn, invertSpd, kinematics, massMatrix } from './planarDynamics64.js';
import { cross3, dot3, matVec, normalize3, quatMul, quatToMat, rotate, type Quat, type Vec3 } from './math3.js';

export type Vec2 = [number, number];

/** The most degrees of freedom the kernels simulate (their fixed-size arrays). */
export const MAX_DOFS = 12;
export const MAX_BODIES = 12;

/** One degree of freedom (a hinge or slide joint): the MJCF joint's parameters, its geometry in the plane. */
export interface PlanarDof
  extends Pick<MjcfJoint, 'name' | 'type' | 'body' | 'ref' | 'springref' | 'stiffness' | 'damping' | 'armature' | 'limited' | 'margin' | 'solref' | 'solimp'> {
  /** Hinge: anchor in the body frame; +1 if the axis is n, -1 if -n. Slide: unit axis in the body frame. */
  anchor: Vec2;
  sign: number;
  axis: Vec2;
  range: Vec2;
  /** (M^-1)_ii at the reference configuration: MuJoCo's dof_invweight0, which scales limit softness. */
  invweight0: number;
}

export interface PlanarFluid {
  /** Side lengths of the body's equivalent inertia box (MuJoCo's inertia-box fluid model). */
  box: Vec3;
  /** n, e1, e2 in the box's principal frame. */
  n: Vec3;
  e1: Vec3;
  e2: Vec3;
}

export interface PlanarBody {
  name: string;
  parent: number;
  /** Origin in the parent's frame and rotation relative to it. */
  pos: Vec2;
  angle: number;
  mass: number;
  /** Centre of mass in the body frame, and rotational inertia about n through it. */
  com: Vec2;
  inertia: number;
  /** Degrees of freedom that move this body, root first (ancestors' then its own, in order). */
  chain: number[];
  fluid: PlanarFluid | null;
  /** MuJoCo's body_invweight0 (translation): trace(J_com M^-1 J_com') / 3 at the reference pose; scales contact softness. */
  invweightTran: number;
}

/** A geom in the plane; its contact and drawing parameters are the MJCF's. */
export interface PlanarGeom extends Pick<MjcfGeom, 'name' | 'type' | 'body' | 'size' | 'friction' | 'solref' | 'solimp' | 'margin' | 'condim' | 'contype' | 'conaffinity' | 'rgba'> {
  /** Centre in the body frame; for capsules and cylinders the in-plane half-axis too. */
  pos: Vec2;
  halfAxis: Vec2;
  /** Planes: the normal (the frame's z) in plane coordinates ([0, 0] if it leaves the plane). */
  planeNormal: Vec2;
  /** Offset along n (to draw, and to skip geoms off the plane). */
  depth: number;
}

export interface PlanarMotor {
  name: string;
  dof: number;
  gear: number;
  ctrllimited: boolean;
  ctrlrange: Vec2;
  forcelimited: boolean;
  forcerange: Vec2;
}

export interface PlanarModel {
  name: string;
  timestep: number;
  integrator: Integrator;
  normal: Vec3;
  e1: Vec3;
  e2: Vec3;
  gravity: Vec2;
  density: number;
  viscosity: number;
  bodies: PlanarBody[];
  dofs: PlanarDof[];
  geoms: PlanarGeom[];
  motors: PlanarMotor[];
}

const TOL = 1e-9;
const MINVAL = 1e-15;

const to2 = (v: Vec3, e1: Vec3, e2: Vec3): Vec2 => [dot3(v, e1), dot3(v, e2)];

/** Angle of a rotation about n (refused if it turns anything out of the plane). */
function angleAbout(q: Quat, n: Vec3, where: string): number {
  const v: Vec3 = [q[1], q[2], q[3]];
  const along = dot3(v, n);
  const off = Math.hypot(v[0] - along * n[0], v[1] - along * n[1], v[2] - along * n[2]);
  if (off > TOL) throw new MjcfError(where, `[${q.join(', ')}]`, `a rotation about the plane normal [${n.join(', ')}] (planar robots only)`);
  return 2 * Math.atan2(along, q[0]);
}

/** The plane normal: the first hinge's axis in the world at the reference configuration. */
function planeNormal(m: MjcfModel, worldQuat: Quat[]): Vec3 {
  const hinge = m.joints.find((j) => j.type === 'hinge');
  if (hinge) return normalize3(rotate(worldQuat[hinge.body], hinge.axis));
  const slides = m.joints.map((j) => rotate(worldQuat[j.body], j.axis));
  for (let i = 1; i < slides.length; i++) {
    const c = cross3(slides[0], slides[i]);
    if (Math.hypot(...c) > 1e-6) return normalize3(c);
  }
  throw new MjcfError('<worldbody>', `${m.joints.length} joints`, 'a hinge joint, or two non-parallel slides, to define the plane');
}

export interface CompileOptions {
  /** false: no contacts at all (MuJoCo's mjDSBL_CONTACT); joint limits stay. */
  contacts?: boolean;
}

/** Compiles an MJCF model into a planar one; refuses what is not planar or too big for the kernels. */
export function compilePlanar(m: MjcfModel, options: CompileOptions = {}): PlanarModel {
  if (m.joints.length === 0) throw new MjcfError('<worldbody>', 'no joints', 'at least one hinge or slide joint');
  if (m.joints.length > MAX_DOFS) throw new MjcfError('<worldbody>', `${m.joints.length} degrees of freedom`, `at most ${MAX_DOFS} (the kernels' fixed-size arrays)`);
  if (m.bodies.length > MAX_BODIES) throw new MjcfError('<worldbody>', `${m.bodies.length} bodies`, `at most ${MAX_BODIES}`);
  const worldQuat: Quat[] = [];
  m.bodies.forEach((b, i) => (worldQuat[i] = b.parent < 0 ? b.quat : quatMul(worldQuat[b.parent], b.quat)));
  const n = planeNormal(m, worldQuat);
  const seed: Vec3 = Math.abs(n[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const e1 = normalize3([seed[0] - dot3(seed, n) * n[0], seed[1] - dot3(seed, n) * n[1], seed[2] - dot3(seed, n) * n[2]]);
  const e2 = cross3(n, e1);

  const dofs: PlanarDof[] = m.joints.map((j) => {
    const where = `<joint name="${j.name}"> attribute "axis"`;
    const axisW = rotate(worldQuat[j.body], j.axis);
    let sign = 0;
    if (j.type === 'hinge') {
      const along = dot3(axisW, n);
      if (Math.abs(Math.abs(along) - 1) > TOL) throw new MjcfError(where, `[${j.axis.join(', ')}]`, `parallel to the plane normal [${n.join(', ')}] (planar robots only)`);
      sign = Math.sign(along);
    } else if (Math.abs(dot3(axisW, n)) > TOL) throw new MjcfError(where, `[${j.axis.join(', ')}]`, `a slide in the plane (perpendicular to [${n.join(', ')}])`);
    return {
      name: j.name, type: j.type, body: j.body, anchor: to2(j.pos, e1, e2), sign, axis: to2(j.axis, e1, e2),
      ref: j.ref, springref: j.springref, stiffness: j.stiffness, damping: j.damping, armature: j.armature,
      limited: j.limited, range: [j.range[0], j.range[1]], margin: j.margin, solref: j.solref, solimp: j.solimp, invweight0: 0,
    };
  });

  const bodies: PlanarBody[] = m.bodies.map((b, i) => {
    const angle = angleAbout(b.quat, n, `<body name="${b.name}"> orientation`);
    let fluid: PlanarFluid | null = null;
    if ((m.density > 0 || m.viscosity > 0) && b.mass >= MINVAL) {
      const { moments, axes } = principalInertia(b);
      const side = (k: number) => Math.sqrt((Math.max(MINVAL, moments[(k + 1) % 3] + moments[(k + 2) % 3] - moments[k]) / b.mass) * 6);
      const toPrincipal = (v: Vec3): Vec3 => [0, 1, 2].map((c) => axes[c] * v[0] + axes[3 + c] * v[1] + axes[6 + c] * v[2]) as Vec3;
      fluid = { box: [side(0), side(1), side(2)], n: toPrincipal(n), e1: toPrincipal(e1), e2: toPrincipal(e2) };
    }
    return {
      name: b.name, parent: b.parent, pos: to2(b.pos, e1, e2), angle, mass: b.mass, com: to2(b.ipos, e1, e2),
      inertia: dot3(n, matVec(b.inertia, n)), chain: chainOf(m, i), fluid, invweightTran: 0,
    };
  });

  const geoms: PlanarGeom[] = m.geoms.map((g) => {
    const zAxis = matVec(quatToMat(g.quat), [0, 0, 1]);
    const half = g.type === 'capsule' || g.type === 'cylinder' ? g.size[1] : 0;
    return {
      name: g.name, type: g.type, body: g.body, pos: to2(g.pos, e1, e2), halfAxis: to2([zAxis[0] * half, zAxis[1] * half, zAxis[2] * half], e1, e2),
      planeNormal: to2(zAxis, e1, e2), size: g.size, depth: dot3(g.pos, n), friction: g.friction, solref: g.solref, solimp: g.solimp, margin: g.margin, condim: g.condim,
      contype: options.contacts === false ? 0 : g.contype, conaffinity: options.contacts === false ? 0 : g.conaffinity, rgba: g.rgba,
    };
  });

  const motors: PlanarMotor[] = m.motors.map((a) => ({
    name: a.name, dof: a.joint, gear: a.gear, ctrllimited: a.ctrllimited, ctrlrange: [a.ctrlrange[0], a.ctrlrange[1]],
    forcelimited: a.forcelimited, forcerange: [a.forcerange[0], a.forcerange[1]],
  }));

  const model: PlanarModel = {
    name: m.name, timestep: m.timestep, integrator: m.integrator, normal: n, e1, e2, gravity: to2(m.gravity, e1, e2),
    density: m.density, viscosity: m.viscosity, bodies, dofs, geoms, motors,
  };
  // MuJoCo's dof_invweight0: the inverse joint-space inertia's diagonal at the reference pose.
  const q0 = dofs.map((d) => d.ref);
  const nd = dofs.length;
  const inverse = invertSpd(massMatrix(model, q0));
  dofs.forEach((d, i) => (d.invweight0 = inverse[i * nd + i]));
  const kin = kinematics(model, q0);
  bodies.forEach((b, i) => {
    if (b.chain.length === 0) return;
    const cols = Array.from({ length: nd }, (_, j) => (b.chain.includes(j) ? comColumn(model, kin, j, kin.com[i]) : [0, 0]));
    let trace = 0;
    for (let x = 0; x < nd; x++) for (let y = 0; y < nd; y++) trace += inverse[x * nd + y] * (cols[x][0] * cols[y][0] + cols[x][1] * cols[y][1]);
    b.invweightTran = trace / 3;
  });
  contactPairs(model); // refuses geoms that would touch the ground but cannot yet
  return model;
}

/** Joint indices (= dof indices: hinge and slide have one each) moving body i, root first. */
function chainOf(m: MjcfModel, i: number): number[] {
  const path: number[] = [];
  for (let b = i; b >= 0; b = m.bodies[b].parent) path.unshift(b);
  return path.flatMap((b) => m.bodies[b].joints);
}

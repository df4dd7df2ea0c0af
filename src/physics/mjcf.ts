/**
 * MJCF (MuJoCo's XML) for the planar subset: bodies, hinge and slide joints, capsule / sphere /
 * box / cylinder / ellipsoid geoms (inertia from geometry and density or mass, or an <inertial>),
 * joint armature, damping, stiffness, limits, motors with gear and control range, default classes,
 * <compiler> angle / inertiafromgeom / settotalmass / autolimits, <option> timestep, integrator,
 * gravity, density, viscosity. Parsed with fast-xml-parser; what it does not support (an element,
 * a joint type, an attribute that changes the physics) is refused naming the element, its name
 * and the attribute, so a model never silently simulates something other than what it says.
 * Purely visual content (assets, lights, cameras, sites, rgba, materials) is read and ignored.
 */
import { add3, type Mat3, norm3, normalize3, quatToMat, quatZToVec, rotateDiagonal, scale3, sub3, symmetricEigen, type Quat, type Vec3 } from './math3.js';
import { bodyInertia, geomVolumeInertia } from './mjcfInertia.js';
import {
  bool, checkAttributes, type Compiler, describe, IGNORED, MjcfError, type Node, num, numbers, orientation, padded, parseTree, PHYSICAL,
  readDefaults, vec, withDefaults,
} from './mjcfXml.js';

export { MjcfError } from './mjcfXml.js';

export type Integrator = 'euler' | 'rk4';
export type GeomType = 'plane' | 'sphere' | 'capsule' | 'box' | 'cylinder' | 'ellipsoid';

/** MuJoCo's solver reference / impedance parameters (defaults as MuJoCo's). */
export const DEFAULT_SOLREF: readonly number[] = [0.02, 1];
export const DEFAULT_SOLIMP: readonly number[] = [0.9, 0.95, 0.001, 0.5, 2];

export interface MjcfJoint {
  name: string;
  type: 'hinge' | 'slide';
  body: number;
  /** Anchor and axis in the body's frame (axis unit length). */
  pos: Vec3;
  axis: Vec3;
  /** Angles in radians, lengths in metres. */
  ref: number;
  springref: number;
  stiffness: number;
  damping: number;
  armature: number;
  limited: boolean;
  range: [number, number];
  margin: number;
  solref: number[];
  solimp: number[];
}

export interface MjcfGeom {
  name: string;
  type: GeomType;
  /** -1: the world. */
  body: number;
  size: number[];
  /** Frame in the body's frame (a capsule's / cylinder's axis is the frame's z). */
  pos: Vec3;
  quat: Quat;
  mass: number;
  friction: number[];
  solref: number[];
  solimp: number[];
  margin: number;
  condim: number;
  contype: number;
  conaffinity: number;
  rgba: number[];
}

export interface MjcfBody {
  name: string;
  /** -1: the world. Bodies are listed parents first (MuJoCo's order). */
  parent: number;
  pos: Vec3;
  quat: Quat;
  joints: number[];
  geoms: number[];
  mass: number;
  /** Centre of mass and inertia tensor about it, in the body's frame. */
  ipos: Vec3;
  inertia: Mat3;
}

export interface MjcfMotor {
  name: string;
  joint: number;
  gear: number;
  ctrllimited: boolean;
  ctrlrange: [number, number];
  forcelimited: boolean;
  forcerange: [number, number];
}

export interface MjcfModel {
  name: string;
  timestep: number;
  integrator: Integrator;
  gravity: Vec3;
  density: number;
  viscosity: number;
  bodies: MjcfBody[];
  joints: MjcfJoint[];
  geoms: MjcfGeom[];
  motors: MjcfMotor[];
}

const SIZES: Record<GeomType, [number, number]> = { plane: [2, 3], sphere: [1, 1], capsule: [1, 2], cylinder: [1, 2], box: [3, 3], ellipsoid: [3, 3] };

function readGeom(node: Node, a: Record<string, string>, body: number, c: Compiler): MjcfGeom {
  checkAttributes(node, a);
  const type = (a.type ?? 'sphere') as GeomType;
  if (!(type in SIZES)) throw new MjcfError(`${describe(node)} attribute "type"`, a.type, `one of ${Object.keys(SIZES).join(', ')}`);
  if (a.shellinertia !== undefined && a.shellinertia !== 'false') throw new MjcfError(`${describe(node)} attribute "shellinertia"`, a.shellinertia, '"false" (solid geoms only)');
  if (a.fluidshape !== undefined && a.fluidshape !== 'none') throw new MjcfError(`${describe(node)} attribute "fluidshape"`, a.fluidshape, '"none" (the inertia-box fluid model)');
  let size = a.size === undefined ? [] : numbers(node, 'size', a.size, [1, 3]);
  let pos = vec(node, a, 'pos', [0, 0, 0]);
  let quat = orientation(node, a, c);
  if (a.fromto !== undefined) {
    if (type !== 'capsule' && type !== 'cylinder') throw new MjcfError(`${describe(node)} attribute "fromto"`, a.fromto, 'fromto only on capsules and cylinders');
    const ft = numbers(node, 'fromto', a.fromto, 6);
    const from: Vec3 = [ft[0], ft[1], ft[2]], to: Vec3 = [ft[3], ft[4], ft[5]];
    const axis = sub3(to, from);
    pos = scale3(add3(from, to), 0.5);
    quat = quatZToVec(axis);
    size = [size[0], norm3(axis) / 2];
  }
  const [need] = SIZES[type];
  if (size.length < need || size.some((x) => !(x > 0))) throw new MjcfError(`${describe(node)} attribute "size"`, size, `${need} positive numbers for a ${type}${type === 'capsule' || type === 'cylinder' ? ' (or a radius and fromto)' : ''}`);
  const density = num(node, a, 'density', 1000, 0);
  const mass = a.mass !== undefined ? num(node, a, 'mass', 0, 0) : density * geomVolumeInertia(type, size).volume;
  return {
    name: a.name ?? '', type, body, size, pos, quat, mass: type === 'plane' ? 0 : mass,
    friction: padded(node, a, 'friction', [1, 0.005, 0.0001]),
    solref: padded(node, a, 'solref', DEFAULT_SOLREF),
    solimp: padded(node, a, 'solimp', DEFAULT_SOLIMP),
    margin: num(node, a, 'margin', 0, 0),
    condim: num(node, a, 'condim', 3),
    contype: num(node, a, 'contype', 1),
    conaffinity: num(node, a, 'conaffinity', 1),
    rgba: padded(node, a, 'rgba', [0.5, 0.5, 0.5, 1]),
  };
}

function readJoint(node: Node, a: Record<string, string>, body: number, c: Compiler): MjcfJoint {
  checkAttributes(node, a);
  const type = a.type ?? 'hinge';
  if (type !== 'hinge' && type !== 'slide') throw new MjcfError(`${describe(node)} attribute "type"`, type, '"hinge" or "slide" (planar robots; free and ball joints are not supported)');
  const angular = type === 'hinge' && c.degrees ? Math.PI / 180 : 1;
  const limitedAttr = a.limited === undefined ? 'auto' : bool(node, 'limited', a.limited);
  const range = a.range === undefined ? [0, 0] : numbers(node, 'range', a.range, 2).map((x) => x * angular);
  if (limitedAttr === 'auto' && !c.autolimits && a.range !== undefined) throw new MjcfError(`${describe(node)} attribute "limited"`, 'missing', '"true" or "false" with a range when autolimits is off (as MuJoCo requires)');
  const limited = limitedAttr === 'auto' ? c.autolimits && a.range !== undefined : limitedAttr;
  if (limited && !(range[0] < range[1])) throw new MjcfError(`${describe(node)} attribute "range"`, a.range ?? 'missing', 'lower < upper for a limited joint');
  if (num(node, a, 'frictionloss', 0) !== 0) throw new MjcfError(`${describe(node)} attribute "frictionloss"`, a.frictionloss, '0 (dry joint friction is not supported)');
  const axis = vec(node, a, 'axis', [0, 0, 1]);
  if (norm3(axis) < 1e-10) throw new MjcfError(`${describe(node)} attribute "axis"`, a.axis, 'a non-zero vector');
  const ref = num(node, a, 'ref', 0) * angular;
  return {
    name: a.name ?? '', type, body, pos: vec(node, a, 'pos', [0, 0, 0]), axis: normalize3(axis), ref,
    // MuJoCo's springref defaults to 0 (not to ref): a stiff joint with a reference pulls towards 0.
    springref: num(node, a, 'springref', 0) * angular,
    stiffness: num(node, a, 'stiffness', 0, 0), damping: num(node, a, 'damping', 0, 0), armature: num(node, a, 'armature', 0, 0),
    limited, range: [range[0], range[1]], margin: num(node, a, 'margin', 0, 0),
    solref: padded(node, a, 'solreflimit', DEFAULT_SOLREF), solimp: padded(node, a, 'solimplimit', DEFAULT_SOLIMP),
  };
}

function readInertial(node: Node, c: Compiler): { mass: number; ipos: Vec3; inertia: Mat3 } {
  checkAttributes(node, node.attrs);
  const a = node.attrs;
  const mass = num(node, a, 'mass', NaN, 0);
  if (!Number.isFinite(mass)) throw new MjcfError(`${describe(node)} attribute "mass"`, 'missing', 'a mass');
  if (a.fullinertia !== undefined) {
    const [xx, yy, zz, xy, xz, yz] = numbers(node, 'fullinertia', a.fullinertia, 6);
    return { mass, ipos: vec(node, a, 'pos', [0, 0, 0]), inertia: [xx, xy, xz, xy, yy, yz, xz, yz, zz] };
  }
  const diag = numbers(node, 'diaginertia', a.diaginertia ?? '', 3) as Vec3;
  return { mass, ipos: vec(node, a, 'pos', [0, 0, 0]), inertia: rotateDiagonal(quatToMat(orientation(node, a, c)), diag) };
}

function readCompiler(root: Node): Compiler {
  const c: Compiler = { degrees: true, inertiaFromGeom: 'auto', totalMass: -1, autolimits: true };
  for (const node of root.children.filter((n) => n.tag === 'compiler')) {
    const a = node.attrs;
    checkAttributes(node, a);
    if (a.angle !== undefined) {
      if (a.angle !== 'degree' && a.angle !== 'radian') throw new MjcfError('<compiler> attribute "angle"', a.angle, '"degree" or "radian"');
      c.degrees = a.angle === 'degree';
    }
    if (a.coordinate !== undefined && a.coordinate !== 'local') throw new MjcfError('<compiler> attribute "coordinate"', a.coordinate, '"local"');
    if (a.eulerseq !== undefined && a.eulerseq !== 'xyz') throw new MjcfError('<compiler> attribute "eulerseq"', a.eulerseq, '"xyz"');
    if (a.inertiafromgeom !== undefined) c.inertiaFromGeom = bool(node, 'inertiafromgeom', a.inertiafromgeom);
    if (a.settotalmass !== undefined) c.totalMass = num(node, a, 'settotalmass', -1);
    if (a.autolimits !== undefined) c.autolimits = bool(node, 'autolimits', a.autolimits) === true;
  }
  return c;
}

function readOption(root: Node, model: MjcfModel): void {
  for (const node of root.children.filter((n) => n.tag === 'option')) {
    const a = node.attrs;
    checkAttributes(node, a);
    if (node.children.length > 0) throw new MjcfError(`<option> element <${node.children[0].tag}>`, node.children[0].tag, 'no children (flags are not supported)');
    model.timestep = num(node, a, 'timestep', model.timestep);
    if (!(model.timestep > 0)) throw new MjcfError('<option> attribute "timestep"', a.timestep, 'a positive number');
    if (a.integrator !== undefined) {
      const i = a.integrator.toLowerCase();
      if (i !== 'euler' && i !== 'rk4') throw new MjcfError('<option> attribute "integrator"', a.integrator, '"Euler" or "RK4"');
      model.integrator = i;
    }
    model.gravity = vec(node, a, 'gravity', model.gravity);
    model.density = num(node, a, 'density', model.density, 0);
    model.viscosity = num(node, a, 'viscosity', model.viscosity, 0);
    if (a.wind !== undefined && numbers(node, 'wind', a.wind, 3).some((x) => x !== 0)) throw new MjcfError('<option> attribute "wind"', a.wind, '"0 0 0"');
  }
}

/** Parses an MJCF document into the model the planar engine compiles. */
export function loadMjcf(xml: string): MjcfModel {
  const root = parseTree(xml);
  const model: MjcfModel = { name: root.attrs.model ?? 'model', timestep: 0.002, integrator: 'euler', gravity: [0, 0, -9.81], density: 0, viscosity: 0, bodies: [], joints: [], geoms: [], motors: [] };
  const c = readCompiler(root);
  readOption(root, model);
  const defaults = readDefaults(root);
  const explicitInertia = new Map<number, { mass: number; ipos: Vec3; inertia: Mat3 }>();

  const readChildren = (parentNode: Node, body: number, childclass: string): void => {
    for (const node of parentNode.children) {
      if (IGNORED.has(node.tag)) continue;
      if (node.tag === 'geom') model.geoms.push(readGeom(node, withDefaults(node, defaults, childclass), body, c));
      else if (node.tag === 'body') {
        const a = node.attrs;
        checkAttributes(node, a);
        if (a.mocap === 'true') throw new MjcfError(`${describe(node)} attribute "mocap"`, a.mocap, '"false"');
        const index = model.bodies.length;
        model.bodies.push({ name: a.name ?? `body${index}`, parent: body, pos: vec(node, a, 'pos', [0, 0, 0]), quat: orientation(node, a, c), joints: [], geoms: [], mass: 0, ipos: [0, 0, 0], inertia: [0, 0, 0, 0, 0, 0, 0, 0, 0] });
        readChildren(node, index, a.childclass ?? childclass);
      } else if (node.tag === 'joint') {
        if (body < 0) throw new MjcfError('<worldbody> element <joint>', node.attrs.name ?? '', 'joints inside bodies only');
        model.bodies[body].joints.push(model.joints.length);
        model.joints.push(readJoint(node, withDefaults(node, defaults, childclass), body, c));
      } else if (node.tag === 'inertial') {
        if (body < 0) throw new MjcfError('<worldbody> element <inertial>', '', 'inertial inside bodies only');
        explicitInertia.set(body, readInertial(node, c));
      } else throw new MjcfError(`${describe(parentNode)} element <${node.tag}>`, node.tag, `one of body, joint, geom, inertial (or visual content: ${[...IGNORED].slice(0, 6).join(', ')}, ...)`);
    }
  };

  for (const node of root.children) {
    if (IGNORED.has(node.tag) || node.tag === 'compiler' || node.tag === 'option' || node.tag === 'default') continue;
    if (node.tag === 'worldbody') readChildren(node, -1, 'main');
    else if (node.tag === 'actuator') {
      for (const act of node.children) {
        if (act.tag !== 'motor') throw new MjcfError(`<actuator> element <${act.tag}>`, act.attrs.name ?? act.tag, '<motor> actuators only');
        const a = withDefaults(act, defaults, 'main');
        checkAttributes(act, a);
        const joint = model.joints.findIndex((j) => j.name === a.joint);
        if (joint < 0) throw new MjcfError(`${describe(act)} attribute "joint"`, a.joint ?? 'missing', `the name of a joint (${model.joints.map((j) => j.name).join(', ')})`);
        const gear = a.gear === undefined ? [1] : numbers(act, 'gear', a.gear, [1, 6]);
        if (gear.slice(1).some((g) => g !== 0)) throw new MjcfError(`${describe(act)} attribute "gear"`, a.gear, 'one gear (the rest 0) for a joint motor');
        const ctrl = a.ctrlrange === undefined ? [0, 0] : numbers(act, 'ctrlrange', a.ctrlrange, 2);
        const force = a.forcerange === undefined ? [0, 0] : numbers(act, 'forcerange', a.forcerange, 2);
        const limited = (attr: string, given: boolean): boolean => {
          const v = a[attr] === undefined ? 'auto' : bool(act, attr, a[attr]);
          if (v === 'auto' && !c.autolimits && given) throw new MjcfError(`${describe(act)} attribute "${attr}"`, 'missing', '"true" or "false" with a range when autolimits is off (as MuJoCo requires)');
          return v === 'auto' ? c.autolimits && given : v;
        };
        model.motors.push({
          name: a.name ?? `motor${model.motors.length}`, joint, gear: gear[0],
          ctrllimited: limited('ctrllimited', a.ctrlrange !== undefined), ctrlrange: [ctrl[0], ctrl[1]],
          forcelimited: limited('forcelimited', a.forcerange !== undefined), forcerange: [force[0], force[1]],
        });
      }
    } else if (!PHYSICAL.has(node.tag)) throw new MjcfError(`<mujoco> element <${node.tag}>`, node.tag, 'compiler, option, default, worldbody, actuator (or visual content, which is ignored)');
  }

  // MuJoCo's dof order: body by body (parents first), each body's joints together in document
  // order, even when a body's joints are written after one of its children.
  const order = model.joints.map((_, i) => i).sort((x, y) => model.joints[x].body - model.joints[y].body || x - y);
  const renumber = new Map(order.map((old, index) => [old, index]));
  model.joints = order.map((old) => model.joints[old]);
  for (const b of model.bodies) b.joints = b.joints.map((j) => renumber.get(j)!).sort((x, y) => x - y);
  for (const m of model.motors) m.joint = renumber.get(m.joint)!;

  // Inertia: MuJoCo's inertiafromgeom "true" always from geoms, "auto" when no <inertial>.
  model.bodies.forEach((b, i) => {
    const explicit = explicitInertia.get(i);
    const fromGeoms = c.inertiaFromGeom === true || (c.inertiaFromGeom === 'auto' && !explicit);
    const own = fromGeoms ? bodyInertia(model.geoms.filter((g) => g.body === i)) : explicit ?? { mass: 0, ipos: [0, 0, 0] as Vec3, inertia: [0, 0, 0, 0, 0, 0, 0, 0, 0] as Mat3 };
    Object.assign(b, own);
    b.geoms = model.geoms.map((g, k) => (g.body === i ? k : -1)).filter((k) => k >= 0);
    if (b.joints.length > 0 && !(b.mass > 0)) throw new MjcfError(`<body name="${b.name}">`, b.mass, 'a positive mass for a body with joints');
  });
  if (c.totalMass > 0) {
    const total = model.bodies.reduce((s, b) => s + b.mass, 0);
    const scale = c.totalMass / total;
    for (const b of model.bodies) {
      b.mass *= scale;
      b.inertia = b.inertia.map((x) => x * scale) as Mat3;
    }
  }
  return model;
}

/** Principal moments and axes (columns, in the body frame) of a body's inertia. */
export function principalInertia(body: MjcfBody): { moments: Vec3; axes: Mat3 } {
  const { values, vectors } = symmetricEigen(body.inertia);
  return { moments: values, axes: vectors };
}

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
import { XMLParser } from 'fast-xml-parser';
import { ConfigError } from '../errors.js';
import {
  add3, addMat3, dot3, IDENTITY_QUAT, type Mat3, norm3, normalize3, normalizeQuat, quatFromAxisAngle, quatMul,
  quatToMat, quatZToVec, rotateDiagonal, scale3, sub3, symmetricEigen, type Quat, type Vec3,
} from './math3.js';

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

interface Node {
  tag: string;
  attrs: Record<string, string>;
  children: Node[];
}

/** Elements read for what they say; their attributes are checked by the functions below. */
const PHYSICAL = new Set(['mujoco', 'compiler', 'option', 'default', 'worldbody', 'body', 'joint', 'geom', 'inertial', 'actuator', 'motor']);
/** Elements with nothing to do with the dynamics: read and ignored. */
const IGNORED = new Set(['asset', 'texture', 'material', 'mesh', 'hfield', 'visual', 'statistic', 'size', 'light', 'camera', 'site', 'sensor', 'custom', 'numeric', 'text', 'tuple', 'keyframe', 'key', 'global', 'quality', 'headlight', 'map', 'scale', 'rgba']);
/** Attributes that change nothing here (names, looks, grouping, or contacts' filters that are read). */
const COSMETIC = new Set(['name', 'class', 'childclass', 'rgba', 'material', 'group', 'user', 'conaffinity', 'contype', 'condim', 'friction', 'solref', 'solimp', 'margin', 'gap', 'priority', 'solmix', 'mode', 'target']);

const ALLOWED: Record<string, ReadonlySet<string>> = {
  mujoco: new Set(['model']),
  compiler: new Set(['angle', 'inertiafromgeom', 'settotalmass', 'coordinate', 'autolimits', 'eulerseq', 'meshdir', 'texturedir', 'assetdir', 'strippath', 'discardvisual', 'boundmass', 'boundinertia', 'balanceinertia', 'inertiagrouprange']),
  option: new Set(['timestep', 'integrator', 'gravity', 'density', 'viscosity', 'wind', 'collision', 'cone', 'solver', 'iterations', 'tolerance', 'ls_iterations', 'noslip_iterations', 'impratio', 'jacobian']),
  body: new Set(['pos', 'quat', 'axisangle', 'euler', 'zaxis', 'gravcomp', 'mocap']),
  joint: new Set(['type', 'pos', 'axis', 'ref', 'springref', 'stiffness', 'damping', 'armature', 'limited', 'range', 'margin', 'solreflimit', 'solimplimit', 'frictionloss']),
  geom: new Set(['type', 'size', 'pos', 'quat', 'axisangle', 'euler', 'zaxis', 'fromto', 'density', 'mass', 'shellinertia', 'fluidshape']),
  inertial: new Set(['pos', 'quat', 'axisangle', 'euler', 'zaxis', 'mass', 'diaginertia', 'fullinertia']),
  motor: new Set(['joint', 'gear', 'ctrllimited', 'ctrlrange', 'forcelimited', 'forcerange']),
};

/** A model that says something this loader cannot simulate, named by element and attribute. */
export class MjcfError extends ConfigError {
  constructor(where: string, value: unknown, allowed: string) {
    super(`MJCF ${where}`, value, allowed);
    this.name = 'MjcfError';
  }
}

function describe(node: Node): string {
  return node.attrs.name !== undefined ? `<${node.tag} name="${node.attrs.name}">` : `<${node.tag}>`;
}

function parseTree(xml: string): Node {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true, commentPropName: '#comment', parseAttributeValue: false, parseTagValue: false });
  let raw: unknown;
  try {
    raw = parser.parse(xml, true);
  } catch (e) {
    throw new MjcfError('document', (e as Error).message.split('\n')[0], 'well-formed XML');
  }
  const convert = (items: unknown[]): Node[] => {
    const out: Node[] = [];
    for (const item of items as Record<string, unknown>[]) {
      const tag = Object.keys(item).find((k) => k !== ':@');
      if (!tag || tag === '#comment' || tag === '#text' || tag === '?xml') continue;
      const attrs = (item[':@'] ?? {}) as Record<string, string>;
      out.push({ tag, attrs: { ...attrs }, children: convert(item[tag] as unknown[]) });
    }
    return out;
  };
  const roots = convert(raw as unknown[]);
  const root = roots.find((n) => n.tag === 'mujoco');
  if (!root) throw new MjcfError('document', roots.map((n) => n.tag).join(', ') || 'no element', 'a <mujoco> root element');
  return root;
}

function numbers(node: Node, attr: string, value: string, count?: number | [number, number]): number[] {
  const parts = value.trim().split(/\s+/).filter((s) => s !== '').map(Number);
  const [lo, hi] = count === undefined ? [1, Infinity] : typeof count === 'number' ? [count, count] : count;
  if (parts.length < lo || parts.length > hi || parts.some((x) => !Number.isFinite(x))) {
    throw new MjcfError(`${describe(node)} attribute "${attr}"`, value, `${lo === hi ? lo : `${lo} to ${hi}`} finite numbers`);
  }
  return parts;
}

function bool(node: Node, attr: string, value: string): boolean | 'auto' {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'auto') return 'auto';
  throw new MjcfError(`${describe(node)} attribute "${attr}"`, value, '"true", "false" or "auto"');
}

interface Compiler {
  degrees: boolean;
  inertiaFromGeom: boolean | 'auto';
  totalMass: number;
  autolimits: boolean;
}

type Defaults = Map<string, { parent: string | null; attrs: Record<string, Record<string, string>> }>;

function readDefaults(root: Node): Defaults {
  const defaults: Defaults = new Map([['main', { parent: null, attrs: {} }]]);
  const visit = (node: Node, cls: string): void => {
    for (const child of node.children) {
      if (child.tag === 'default') {
        const name = child.attrs.class;
        if (name === undefined) throw new MjcfError('<default> attribute "class"', 'missing', 'a class name on every nested <default>');
        defaults.set(name, { parent: cls, attrs: {} });
        visit(child, name);
      } else {
        const entry = defaults.get(cls)!;
        entry.attrs[child.tag] = { ...(entry.attrs[child.tag] ?? {}), ...child.attrs };
      }
    }
  };
  for (const d of root.children.filter((n) => n.tag === 'default')) {
    if (d.attrs.class !== undefined && d.attrs.class !== 'main') {
      defaults.set(d.attrs.class, { parent: 'main', attrs: {} });
      visit(d, d.attrs.class);
    } else visit(d, 'main');
  }
  return defaults;
}

/** The element's attributes over those of its default class (and the class's ancestors). */
function withDefaults(node: Node, defaults: Defaults, inherited: string): Record<string, string> {
  const cls = node.attrs.class ?? inherited;
  if (!defaults.has(cls)) throw new MjcfError(`${describe(node)} attribute "class"`, cls, `a defined class (${[...defaults.keys()].join(', ')})`);
  const chain: string[] = [];
  for (let c: string | null = cls; c !== null; c = defaults.get(c)!.parent) chain.unshift(c);
  const tag = node.tag;
  const merged: Record<string, string> = {};
  for (const c of chain) Object.assign(merged, defaults.get(c)!.attrs[tag] ?? {});
  return { ...merged, ...node.attrs };
}

function checkAttributes(node: Node, attrs: Record<string, string>): void {
  const allowed = ALLOWED[node.tag];
  for (const key of Object.keys(attrs)) {
    if (COSMETIC.has(key) || allowed?.has(key)) continue;
    throw new MjcfError(`${describe(node)} attribute "${key}"`, attrs[key], `one of the attributes this loader simulates (${[...(allowed ?? [])].join(', ')})`);
  }
}

function orientation(node: Node, a: Record<string, string>, c: Compiler): Quat {
  const given = ['quat', 'axisangle', 'euler', 'zaxis'].filter((k) => a[k] !== undefined);
  if (given.length > 1) throw new MjcfError(`${describe(node)} attributes "${given.join('", "')}"`, given.join(', '), 'at most one orientation');
  const angle = (x: number) => (c.degrees ? (x * Math.PI) / 180 : x);
  if (a.quat !== undefined) return normalizeQuat(numbers(node, 'quat', a.quat, 4) as Quat);
  if (a.axisangle !== undefined) {
    const [x, y, z, t] = numbers(node, 'axisangle', a.axisangle, 4);
    return quatFromAxisAngle([x, y, z], angle(t));
  }
  if (a.zaxis !== undefined) return quatZToVec(numbers(node, 'zaxis', a.zaxis, 3) as Vec3);
  if (a.euler !== undefined) {
    // MuJoCo's default sequence "xyz": intrinsic rotations about the moving frame's axes.
    const e = numbers(node, 'euler', a.euler, 3).map(angle);
    let q: Quat = IDENTITY_QUAT;
    const axes: Vec3[] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    for (let i = 0; i < 3; i++) q = quatMul(q, quatFromAxisAngle(axes[i], e[i]));
    return q;
  }
  return IDENTITY_QUAT;
}

function vec(node: Node, a: Record<string, string>, key: string, fallback: Vec3): Vec3 {
  return a[key] === undefined ? fallback : (numbers(node, key, a[key], 3) as Vec3);
}

function num(node: Node, a: Record<string, string>, key: string, fallback: number, min = -Infinity): number {
  if (a[key] === undefined) return fallback;
  const [x] = numbers(node, key, a[key], 1);
  if (x < min) throw new MjcfError(`${describe(node)} attribute "${key}"`, x, `a number >= ${min}`);
  return x;
}

function padded(node: Node, a: Record<string, string>, key: string, fallback: readonly number[]): number[] {
  if (a[key] === undefined) return [...fallback];
  const given = numbers(node, key, a[key], [1, fallback.length]);
  return [...given, ...fallback.slice(given.length)];
}

/** Volume and principal inertia per unit mass of a solid geom (MuJoCo's formulas). */
function geomVolumeInertia(type: GeomType, size: number[]): { volume: number; unitInertia: Vec3 } {
  const r = size[0];
  switch (type) {
    case 'sphere':
      return { volume: (4 * Math.PI * r ** 3) / 3, unitInertia: [0.4 * r * r, 0.4 * r * r, 0.4 * r * r] };
    case 'capsule': {
      const h = 2 * size[1];
      const volume = Math.PI * (r * r * h + (4 * r ** 3) / 3);
      const sphere = (4 * r) / (4 * r + 3 * h);
      const cylinder = 1 - sphere;
      const across = (cylinder * (3 * r * r + h * h)) / 12 + 0.4 * sphere * r * r + (sphere * h * (3 * r + 2 * h)) / 8;
      return { volume, unitInertia: [across, across, (cylinder * r * r) / 2 + 0.4 * sphere * r * r] };
    }
    case 'cylinder': {
      const h = 2 * size[1];
      const across = (3 * r * r + h * h) / 12;
      return { volume: Math.PI * r * r * h, unitInertia: [across, across, (r * r) / 2] };
    }
    case 'box': {
      const [x, y, z] = size;
      return { volume: 8 * x * y * z, unitInertia: [(y * y + z * z) / 3, (x * x + z * z) / 3, (x * x + y * y) / 3] };
    }
    case 'ellipsoid': {
      const [a, b, c] = size;
      return { volume: (4 * Math.PI * a * b * c) / 3, unitInertia: [(b * b + c * c) / 5, (a * a + c * c) / 5, (a * a + b * b) / 5] };
    }
    case 'plane':
      return { volume: 0, unitInertia: [0, 0, 0] };
  }
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
  const limited = limitedAttr === 'auto' ? c.autolimits && a.range !== undefined : limitedAttr;
  if (limited && !(range[0] < range[1])) throw new MjcfError(`${describe(node)} attribute "range"`, a.range ?? 'missing', 'lower < upper for a limited joint');
  if (num(node, a, 'frictionloss', 0) !== 0) throw new MjcfError(`${describe(node)} attribute "frictionloss"`, a.frictionloss, '0 (dry joint friction is not supported)');
  const axis = vec(node, a, 'axis', [0, 0, 1]);
  if (norm3(axis) < 1e-10) throw new MjcfError(`${describe(node)} attribute "axis"`, a.axis, 'a non-zero vector');
  const ref = num(node, a, 'ref', 0) * angular;
  return {
    name: a.name ?? '', type, body, pos: vec(node, a, 'pos', [0, 0, 0]), axis: normalize3(axis), ref,
    springref: a.springref === undefined ? ref : num(node, a, 'springref', 0) * angular,
    stiffness: num(node, a, 'stiffness', 0, 0), damping: num(node, a, 'damping', 0, 0), armature: num(node, a, 'armature', 0, 0),
    limited, range: [range[0], range[1]], margin: num(node, a, 'margin', 0, 0),
    solref: padded(node, a, 'solreflimit', DEFAULT_SOLREF), solimp: padded(node, a, 'solimplimit', DEFAULT_SOLIMP),
  };
}

/** Mass, centre of mass and inertia about it of a body's geoms (or its <inertial>). */
function bodyInertia(geoms: MjcfGeom[]): { mass: number; ipos: Vec3; inertia: Mat3 } {
  const mass = geoms.reduce((s, g) => s + g.mass, 0);
  if (mass <= 0) return { mass: 0, ipos: [0, 0, 0], inertia: [0, 0, 0, 0, 0, 0, 0, 0, 0] };
  const ipos = scale3(geoms.reduce<Vec3>((s, g) => add3(s, scale3(g.pos, g.mass)), [0, 0, 0]), 1 / mass);
  let inertia: Mat3 = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (const g of geoms) {
    const unit = geomVolumeInertia(g.type, g.size).unitInertia;
    inertia = addMat3(inertia, rotateDiagonal(quatToMat(g.quat), scale3(unit, g.mass)));
    const d = sub3(g.pos, ipos);
    const dd = dot3(d, d);
    const parallel: Mat3 = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) parallel[3 * i + j] = g.mass * ((i === j ? dd : 0) - d[i] * d[j]);
    inertia = addMat3(inertia, parallel);
  }
  return { mass, ipos, inertia };
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
    for (const k of ['boundmass', 'boundinertia']) if (a[k] !== undefined && num(node, a, k, 0) !== 0) throw new MjcfError(`<compiler> attribute "${k}"`, a[k], '0');
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

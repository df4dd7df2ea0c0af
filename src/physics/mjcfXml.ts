/**
 * The XML side of the MJCF loader (src/physics/mjcf.ts): parsing with fast-xml-parser into a
 * plain tree, default classes, attribute checks and typed attribute readers, each error naming
 * the element and the attribute.
 */
import { XMLParser } from 'fast-xml-parser';
import { ConfigError } from '../errors.js';
import { IDENTITY_QUAT, normalizeQuat, quatFromAxisAngle, quatMul, quatZToVec, type Quat, type Vec3 } from './math3.js';

export interface Node {
  tag: string;
  attrs: Record<string, string>;
  children: Node[];
}

/** Elements read for what they say; their attributes are checked by the functions below. */
export const PHYSICAL = new Set(['mujoco', 'compiler', 'option', 'default', 'worldbody', 'body', 'joint', 'geom', 'inertial', 'actuator', 'motor']);
/** Elements with nothing to do with the dynamics: read and ignored. */
export const IGNORED = new Set(['asset', 'texture', 'material', 'mesh', 'hfield', 'visual', 'statistic', 'size', 'light', 'camera', 'site', 'sensor', 'custom', 'numeric', 'text', 'tuple', 'keyframe', 'key', 'global', 'quality', 'headlight', 'map', 'scale', 'rgba']);
/** Attributes that change nothing here (names, looks, grouping, or contacts' filters that are read). */
export const COSMETIC = new Set(['name', 'class', 'childclass', 'rgba', 'material', 'group', 'user', 'conaffinity', 'contype', 'condim', 'friction', 'solref', 'solimp', 'margin', 'mode', 'target']);

/**
 * Attributes read only at MuJoCo's default: any other value changes the physics in a way the
 * engine does not simulate (elliptic cones, impratio, noslip, contact gaps and priorities, gravity
 * compensation, inertia from some geom groups only, MuJoCo's inertia balancing).
 */
const DEFAULT_ONLY: Record<string, Record<string, string>> = {
  option: { cone: 'pyramidal', impratio: '1', noslip_iterations: '0' },
  geom: { gap: '0', priority: '0', solmix: '1' },
  body: { gravcomp: '0' },
  compiler: { inertiagrouprange: '0 5', balanceinertia: 'false', boundmass: '0', boundinertia: '0' },
};

const sameValue = (a: string, b: string): boolean => {
  const x = a.trim().split(/\s+/), y = b.trim().split(/\s+/);
  return x.length === y.length && x.every((v, i) => v === y[i] || (Number.isFinite(Number(v)) && Number(v) === Number(y[i])));
};

export const ALLOWED: Record<string, ReadonlySet<string>> = {
  mujoco: new Set(['model']),
  compiler: new Set(['angle', 'inertiafromgeom', 'settotalmass', 'coordinate', 'autolimits', 'eulerseq', 'meshdir', 'texturedir', 'assetdir', 'strippath', 'discardvisual', 'boundmass', 'boundinertia', 'balanceinertia', 'inertiagrouprange']),
  option: new Set(['timestep', 'integrator', 'gravity', 'density', 'viscosity', 'wind', 'collision', 'cone', 'solver', 'iterations', 'tolerance', 'ls_iterations', 'noslip_iterations', 'impratio', 'jacobian']),
  body: new Set(['pos', 'quat', 'axisangle', 'euler', 'zaxis', 'gravcomp', 'mocap']),
  joint: new Set(['type', 'pos', 'axis', 'ref', 'springref', 'stiffness', 'damping', 'armature', 'limited', 'range', 'margin', 'solreflimit', 'solimplimit', 'frictionloss']),
  geom: new Set(['type', 'size', 'pos', 'quat', 'axisangle', 'euler', 'zaxis', 'fromto', 'density', 'mass', 'shellinertia', 'fluidshape', 'gap', 'priority', 'solmix']),
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

export function describe(node: Node): string {
  return node.attrs.name !== undefined ? `<${node.tag} name="${node.attrs.name}">` : `<${node.tag}>`;
}

export function parseTree(xml: string): Node {
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

export function numbers(node: Node, attr: string, value: string, count?: number | [number, number]): number[] {
  const parts = value.trim().split(/\s+/).filter((s) => s !== '').map(Number);
  const [lo, hi] = count === undefined ? [1, Infinity] : typeof count === 'number' ? [count, count] : count;
  if (parts.length < lo || parts.length > hi || parts.some((x) => !Number.isFinite(x))) {
    throw new MjcfError(`${describe(node)} attribute "${attr}"`, value, `${lo === hi ? lo : `${lo} to ${hi}`} finite numbers`);
  }
  return parts;
}

export function bool(node: Node, attr: string, value: string): boolean | 'auto' {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'auto') return 'auto';
  throw new MjcfError(`${describe(node)} attribute "${attr}"`, value, '"true", "false" or "auto"');
}

export interface Compiler {
  degrees: boolean;
  inertiaFromGeom: boolean | 'auto';
  totalMass: number;
  autolimits: boolean;
}

export type Defaults = Map<string, { parent: string | null; attrs: Record<string, Record<string, string>> }>;

export function readDefaults(root: Node): Defaults {
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
export function withDefaults(node: Node, defaults: Defaults, inherited: string): Record<string, string> {
  const cls = node.attrs.class ?? inherited;
  if (!defaults.has(cls)) throw new MjcfError(`${describe(node)} attribute "class"`, cls, `a defined class (${[...defaults.keys()].join(', ')})`);
  const chain: string[] = [];
  for (let c: string | null = cls; c !== null; c = defaults.get(c)!.parent) chain.unshift(c);
  const tag = node.tag;
  const merged: Record<string, string> = {};
  for (const c of chain) Object.assign(merged, defaults.get(c)!.attrs[tag] ?? {});
  return { ...merged, ...node.attrs };
}

export function checkAttributes(node: Node, attrs: Record<string, string>): void {
  const allowed = ALLOWED[node.tag];
  for (const key of Object.keys(attrs)) {
    const only = DEFAULT_ONLY[node.tag]?.[key];
    if (only !== undefined && !sameValue(attrs[key], only)) throw new MjcfError(`${describe(node)} attribute "${key}"`, attrs[key], `"${only}" (MuJoCo's default; other values are not simulated)`);
    if (COSMETIC.has(key) || allowed?.has(key)) continue;
    throw new MjcfError(`${describe(node)} attribute "${key}"`, attrs[key], `one of the attributes this loader simulates (${[...(allowed ?? [])].join(', ')})`);
  }
}

export function orientation(node: Node, a: Record<string, string>, c: Compiler): Quat {
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

export function vec(node: Node, a: Record<string, string>, key: string, fallback: Vec3): Vec3 {
  return a[key] === undefined ? fallback : (numbers(node, key, a[key], 3) as Vec3);
}

export function num(node: Node, a: Record<string, string>, key: string, fallback: number, min = -Infinity): number {
  if (a[key] === undefined) return fallback;
  const [x] = numbers(node, key, a[key], 1);
  if (x < min) throw new MjcfError(`${describe(node)} attribute "${key}"`, x, `a number >= ${min}`);
  return x;
}

export function padded(node: Node, a: Record<string, string>, key: string, fallback: readonly number[]): number[] {
  if (a[key] === undefined) return [...fallback];
  const given = numbers(node, key, a[key], [1, fallback.length]);
  return [...given, ...fallback.slice(given.length)];
}

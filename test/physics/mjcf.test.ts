/**
 * The MJCF loader: gymnasium's XML and pathwise's own robot files load to the same robots, and
 * what the planar engine cannot simulate is refused naming the element and the attribute.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMjcf, MjcfError } from '../../src/physics/mjcf.js';
import { compilePlanar, MAX_DOFS } from '../../src/physics/planarModel.js';
import { mujocoFolder } from './mujocoReference.js';

const robots = join(__dirname, '../../robots');
const pairs: [string, string][] = [
  ['half_cheetah.xml', 'half_cheetah.xml'],
  ['hopper.xml', 'hopper.xml'],
  ['walker2d_v5.xml', 'walker2d.xml'],
  ['swimmer.xml', 'swimmer.xml'],
];

const model = (body: string, extra = '') => `<mujoco model="t">${extra}<worldbody><geom type="plane" size="5 5 1"/>${body}</worldbody></mujoco>`;
const arm = (joint: string, geom = '<geom type="capsule" fromto="0 0 0 0 0 -1" size="0.05"/>') => model(`<body name="arm" pos="0 0 2">${joint}${geom}</body>`);

describe('MJCF loader', () => {
  it.each(pairs)("gymnasium's %s and pathwise's robots/%s compile to the same planar robot", (theirs, ours) => {
    const a = compilePlanar(loadMjcf(readFileSync(join(mujocoFolder, 'models', theirs), 'utf8')));
    const b = compilePlanar(loadMjcf(readFileSync(join(robots, ours), 'utf8')));
    expect(b.timestep).toBe(a.timestep);
    expect(b.integrator).toBe(a.integrator);
    expect(b.gravity).toEqual(a.gravity);
    expect(b.dofs.length).toBe(a.dofs.length);
    const close = (x: number, y: number) => expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(y)));
    a.bodies.forEach((body, i) => {
      const o = b.bodies[i];
      for (const k of ['mass', 'inertia', 'angle', 'invweightTran'] as const) close(o[k], body[k]);
      [0, 1].forEach((c) => (close(o.pos[c], body.pos[c]), close(o.com[c], body.com[c])));
      expect(o.chain).toEqual(body.chain);
    });
    a.dofs.forEach((d, i) => {
      const o = b.dofs[i];
      expect([o.type, o.sign, o.limited]).toEqual([d.type, d.sign, d.limited]);
      for (const k of ['ref', 'springref', 'stiffness', 'damping', 'armature', 'invweight0'] as const) close(o[k], d[k]);
      [0, 1].forEach((c) => (close(o.anchor[c], d.anchor[c]), close(o.axis[c], d.axis[c]), close(o.range[c], d.range[c])));
      expect(o.solref).toEqual(d.solref);
      expect(o.solimp).toEqual(d.solimp);
    });
    expect(b.motors.map((m) => [m.dof, m.gear, m.ctrlrange])).toEqual(a.motors.map((m) => [m.dof, m.gear, m.ctrlrange]));
  });

  it('computes capsule mass and inertia as MuJoCo does, and settotalmass scales them', () => {
    // A capsule of radius 0.05, length 1 along z, density 1000: volume pi r^2 (h + 4 r / 3).
    const m = loadMjcf(arm('<joint type="hinge" axis="0 1 0"/>'));
    const r = 0.05, h = 1;
    expect(m.bodies[0].mass).toBeCloseTo(1000 * Math.PI * r * r * (h + (4 * r) / 3), 10);
    const scaled = loadMjcf(arm('<joint type="hinge" axis="0 1 0"/>').replace('<mujoco model="t">', '<mujoco model="t"><compiler settotalmass="3"/>'));
    expect(scaled.bodies[0].mass).toBeCloseTo(3, 12);
    expect(scaled.bodies[0].inertia[0] / m.bodies[0].inertia[0]).toBeCloseTo(3 / m.bodies[0].mass, 12);
  });

  it("numbers joints body by body as MuJoCo does, even when a body's joint follows its child", () => {
    const xml = model(`<body name="a"><joint name="A" axis="0 1 0"/><geom type="sphere" size="0.1" contype="0"/>
      <body name="b" pos="0 0 -1"><joint name="C" axis="0 1 0"/><geom type="sphere" size="0.1" contype="0"/></body>
      <joint name="B" axis="0 1 0"/></body>`).replace('</mujoco>', '<actuator><motor joint="B"/><motor joint="C"/></actuator></mujoco>');
    const m = loadMjcf(xml);
    expect(m.joints.map((j) => j.name)).toEqual(['A', 'B', 'C']);
    expect(m.bodies.map((b) => b.joints)).toEqual([[0, 1], [2]]);
    expect(m.motors.map((a) => a.joint)).toEqual([1, 2]);
  });

  it("takes a joint's spring reference as 0 unless springref says otherwise (MuJoCo's default), not its ref", () => {
    const j = loadMjcf(arm('<joint axis="0 1 0" ref="30" stiffness="5"/>')).joints[0];
    expect(j.ref).toBeCloseTo(Math.PI / 6, 12);
    expect(j.springref).toBe(0);
  });

  it('applies default classes, childclass and angles in degrees', () => {
    const xml = `<mujoco model="t"><default><joint damping="2"/><default class="stiff"><joint stiffness="50" range="-90 90"/></default></default>
      <worldbody><body name="a" childclass="stiff"><joint name="j" axis="0 1 0"/><geom type="sphere" size="0.1"/></body></worldbody></mujoco>`;
    const j = loadMjcf(xml).joints[0];
    expect([j.damping, j.stiffness, j.limited]).toEqual([2, 50, true]);
    expect(j.range[1]).toBeCloseTo(Math.PI / 2, 12);
  });

  const refusals: [string, string, RegExp][] = [
    ['a free joint', arm('<joint type="free"/>'), /<joint> attribute "type": got "free", expected "hinge" or "slide"/],
    ['a ball joint', arm('<joint type="ball"/>'), /<joint> attribute "type": got "ball", expected "hinge" or "slide"/],
    ['a freejoint element', arm('<freejoint/>'), /<body name="arm"> element <freejoint>/],
    ['elliptic cones', arm('<joint axis="0 1 0"/>').replace('<mujoco model="t">', '<mujoco model="t"><option cone="elliptic"/>'), /<option> attribute "cone": got "elliptic", expected "pyramidal"/],
    ['a contact gap', arm('<joint axis="0 1 0"/>', '<geom type="capsule" fromto="0 0 0 0 0 -1" size="0.05" gap="0.01"/>'), /<geom> attribute "gap": got "0.01", expected "0"/],
    ['a range without limited when autolimits is off', arm('<joint axis="0 1 0" range="-1 1"/>').replace('<mujoco model="t">', '<mujoco model="t"><compiler autolimits="false"/>'), /<joint> attribute "limited": got "missing"/],
    ['a geom touching a world box', model('<geom type="box" size="1 1 0.1" pos="0 0 -1"/><body><joint axis="0 1 0"/><geom type="sphere" size="0.1"/></body>'), /no contact with world geoms other than planes/],
    ['a tendon', model('<body><joint axis="0 1 0"/><geom size="0.1"/></body>', '<tendon/>'), /<mujoco> element <tendon>/],
    ['a position actuator', arm('<joint name="j" axis="0 1 0"/>').replace('</mujoco>', '<actuator><position joint="j"/></actuator></mujoco>'), /<actuator> element <position>/],
    ['an attribute that changes the physics', arm('<joint axis="0 1 0" frictionloss="0.5"/>'), /<joint> attribute "frictionloss": got "0.5", expected 0/],
    ['an unknown attribute', arm('<joint axis="0 1 0" springdamper="1 1"/>'), /<joint> attribute "springdamper"/],
    ['a hinge off the plane', model('<body><joint axis="0 1 0"/><geom size="0.1"/><body><joint name="twist" axis="1 0 0"/><geom size="0.1"/></body></body>'), /<joint name="twist"> attribute "axis".*parallel to the plane normal/],
    ['a motor on a missing joint', arm('<joint name="j" axis="0 1 0"/>').replace('</mujoco>', '<actuator><motor joint="k"/></actuator></mujoco>'), /<motor> attribute "joint": got "k"/],
    ['malformed XML', '<mujoco><worldbody></mujoco>', /MJCF document: got .*well-formed XML/],
    ['the Implicit integrator', arm('<joint axis="0 1 0"/>', undefined).replace('<mujoco model="t">', '<mujoco model="t"><option integrator="implicit"/>'), /<option> attribute "integrator": got "implicit"/],
    ['a box touching the ground', arm('<joint axis="0 1 0"/>', '<geom type="box" size="0.1 0.1 0.1"/>'), /<geom> \(geom 1 of the file\) attribute "type": got "box", expected capsule or sphere for a geom that touches the ground/],
  ];
  it.each(refusals)('refuses %s, naming it', (_, xml, message) => {
    let error: unknown;
    try {
      compilePlanar(loadMjcf(xml));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MjcfError);
    expect((error as Error).message).toMatch(message);
  });

  it(`refuses more than ${MAX_DOFS} degrees of freedom, saying how many the kernels support`, () => {
    let bodies = '';
    for (let i = 0; i <= MAX_DOFS; i++) bodies += `<body name="b${i}" pos="0 0 -0.1"><joint axis="0 1 0"/><geom type="sphere" size="0.05" contype="0" conaffinity="0"/>`;
    bodies += '</body>'.repeat(MAX_DOFS + 1);
    expect(() => compilePlanar(loadMjcf(model(bodies)))).toThrow(new RegExp(`${MAX_DOFS + 1} degrees of freedom", expected at most ${MAX_DOFS}`));
  });
});

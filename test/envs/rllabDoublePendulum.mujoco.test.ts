/**
 * rllab-double-pendulum's float64 reference against MuJoCo itself (mujoco-js, MuJoCo 3.3.8 in
 * WebAssembly) stepping rllab's own model file, vendor/mujoco_models/inverted_double_pendulum.xml
 * (rllab commit ba78e4c, the .xml.mako rendered without noise: identical), loaded unchanged:
 * MuJoCo 3 still accepts all of its syntax (coordinate='local', <size nstack>, ctrllimited).
 * The env step is rllab's MujocoEnv.forward_dynamics: ctrl = action, frame_skip (the model's
 * custom numeric, 2) mj_steps, then mj_forward so that site_xpos (the tip) is the reached state's.
 * MuJoCo 3 compiles the capsules exactly (cylinder + hemispheres), rllab's MuJoCo 1.31 as
 * cylinders of length h + r; the env's defaults are the latter, so the equations are compared
 * with MuJoCo 3's masses and inertias in the parameters, and each compiler's formula is checked:
 * MuJoCo 3's against mujoco-js, 1.31's against the env's defaults.
 */
import { describe, expect, it } from 'vitest';
import { loadMujoco, type MujocoData, type MujocoModel } from '../../src/bench/mujocoPeer.js';
import { capsuleMujoco131, capsuleMujoco3, rllabDoublePendulum as def } from '../../src/envs/rllabDoublePendulum.js';
import { rng } from '../helpers/random.js';

const RLLAB_XML = `<mujoco model='cartpole'>
    <compiler inertiafromgeom='true' coordinate='local'/>
    <custom>
        <numeric name="frame_skip" data="2" />
    </custom>
    <default>
        <joint damping='0.05' />
        <geom contype='0' friction='1 0.1 0.1' rgba='0.7 0.7 0 1' />
    </default>
    <option timestep='0.01' gravity='1e-5 0 -9.81' integrator="RK4" />
    <size nstack='3000'/>
    <worldbody>
        <geom name='floor' pos='0 0 -3.0' size='40 40 40' type='plane' rgba='0.8 0.9 0.8 1' />
        <geom name='rail' type='capsule' pos='0 0 0' quat='0.707 0 0.707 0' size='0.02 1' rgba='0.3 0.3 0.7 1' />
        <body name='cart' pos='0 0 0'>
            <joint name='slider' type='slide' limited='true' pos='0 0 0' axis='1 0 0' range='-10 10' margin='0.01'/>
            <geom name='cart' type='capsule' pos='0 0 0' quat='0.707 0 0.707 0' size='0.1 0.1' />
            <body name='pole' pos='0 0 0'>
                <joint name='hinge' type='hinge' pos='0 0 0' axis='0 1 0'/>
                <geom name='cpole' type='capsule' fromto='0 0 0 0 0 0.6' size='0.045 0.3' rgba='0 0.7 0.7 1' />
                <body name='pole2' pos='0 0 0.6'>
                    <joint name='hinge2' type='hinge' pos='0 0 0' axis='0 1 0'/>
                    <geom name='cpole2' type='capsule' fromto='0 0 0 0 0 0.6' size='0.045 0.3' rgba='0 0.7 0.7 1' />
                    <site name='tip' size='0.01 0.01' pos='0 0 .6'/>
                </body>
            </body>
        </body>
    </worldbody>
    <actuator>
        <motor name='slide' joint='slider' gear='500' ctrlrange='-1 1' ctrllimited='true'/>
    </actuator>
</mujoco>
`;

interface Model extends MujocoModel {
  nv: number;
  body_mass: Float64Array;
  body_inertia: Float64Array;
  body_ipos: Float64Array;
  body_pos: Float64Array;
  site_pos: Float64Array;
  dof_damping: Float64Array;
  actuator_gear: Float64Array;
  numeric_data: Float64Array;
  opt: { timestep: number; gravity: Float64Array };
}
interface Data extends MujocoData {
  site_xpos: Float64Array;
  qfrc_constraint: Float64Array;
}

describe('rllab-double-pendulum vs MuJoCo (mujoco-js) on rllab\'s XML', () => {
  it('model constants, and 8 runs of 100 steps under random actions agree step by step', { timeout: 30_000 }, async () => {
    const mj = await loadMujoco();
    expect(mj, 'mujoco-js (a dev dependency) loads').not.toBeNull();
    mj!.FS.writeFile('/pathwise/rllab_inverted_double_pendulum.xml', RLLAB_XML);
    const m = mj!.MjModel.loadFromXML('/pathwise/rllab_inverted_double_pendulum.xml') as Model;
    const d = new mj!.MjData(m) as Data;
    try {
      const near = (a: number, b: number, what: string) => expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThan(1e-12 * Math.max(1, Math.abs(b)));
      // MuJoCo 3's inertiafromgeom: the capsules' masses, centres and inertias about y (the poles
      // lie along z, so about x and y alike).
      const cart3 = capsuleMujoco3(0.1, 0.2), pole3 = capsuleMujoco3(0.045, 0.6);
      near(cart3.mass, m.body_mass[1], 'cart mass (MuJoCo 3)');
      for (const b of [2, 3]) {
        near(pole3.mass, m.body_mass[b], `pole ${b - 1} mass (MuJoCo 3)`);
        near(pole3.mass * pole3.gyration, m.body_inertia[b * 3 + 1], `pole ${b - 1} inertia (MuJoCo 3)`);
        near(0.3, m.body_ipos[b * 3 + 2], `pole ${b - 1} centre of mass`);
      }
      // The env's defaults: rllab's MuJoCo 1.31 (capsule = cylinder of length h + r).
      const p0 = def.params, cart131 = capsuleMujoco131(0.1, 0.2), pole131 = capsuleMujoco131(0.045, 0.6);
      near(p0.mass_cart, cart131.mass, 'default cart mass');
      near(p0.mass_cart, 1000 * Math.PI * 0.1 ** 2 * 0.3, 'default cart mass (cylinder 0.3 long)');
      near(p0.mass1, 1000 * Math.PI * 0.045 ** 2 * 0.645, 'default pole mass (cylinder 0.645 long)');
      near(p0.mass1 * p0.gyration1, (p0.mass1 * (3 * 0.045 ** 2 + 0.645 ** 2)) / 12, 'default pole inertia');
      for (const k of ['mass2', 'gyration2'] as const) near(p0[k], k === 'mass2' ? pole131.mass : pole131.gyration, `default ${k}`);
      // Everything else the model defines.
      const p: Record<string, number> = { ...p0, mass_cart: m.body_mass[1], mass1: m.body_mass[2], mass2: m.body_mass[3], gyration1: m.body_inertia[7] / m.body_mass[2], gyration2: m.body_inertia[10] / m.body_mass[3] };
      near(p.length1, m.body_pos[3 * 3 + 2], 'pole 1 length (pole 2 body position)');
      near(p.length2, m.site_pos[2], 'pole 2 length (tip site position)');
      for (let j = 0; j < 3; j++) near(p.damping, m.dof_damping[j], `damping ${j}`);
      near(p.gear, m.actuator_gear[0], 'gear');
      near(p.timestep, m.opt.timestep, 'timestep');
      near(p.gravity_x, m.opt.gravity[0], 'gravity x');
      near(-p.gravity, m.opt.gravity[2], 'gravity z');
      expect(m.numeric_data[0], 'frame_skip').toBe(2);

      const next = rng(20160101);
      let steps = 0, terminations = 0, maxQ = 0, maxV = 0, maxR = 0;
      for (let episode = 0; episode < 8; episode++) {
        // rllab's reset, plus (beyond it, to exercise the dynamics) random velocities.
        let s = [0.2 * (next() - 0.5), ((next() - 0.5) * 40 * Math.PI) / 180, 0.2 * (next() - 0.5), next() - 0.5, next() - 0.5, next() - 0.5];
        d.qpos.set(s.slice(0, 3));
        d.qvel.set(s.slice(3));
        mj!.mj_forward(m, d);
        for (let t = 0; t < 100; t++) {
          // Actions a little beyond [-1, 1]: MuJoCo clamps ctrl to ctrlrange as we clip.
          const a = 2.4 * next() - 1.2;
          d.ctrl[0] = a;
          for (let f = 0; f < 2; f++) mj!.mj_step(m, d);
          mj!.mj_forward(m, d);
          const ref = def.reference!.step(s, [a], p);
          for (let k = 0; k < 3; k++) {
            maxQ = Math.max(maxQ, Math.abs(ref.state[k] - d.qpos[k]));
            maxV = Math.max(maxV, Math.abs(ref.state[3 + k] - d.qvel[k]));
            expect(Math.abs(ref.state[k] - d.qpos[k]), `episode ${episode} step ${t} qpos[${k}]`).toBeLessThan(1e-9);
            expect(Math.abs(ref.state[3 + k] - d.qvel[k]), `episode ${episode} step ${t} qvel[${k}]`).toBeLessThan(1e-8);
            expect(d.qfrc_constraint[k], 'no constraint acts away from the slider limit').toBe(0);
          }
          // rllab's reward and termination from MuJoCo's tip site and velocities.
          const [x, , y] = [d.site_xpos[0], d.site_xpos[1], d.site_xpos[2]];
          const reward = 10 - (0.01 * x ** 2 + (y - 2) ** 2) - (1e-3 * d.qvel[1] ** 2 + 5e-3 * d.qvel[2] ** 2);
          maxR = Math.max(maxR, Math.abs(reward - ref.reward));
          expect(Math.abs(reward - ref.reward), `episode ${episode} step ${t} reward`).toBeLessThan(1e-9);
          expect(ref.terminated, `episode ${episode} step ${t} terminated`).toBe(y <= 1);
          // rllab's get_current_obs from MuJoCo's data: x, sin and cos of the hinges, clipped
          // velocities and constraint forces.
          const clip = (v: number) => Math.min(Math.max(v, -10), 10);
          const obs = [d.qpos[0], Math.sin(d.qpos[1]), Math.sin(d.qpos[2]), Math.cos(d.qpos[1]), Math.cos(d.qpos[2]), ...[0, 1, 2].map((k) => clip(d.qvel[k])), ...[0, 1, 2].map((k) => clip(d.qfrc_constraint[k]))];
          def.reference!.obs(ref.state, p).forEach((o, k) => expect(Math.abs(o - obs[k]), `episode ${episode} step ${t} obs[${k}]`).toBeLessThan(1e-8));
          steps++;
          // Both run on: MuJoCo from its own state, the reference from its own, so errors accumulate.
          // Past a termination the poles fall and swing through: the same equations, still compared.
          s = ref.state;
          terminations += Number(ref.terminated);
        }
      }
      console.log(`rllab-double-pendulum vs MuJoCo: ${steps} steps (${terminations} of them in terminal states); max |dq| ${maxQ.toExponential(2)}, |dv| ${maxV.toExponential(2)}, |dr| ${maxR.toExponential(2)}`);
      expect(terminations).toBeGreaterThan(0);
      expect(steps).toBe(800);
    } finally {
      d.delete();
      m.delete();
    }
  });
});

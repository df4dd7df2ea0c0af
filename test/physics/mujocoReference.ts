/**
 * MuJoCo 3.14.0 trajectories of gymnasium's four planar models (../shared/reference/mujoco, or
 * PATHWISE_MUJOCO_REFERENCE): every *.json there, with the XML each came from.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface MujocoTrajectory {
  file: string;
  model: string;
  xml: string;
  timestep: number;
  frame_skip: number;
  integrator: string;
  contacts: boolean;
  nq: number;
  nv: number;
  nu: number;
  qpos0: number[];
  qvel0: number[];
  ctrl: number[][];
  qpos: number[][];
  qvel: number[][];
  ncon: number[];
  /** The XML text of the model (from the folder's models/). */
  modelXml: string;
}

export const mujocoFolder = resolve(process.env.PATHWISE_MUJOCO_REFERENCE ?? join(__dirname, '../../../shared/reference/mujoco'));

export function mujocoTrajectories(): MujocoTrajectory[] {
  return readdirSync(mujocoFolder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const t = JSON.parse(readFileSync(join(mujocoFolder, file), 'utf8')) as Omit<MujocoTrajectory, 'file' | 'modelXml'>;
      return { ...t, file, modelXml: readFileSync(join(mujocoFolder, 'models', t.xml), 'utf8') };
    });
}

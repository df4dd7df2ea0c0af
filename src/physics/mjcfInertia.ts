/**
 * Mass properties as MuJoCo's compiler computes them: a solid geom's volume and principal inertia
 * (mjCGeom::GetVolume / SetInertia), and a body's mass, centre of mass and inertia tensor from its
 * geoms (parallel-axis sum).
 */
import { add3, addMat3, dot3, type Mat3, quatToMat, rotateDiagonal, scale3, sub3, type Vec3 } from './math3.js';
import type { GeomType, MjcfGeom } from './mjcf.js';

/** Volume and principal inertia per unit mass of a solid geom (MuJoCo's formulas). */
export function geomVolumeInertia(type: GeomType, size: number[]): { volume: number; unitInertia: Vec3 } {
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

/** Mass, centre of mass and inertia about it of a body's geoms (or its <inertial>). */
export function bodyInertia(geoms: MjcfGeom[]): { mass: number; ipos: Vec3; inertia: Mat3 } {
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


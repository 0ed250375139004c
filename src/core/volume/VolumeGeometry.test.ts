import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createVolumeGeometry, ijkToLps, lpsToIjk, voxelVolumeMm3 } from './VolumeGeometry';
import { cross, normalize, type Vec3 } from '../geometry/vec3';
import { PlannerError } from '../shared/errors';

function obliqueDirection(ax: number, ay: number, az: number): number[] {
  // Rotation from three Euler angles: orthonormal, right-handed.
  const cx = Math.cos(ax), sx = Math.sin(ax), cy = Math.cos(ay), sy = Math.sin(ay), cz = Math.cos(az), sz = Math.sin(az);
  const r: Vec3 = [cy * cz, cy * sz, -sy];
  const c: Vec3 = [sx * sy * cz - cx * sz, sx * sy * sz + cx * cz, sx * cy];
  const n = normalize([0, 0, 0], cross([0, 0, 0], r, c));
  return [...r, ...c, ...n];
}

describe('VolumeGeometry', () => {
  it('maps voxel (0,0,0) to the origin and steps by spacing along each direction', () => {
    const g = createVolumeGeometry({ dims: [4, 5, 6], spacingMm: [0.5, 0.7, 2], originLps: [10, -20, 30], direction: [0, 1, 0, -1, 0, 0, 0, 0, 1] });
    expect(ijkToLps([0, 0, 0], g, [0, 0, 0])).toEqual([10, -20, 30]);
    const p = ijkToLps([0, 0, 0], g, [1, 0, 0]);
    expect(p[0]).toBeCloseTo(10);
    expect(p[1]).toBeCloseTo(-19.5);
    const q = ijkToLps([0, 0, 0], g, [0, 2, 3]);
    expect(q[0]).toBeCloseTo(10 - 1.4);
    expect(q[2]).toBeCloseTo(36);
    expect(voxelVolumeMm3(g)).toBeCloseTo(0.7);
  });

  it('round-trips ijk -> lps -> ijk for random oblique, anisotropic and sheared geometry', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true })),
        fc.tuple(fc.double({ min: 0.2, max: 5, noNaN: true }), fc.double({ min: 0.2, max: 5, noNaN: true }), fc.double({ min: 0.2, max: 5, noNaN: true })),
        fc.double({ min: -0.4, max: 0.4, noNaN: true }),
        fc.tuple(fc.double({ min: -500, max: 500, noNaN: true }), fc.double({ min: -500, max: 500, noNaN: true }), fc.double({ min: -500, max: 500, noNaN: true })),
        ([ax, ay, az], spacing, shear, ijk) => {
          const d = obliqueDirection(ax, ay, az);
          // Gantry tilt: slice axis sheared along the column direction.
          const n: Vec3 = normalize([0, 0, 0], [d[6]! + shear * d[3]!, d[7]! + shear * d[4]!, d[8]! + shear * d[5]!]);
          const g = createVolumeGeometry({ dims: [8, 8, 8], spacingMm: spacing, originLps: [-100, 50, 7], direction: [...d.slice(0, 6), ...n] });
          const lps = ijkToLps([0, 0, 0], g, ijk);
          const back = lpsToIjk([0, 0, 0], g, lps);
          for (let a = 0; a < 3; a++) expect(back[a]).toBeCloseTo(ijk[a]!, 6);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects zero spacing with a message that names the spacing', () => {
    expect(() => createVolumeGeometry({ dims: [2, 2, 2], spacingMm: [1, 0, 1], originLps: [0, 0, 0] })).toThrow(/spacing 1 x 0 x 1 mm/);
    expect(() => createVolumeGeometry({ dims: [2, 2, 2], spacingMm: [1, 1, 1], originLps: [0, 0, 0], direction: [1, 0, 0, 1, 0, 0, 0, 0, 1] })).toThrow(PlannerError);
  });
});

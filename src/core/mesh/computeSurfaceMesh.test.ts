import { describe, expect, it } from 'vitest';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry, ijkToLps, type VolumeGeometry } from '../volume/VolumeGeometry';
import type { Vec3 } from '../geometry/vec3';
import { computeIsosurface } from './extractSurface';
import { computeSurfaceMesh } from './computeSurfaceMesh';
import { checkEdges, computeMeshArea, computeMeshCentroid, computeMeshVolume } from './meshMetrics';
import { CASE_TRIANGLES } from './marchingCubesTable';

/** A label volume with label 1 where `inside(lps)` holds at the voxel centre. */
function maskVolume(geometry: VolumeGeometry, inside: (p: Vec3) => boolean, label = 1) {
  const [ni, nj, nk] = geometry.dims;
  const voxels = new Uint8Array(ni * nj * nk);
  const p: Vec3 = [0, 0, 0];
  for (let k = 0, n = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, n++) {
    ijkToLps(p, geometry, [i, j, k]);
    if (inside(p)) voxels[n] = label;
  }
  return createVolume('mask', 'label', geometry, voxels);
}

const sphere = (c: Vec3, r: number) => (p: Vec3) => (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 + (p[2] - c[2]) ** 2 <= r * r;

describe('marching cubes table', () => {
  it('has no triangles for the empty and full cube, and a single triangle for one corner', () => {
    expect(CASE_TRIANGLES[0]!.length).toBe(0);
    expect(CASE_TRIANGLES[255]!.length).toBe(0);
    for (let c = 0; c < 8; c++) expect(CASE_TRIANGLES[1 << c]!.length).toBe(3);
  });
});

describe('computeSurfaceMesh', () => {
  const r = 20;
  const geometry = createVolumeGeometry({ dims: [64, 64, 64], spacingMm: [1, 1, 1], originLps: [-32, -32, -32] });
  const ball = maskVolume(geometry, sphere([0.3, -0.2, 0.1], r));

  it('a sphere mask gives area and enclosed volume within 3% of the analytic sphere', async () => {
    const { mesh, stats } = await computeSurfaceMesh(ball, { labelValues: [1], cellMm: 1 });
    expect(mesh).not.toBeNull();
    const area = computeMeshArea(mesh!.positionsLps, mesh!.indices);
    const volume = computeMeshVolume(mesh!.positionsLps, mesh!.indices);
    expect(Math.abs(area / (4 * Math.PI * r * r) - 1)).toBeLessThan(0.03);
    expect(Math.abs(volume / ((4 / 3) * Math.PI * r ** 3) - 1)).toBeLessThan(0.03);
    expect(stats.triangles).toBeLessThan(stats.extractedTriangles);
  });

  it('is watertight and consistently oriented, before and after smoothing and decimation', async () => {
    // Two balls touching and a thin plate: ambiguous faces and a narrow neck.
    const shape = (p: Vec3) => sphere([-8, 0, 0], 10)(p) || sphere([9, 3, 0], 8)(p) || (Math.abs(p[2] - 14) < 1 && Math.abs(p[0]) < 15 && Math.abs(p[1]) < 6);
    const vol = maskVolume(geometry, shape);
    const raw = computeIsosurface(vol, { labelValues: [1], cellMm: 1, constrainedBlurPasses: 0 });
    expect(checkEdges(raw.mesh!.indices)).toMatchObject({ nonManifoldEdges: 0, misorientedEdges: 0 });
    const { mesh } = await computeSurfaceMesh(vol, { labelValues: [1], cellMm: 1 });
    const edges = checkEdges(mesh!.indices);
    expect(edges.edges).toBeGreaterThan(100);
    expect(edges).toMatchObject({ nonManifoldEdges: 0, misorientedEdges: 0 });
    expect(computeMeshVolume(mesh!.positionsLps, mesh!.indices)).toBeGreaterThan(0);
  });

  it('random masks give closed, oriented surfaces (ambiguous cases included)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const g = createVolumeGeometry({ dims: [12, 11, 10], spacingMm: [1, 1, 1], originLps: [0, 0, 0] });
    for (let trial = 0; trial < 20; trial++) {
      const voxels = new Uint8Array(12 * 11 * 10).map(() => (rnd() < 0.45 ? 1 : 0));
      const { mesh } = computeIsosurface(createVolume('rnd', 'label', g, voxels), { labelValues: [1], cellMm: 1, constrainedBlurPasses: trial % 3 });
      expect(checkEdges(mesh!.indices)).toMatchObject({ nonManifoldEdges: 0, misorientedEdges: 0 });
      expect(computeMeshVolume(mesh!.positionsLps, mesh!.indices)).toBeGreaterThan(0);
    }
  });

  it('keeps a plate one voxel thin (the blur only places vertices)', async () => {
    const plate = maskVolume(geometry, (p) => Math.abs(p[2] - 3) < 0.5 && Math.abs(p[0]) < 10 && Math.abs(p[1]) < 10);
    // Without decimation (which thins a thin plate further, within its 0.2 mm error).
    const { mesh } = await computeSurfaceMesh(plate, { labelValues: [1], cellMm: 1, maxDecimationErrorMm: 0 });
    expect(checkEdges(mesh!.indices)).toMatchObject({ nonManifoldEdges: 0, misorientedEdges: 0 });
    const plain = await computeSurfaceMesh(plate, { labelValues: [1], cellMm: 1, constrainedBlurPasses: 0, maxDecimationErrorMm: 0 });
    // 20 x 20 x 1 voxels of 1 mm: the plain surface encloses about that; the blurred placement keeps at least half.
    const plainVolume = computeMeshVolume(plain.mesh!.positionsLps, plain.mesh!.indices);
    expect(plainVolume).toBeGreaterThan(0.8 * 400);
    expect(computeMeshVolume(mesh!.positionsLps, mesh!.indices)).toBeGreaterThan(0.45 * plainVolume);
  });

  it('a mask touching the volume border is capped (closed)', () => {
    const vol = maskVolume(geometry, (p) => Math.hypot(p[0], p[1]) < 10);
    const { mesh } = computeIsosurface(vol, { labelValues: [1], cellMm: 1 });
    expect(checkEdges(mesh!.indices)).toMatchObject({ nonManifoldEdges: 0, misorientedEdges: 0 });
  });

  it('places vertices in LPS through an oblique, anisotropic, mirrored geometry', async () => {
    // Axes rotated 30 degrees about S, slices running inferior (k = -z): the grid mirrors LPS.
    const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
    const oblique = createVolumeGeometry({
      dims: [60, 56, 40], spacingMm: [0.8, 0.9, 1.5], originLps: [-40, -10, 30],
      direction: [c, s, 0, -s, c, 0, 0, 0, -1],
    });
    const center: Vec3 = [-31.7, 23.6, 0.4];
    const vol = maskVolume(oblique, sphere(center, 12));
    const { mesh } = await computeSurfaceMesh(vol, { labelValues: [1], cellMm: 0.9 });
    const pos = mesh!.positionsLps;
    let maxDev = 0;
    for (let v = 0; v < pos.length; v += 3) {
      maxDev = Math.max(maxDev, Math.abs(Math.hypot(pos[v]! - center[0], pos[v + 1]! - center[1], pos[v + 2]! - center[2]) - 12));
    }
    const n = pos.length / 3;
    // The enclosed solid's centroid is the ball's centre (a misplaced grid would shift it by voxels).
    const centroid = computeMeshCentroid(pos, mesh!.indices);
    expect(Math.hypot(centroid[0] - center[0], centroid[1] - center[1], centroid[2] - center[2])).toBeLessThan(0.15);
    expect(maxDev).toBeLessThan(1);
    // Outward orientation survives the mirrored grid.
    expect(computeMeshVolume(pos, mesh!.indices) / ((4 / 3) * Math.PI * 12 ** 3)).toBeCloseTo(1, 1);
    // Normals point away from the centre.
    let outward = 0;
    for (let v = 0; v < pos.length; v += 3) {
      const d = (pos[v]! - center[0]) * mesh!.normals[v]! + (pos[v + 1]! - center[1]) * mesh!.normals[v + 1]! + (pos[v + 2]! - center[2]) * mesh!.normals[v + 2]!;
      if (d > 0) outward++;
    }
    expect(outward).toBe(n);
  });

  it('keeps to the triangle budget and returns null for an absent label', async () => {
    const { mesh, stats } = await computeSurfaceMesh(ball, { labelValues: [1], cellMm: 1, maxTriangles: 500, maxDecimationErrorMm: 0 });
    expect(stats.triangles).toBeLessThanOrEqual(500);
    expect(checkEdges(mesh!.indices)).toMatchObject({ nonManifoldEdges: 0, misorientedEdges: 0 });
    const none = await computeSurfaceMesh(ball, { labelValues: [7] });
    expect(none.mesh).toBeNull();
  });
});

describe('checkDecimated', () => {
  it('accepts a closed oriented surface, counts pinched edges, rejects a hole or a flipped face', async () => {
    const { checkDecimated } = await import('./computeSurfaceMesh');
    // Tetrahedron, outward.
    const tet = Uint32Array.from([0, 2, 1, 0, 1, 3, 1, 2, 3, 0, 3, 2]);
    expect(checkDecimated(tet, 4)).toEqual({ closed: true, pinchedEdges: 0 });
    expect(checkDecimated(tet.slice(0, 9), 4).closed).toBe(false);
    const flipped = tet.slice();
    flipped[1] = 1;
    flipped[2] = 2;
    expect(checkDecimated(flipped, 4).closed).toBe(false);
    // Two tetrahedra sharing the edge 0-1 (vertices 0, 1 shared): closed, one pinched edge.
    const two = Uint32Array.from([...tet, 0, 4, 1, 0, 1, 5, 1, 4, 5, 0, 5, 4]);
    expect(checkDecimated(two, 6)).toEqual({ closed: true, pinchedEdges: 1 });
  });
});

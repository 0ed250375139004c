import { describe, expect, it } from 'vitest';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { detectReconstructionFov, flattenFovShading, measureFovShading } from './segmentBoneFov';
import { computeBoneThresholds } from './thresholds';

/**
 * A 1 mm grid, 0 outside a cylinder of radius 40 mm about the grid's axis. Inside: soft
 * tissue at 1000 (a body of radius `bodyMm`, air at 200 beyond it) with a truncation band
 * of +`bandGrey` decaying over 6 mm from the cylinder's edge and Gaussian noise (sd 30),
 * plus two bone blocks at 1600.
 */
function cylinder(bodyMm: number, bandGrey: number) {
  const n = 96, nk = 12;
  let seed = 12345;
  const uniform = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) + 0.5) / 0x80000000;
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const g = createVolumeGeometry({ dims: [n, n, nk], spacingMm: [1, 1, 1], originLps: [0, 0, 0] });
  const v = new Int16Array(n * n * nk);
  const c = (n - 1) / 2, radius = 40;
  for (let k = 0; k < nk; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const r = Math.hypot(i - c, j - c);
    const t = i + n * (j + n * k);
    if (r > radius) continue;
    let x = r <= bodyMm ? 1000 : 200;
    if (r <= bodyMm) x += bandGrey * Math.exp(-(radius - r) / 6);
    if (Math.abs(i - c + 12) < 5 && Math.abs(j - c) < 8) x = 1600;
    if (Math.abs(i - c - 12) < 5 && Math.abs(j - c) < 8) x = 1600;
    x += 30 * gauss();
    v[t] = Math.round(x);
  }
  return createVolume('cyl', 'cbct', g, v);
}

describe('reconstruction field of view and its shading', () => {
  it('finds the cylinder, measures the truncation band at its edge and flattens it', () => {
    const ct = cylinder(1000, 200);
    const fov = detectReconstructionFov(ct)!;
    expect(fov).not.toBeNull();
    expect(fov.fillGrey).toBe(0);
    // pi r^2 of 96^2: about 45 % outside.
    expect(fov.outsideFraction).toBeGreaterThan(0.4);
    expect(fov.outsideFraction).toBeLessThan(0.5);
    const shading = measureFovShading(ct, fov, computeBoneThresholds(ct));
    expect(shading.truncatedFraction).toBeGreaterThan(0.9);
    // The band is ~200 * exp(-0.5 / 6) = 184 in the outermost ring (smoothed over five rings);
    // shifts are relative to the whole image's soft-tissue peak (itself lifted a little by the band).
    const deep = shading.shiftGrey[30]!;
    expect(Math.abs(shading.shiftGrey[36]! - deep)).toBeLessThan(10);
    expect(shading.shiftGrey[0]! - deep).toBeGreaterThan(120);
    expect(shading.shiftGrey[0]! - deep).toBeLessThan(200);
    // The bone blocks (rings 23-33 cross them) do not pull the shading towards bone.
    for (let r = 20; r < 36; r++) expect(Math.abs(shading.shiftGrey[r]! - deep)).toBeLessThan(15);
    const flat = flattenFovShading(ct, fov, shading);
    // Soft tissue near the edge is back at the level of the centre's; the bone blocks keep their contrast; outside stays 0.
    const at = (i: number, j: number) => flat.voxels[i + 96 * (j + 96 * 5)]!;
    let edgeMean = 0, centreMean = 0;
    for (let i = 44; i < 52; i++) {
      edgeMean += at(i, 9) / 8;
      centreMean += at(i, 30) / 8;
    }
    expect(Math.abs(edgeMean - centreMean)).toBeLessThan(40);
    expect(at(36, 48)).toBeGreaterThan(1500);
    expect(at(0, 0)).toBe(0);
  });

  it('reports a body inside the field (air along the edge) as not truncated', () => {
    const ct = cylinder(25, 0);
    const fov = detectReconstructionFov(ct)!;
    expect(fov).not.toBeNull();
    expect(measureFovShading(ct, fov, computeBoneThresholds(ct)).truncatedFraction).toBeLessThan(0.25);
  });

  it('finds no field when the corners are not one constant value', () => {
    const ct = cylinder(1000, 0);
    ct.voxels[0] = 5;
    expect(detectReconstructionFov(ct)).toBeNull();
  });
});

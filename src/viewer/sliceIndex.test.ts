import { describe, expect, it } from 'vitest';
import { createVolumeGeometry, ijkToLps } from '../core/volume/VolumeGeometry';
import { offsetToSliceMm, sliceAt, sliceAxisFor, volumeCenterLps } from './sliceIndex';
import { VIEW_ORIENTATIONS } from './viewOrientation';

// Feet-first-like grid: rows run posterior->anterior, slices run superior->inferior.
const geometry = createVolumeGeometry({
  dims: [40, 30, 20],
  spacingMm: [0.8, 0.8, 2.5],
  originLps: [-16, 12, 100],
  direction: [1, 0, 0, 0, -1, 0, 0, 0, -1],
});

describe('slice numbering', () => {
  it('maps each MPR view to the grid axis along its normal', () => {
    expect(sliceAxisFor(geometry, VIEW_ORIENTATIONS.axial.viewPlaneNormal)).toBe(2);
    expect(sliceAxisFor(geometry, VIEW_ORIENTATIONS.sagittal.viewPlaneNormal)).toBe(0);
    expect(sliceAxisFor(geometry, VIEW_ORIENTATIONS.coronal.viewPlaneNormal)).toBe(1);
  });

  it('reads the voxel index of a point along the view normal, clamped to the grid', () => {
    const p = ijkToLps([0, 0, 0], geometry, [7, 11, 13]);
    expect(sliceAt(geometry, VIEW_ORIENTATIONS.axial.viewPlaneNormal, p)).toEqual({ index: 13, count: 20 });
    expect(sliceAt(geometry, VIEW_ORIENTATIONS.sagittal.viewPlaneNormal, p)).toEqual({ index: 7, count: 40 });
    expect(sliceAt(geometry, VIEW_ORIENTATIONS.coronal.viewPlaneNormal, p)).toEqual({ index: 11, count: 30 });
    const beyond = ijkToLps([0, 0, 0], geometry, [7, 11, 90]);
    expect(sliceAt(geometry, VIEW_ORIENTATIONS.axial.viewPlaneNormal, beyond).index).toBe(19);
  });

  it('gives the camera move that lands exactly on a requested slice', () => {
    const normal = VIEW_ORIENTATIONS.axial.viewPlaneNormal;
    const start = volumeCenterLps(geometry);
    for (const target of [0, 5, 19, 40, -3]) {
      const d = offsetToSliceMm(geometry, normal, start, target);
      const moved: [number, number, number] = [start[0] + normal[0] * d, start[1] + normal[1] * d, start[2] + normal[2] * d];
      expect(sliceAt(geometry, normal, moved).index).toBe(Math.min(19, Math.max(0, target)));
    }
    // One slice step along an axis of 2.5 mm spacing is 2.5 mm of camera travel.
    const here = ijkToLps([0, 0, 0], geometry, [3, 3, 4]);
    expect(Math.abs(offsetToSliceMm(geometry, normal, here, 5))).toBeCloseTo(2.5, 9);
  });
});

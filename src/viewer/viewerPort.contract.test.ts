/**
 * Contract of ViewerPort (OHIF IViewportAdapter.contract.test style), run in
 * node against the fake. The Cornerstone adapter needs WebGL: the same
 * behaviours are asserted on it in e2e/viewer.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { createVolume } from '../core/volume/Volume';
import { createVolumeGeometry, ijkToLps } from '../core/volume/VolumeGeometry';
import type { ViewerChange, ViewerPort } from './ViewerPort';
import { createFakeViewer } from './createFakeViewer';

function ct() {
  const geometry = createVolumeGeometry({ dims: [20, 16, 12], spacingMm: [1, 1, 2], originLps: [-10, -8, 0] });
  return createVolume('contract-ct', 'ct', geometry, new Int16Array(20 * 16 * 12));
}

const info = { seriesUid: '1.2.3', patientName: 'PHANTOM^PELVIS', patientId: 'P1', studyDate: '20260101', seriesDescription: 'test', modality: 'CT', gridText: '' };

function contract(name: string, make: () => ViewerPort): void {
  describe(`ViewerPort contract: ${name}`, () => {
    it('reports nothing before a volume is shown', () => {
      const v = make();
      expect(v.getVolumeId()).toBeNull();
      expect(v.getViewState('axial')).toBeNull();
      expect(v.getCrosshairLps()).toBeNull();
      v.dispose();
    });

    it('centres the crosshair and every view on the volume when shown', async () => {
      const v = make();
      const vol = ct();
      await v.showVolume(vol, info);
      expect(v.getVolumeId()).not.toBeNull();
      expect(v.getViewState('axial')!.slice).toEqual({ index: 6, count: 12 });
      expect(v.getViewState('sagittal')!.slice.count).toBe(20);
      expect(v.getViewState('coronal')!.slice.count).toBe(16);
      expect(v.getViewState('axial')!.labels).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
      v.dispose();
    });

    it('scrolls one view without moving the others, clamped to the grid', async () => {
      const v = make();
      await v.showVolume(ct(), info);
      const sag = v.getViewState('sagittal')!.slice.index;
      v.scrollSlices('axial', 3);
      expect(v.getViewState('axial')!.slice.index).toBe(9);
      expect(v.getViewState('sagittal')!.slice.index).toBe(sag);
      v.scrollSlices('axial', 100);
      expect(v.getViewState('axial')!.slice.index).toBe(11);
      v.setSliceIndex('axial', -5);
      expect(v.getViewState('axial')!.slice.index).toBe(0);
      v.dispose();
    });

    it('moves every view to the crosshair and reports the change', async () => {
      const v = make();
      const vol = ct();
      await v.showVolume(vol, info);
      const changes: ViewerChange[] = [];
      v.subscribe((c) => changes.push(c));
      v.setCrosshairLps(ijkToLps([0, 0, 0], vol.geometry, [3, 12, 2]));
      expect(v.getViewState('sagittal')!.slice.index).toBe(3);
      expect(v.getViewState('coronal')!.slice.index).toBe(12);
      expect(v.getViewState('axial')!.slice.index).toBe(2);
      expect(changes.some((c) => c.kind === 'crosshair')).toBe(true);
      expect(changes.filter((c) => c.kind === 'slice').length).toBe(3);
      v.dispose();
    });

    it('applies window presets and reports them', async () => {
      const v = make();
      await v.showVolume(ct(), info);
      const w = v.applyWindowPreset('softTissue');
      expect(w).toEqual({ widthHu: 400, centerHu: 40 });
      expect(v.getWindow()).toEqual(w);
      v.dispose();
    });

    it('holds one volume at a time: showing a second releases the first', async () => {
      const v = make();
      await v.showVolume(ct(), info);
      const first = v.getVolumeId();
      await v.showVolume(ct(), info);
      expect(v.getVolumeId()).not.toBe(first);
      v.clearVolume();
      expect(v.getVolumeId()).toBeNull();
      v.dispose();
    });
  });
}

contract('fake', createFakeViewer);

import { describe, expect, it } from 'vitest';
import { edgeLabels, orientationLetters, VIEW_ORIENTATIONS } from './viewOrientation';

describe('orientation labels', () => {
  it('puts the patient\'s left on the right of axial and coronal views (radiological convention)', () => {
    const ax = VIEW_ORIENTATIONS.axial;
    expect(edgeLabels(ax.viewUp, ax.viewPlaneNormal)).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    const co = VIEW_ORIENTATIONS.coronal;
    expect(edgeLabels(co.viewUp, co.viewPlaneNormal)).toEqual({ left: 'R', right: 'L', top: 'S', bottom: 'I' });
  });

  it('shows anterior on the left and posterior on the right of the sagittal view', () => {
    const sa = VIEW_ORIENTATIONS.sagittal;
    expect(edgeLabels(sa.viewUp, sa.viewPlaneNormal)).toEqual({ left: 'A', right: 'P', top: 'S', bottom: 'I' });
  });

  it('names oblique directions with the dominant axis first', () => {
    expect(orientationLetters([0.8, -0.6, 0])).toBe('LA');
    expect(orientationLetters([-0.1, 0.2, -0.97])).toBe('I');
    expect(orientationLetters([0.5, 0.5, 0.7071])).toMatch(/^S[LP]{2}$/);
  });

  it('follows the camera when it is flipped (labels are computed, not fixed per view)', () => {
    // Axial seen from the head: the patient's left appears on the screen's left.
    expect(edgeLabels([0, -1, 0], [0, 0, 1])).toEqual({ left: 'L', right: 'R', top: 'A', bottom: 'P' });
  });
});

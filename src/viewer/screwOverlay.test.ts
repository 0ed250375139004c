import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../core/geometry/vec3';
import { affineToCanvas, screwLabelText, STATUS_STYLE } from './screwOverlay';

describe('screw overlay (no DOM)', () => {
  it('maps LPS to the canvas like the orthographic camera it was built from, for points on and off the plane', () => {
    // An oblique orthographic camera: right r, down d (unit, orthogonal), 2.5 px/mm, flipped horizontally, panned.
    const n: Vec3 = [-0.48, 0.64, 0.6];
    const r: Vec3 = [0.8, 0.6, 0];
    const d: Vec3 = [n[1] * r[2] - n[2] * r[1], n[2] * r[0] - n[0] * r[2], n[0] * r[1] - n[1] * r[0]];
    const f: Vec3 = [10, -20, 30];
    const worldToCanvas = (p: Readonly<Vec3>): [number, number] => {
      const q = [p[0] - f[0], p[1] - f[1], p[2] - f[2]];
      return [400 - 2.5 * (q[0]! * r[0] + q[1]! * r[1] + q[2]! * r[2]), 300 + 2.5 * (q[0]! * d[0] + q[1]! * d[1] + q[2]! * d[2])];
    };
    const map = affineToCanvas({ worldToCanvas, canvasToWorld: () => [0, 0, 0], plane: { pointLps: f, normalLps: n } });
    for (const p of [[0, 0, 0], [55, -3, 12], [-80, 40, -7], [10, -20, 30]] as Vec3[]) {
      const a = map(p);
      const b = worldToCanvas(p);
      expect(a[0]).toBeCloseTo(b[0], 9);
      expect(a[1]).toBeCloseTo(b[1], 9);
    }
  });

  it('gives every status a cue besides colour', () => {
    expect(screwLabelText({ label: 'S1 L', status: 'failed' })).toBe('S1 L \u2715');
    expect(screwLabelText({ label: 'S1 L', status: 'overridden' })).toBe('S1 L !');
    expect(screwLabelText({ label: 'S1 L', status: 'ok' })).toBe('S1 L');
    const dashes = Object.values(STATUS_STYLE).map((s) => s.dash);
    expect(new Set(dashes).size).toBe(4);
    expect(new Set(Object.values(STATUS_STYLE).map((s) => s.color)).size).toBe(4);
  });
});

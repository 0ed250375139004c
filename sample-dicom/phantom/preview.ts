/**
 * Preview images of a phantom (PNG): axial, coronal and sagittal planes in
 * LPS millimetres, grey values in a window with the labels tinted on top.
 * Shown in radiological convention: patient left on the image right, anterior up,
 * superior up.
 */
import type { Volume } from '../../src/core/volume/Volume';
import { encodePngRgb } from './png';

const TINT: Record<number, [number, number, number]> = {
  1: [255, 200, 60], 2: [80, 160, 255], 3: [80, 255, 160], 4: [255, 120, 200], 5: [200, 120, 255], 6: [255, 255, 120],
  7: [255, 40, 40], 8: [0, 255, 255],
};

export type PreviewPlane = { axis: 'axial' | 'coronal' | 'sagittal'; atMm: number };

/**
 * Renders planes side by side at `pixelMm` per pixel; `window` in the
 * volume's own values (HU for CT).
 */
export function renderPreview(ct: Volume<Int16Array>, labels: Volume<Uint8Array> | null, planes: readonly PreviewPlane[], window: { center: number; width: number }, pixelMm = 1): Uint8Array {
  const g = ct.geometry;
  const [ni, nj, nk] = g.dims;
  const [sx, sy, sz] = g.spacingMm;
  const [ox, oy, oz] = g.originLps;
  const ext = [(ni - 1) * sx, (nj - 1) * sy, (nk - 1) * sz];
  const tiles = planes.map((p) => {
    // Image axes: (horizontal, vertical) in LPS.
    const wMm = p.axis === 'sagittal' ? ext[1]! : ext[0]!;
    const hMm = p.axis === 'axial' ? ext[1]! : ext[2]!;
    return { p, w: Math.floor(wMm / pixelMm), h: Math.floor(hMm / pixelMm) };
  });
  const width = tiles.reduce((a, t) => a + t.w + 4, 0);
  const height = Math.max(...tiles.map((t) => t.h));
  const rgb = new Uint8Array(width * height * 3);
  let x0 = 0;
  const lo = window.center - window.width / 2;
  for (const t of tiles) {
    for (let r = 0; r < t.h; r++) {
      for (let c = 0; c < t.w; c++) {
        let x: number, y: number, z: number;
        if (t.p.axis === 'axial') { x = ox + ext[0]! - c * pixelMm; y = oy + r * pixelMm; z = t.p.atMm; }
        else if (t.p.axis === 'coronal') { x = ox + ext[0]! - c * pixelMm; y = t.p.atMm; z = oz + ext[2]! - r * pixelMm; }
        else { x = t.p.atMm; y = oy + c * pixelMm; z = oz + ext[2]! - r * pixelMm; }
        const i = Math.round((x - ox) / sx), j = Math.round((y - oy) / sy), k = Math.round((z - oz) / sz);
        if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) continue;
        const idx = i + ni * (j + nj * k);
        const v = Math.max(0, Math.min(255, ((ct.voxels[idx]! - lo) / window.width) * 255));
        let R = v, G = v, B = v;
        const l = labels ? labels.voxels[idx]! : 0;
        if (l) {
          const tint = TINT[l] ?? [255, 255, 255];
          R = 0.65 * R + 0.35 * tint[0];
          G = 0.65 * G + 0.35 * tint[1];
          B = 0.65 * B + 0.35 * tint[2];
        }
        const o = ((r * width) + x0 + c) * 3;
        rgb[o] = R; rgb[o + 1] = G; rgb[o + 2] = B;
      }
    }
    x0 += t.w + 4;
  }
  return encodePngRgb(width, height, rgb);
}

import { unzlibSync } from 'fflate';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { crc32, encodePng, readPngSize } from './encodePng';
import { computeOverviewProjection, computeTrajectoryImages, orientationLetters } from './trajectoryImages';

/** Decodes the PNGs encodePng writes (filter 0, 8-bit) back to pixels. */
function decode(png: Uint8Array): { w: number; h: number; channels: number; pixels: Uint8Array } {
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const w = dv.getUint32(16), h = dv.getUint32(20), colorType = png[25]!;
  const channels = colorType === 0 ? 1 : colorType === 2 ? 3 : 4;
  let off = 8;
  const idat: Uint8Array[] = [];
  while (off < png.length) {
    const len = dv.getUint32(off);
    const type = String.fromCharCode(...png.subarray(off + 4, off + 8));
    expect(dv.getUint32(off + 8 + len)).toBe(crc32(png, off + 4, off + 8 + len));
    if (type === 'IDAT') idat.push(png.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  const raw = unzlibSync(idat.length === 1 ? idat[0]! : Uint8Array.from(idat.flatMap((c) => [...c])));
  const pixels = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) {
    expect(raw[y * (w * channels + 1)]).toBe(0);
    pixels.set(raw.subarray(y * (w * channels + 1) + 1, (y + 1) * (w * channels + 1)), y * w * channels);
  }
  return { w, h, channels, pixels };
}

describe('encodePng', () => {
  it('writes a PNG that decodes to the same pixels, with valid CRCs, and pdf-lib embeds it', async () => {
    expect(crc32(new Uint8Array([73, 69, 78, 68]))).toBe(0xae426082); // CRC of "IEND"
    const pixels = new Uint8Array(7 * 5 * 3).map((_, i) => (i * 37) & 255);
    const png = encodePng({ widthPx: 7, heightPx: 5, channels: 3, pixels });
    expect(readPngSize(png)).toEqual({ widthPx: 7, heightPx: 5 });
    expect(decode(png).pixels).toEqual(pixels);
    const grey = encodePng({ widthPx: 3, heightPx: 2, channels: 1, pixels: new Uint8Array([0, 128, 255, 1, 2, 3]) });
    expect(decode(grey).pixels).toEqual(new Uint8Array([0, 128, 255, 1, 2, 3]));
    const doc = await PDFDocument.create();
    const img = await doc.embedPng(png);
    expect([img.width, img.height]).toEqual([7, 5]);
  });

  it('refuses a pixel buffer of the wrong size and bytes that are not PNG', () => {
    expect(() => encodePng({ widthPx: 2, heightPx: 2, channels: 1, pixels: new Uint8Array(3) })).toThrow(/3 bytes for 2 x 2/);
    expect(() => readPngSize(new Uint8Array(30))).toThrow(/not a PNG/);
  });
});

describe('trajectory images', () => {
  // 60 x 60 x 60 grid of 1 mm; bone (1000 HU) in the slab y in [0, 20] mm; air elsewhere.
  const geometry = createVolumeGeometry({ dims: [60, 60, 60], spacingMm: [1, 1, 1], originLps: [-30, -30, -30] });
  const voxels = new Int16Array(60 * 60 * 60);
  for (let k = 0; k < 60; k++) for (let j = 0; j < 60; j++) for (let i = 0; i < 60; i++) {
    const y = -30 + j;
    voxels[i + 60 * (j + 60 * k)] = y >= 0 && y <= 20 ? 1000 : -1000;
  }
  const volume = createVolume('slab', 'ct', geometry, voxels);
  const screw = { skinEntryLps: [0, -20, 0] as [number, number, number], boneEntryLps: [0, 0, 0] as [number, number, number], tipLps: [0, 15, 0] as [number, number, number], diameterMm: 6 };

  it('orients the views of an anteroposterior screw as a radiologist expects', () => {
    const images = computeTrajectoryImages(volume, screw, { sizePx: 64, window: { centerHu: 0, widthHu: 2000 } });
    expect(images.map((i) => i.kind)).toEqual(['inlineA', 'inlineB', 'bullsEye', 'axialSkinEntry']);
    expect(images[0]!.orientation).toEqual({ left: 'A', right: 'P', top: 'S', bottom: 'I' });
    expect(images[2]!.orientation).toEqual({ left: 'R', right: 'L', top: 'S', bottom: 'I' });
    expect(images[3]!.orientation).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    // A lateral screw from the right: the bull's-eye looks like the patient seen from the right side (head up, front to the right).
    const lateral = computeTrajectoryImages(volume, { skinEntryLps: [-25, 10, 0], boneEntryLps: [-20, 10, 0], tipLps: [20, 10, 0], diameterMm: 6 }, { sizePx: 16 });
    expect(lateral[2]!.orientation).toEqual({ left: 'P', right: 'A', top: 'S', bottom: 'I' });
    expect(images[3]!.mmPerPixel).toEqual({ x: 1, y: 1 });
    expect(images[0]!.mmPerPixel!.x).toBeCloseTo(120 / 64, 12);
  });

  it('samples the CT where the geometry says: bone posterior to the bone entry, air in front', () => {
    const [inlineA, , bullsEye] = computeTrajectoryImages(volume, screw, { sizePx: 64, window: { centerHu: 0, widthHu: 2000 } });
    const a = decode(inlineA!.png);
    // Path midpoint (0, -2.5, 0) at the image centre; x to the right = posterior. 1.875 mm per pixel.
    const at = (img: typeof a, x: number, y: number): number => img.pixels[3 * (y * img.w + x)]!;
    const mmToPx = (mm: number): number => Math.round(31.5 + mm / (120 / 64));
    // Row 25 is 12.2 mm above the path (z = +12.2 mm), away from the overlay.
    expect(at(a, mmToPx(12.5 + 5), 25)).toBe(255); // y = +15 mm, in bone
    expect(at(a, mmToPx(-12.5 - 5), 25)).toBe(0); // y = -20 mm, air
    // The bull's-eye plane y = 0 passes through the first bone voxel centres: white off the overlay.
    expect(at(decode(bullsEye!.png), 5, 5)).toBe(255);
    // At y = 20.5 it lies halfway between the last bone voxels (y = 20) and air (y = 21): 0 HU, mid-grey.
    const half = computeTrajectoryImages(volume, { ...screw, boneEntryLps: [0, 20.5, 0], tipLps: [0, 25, 0] }, { sizePx: 64, window: { centerHu: 0, widthHu: 2000 } })[2]!;
    expect(Math.abs(at(decode(half.png), 5, 5) - 127.5)).toBeLessThanOrEqual(0.5);
  });

  it('names directions like DICOM viewers', () => {
    expect(orientationLetters([1, 0, 0])).toBe('L');
    expect(orientationLetters([-0.8, 0.6, 0])).toBe('RP');
    expect(orientationLetters([0.1, -0.2, -0.97])).toBe('I');
  });

  it('draws an anteroposterior projection with one annotation per screw', () => {
    const o = computeOverviewProjection(volume, [screw, { ...screw, skinEntryLps: [10, -20, 10], boneEntryLps: [10, 0, 10], tipLps: [10, 15, 10] }]);
    expect(o.kind).toBe('overview3d');
    expect(o.annotations!.map((a) => a.text)).toEqual(['1', '2']);
    const { w, h } = decode(o.png);
    expect([w, h]).toEqual([60, 60]);
    // Pixel centres at x = -30 + px mm and z = 29 - py mm: screw 2's tip (x = +10 mm, patient left = image right; z = +10 mm, head up).
    expect(o.annotations![1]!.xPx).toBeCloseTo(40, 9);
    expect(o.annotations![1]!.yPx).toBeCloseTo(19, 9);
  });
});

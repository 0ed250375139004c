import type { Vec3 } from '../geometry/vec3';
import { PlannerError } from '../shared/errors';
import type { Volume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';
import { sampleTrilinearLps } from '../volume/sampleTrilinear';
import { encodePng } from './encodePng';
import type { ReportImageInput } from './ReportModel';

/**
 * Report images made in core, without a GPU: the two in-line reformats that
 * contain the screw axis, the bull's-eye reformat at the bone entry, the
 * planning slice at the skin entry with the path drawn, and an anteroposterior
 * maximum-intensity projection of all screws as the overview. Trilinear
 * sampling of the CT in LPS millimetres; the overlay is burnt into an RGB
 * PNG; scale bars and orientation letters are drawn by the PDF writer from
 * `mmPerPixel` and `orientation`.
 *
 * Overlay colours: screw outline (bone entry to tip, true diameter) yellow,
 * skin-to-bone path dashed cyan, skin entry magenta cross.
 */

export type ImageWindow = { centerHu: number; widthHu: number } | 'auto';

export type TrajectoryImageOptions = {
  /** Square image size for the reformats, pixels (default 256). */
  sizePx?: number;
  /** Grey window; 'auto' = 1st to 99.5th percentile of the image (for CBCT, not in HU). Default bone window 400 / 1800 HU. */
  window?: ImageWindow;
  /** Field of view of the bull's-eye view, mm (default 60). */
  bullsEyeFovMm?: number;
};

export type TrajectoryForImages = {
  skinEntryLps: Readonly<Vec3>;
  boneEntryLps: Readonly<Vec3>;
  tipLps: Readonly<Vec3>;
  diameterMm: number;
};

const YELLOW = [255, 214, 0] as const;
const CYAN = [0, 200, 255] as const;
const MAGENTA = [255, 60, 200] as const;
type Rgb = readonly [number, number, number];

/** Patient-direction letters of a unit vector (DICOM style): components over 0.3, largest first, at most two. */
export function orientationLetters(v: Readonly<Vec3>): string {
  const parts: { m: number; c: string }[] = [
    { m: Math.abs(v[0]), c: v[0] > 0 ? 'L' : 'R' },
    { m: Math.abs(v[1]), c: v[1] > 0 ? 'P' : 'A' },
    { m: Math.abs(v[2]), c: v[2] > 0 ? 'S' : 'I' },
  ];
  parts.sort((a, b) => b.m - a.m);
  return parts.filter((p, n) => n === 0 || p.m > 0.3).slice(0, 2).map((p) => p.c).join('');
}

function orientationOf(right: Readonly<Vec3>, down: Readonly<Vec3>): ReportImageInput['orientation'] {
  const neg = (v: Readonly<Vec3>): Vec3 => [-v[0], -v[1], -v[2]];
  return { left: orientationLetters(neg(right)), right: orientationLetters(right), top: orientationLetters(neg(down)), bottom: orientationLetters(down) };
}

function norm(v: Vec3): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / l, v[1] / l, v[2] / l];
}
function crossV(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
function dotV(a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** A plane image: centre, unit right and down axes (LPS), pixel size. */
type PlaneFrame = { centerLps: Vec3; right: Vec3; down: Vec3; mmPerPixel: number; widthPx: number; heightPx: number };

function toPixel(f: PlaneFrame, p: Readonly<Vec3>): { x: number; y: number; depth: number } {
  const dx = p[0] - f.centerLps[0], dy = p[1] - f.centerLps[1], dz = p[2] - f.centerLps[2];
  const normal = crossV(f.right, f.down);
  return {
    x: (dx * f.right[0] + dy * f.right[1] + dz * f.right[2]) / f.mmPerPixel + (f.widthPx - 1) / 2,
    y: (dx * f.down[0] + dy * f.down[1] + dz * f.down[2]) / f.mmPerPixel + (f.heightPx - 1) / 2,
    depth: dx * normal[0] + dy * normal[1] + dz * normal[2],
  };
}

function samplePlane(volume: Volume<VoxelArray>, f: PlaneFrame): Float32Array {
  const out = new Float32Array(f.widthPx * f.heightPx);
  const p: Vec3 = [0, 0, 0];
  for (let y = 0; y < f.heightPx; y++) {
    const oy = (y - (f.heightPx - 1) / 2) * f.mmPerPixel;
    for (let x = 0; x < f.widthPx; x++) {
      const ox = (x - (f.widthPx - 1) / 2) * f.mmPerPixel;
      p[0] = f.centerLps[0] + f.right[0] * ox + f.down[0] * oy;
      p[1] = f.centerLps[1] + f.right[1] * ox + f.down[1] * oy;
      p[2] = f.centerLps[2] + f.right[2] * ox + f.down[2] * oy;
      out[y * f.widthPx + x] = sampleTrilinearLps(volume, p, Number.NaN);
    }
  }
  return out;
}

/** Greyscale RGB raster from values through a window; NaN (outside the volume) is black. */
function windowToRgb(values: Float32Array, window: ImageWindow): Uint8Array {
  let lo: number, hi: number;
  if (window === 'auto') {
    const finite = Array.from(values).filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
    lo = finite.length ? finite[Math.floor(finite.length * 0.01)]! : 0;
    hi = finite.length ? finite[Math.min(finite.length - 1, Math.floor(finite.length * 0.995))]! : 1;
    if (!(hi > lo)) hi = lo + 1;
  } else {
    lo = window.centerHu - window.widthHu / 2;
    hi = window.centerHu + window.widthHu / 2;
  }
  const rgb = new Uint8Array(values.length * 3);
  const scale = 255 / (hi - lo);
  for (let n = 0; n < values.length; n++) {
    const v = values[n]!;
    const g = Number.isNaN(v) ? 0 : Math.max(0, Math.min(255, Math.round((v - lo) * scale)));
    rgb[3 * n] = g; rgb[3 * n + 1] = g; rgb[3 * n + 2] = g;
  }
  return rgb;
}

function plot(rgb: Uint8Array, w: number, h: number, x: number, y: number, c: Rgb): void {
  const xi = Math.round(x), yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= w || yi >= h) return;
  const o = 3 * (yi * w + xi);
  rgb[o] = c[0]; rgb[o + 1] = c[1]; rgb[o + 2] = c[2];
}

/** Line from a to b (pixels); `dashPx` > 0 draws dashes of that length. */
function line(rgb: Uint8Array, w: number, h: number, ax: number, ay: number, bx: number, by: number, c: Rgb, dashPx = 0, solid?: (t: number) => boolean): void {
  const len = Math.hypot(bx - ax, by - ay);
  const steps = Math.max(1, Math.ceil(len * 2));
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    const along = t * len;
    const isSolid = solid ? solid(t) : dashPx <= 0;
    if (!isSolid && Math.floor(along / Math.max(dashPx, 3)) % 2 === 1) continue;
    plot(rgb, w, h, ax + (bx - ax) * t, ay + (by - ay) * t, c);
  }
}

function cross(rgb: Uint8Array, w: number, h: number, x: number, y: number, c: Rgb, r = 5): void {
  line(rgb, w, h, x - r, y, x + r, y, c);
  line(rgb, w, h, x, y - r, x, y + r, c);
}

function circle(rgb: Uint8Array, w: number, h: number, x: number, y: number, rPx: number, c: Rgb): void {
  const steps = Math.max(16, Math.ceil(2 * Math.PI * rPx * 2));
  for (let s = 0; s < steps; s++) {
    const a = (2 * Math.PI * s) / steps;
    plot(rgb, w, h, x + rPx * Math.cos(a), y + rPx * Math.sin(a), c);
  }
}

/** Draws the screw (outline at its true diameter, yellow), the skin-to-bone path (dashed cyan) and the skin entry. */
function drawScrewInPlane(rgb: Uint8Array, f: PlaneFrame, t: TrajectoryForImages): void {
  const w = f.widthPx, h = f.heightPx;
  const s = toPixel(f, t.skinEntryLps), b = toPixel(f, t.boneEntryLps), e = toPixel(f, t.tipLps);
  line(rgb, w, h, s.x, s.y, b.x, b.y, CYAN, 4);
  // Outline: the two edges of the screw, offset by the radius perpendicular to its image axis.
  const ax = e.x - b.x, ay = e.y - b.y;
  const al = Math.hypot(ax, ay);
  const rPx = t.diameterMm / 2 / f.mmPerPixel;
  if (al > 1e-6) {
    const nx = (-ay / al) * rPx, ny = (ax / al) * rPx;
    line(rgb, w, h, b.x + nx, b.y + ny, e.x + nx, e.y + ny, YELLOW);
    line(rgb, w, h, b.x - nx, b.y - ny, e.x - nx, e.y - ny, YELLOW);
    line(rgb, w, h, b.x + nx, b.y + ny, b.x - nx, b.y - ny, YELLOW);
    line(rgb, w, h, e.x + nx, e.y + ny, e.x - nx, e.y - ny, YELLOW);
  } else {
    circle(rgb, w, h, b.x, b.y, rPx, YELLOW);
  }
  cross(rgb, w, h, s.x, s.y, MAGENTA);
}

function image(kind: ReportImageInput['kind'], rgb: Uint8Array, w: number, h: number, mmX: number, mmY: number, orientation: ReportImageInput['orientation'], caption: string): ReportImageInput {
  return { kind, png: encodePng({ widthPx: w, heightPx: h, channels: 3, pixels: rgb }), mmPerPixel: { x: mmX, y: mmY }, orientation, caption };
}

/**
 * The four per-screw images (inlineA, inlineB, bullsEye, axialSkinEntry).
 * In-line views put the path horizontal, skin entry on the left:
 * inlineA contains the path and the patient's long axis (head up),
 * inlineB is perpendicular to it (the plane of the path and the
 * left-right / anteroposterior direction; posterior down). The bull's-eye
 * looks from the entry along the path, head up where possible. The skin-entry view is the planning series' own nearest slice,
 * at its native pixels, with the path projected on it (solid within half a
 * slice of the plane, dashed beyond).
 */
export function computeTrajectoryImages(volume: Volume<VoxelArray>, t: TrajectoryForImages, options: TrajectoryImageOptions = {}): ReportImageInput[] {
  const sizePx = options.sizePx ?? 256;
  const window = options.window ?? { centerHu: 400, widthHu: 1800 };
  const raw: Vec3 = [t.tipLps[0] - t.skinEntryLps[0], t.tipLps[1] - t.skinEntryLps[1], t.tipLps[2] - t.skinEntryLps[2]];
  const pathMm = Math.hypot(raw[0], raw[1], raw[2]);
  if (!(pathMm > 0)) throw new PlannerError('report/bad-input', 'trajectory images: skin entry and tip coincide');
  const d = norm(raw);
  // a: the long axis made perpendicular to the path (fallback: posterior).
  let a: Vec3 = [-d[2] * d[0], -d[2] * d[1], 1 - d[2] * d[2]];
  if (Math.hypot(a[0], a[1], a[2]) < 1e-6) a = [-d[1] * d[0], 1 - d[1] * d[1], -d[1] * d[2]];
  a = norm(a);
  let bdir = norm(crossV(d, a));
  if (dotV(bdir, [0, 1, 0]) + 1e-9 * dotV(bdir, [1, 0, 0]) < 0) bdir = [-bdir[0], -bdir[1], -bdir[2]];
  const fovMm = Math.max(120, pathMm + 40);
  const mid: Vec3 = [(t.skinEntryLps[0] + t.tipLps[0]) / 2, (t.skinEntryLps[1] + t.tipLps[1]) / 2, (t.skinEntryLps[2] + t.tipLps[2]) / 2];
  const mm = fovMm / sizePx;
  const out: ReportImageInput[] = [];
  const inline = (kind: 'inlineA' | 'inlineB', down: Vec3, caption: string): void => {
    const f: PlaneFrame = { centerLps: mid, right: d, down, mmPerPixel: mm, widthPx: sizePx, heightPx: sizePx };
    const rgb = windowToRgb(samplePlane(volume, f), window);
    drawScrewInPlane(rgb, f, t);
    out.push(image(kind, rgb, sizePx, sizePx, mm, mm, orientationOf(d, down), caption));
  };
  inline('inlineA', [-a[0], -a[1], -a[2]], 'In-line reformat A: path and long axis');
  inline('inlineB', bdir, 'In-line reformat B: perpendicular to A');
  // Bull's-eye at the bone entry, looking along the path (into the screen): head up where possible
  // (down = the patient's inferior made perpendicular to the path; posterior for a path along the long axis),
  // right = down x d so that right x down = d.
  let down: Vec3 = [d[2] * d[0], d[2] * d[1], d[2] * d[2] - 1];
  if (Math.hypot(down[0], down[1], down[2]) < 1e-6) down = [-d[1] * d[0], 1 - d[1] * d[1], -d[1] * d[2]];
  down = norm(down);
  const right = norm(crossV(down, d));
  const beFov = options.bullsEyeFovMm ?? 60;
  const beMm = beFov / sizePx;
  const fb: PlaneFrame = { centerLps: [t.boneEntryLps[0], t.boneEntryLps[1], t.boneEntryLps[2]], right, down, mmPerPixel: beMm, widthPx: sizePx, heightPx: sizePx };
  const beRgb = windowToRgb(samplePlane(volume, fb), window);
  circle(beRgb, sizePx, sizePx, (sizePx - 1) / 2, (sizePx - 1) / 2, t.diameterMm / 2 / beMm, YELLOW);
  cross(beRgb, sizePx, sizePx, (sizePx - 1) / 2, (sizePx - 1) / 2, YELLOW, 3);
  out.push(image('bullsEye', beRgb, sizePx, sizePx, beMm, beMm, orientationOf(right, down), "Bull's-eye at the bone entry (looking along the screw)"));
  out.push(computeSkinEntrySlice(volume, t, window));
  return out;
}

function computeSkinEntrySlice(volume: Volume<VoxelArray>, t: TrajectoryForImages, window: ImageWindow): ReportImageInput {
  const g = volume.geometry;
  const [ni, nj, nk] = g.dims;
  const inv = g.lpsToIjk;
  const ijk = (p: Readonly<Vec3>): Vec3 => [
    inv[0]! * p[0] + inv[4]! * p[1] + inv[8]! * p[2] + inv[12]!,
    inv[1]! * p[0] + inv[5]! * p[1] + inv[9]! * p[2] + inv[13]!,
    inv[2]! * p[0] + inv[6]! * p[1] + inv[10]! * p[2] + inv[14]!,
  ];
  const s = ijk(t.skinEntryLps), b = ijk(t.boneEntryLps), e = ijk(t.tipLps);
  const k0 = Math.max(0, Math.min(nk - 1, Math.round(s[2])));
  const values = new Float32Array(ni * nj);
  const vox = volume.voxels;
  for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) values[j * ni + i] = vox[i + ni * (j + nj * k0)]!;
  const rgb = windowToRgb(values, window);
  const solidNear = (from: Vec3, to: Vec3) => (u: number): boolean => Math.abs(from[2] + (to[2] - from[2]) * u - k0) <= 0.5;
  line(rgb, ni, nj, s[0], s[1], b[0], b[1], CYAN, 4, solidNear(s, b));
  line(rgb, ni, nj, b[0], b[1], e[0], e[1], YELLOW, 4, solidNear(b, e));
  cross(rgb, ni, nj, s[0], s[1], MAGENTA);
  const d = g.direction;
  const right: Vec3 = [d[0]!, d[1]!, d[2]!], down: Vec3 = [d[3]!, d[4]!, d[5]!];
  return image('axialSkinEntry', rgb, ni, nj, g.spacingMm[0], g.spacingMm[1], orientationOf(right, down), `Planning slice ${k0 + 1} at the skin entry, path projected (dashed: out of this slice)`);
}

/**
 * Overview: anteroposterior maximum-intensity projection of the whole volume
 * (a radiograph-like view from the front: patient's right on the image left,
 * head up) with every screw drawn and numbered (the numbers are returned as
 * annotations for the PDF to print). O(voxels): about a second for 512 x 512 x 400.
 */
export function computeOverviewProjection(
  volume: Volume<VoxelArray>,
  screws: readonly TrajectoryForImages[],
  options: { maxSizePx?: number; window?: ImageWindow } = {},
): ReportImageInput {
  const g = volume.geometry;
  const [ni, nj, nk] = g.dims;
  const m = g.ijkToLps;
  let xMin = Infinity, xMax = -Infinity, zMin = Infinity, zMax = -Infinity;
  for (const i of [0, ni - 1]) for (const j of [0, nj - 1]) for (const k of [0, nk - 1]) {
    const x = m[0]! * i + m[4]! * j + m[8]! * k + m[12]!, z = m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
    xMin = Math.min(xMin, x); xMax = Math.max(xMax, x); zMin = Math.min(zMin, z); zMax = Math.max(zMax, z);
  }
  const maxSize = options.maxSizePx ?? 384;
  // Pixels no finer than the coarsest voxel step, so that every pixel receives at least one voxel (no empty rows).
  const coarse = Math.max(g.spacingMm[0], g.spacingMm[1], g.spacingMm[2]);
  const mm = Math.max(coarse, Math.max(xMax - xMin, zMax - zMin) / maxSize);
  const w = Math.max(1, Math.ceil((xMax - xMin) / mm) + 1), h = Math.max(1, Math.ceil((zMax - zMin) / mm) + 1);
  const mip = new Float32Array(w * h).fill(Number.NaN);
  const vox = volume.voxels;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    const bx = m[4]! * j + m[8]! * k + m[12]!, bz = m[6]! * j + m[10]! * k + m[14]!;
    const row = ni * (j + nj * k);
    for (let i = 0; i < ni; i++) {
      const px = Math.round((bx + m[0]! * i - xMin) / mm), py = Math.round((zMax - (bz + m[2]! * i)) / mm);
      const o = py * w + px;
      const v = vox[row + i]!;
      if (!(mip[o]! >= v)) mip[o] = v;
    }
  }
  const rgb = windowToRgb(mip, options.window ?? { centerHu: 700, widthHu: 1600 });
  const f: PlaneFrame = { centerLps: [(xMin + xMax) / 2, 0, (zMin + zMax) / 2], right: [1, 0, 0], down: [0, 0, -1], mmPerPixel: mm, widthPx: w, heightPx: h };
  // Pixel centres of this raster sit at xMin + px * mm; align the frame centre to them.
  f.centerLps[0] = xMin + ((w - 1) / 2) * mm;
  f.centerLps[2] = zMax - ((h - 1) / 2) * mm;
  const annotations: { xPx: number; yPx: number; text: string }[] = [];
  screws.forEach((s, n) => {
    drawScrewInPlane(rgb, f, s);
    const p = toPixel(f, s.tipLps);
    annotations.push({ xPx: p.x, yPx: p.y, text: String(n + 1) });
  });
  return {
    kind: 'overview3d',
    png: encodePng({ widthPx: w, heightPx: h, channels: 3, pixels: rgb }),
    mmPerPixel: { x: mm, y: mm },
    orientation: { left: 'R', right: 'L', top: 'S', bottom: 'I' },
    caption: 'Overview: anteroposterior maximum-intensity projection, all screws',
    annotations,
  };
}

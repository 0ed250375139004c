/**
 * Rasterises the anatomy onto an axis-aligned LPS grid: a label volume and
 * Hounsfield units (before noise). Each bone part is evaluated only inside its
 * own box, so a voxel pays for the few primitives near it.
 *
 * Tissue values (HU): air -1000; skin 35; subcutaneous fat -100; muscle 52
 * with fat planes; pelvic fat -90, bowel 35 with gas -900, bladder 8; cortical
 * bone 1280-1680 (never below 1200 or above 1800 before noise); trabecular bone
 * 160-330; femoral marrow -40..0; sacral canal 15; foramina -40 (fat around
 * the roots); SI joint 60; L5/S1 disc 85; lesion 25-55; CT table shell 350
 * over a -880 foam core.
 */
import { assert } from '../../src/core/shared/errors';
import { LABELS } from '../../src/core/shared/ids';
import type { VolumeGeometry } from '../../src/core/volume/VolumeGeometry';
import { JOINT_LABEL, type PhantomAnatomy } from './anatomy';
import { createNoiseField, valueNoise } from './random';
import { ellipseDistance, ellipsoidDistance, type Box, type Shape } from './sdf';
import { profile } from './sacralFrame';

// Local bindings: module-namespace access to imports costs a getter call per voxel under some loaders.
const ellipseDistanceFast = ellipseDistance;
const ellipsoidDistanceFast = ellipsoidDistance;
const valueNoiseFast = valueNoise;

export type RasterOutput = { hu: Int16Array; labels: Uint8Array };

type Grid = {
  ni: number; nj: number; nk: number;
  ox: number; oy: number; oz: number;
  sx: number; sy: number; sz: number;
};

function gridOf(g: VolumeGeometry): Grid {
  const d = g.direction;
  assert(d[0] === 1 && d[4] === 1 && d[8] === 1 && d[1] === 0 && d[2] === 0 && d[3] === 0 && d[5] === 0 && d[6] === 0 && d[7] === 0, 'phantom grids are axis-aligned (identity direction)');
  return {
    ni: g.dims[0], nj: g.dims[1], nk: g.dims[2],
    ox: g.originLps[0], oy: g.originLps[1], oz: g.originLps[2],
    sx: g.spacingMm[0], sy: g.spacingMm[1], sz: g.spacingMm[2],
  };
}

/** Voxel index ranges [i0, i1] x [j0, j1] x [k0, k1] (inclusive) covering a box; empty when i0 > i1. */
function rangeOf(g: Grid, b: Box, marginMm: number): [number, number, number, number, number, number] {
  const i0 = Math.max(0, Math.floor((b[0] - marginMm - g.ox) / g.sx));
  const j0 = Math.max(0, Math.floor((b[1] - marginMm - g.oy) / g.sy));
  const k0 = Math.max(0, Math.floor((b[2] - marginMm - g.oz) / g.sz));
  const i1 = Math.min(g.ni - 1, Math.ceil((b[3] + marginMm - g.ox) / g.sx));
  const j1 = Math.min(g.nj - 1, Math.ceil((b[4] + marginMm - g.oy) / g.sy));
  const k1 = Math.min(g.nk - 1, Math.ceil((b[5] + marginMm - g.oz) / g.sz));
  return [i0, i1, j0, j1, k0, k1];
}

function boneHu(depthMm: number, cortexMm: number, x: number, y: number, z: number, seed: number): number {
  if (depthMm < cortexMm) return 1480 + 200 * valueNoiseFast(x, y, z, 7, seed, 11);
  // Trabecular texture: coarse and fine lattice noise.
  return 245 + 55 * valueNoiseFast(x, y, z, 4.5, seed, 12) + 30 * valueNoiseFast(x, y, z, 1.8, seed, 13);
}

/** Fills labels and noise-free HU for the anatomy on `geometry`. */
export function rasterizeAnatomy(anatomy: PhantomAnatomy, geometry: VolumeGeometry, seed: number, options: { exhaustive?: boolean } = {}): RasterOutput {
  const g = gridOf(geometry);
  const forEachInShape = options.exhaustive ? forEachInShapeExhaustive : forEachInShapeBlocked;
  const n = g.ni * g.nj * g.nk;
  const hu = new Int16Array(n);
  const labels = new Uint8Array(n);
  fillSoftTissue(g, hu, seed);

  // Disc (label 0, soft tissue at 85 HU).
  forEachInShape(g, anatomy.disc, 0, (idx, x, y, z, d) => {
    if (d < 0) hu[idx] = 85 + 10 * valueNoiseFast(x, y, z, 5, seed, 21);
  });

  // L5.
  forEachInShape(g, anatomy.l5, 0, (idx, x, y, z, d) => {
    if (d < 0) {
      labels[idx] = LABELS.l5;
      hu[idx] = BONE_PENDING;
    }
  });

  // Sacrum with its canal and foramina.
  const { hull, canal, foramina } = anatomy.sacrum;
  const canalBox = canal.box;
  const cavityBoxes = foramina.map((f) => f.shape.box);
  forEachInShape(g, hull, 0, (idx, x, y, z, dh) => {
    if (dh >= 0) return;
    let d = dh;
    let cavityLabel = 0;
    let cavityHu = 0;
    if (inBox(canalBox, x, y, z)) {
      const dc = canal.sdf(x, y, z);
      if (-dc > d) d = -dc;
      if (dc < 0) { cavityLabel = LABELS.sacralCanal; cavityHu = 15; }
    }
    for (let f = 0; f < foramina.length; f++) {
      if (!inBox(cavityBoxes[f]!, x, y, z)) continue;
      const df = foramina[f]!.shape.sdf(x, y, z);
      if (-df > d) d = -df;
      if (df < 0 && cavityLabel === 0) { cavityLabel = foramina[f]!.label; cavityHu = foramina[f]!.hu; }
    }
    if (d < 0) {
      labels[idx] = LABELS.sacrum;
      hu[idx] = BONE_PENDING;
    } else if (cavityLabel !== 0) {
      labels[idx] = cavityLabel;
      hu[idx] = cavityHu + 8 * valueNoiseFast(x, y, z, 3, seed, 22);
    }
  });

  // Hips: raw shape minus the sacrum dilated by the SI gap; the gap itself is the joint.
  const gap = anatomy.siGapMm;
  const hullBox = hull.box;
  for (const hip of anatomy.hips) {
    forEachInShape(g, hip.raw, 0, (idx, x, y, z, dr) => {
      if (dr >= 0) return;
      let d = dr;
      let ds = Infinity;
      if (inBox(hullBox, x, y, z)) {
        ds = hull.sdf(x, y, z);
        if (gap - ds > d) d = gap - ds;
      }
      if (d < 0) {
        labels[idx] = hip.label;
        hu[idx] = BONE_PENDING;
      } else if (ds >= 0 && ds < gap && labels[idx] === 0) {
        labels[idx] = JOINT_LABEL;
        hu[idx] = 60 + 10 * valueNoiseFast(x, y, z, 3, seed, 23);
      }
    });
  }

  // Femurs, with marrow in the diaphysis.
  for (const femur of anatomy.femurs) {
    const med = femur.medulla;
    forEachInShape(g, femur.shape, 0, (idx, x, y, z, d) => {
      if (d >= 0) return;
      labels[idx] = femur.label;
      if (inBox(med.box, x, y, z) && med.sdf(x, y, z) < 0) hu[idx] = -20 + 20 * valueNoiseFast(x, y, z, 5, seed, 24);
      else hu[idx] = BONE_PENDING;
    });
  }

  // Lesion: inside its host bone, or up to 1.5 mm beyond the host surface (it may break the cortex).
  const lesion = anatomy.lesion;
  if (lesion) {
    const hostShape = hostShapeOf(anatomy, lesion.host);
    forEachInShape(g, lesion.shape, 0, (idx, x, y, z, d) => {
      if (d >= 0) return;
      const l = labels[idx]!;
      const inHost = l === lesion.hostLabel || (l === 0 && hostShape.sdf(x, y, z) < 1.5);
      if (!inHost) return;
      labels[idx] = LABELS.lesion;
      hu[idx] = 40 + 15 * valueNoiseFast(x, y, z, 3.5, seed, 25);
    });
  }
  shadeBone(g, hu, labels, seed);
  return { hu, labels };
}

/** Placeholder HU of a bone voxel until its depth is known (no tissue uses it). */
const BONE_PENDING = -32768;

/** Anatomical cortical thickness per bone label, mm (before the one-voxel minimum). */
const CORTEX_MM: Record<number, number> = {
  [LABELS.l5]: 1.2, [LABELS.sacrum]: 1.4, [LABELS.hipLeft]: 1.8, [LABELS.hipRight]: 1.8, [LABELS.femurLeft]: 2.0, [LABELS.femurRight]: 2.0,
};

/**
 * Cortex and trabecular bone from the depth of each bone voxel below the bone
 * surface of the label grid itself (exact Euclidean distance transform, mm):
 * the SDFs of unions underestimate depth where parts overlap, which would
 * draw false cortical ridges inside bone. The surface is everything that is
 * neither bone nor lesion (soft tissue, canal, foramina, joints, marrow stays
 * as is). Femoral diaphysis (below the lesser trochanter) gets its thick cortex.
 */
function shadeBone(g: Grid, hu: Int16Array, labels: Uint8Array, seed: number): void {
  const isBone = new Uint8Array(256);
  for (const l of [LABELS.sacrum, LABELS.hipLeft, LABELS.hipRight, LABELS.femurLeft, LABELS.femurRight, LABELS.l5]) isBone[l] = 1;
  // Bounding box of pending bone voxels, plus one voxel.
  let i0 = g.ni, j0 = g.nj, k0 = g.nk, i1 = -1, j1 = -1, k1 = -1;
  for (let k = 0, idx = 0; k < g.nk; k++) {
    for (let j = 0; j < g.nj; j++) {
      for (let i = 0; i < g.ni; i++, idx++) {
        if (hu[idx] !== BONE_PENDING) continue;
        if (i < i0) i0 = i; if (i > i1) i1 = i;
        if (j < j0) j0 = j; if (j > j1) j1 = j;
        if (k < k0) k0 = k; if (k > k1) k1 = k;
      }
    }
  }
  if (i1 < 0) return;
  i0 = Math.max(0, i0 - 1); j0 = Math.max(0, j0 - 1); k0 = Math.max(0, k0 - 1);
  i1 = Math.min(g.ni - 1, i1 + 1); j1 = Math.min(g.nj - 1, j1 + 1); k1 = Math.min(g.nk - 1, k1 + 1);
  const bi = i1 - i0 + 1, bj = j1 - j0 + 1, bk = k1 - k0 + 1;
  const dist2 = new Float32Array(bi * bj * bk);
  for (let k = 0; k < bk; k++) {
    for (let j = 0; j < bj; j++) {
      let src = i0 + g.ni * (j0 + j + g.nj * (k0 + k));
      let dst = bi * (j + bj * k);
      for (let i = 0; i < bi; i++, src++, dst++) {
        const l = labels[src]!;
        dist2[dst] = isBone[l] || l === LABELS.lesion ? 1e20 : 0;
      }
    }
  }
  squaredEdt3d(dist2, bi, bj, bk, g.sx, g.sy, g.sz);
  const halfStep = 0.5 * Math.min(g.sx, g.sy, g.sz);
  const minCortex = 1.1 * Math.max(g.sx, g.sy, g.sz);
  for (let k = 0; k < bk; k++) {
    const z = g.oz + (k0 + k) * g.sz;
    for (let j = 0; j < bj; j++) {
      const y = g.oy + (j0 + j) * g.sy;
      let idx = i0 + g.ni * (j0 + j + g.nj * (k0 + k));
      let b = bi * (j + bj * k);
      for (let i = 0; i < bi; i++, idx++, b++) {
        if (hu[idx] !== BONE_PENDING) continue;
        const l = labels[idx]!;
        const diaphysis = (l === LABELS.femurLeft || l === LABELS.femurRight) && z < -185;
        const cortexMm = Math.max(diaphysis ? 5.5 : CORTEX_MM[l] ?? 1.5, minCortex);
        const depthMm = Math.sqrt(dist2[b]!) - halfStep;
        hu[idx] = boneHu(depthMm, cortexMm, g.ox + (i0 + i) * g.sx, y, z, seed);
      }
    }
  }
}

/** In-place squared Euclidean distance transform (mm^2) of a grid holding 0 at sites and 1e20 elsewhere. */
function squaredEdt3d(d: Float32Array, nx: number, ny: number, nz: number, sx: number, sy: number, sz: number): void {
  const n = Math.max(nx, ny, nz);
  const f = new Float64Array(n), out = new Float64Array(n), v = new Int32Array(n), zz = new Float64Array(n + 1);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) {
    const base = nx * (j + ny * k);
    for (let i = 0; i < nx; i++) f[i] = d[base + i]!;
    edt1d(f, nx, sx, out, v, zz);
    for (let i = 0; i < nx; i++) d[base + i] = out[i]!;
  }
  for (let k = 0; k < nz; k++) for (let i = 0; i < nx; i++) {
    const base = i + nx * ny * k;
    for (let j = 0; j < ny; j++) f[j] = d[base + nx * j]!;
    edt1d(f, ny, sy, out, v, zz);
    for (let j = 0; j < ny; j++) d[base + nx * j] = out[j]!;
  }
  const nxy = nx * ny;
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const base = i + nx * j;
    for (let k = 0; k < nz; k++) f[k] = d[base + nxy * k]!;
    edt1d(f, nz, sz, out, v, zz);
    for (let k = 0; k < nz; k++) d[base + nxy * k] = out[k]!;
  }
}

/** 1D squared distance transform with sample spacing s (Felzenszwalb & Huttenlocher lower envelope). */
function edt1d(f: Float64Array, n: number, s: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  const s2 = s * s;
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let p = v[k]!;
    let sep = (f[q]! + s2 * q * q - (f[p]! + s2 * p * p)) / (2 * s2 * (q - p));
    while (sep <= z[k]!) {
      k--;
      p = v[k]!;
      sep = (f[q]! + s2 * q * q - (f[p]! + s2 * p * p)) / (2 * s2 * (q - p));
    }
    k++;
    v[k] = q;
    z[k] = sep;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const r = q - v[k]!;
    d[q] = s2 * r * r + f[v[k]!]!;
  }
}

function hostShapeOf(anatomy: PhantomAnatomy, host: string): Shape {
  if (host === 'sacrum') return anatomy.sacrum.hull;
  if (host === 'hipLeft') return anatomy.hips.find((h) => h.side === 'left')!.raw;
  if (host === 'hipRight') return anatomy.hips.find((h) => h.side === 'right')!.raw;
  if (host === 'femurLeft') return anatomy.femurs.find((f) => f.side === 'left')!.shape;
  return anatomy.femurs.find((f) => f.side === 'right')!.shape;
}

function inBox(b: Box, x: number, y: number, z: number): boolean {
  return x >= b[0] && y >= b[1] && z >= b[2] && x <= b[3] && y <= b[4] && z <= b[5];
}

/** Stand-in distance for voxels of a block known to be deep inside a shape. */
const DEEP_MM = -1000;

/**
 * Calls `visit` for the voxels of the shape's box where the shape may be
 * negative. The box is walked in blocks of about 5 mm: the SDF at a block's
 * centre bounds it over the block (the primitives are 1-Lipschitz up to the
 * ellipsoid approximation and the curved sacral frame, which stretches distances by up to about 1.6: hence a 2.5 safety factor), so blocks far
 * outside are skipped and blocks deep inside are visited with d = DEEP_MM
 * without evaluating the shape per voxel. Visitors only act on d < 0.
 */
type Visitor = (idx: number, x: number, y: number, z: number, d: number) => void;

/** Every voxel of the box, the shape evaluated at each (reference for the blocked walk; tests compare them). */
function forEachInShapeExhaustive(g: Grid, s: Shape, marginMm: number, visit: Visitor): void {
  const [i0, i1, j0, j1, k0, k1] = rangeOf(g, s.box, marginMm + 1);
  for (let k = k0; k <= k1; k++) {
    const z = g.oz + k * g.sz;
    for (let j = j0; j <= j1; j++) {
      const y = g.oy + j * g.sy;
      let idx = i0 + g.ni * (j + g.nj * k);
      for (let i = i0; i <= i1; i++, idx++) {
        const x = g.ox + i * g.sx;
        visit(idx, x, y, z, s.sdf(x, y, z));
      }
    }
  }
}

function forEachInShapeBlocked(g: Grid, s: Shape, marginMm: number, visit: Visitor, deepMm = 12): void {
  const [i0, i1, j0, j1, k0, k1] = rangeOf(g, s.box, marginMm + 1);
  const sdf = s.sdf;
  const bi = Math.max(2, Math.round(5 / g.sx)), bj = Math.max(2, Math.round(5 / g.sy)), bk = Math.max(2, Math.round(5 / g.sz));
  const halfDiag = 0.5 * Math.hypot(bi * g.sx, bj * g.sy, bk * g.sz);
  const skipBeyond = 2.5 * halfDiag + 1;
  const deepBelow = -(2.5 * halfDiag + deepMm);
  for (let kb = k0; kb <= k1; kb += bk) {
    const kEnd = Math.min(k1, kb + bk - 1);
    for (let jb = j0; jb <= j1; jb += bj) {
      const jEnd = Math.min(j1, jb + bj - 1);
      for (let ib = i0; ib <= i1; ib += bi) {
        const iEnd = Math.min(i1, ib + bi - 1);
        const dc = sdf(g.ox + ((ib + iEnd) / 2) * g.sx, g.oy + ((jb + jEnd) / 2) * g.sy, g.oz + ((kb + kEnd) / 2) * g.sz);
        if (dc > skipBeyond) continue;
        const deep = dc < deepBelow;
        for (let k = kb; k <= kEnd; k++) {
          const z = g.oz + k * g.sz;
          for (let j = jb; j <= jEnd; j++) {
            const y = g.oy + j * g.sy;
            let idx = ib + g.ni * (j + g.nj * k);
            for (let i = ib; i <= iEnd; i++, idx++) {
              const x = g.ox + i * g.sx;
              visit(idx, x, y, z, deep ? DEEP_MM : sdf(x, y, z));
            }
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- soft tissue

const bodyHalfWidth = profile([[-200, 150], [-150, 170], [-100, 178], [-40, 172], [0, 165], [60, 160]]);
const bodyHalfDepth = profile([[-200, 104], [-150, 118], [-100, 128], [0, 124], [60, 118]]);
const fatThickness = profile([[-200, 20], [-100, 26], [0, 24], [60, 22]]);
/** Posterior skin cannot pass the table top (the supine patient rests on it); y of the cradle's lowest point, mm. */
export const TABLE_TOP_Y = 101;

function fillSoftTissue(g: Grid, hu: Int16Array, seed: number): void {
  const bodyCy = -12;
  const box = [g.ox, g.oy, g.oz, g.ox + (g.ni - 1) * g.sx, g.oy + (g.nj - 1) * g.sy, g.oz + (g.nk - 1) * g.sz];
  const fatEdge = createNoiseField(box, 30, seed, 31);
  const fatTexture = createNoiseField(box, 6, seed, 32);
  const fields: SoftFields = {
    muscleFat: createNoiseField(box, 10, seed, 35),
    loops: createNoiseField(box, 14, seed, 33),
    gas: createNoiseField(box, 9, seed, 34),
  };
  for (let k = 0; k < g.nk; k++) {
    const z = g.oz + k * g.sz;
    const bx = bodyHalfWidth(z), by = bodyHalfDepth(z), ft = fatThickness(z);
    // Below the ischia the thighs separate from the trunk.
    const thighs = z < -135;
    const trunkScale = thighs ? Math.max(0.35, 1 - ((-135 - z) / 70) * 0.65) : 1;
    for (let j = 0; j < g.nj; j++) {
      const y = g.oy + j * g.sy;
      let idx = g.ni * (j + g.nj * k);
      for (let i = 0; i < g.ni; i++, idx++) {
        const x = g.ox + i * g.sx;
        let d = ellipseDistanceFast(x, y - bodyCy, bx * (thighs ? Math.max(trunkScale, 0.55) : 1), by * trunkScale);
        if (thighs) {
          const sgn = x >= 0 ? 1 : -1;
          const dt = ellipseDistanceFast(x - sgn * 92, y + 20, 80, 94);
          if (dt < d) d = dt;
        }
        const dTable = y - (tableTopY(x) - 1);
        if (dTable > d) d = dTable;
        if (d >= 0) {
          hu[idx] = tableHu(x, y);
          continue;
        }
        if (d > -2) { hu[idx] = 35; continue; }
        if (d > -ft - 6 * fatEdge(x, y, z)) { hu[idx] = -100 + 10 * fatTexture(x, y, z); continue; }
        hu[idx] = innerTissueHu(x, y, z, fields);
      }
    }
  }
}

type SoftFields = { muscleFat: (x: number, y: number, z: number) => number; loops: (x: number, y: number, z: number) => number; gas: (x: number, y: number, z: number) => number };

/** Top surface of the table: a shallow cradle, lowest (most posterior) under the midline. */
function tableTopY(x: number): number {
  return TABLE_TOP_Y + 1 - 0.0003 * x * x;
}

function tableHu(x: number, y: number): number {
  const top = tableTopY(x);
  if (Math.abs(x) > 235 || y < top || y > top + 32) return -1000;
  if (y < top + 2 || y > top + 30) return 350;
  return -880;
}

function innerTissueHu(x: number, y: number, z: number, f: SoftFields): number {
  // Bladder behind the symphysis.
  if (ellipsoidDistanceFast(x, y + 62, z + 88, 36, 26, 26) < 0) return 8;
  // Pelvic cavity: fat with bowel loops (and gas) above the bladder.
  if (ellipsoidDistanceFast(x, y + 42, z + 30, 62, 52, 72) < 0) {
    if (z > -70 && f.loops(x, y, z) > 0.1) return f.gas(x, y, z) > 0.72 ? -900 : 35;
    return -90;
  }
  // Muscle with thin fat planes.
  return f.muscleFat(x, y, z) > 0.78 ? -80 : 52;
}

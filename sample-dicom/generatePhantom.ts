/**
 * Deterministic synthetic pelvic CT (and CBCT) with ground truth, in memory.
 *
 * `generatePhantom({ caseId, size, seed })` returns the CT volume (HU, or
 * grey values for the CBCT case), the label volume on the same grid (values
 * from LABELS in src/core/shared/ids.ts) and the PhantomTruth (truth.ts).
 * The same (caseId, size, seed) always gives the same bytes. Other modules'
 * tests call this directly; 'small' takes about a second.
 */
import type { Vec3 } from '../src/core/geometry/vec3';
import { assert } from '../src/core/shared/errors';
import { LABELS } from '../src/core/shared/ids';
import { createVolume, type Volume } from '../src/core/volume/Volume';
import { createVolumeGeometry, type VolumeGeometry, voxelVolumeMm3 } from '../src/core/volume/VolumeGeometry';
import { buildAnatomy, JOINT_LABEL, type PhantomAnatomy } from './phantom/anatomy';
import { measureCorridor } from './phantom/corridors';
import { createNoiseField, createRng, hashGauss } from './phantom/random';
import { rasterizeAnatomy } from './phantom/rasterize';
import type { CorridorTruth, PhantomCaseId, PhantomSize, PhantomTruth } from './truth';

export const PHANTOM_CASES: readonly PhantomCaseId[] = ['sacralAla', 'supraAcetabular', 'femoralNeck', 'dysmorphic', 'sacralAlaCbct'];
export const PHANTOM_SIZES: readonly PhantomSize[] = ['small', 'medium', 'full'];
export const DEFAULT_SEED = 20260423;

export type GeneratePhantomOptions = {
  caseId: PhantomCaseId;
  size: PhantomSize;
  /** Any 32-bit integer; defaults to DEFAULT_SEED. */
  seed?: number;
  /** Allocate voxel buffers on SharedArrayBuffer (for handing to workers). Default false. */
  shared?: boolean;
};

export type Phantom = {
  ct: Volume<Int16Array>;
  labels: Volume<Uint8Array>;
  truth: PhantomTruth;
};

type GridSpec = { dims: [number, number, number]; spacingMm: [number, number, number]; centreLps: Vec3 };

/**
 * CT grids cover the body from L5 to the proximal femoral shafts (z -200..+50 mm)
 * and the table. The CBCT grid is a smaller cylinder-in-a-box centred on the
 * sacrum and left SI joint (the body is truncated by it).
 */
export function phantomGridSpec(caseId: PhantomCaseId, size: PhantomSize): GridSpec {
  if (caseId === 'sacralAlaCbct') {
    const centreLps: Vec3 = [15, 5, -22];
    if (size === 'small') return { dims: [192, 192, 128], spacingMm: [1, 1, 1], centreLps };
    if (size === 'medium') return { dims: [384, 384, 256], spacingMm: [0.5, 0.5, 0.5], centreLps };
    return { dims: [512, 512, 400], spacingMm: [0.5, 0.5, 0.5], centreLps };
  }
  const centreLps: Vec3 = [0, 0, -75];
  if (size === 'small') return { dims: [192, 192, 125], spacingMm: [2, 2, 2], centreLps };
  if (size === 'medium') return { dims: [256, 256, 200], spacingMm: [1.5, 1.5, 1.25], centreLps };
  return { dims: [512, 512, 250], spacingMm: [0.8, 0.8, 1.0], centreLps };
}

export function phantomGeometry(caseId: PhantomCaseId, size: PhantomSize): VolumeGeometry {
  const spec = phantomGridSpec(caseId, size);
  const originLps: Vec3 = [0, 1, 2].map((a) => spec.centreLps[a]! - ((spec.dims[a]! - 1) * spec.spacingMm[a]!) / 2) as Vec3;
  return createVolumeGeometry({ dims: spec.dims, spacingMm: spec.spacingMm, originLps, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
}

/** CBCT grey value = CBCT_SLOPE * HU + CBCT_INTERCEPT (what the scanner would store, uncalibrated). */
export const CBCT_GREY = { slope: 0.8, intercept: 1000 } as const;

export function generatePhantom(options: GeneratePhantomOptions): Phantom {
  const { caseId, size } = options;
  const seed = (options.seed ?? DEFAULT_SEED) >>> 0;
  assert(PHANTOM_CASES.includes(caseId), `unknown phantom case ${String(caseId)}`);
  assert(PHANTOM_SIZES.includes(size), `unknown phantom size ${String(size)}`);
  const anatomy = buildAnatomy(caseId, seed);
  const geometry = phantomGeometry(caseId, size);
  const { hu, labels } = rasterizeAnatomy(anatomy, geometry, seed);

  const corridors = measureCorridors(anatomy, labels, geometry);
  for (let i = 0; i < labels.length; i++) if (labels[i] === JOINT_LABEL) labels[i] = 0;

  const cbct = caseId === 'sacralAlaCbct';
  if (cbct) degradeToCbct(hu, geometry, seed);
  else addCtNoise(hu, geometry, seed);

  const shared = options.shared ?? false;
  const ctVoxels = shared ? copyToShared(hu) : hu;
  const labelVoxels = shared ? copyToShared(labels) : labels;
  const id = `phantom-${caseId}-${size}-${seed}`;
  const ct = createVolume(id, cbct ? 'cbct' : 'ct', geometry, ctVoxels);
  const labelVolume = createVolume(`${id}-labels`, 'label', geometry, labelVoxels);
  const truth = buildTruth(anatomy, caseId, size, seed, geometry, labels, corridors, cbct);
  return { ct, labels: labelVolume, truth };
}

function copyToShared<T extends Int16Array | Uint8Array>(a: T): T {
  const buf = new SharedArrayBuffer(a.byteLength);
  const out = new (a.constructor as new (b: ArrayBufferLike) => T)(buf);
  out.set(a);
  return out;
}

function insideGrid(g: VolumeGeometry, p: Vec3): boolean {
  const m = g.lpsToIjk;
  for (let a = 0; a < 3; a++) {
    const c = m[a]! * p[0] + m[4 + a]! * p[1] + m[8 + a]! * p[2] + m[12 + a]!;
    if (c < 0 || c > g.dims[a]! - 1) return false;
  }
  return true;
}

function measureCorridors(anatomy: PhantomAnatomy, labels: Uint8Array, geometry: VolumeGeometry): CorridorTruth[] {
  const out: CorridorTruth[] = [];
  for (const def of anatomy.corridors) {
    if (!insideGrid(geometry, def.startLps) || !insideGrid(geometry, def.endLps)) continue;
    const extendEnd = def.id === 'transsacralS1' || def.id === 'transsacralS2';
    const m = measureCorridor(labels, geometry, def, { extendEnd });
    const t: CorridorTruth = { id: def.id, narrowestWidthMm: round2(m.widthMm), axisStartLps: round3(m.axisStartLps), axisEndLps: round3(m.axisEndLps) };
    if (def.side) t.side = def.side;
    out.push(t);
  }
  return out;
}

function addCtNoise(hu: Int16Array, g: VolumeGeometry, seed: number): void {
  const [sx, sy, sz] = g.spacingMm;
  // Quantum noise grows as the voxel shrinks (sd ~ 1 / sqrt(voxel volume)); 12 HU at 1.5 x 1.5 x 1.25 mm.
  const sd = Math.min(30, Math.max(6, 12 * Math.sqrt((1.5 * 1.5 * 1.25) / (sx * sy * sz))));
  const [ni, nj, nk] = g.dims;
  let idx = 0;
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      for (let i = 0; i < ni; i++, idx++) {
        const v = hu[idx]! + sd * hashGauss(i, j, k, seed ^ 0x5bd1e995);
        hu[idx] = v < -1024 ? -1024 : v > 3071 ? 3071 : Math.round(v);
      }
    }
  }
}

/**
 * Turns noise-free HU into CBCT grey values: cupping (centre 10% darker),
 * truncation brightening near the edge of the reconstructed cylinder, ring
 * artefacts about the rotation axis, three times the CT noise, then the
 * uncalibrated mapping grey = 0.8 HU + 1000. Outside the cylinder: 0.
 */
function degradeToCbct(hu: Int16Array, g: VolumeGeometry, seed: number): void {
  const [ni, nj, nk] = g.dims;
  const [sx, sy, sz] = g.spacingMm;
  const [ox, oy, oz] = g.originLps;
  const cx = ox + ((ni - 1) * sx) / 2, cy = oy + ((nj - 1) * sy) / 2;
  const radius = Math.min((ni - 1) * sx, (nj - 1) * sy) / 2 - 1;
  const rng = createRng(seed ^ 0x2545f491);
  const rings: { r: number; a: number }[] = [];
  for (let n = 0; n < 9; n++) rings.push({ r: 4 + rng() * (radius - 8), a: (rng() < 0.5 ? -1 : 1) * (0.025 + 0.03 * rng()) });
  const sd = 36 * Math.sqrt((0.5 * 0.5 * 0.5) / (sx * sy * sz)) ** 0.5;
  // The artefacts depend only on the distance from the rotation axis: one table per slice position.
  const gain = new Float32Array(ni * nj), ringAdd = new Float32Array(ni * nj), inside = new Uint8Array(ni * nj);
  for (let j = 0; j < nj; j++) {
    for (let i = 0; i < ni; i++) {
      const r = Math.hypot(ox + i * sx - cx, oy + j * sy - cy);
      if (r > radius) continue;
      const q = r / radius;
      const p = i + ni * j;
      inside[p] = 1;
      gain[p] = (1 - 0.1 * (1 - q * q)) * (1 + 0.18 * Math.exp(-(radius - r) / 10));
      let add = 0;
      for (const ring of rings) {
        const t = (r - ring.r) / 0.7;
        if (t > -4 && t < 4) add += ring.a * Math.exp(-t * t);
      }
      ringAdd[p] = add;
    }
  }
  const texture = createNoiseField([ox, oy, oz, ox + (ni - 1) * sx, oy + (nj - 1) * sy, oz + (nk - 1) * sz], 2.5, seed, 41);
  let idx = 0;
  for (let k = 0; k < nk; k++) {
    const z = oz + k * sz;
    for (let j = 0; j < nj; j++) {
      const y = oy + j * sy;
      for (let i = 0; i < ni; i++, idx++) {
        const p = i + ni * j;
        if (!inside[p]) { hu[idx] = 0; continue; }
        const mu = ((hu[idx]! + 1000) / 1000) * gain[p]! + ringAdd[p]!;
        const huOut = mu * 1000 - 1000 + sd * hashGauss(i, j, k, seed ^ 0x68e31da4) + 15 * texture(ox + i * sx, y, z);
        const grey = Math.round(CBCT_GREY.slope * huOut + CBCT_GREY.intercept);
        hu[idx] = grey < 0 ? 0 : grey > 32767 ? 32767 : grey;
      }
    }
  }
}

function round3(p: Vec3): Vec3 {
  return [Math.round(p[0] * 1000) / 1000, Math.round(p[1] * 1000) / 1000, Math.round(p[2] * 1000) / 1000];
}
function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function buildTruth(
  anatomy: PhantomAnatomy, caseId: PhantomCaseId, size: PhantomSize, seed: number, g: VolumeGeometry,
  labels: Uint8Array, corridors: CorridorTruth[], cbct: boolean,
): PhantomTruth {
  let lesionVoxels = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === LABELS.lesion) lesionVoxels++;
  const hw = anatomy.canalHalfWidthsMm, hd = anatomy.canalHalfDepthsMm;
  const eqRadii = hw.map((w, i) => Math.sqrt(w * hd[i]!));
  const sortedRadii = [...eqRadii].sort((a, b) => a - b);
  const notes = [...anatomy.notes];
  notes.push('corridor widths: widest straight cylinder inside the allowed labels of this label grid (brute force, within 6 deg of the reference axis); accurate to about one voxel');
  notes.push('sacral canal: elliptic cross-section; radiusMm is the median equal-area radius, halfWidthsMm (left-right) and halfDepthsMm (antero-posterior) give it per centreline point');
  notes.push('nerve roots are truth only: they are not drawn in the CT nor in labels.nrrd');
  if (cbct) notes.push(`CBCT grey values: grey = ${CBCT_GREY.slope} * HU + ${CBCT_GREY.intercept}; 0 outside the reconstructed cylinder; cupping, truncation, rings and 3x noise`);
  const dropped = anatomy.corridors.filter((c) => !corridors.some((m) => m.id === c.id && m.side === c.side));
  if (dropped.length) notes.push(`corridors outside the field of view, not measured: ${dropped.map((c) => (c.side ? `${c.id} ${c.side}` : c.id)).join(', ')}`);
  return {
    version: 1,
    caseId, size, seed,
    geometry: {
      dims: [g.dims[0], g.dims[1], g.dims[2]],
      spacingMm: [g.spacingMm[0], g.spacingMm[1], g.spacingMm[2]],
      originLps: [g.originLps[0], g.originLps[1], g.originLps[2]],
      direction: [...g.direction],
    },
    labelsFile: 'labels.nrrd',
    greyMapping: cbct ? { slope: CBCT_GREY.slope, intercept: CBCT_GREY.intercept, huCalibrated: false } : { slope: 1, intercept: 0, huCalibrated: true },
    roots: anatomy.roots.map((r) => ({ id: r.id, centerlineLps: r.centerlineLps.map(round3), radiusMm: r.radiusMm })),
    foramina: anatomy.foramina.map((f) => ({ id: f.id, centerLps: round3(f.centerLps), radiusMm: f.radiusMm, axisLps: round3(f.axisLps) })),
    sacralCanal: {
      centerlineLps: anatomy.canalCenterlineLps.map(round3),
      radiusMm: round2(sortedRadii[sortedRadii.length >> 1]!),
      halfWidthsMm: hw.map(round2),
      halfDepthsMm: hd.map(round2),
    },
    femoralHeads: anatomy.femoralHeads.map((h) => ({ side: h.side, centerLps: round3(h.centerLps), radiusMm: h.radiusMm })),
    lesion: anatomy.lesion
      ? { centerLps: round3(anatomy.lesion.centreLps), volumeMl: round2((lesionVoxels * voxelVolumeMm3(g)) / 1000), host: anatomy.lesion.host }
      : null,
    corridors,
    notes,
  };
}

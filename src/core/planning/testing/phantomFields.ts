/**
 * Test support (not shipped in core): builds a FieldSet for a phantom from its
 * GROUND TRUTH (truth label volume and truth structures), so the planner is
 * tested apart from our segmentation, and measures screws against the truth
 * analytically / by brute force on the label grid.
 */
import { generatePhantom, type Phantom } from '../../../../sample-dicom/generatePhantom';
import type { PhantomCaseId, PhantomSize } from '../../../../sample-dicom/truth';
import type { CriticalStructures } from '../../anatomy/structures';
import { buildFieldSet } from '../../fields/buildFieldSet';
import { computeDistanceField } from '../../fields/distanceTransform';
import type { FieldSet } from '../../fields/FieldSet';
import { pointSegmentDistance, segmentPolylineDistance } from '../../geometry/segment';
import type { Vec3 } from '../../geometry/vec3';
import { FORAMEN_IDS, LABELS, type StructureId } from '../../shared/ids';
import type { Screw } from '../types';

export function truthStructures(phantom: Phantom): CriticalStructures {
  const t = phantom.truth;
  const femurCentroid = (label: number): Vec3 => {
    const g = phantom.labels.geometry;
    const [ni, nj, nk] = g.dims;
    let sx = 0, sy = 0, sz = 0, n = 0;
    const m = g.ijkToLps;
    for (let k = 0, v = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, v++) {
      if (phantom.labels.voxels[v] !== label) continue;
      sx += m[0]! * i + m[12]!; sy += m[5]! * j + m[13]!; sz += m[10]! * k + m[14]!; n++;
    }
    return n ? [sx / n, sy / n, sz / n] : [0, 0, 0];
  };
  return {
    foramina: t.foramina.map((f) => ({ id: f.id, centerLps: f.centerLps, axisLps: f.axisLps, radiusMm: f.radiusMm, lengthMm: 30 })),
    sacralCanal: { id: 'sacralCanal', centerlineLps: t.sacralCanal.centerlineLps, radiusMm: t.sacralCanal.radiusMm },
    roots: t.roots.map((r) => ({ id: r.id, centerlineLps: r.centerlineLps, radiusMm: r.radiusMm })),
    joints: t.femoralHeads.map((h) => {
      const c = femurCentroid(h.side === 'left' ? LABELS.femurLeft : LABELS.femurRight);
      const a: Vec3 = [h.centerLps[0] - c[0], h.centerLps[1] - c[1], h.centerLps[2] - c[2]];
      const n = Math.hypot(a[0], a[1], a[2]) || 1;
      return { id: h.side === 'left' ? 'jointLeft' as const : 'jointRight' as const, side: h.side, centerLps: h.centerLps, radiusMm: h.radiusMm, capAxisLps: [a[0] / n, a[1] / n, a[2] / n] as Vec3, capHalfAngleDeg: 80, rmsResidualMm: 0 };
    }),
    notes: [],
  };
}

/**
 * FieldSet from the truth: bone depth and lesion from the truth labels (EDT),
 * roots and joints analytic from the truth models, and the foramina and the
 * sacral canal as EDTs of their truth labels (the labelled channels are the
 * truth; the truth opening alone does not describe the whole channel).
 */
export function truthFieldSet(phantom: Phantom, options: { shared?: boolean } = {}): FieldSet {
  const fields = buildFieldSet(phantom.labels, truthStructures(phantom), { generation: 1, shared: options.shared ?? false });
  const structures: Partial<Record<StructureId, FieldSet['boneDepth']>> = { ...fields.structures };
  for (const id of [...FORAMEN_IDS, 'sacralCanal'] as StructureId[]) {
    const label = LABELS[id as keyof typeof LABELS];
    if (!fields.labels.voxels.includes(label)) {
      delete structures[id];
      continue;
    }
    structures[id] = computeDistanceField(fields.labels, { inside: label, signed: false, surface: 'halfVoxel', id, shared: options.shared ?? false });
  }
  return { ...fields, structures, structureMarginMm: fields.structureMarginMm ?? 25 };
}

/** Structures the truth field set builds from labels (voxel tolerance). */
export function voxelStructureIds(fields: FieldSet): StructureId[] {
  return ([...FORAMEN_IDS, 'sacralCanal'] as StructureId[]).filter((id) => fields.structures[id] !== undefined);
}

const cache = new Map<string, { phantom: Phantom; fields: FieldSet }>();

export function phantomCase(caseId: PhantomCaseId, size: PhantomSize = 'small', shared = false): { phantom: Phantom; fields: FieldSet } {
  const key = `${caseId}/${size}/${shared}`;
  let hit = cache.get(key);
  if (!hit) {
    const phantom = generatePhantom({ caseId, size, shared });
    hit = { phantom, fields: truthFieldSet(phantom, { shared }) };
    cache.set(key, hit);
  }
  return hit;
}

/**
 * True clearance of a screw to a labelled structure: distance from the screw
 * axis segment to the nearest voxel centre of `label` on the truth label grid,
 * minus half a voxel diagonal (the true surface can lie that far beyond the
 * centres) and the screw radius. Brute force over the label grid's bounding box of the structure.
 */
export function trueLabelClearanceMm(phantom: Phantom, screw: Screw, label: number): number {
  const g = phantom.labels.geometry;
  const [ni, nj, nk] = g.dims;
  const m = g.ijkToLps;
  const v = phantom.labels.voxels;
  let best = Infinity;
  const p: Vec3 = [0, 0, 0];
  for (let k = 0, q = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, q++) {
    if (v[q] !== label) continue;
    p[0] = m[0]! * i + m[4]! * j + m[8]! * k + m[12]!;
    p[1] = m[1]! * i + m[5]! * j + m[9]! * k + m[13]!;
    p[2] = m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
    const d = pointSegmentDistance(p, screw.entryLps, screw.tipLps);
    if (d < best) best = d;
  }
  const [a, b, c] = g.spacingMm;
  return best - 0.5 * Math.hypot(a, b, c) - screw.diameterMm / 2;
}

/** True clearance to every truth root: axis-to-centreline distance minus both radii (analytic). */
export function trueRootClearancesMm(phantom: Phantom, screw: Screw): { id: string; clearanceMm: number }[] {
  return phantom.truth.roots.map((r) => ({ id: r.id, clearanceMm: segmentPolylineDistance(screw.entryLps, screw.tipLps, r.centerlineLps) - r.radiusMm - screw.diameterMm / 2 }));
}

/**
 * Brute-force purchase on the truth labels: walk the axis every 0.25 mm with
 * nearest-label lookups; healthy bone = a bone label (not lesion). Returns the
 * healthy length before the first and after the last lesion sample.
 */
export function truePurchaseMm(phantom: Phantom, screw: Screw): { nearMm: number; farMm: number; crossesLesion: boolean; spanMm: number } {
  const g = phantom.labels.geometry;
  const m = g.lpsToIjk;
  const [ni, nj, nk] = g.dims;
  const step = 0.25;
  const n = Math.ceil(screw.lengthMm / step);
  const labs: number[] = [];
  for (let s = 0; s <= n; s++) {
    const t = s / n;
    const x = screw.entryLps[0] + (screw.tipLps[0] - screw.entryLps[0]) * t;
    const y = screw.entryLps[1] + (screw.tipLps[1] - screw.entryLps[1]) * t;
    const z = screw.entryLps[2] + (screw.tipLps[2] - screw.entryLps[2]) * t;
    const i = Math.round(m[0]! * x + m[4]! * y + m[8]! * z + m[12]!);
    const j = Math.round(m[1]! * x + m[5]! * y + m[9]! * z + m[13]!);
    const k = Math.round(m[2]! * x + m[6]! * y + m[10]! * z + m[14]!);
    labs.push(i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk ? 0 : phantom.labels.voxels[i + ni * (j + nj * k)]!);
  }
  const first = labs.indexOf(LABELS.lesion), last = labs.lastIndexOf(LABELS.lesion);
  if (first < 0) return { nearMm: 0, farMm: 0, crossesLesion: false, spanMm: 0 };
  const bone = (l: number) => l >= LABELS.sacrum && l <= LABELS.l5;
  const nearMm = labs.slice(0, first).filter(bone).length * (screw.lengthMm / n);
  const farMm = labs.slice(last + 1).filter(bone).length * (screw.lengthMm / n);
  const spanMm = labs.filter((l) => l === LABELS.lesion).length * (screw.lengthMm / n);
  return { nearMm, farMm, crossesLesion: true, spanMm };
}

/**
 * Every margin of one screw against the GROUND TRUTH: roots analytically
 * (truth centrelines and radii), foramina and the sacral canal on the truth
 * label grid (distance from the screw axis to the labelled voxel centres less
 * half a voxel: the label-surface convention the phantom's corridor widths use).
 * Returns the violations (empty = every margin kept).
 */
export function truthMarginViolations(phantom: Phantom, screw: Screw, marginMm: number): string[] {
  const out: string[] = [];
  for (const r of trueRootClearancesMm(phantom, screw)) if (r.clearanceMm < marginMm) out.push(`${screw.id}: ${r.id} at ${r.clearanceMm.toFixed(2)} mm`);
  const h = Math.min(...phantom.labels.geometry.spacingMm);
  const [a, b, c] = phantom.labels.geometry.spacingMm;
  const halfDiag = 0.5 * Math.hypot(a, b, c);
  for (const id of [...FORAMEN_IDS, 'sacralCanal'] as const) {
    const label = LABELS[id];
    // trueLabelClearanceMm subtracts half a voxel diagonal; add back the difference to half a voxel.
    const clearance = trueLabelClearanceMm(phantom, screw, label) + halfDiag - h / 2;
    if (Number.isFinite(clearance) && clearance < marginMm) out.push(`${screw.id}: ${id} at ${clearance.toFixed(2)} mm`);
  }
  return out;
}

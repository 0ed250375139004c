import type { FieldSet } from '../../fields/FieldSet';
import type { Vec3 } from '../../geometry/vec3';
import { LABELS } from '../../shared/ids';
import { sampleGridLps, type PlannerGrid } from '../../collision/plannerGrid';

const gridSample = new Float64Array(3);
import { sampleNearestLps, sampleTrilinearLps } from '../../volume/sampleTrilinear';

/**
 * Fields sampled along a screw axis from the entry (t = 0) to the tip
 * (t = lengthMm), every `stepMm` (both ends included). The per-rule checks
 * read this instead of sampling the fields again. The buffers are reused
 * when the same profile object is passed back (live editing).
 */
export type AxisProfile = {
  /** Number of samples (n >= 2). */
  n: number;
  stepMm: number;
  lengthMm: number;
  entryLps: Vec3;
  dirLps: Vec3;
  boneDepth: Float64Array;
  lesion: Float64Array;
  /** max(boneDepth, -lesion): depth inside the bone envelope including the lesion. */
  containment: Float64Array;
  /** As containment, with the joint gaps closed (planner grid channel 0); = containment without a grid. */
  closed: Float64Array;
  label: Uint8Array;
};

/** Sentinel bone depth outside the field grid: far outside bone. */
const OUTSIDE_DEPTH = -1e3;

export function sampleAxisProfile(reuse: AxisProfile | null, fields: FieldSet, entryLps: Readonly<Vec3>, tipLps: Readonly<Vec3>, stepMm: number, grid: PlannerGrid | null = null): AxisProfile {
  const dx = tipLps[0] - entryLps[0], dy = tipLps[1] - entryLps[1], dz = tipLps[2] - entryLps[2];
  const len = Math.hypot(dx, dy, dz);
  const segments = Math.max(1, Math.ceil(len / stepMm));
  const n = segments + 1;
  let p = reuse;
  if (!p || p.boneDepth.length < n) {
    const cap = Math.max(n, 64);
    p = {
      n, stepMm, lengthMm: len, entryLps: [0, 0, 0], dirLps: [0, 0, 0],
      boneDepth: new Float64Array(cap), lesion: new Float64Array(cap), containment: new Float64Array(cap), closed: new Float64Array(cap), label: new Uint8Array(cap),
    };
  }
  p.n = n;
  p.stepMm = len / segments;
  p.lengthMm = len;
  p.entryLps[0] = entryLps[0]; p.entryLps[1] = entryLps[1]; p.entryLps[2] = entryLps[2];
  const inv = len > 0 ? 1 / len : 0;
  p.dirLps[0] = dx * inv; p.dirLps[1] = dy * inv; p.dirLps[2] = dz * inv;
  const q: Vec3 = [0, 0, 0];
  for (let s = 0; s < n; s++) {
    const t = s / segments;
    q[0] = entryLps[0] + dx * t; q[1] = entryLps[1] + dy * t; q[2] = entryLps[2] + dz * t;
    const b = sampleTrilinearLps(fields.boneDepth, q, OUTSIDE_DEPTH);
    const l = fields.lesion ? sampleTrilinearLps(fields.lesion, q, 1e4) : 1e4;
    p.boneDepth[s] = b;
    p.lesion[s] = l;
    const cont = -l > b ? -l : b;
    p.containment[s] = cont;
    if (grid) {
      sampleGridLps(grid, q[0], q[1], q[2], gridSample);
      p.closed[s] = gridSample[0]!;
    } else p.closed[s] = cont;
    p.label[s] = sampleNearestLps(fields.labels, q, 0);
  }
  return p;
}

/** Bone part label values (sacrum, hips, femurs, L5). */
const SACRUM = LABELS.sacrum, L5 = LABELS.l5;
export function isBoneLabel(label: number): boolean {
  return label >= SACRUM && label <= L5;
}

/**
 * A stretch of the axis outside the bone envelope (containment <= 0) strictly
 * between inside samples. It is a JOINT crossing when it is at most
 * `maxJointGapMm` long and the bone parts on its two sides differ
 * (hip bone <-> sacrum: the sacroiliac joint).
 */
export type AxisGap = { from: number; to: number; lengthMm: number; joint: boolean; labelBefore: number; labelAfter: number };

export function findGaps(p: AxisProfile, maxJointGapMm: number): AxisGap[] {
  const gaps: AxisGap[] = [];
  let s = 0;
  while (s < p.n && !(p.containment[s]! > 0)) s++; // leading part before the bone entry
  let lastBoneLabel = boneLabelNear(p, s, -1);
  for (; s < p.n; s++) {
    if (p.containment[s]! > 0) {
      const lab = p.label[s]!;
      if (isBoneLabel(lab)) lastBoneLabel = lab;
      continue;
    }
    const from = s;
    while (s < p.n && !(p.containment[s]! > 0)) s++;
    if (s >= p.n) break; // trailing outside part: the tip is out of bone (tip check)
    const to = s - 1;
    const lengthMm = (to - from + 1) * p.stepMm;
    const labelAfter = boneLabelNear(p, s, 1);
    // The lesion stands in for its host bone here (a lesion against the joint is common).
    const partOk = (l: number) => isBoneLabel(l) || l === LABELS.lesion;
    const joint = lengthMm <= maxJointGapMm && partOk(lastBoneLabel) && partOk(labelAfter) && lastBoneLabel !== labelAfter;
    gaps.push({ from, to, lengthMm, joint, labelBefore: lastBoneLabel, labelAfter });
    lastBoneLabel = labelAfter;
    s--; // re-read the inside sample
  }
  return gaps;
}

/** First bone label found from sample s moving in `dir` (a few samples), or the label at s. */
function boneLabelNear(p: AxisProfile, s: number, dir: 1 | -1): number {
  for (let q = s, c = 0; q >= 0 && q < p.n && c < 8; q += dir, c++) if (isBoneLabel(p.label[q]!)) return p.label[q]!;
  for (let q = s, c = 0; q >= 0 && q < p.n && c < 8; q -= dir, c++) if (isBoneLabel(p.label[q]!)) return p.label[q]!;
  return s >= 0 && s < p.n ? p.label[s]! : 0;
}

export function pointAt(out: Vec3, p: AxisProfile, sample: number): Vec3 {
  const t = sample * p.stepMm;
  out[0] = p.entryLps[0] + p.dirLps[0] * t;
  out[1] = p.entryLps[1] + p.dirLps[1] * t;
  out[2] = p.entryLps[2] + p.dirLps[2] * t;
  return out;
}

import type { CriticalStructures } from '../anatomy/structures';
import { labelBoxes } from '../anatomy/labelBoxes';
import { pointSegmentDistance } from '../geometry/segment';
import type { Vec3 } from '../geometry/vec3';
import { LABELS } from '../shared/ids';
import type { Volume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';
import { closeMm } from './morphology';
import type { BoneThresholds } from './thresholds';

/**
 * Is the sacrum's bone label whole? A safety check on the automatic bone labels, not a fix.
 *
 * Where the sacral marrow is fatty (grey values of muscle and fat, common in older and
 * irradiated patients) and the thin cortex is partial-volumed below the bone threshold
 * (coarse slices), the bone labels leave much of the sacral body and alae out, and the
 * planner then finds no sacral corridor "in bone" although the bone is there. On the real
 * 3 mm TotalSegmentator CT that is 56 mL of the reference sacrum (README, Known limitations).
 *
 * The check: on cells of about 3 mm, the sacrum label closed by a 12 mm ball; what the
 * closing adds that no label holds (neither bone part nor lesion), that is not darker than
 * the soft-tissue peak minus two sigma (fat-filled foramina, the canal's epidural fat and the
 * fat around the sacrum stay out), and that lies outside every detected nerve channel (the
 * foramina, the canal and the roots, with a cell's margin) is unlabelled tissue inside the
 * sacrum's outline. Measured (sacrumCoverage.test.ts): the real 3 mm CT 18 % of the sacrum's
 * volume; every phantom (CT and CBCT) and the real 0.75 mm fracsegnet-002 case 1-3 %.
 * Above SUSPECT_FRACTION the user is told to look at the bone overlay and paint what is bone.
 */

/** Unlabelled fraction of the sacrum's volume above which the sacrum's labels are reported as incomplete. */
export const SUSPECT_FRACTION = 0.08;

/** Closing radius (mm): bridges the alae's fatty marrow between the cortical plates that were kept. */
export const COVERAGE_CLOSING_MM = 12;

/** Edge of the cells the check works on (mm): the result does not depend on the CT's voxel size. */
export const COVERAGE_CELL_MM = 3;

export type SacrumCoverage = {
  /** The sacrum label's volume, mL. */
  sacrumMl: number;
  /** Unlabelled tissue inside the sacrum's closed outline (see above), mL, and by side of the sacrum's centroid. */
  unlabelledMl: number;
  leftMl: number;
  rightMl: number;
  /** unlabelledMl / sacrumMl. */
  fraction: number;
  /** fraction >= SUSPECT_FRACTION: the sacrum's labels look incomplete. */
  suspect: boolean;
};

/** Distance (mm) from `p` to the nearest detected nerve channel's surface (foramina, canal, roots); Infinity with none. */
function channelDistanceMm(p: Vec3, structures: CriticalStructures): number {
  let best = Infinity;
  for (const f of structures.foramina) {
    const back: Vec3 = [f.centerLps[0] - f.lengthMm * f.axisLps[0], f.centerLps[1] - f.lengthMm * f.axisLps[1], f.centerLps[2] - f.lengthMm * f.axisLps[2]];
    best = Math.min(best, pointSegmentDistance(p, back, f.centerLps) - f.radiusMm);
  }
  const tubes = structures.sacralCanal ? [structures.sacralCanal, ...structures.roots] : structures.roots;
  for (const tube of tubes) {
    const c = tube.centerlineLps;
    if (c.length === 1) best = Math.min(best, Math.hypot(p[0] - c[0]![0], p[1] - c[0]![1], p[2] - c[0]![2]) - tube.radiusMm);
    for (let s = 0; s + 1 < c.length; s++) best = Math.min(best, pointSegmentDistance(p, c[s]!, c[s + 1]!) - tube.radiusMm);
  }
  return best;
}

/**
 * The sacrum's coverage by the bone labels (see above). `labels` holds the bone parts and the
 * lesion on `ct`'s grid; `structures` are the detected (or edited) nerve channels; `thresholds`
 * the image's own soft-tissue peak. Null when there is no sacrum label.
 */
export function assessSacrumCoverage(
  ct: Volume<VoxelArray>,
  labels: Volume<Uint8Array>,
  structures: CriticalStructures,
  thresholds: Pick<BoneThresholds, 'softTissuePeakGrey' | 'softTissueSigmaGrey'>,
): SacrumCoverage | null {
  const g = labels.geometry;
  const [ni, nj] = g.dims;
  const sp = g.spacingMm;
  const boxes = labelBoxes(labels);
  const s6 = 6 * LABELS.sacrum;
  if (boxes[s6 + 3]! < 0) return null;
  // Cells of about COVERAGE_CELL_MM over the sacrum's box, padded by the closing radius.
  const cell = [0, 1, 2].map((a) => Math.max(1, Math.round(COVERAGE_CELL_MM / sp[a]!)));
  const lo = [0, 1, 2].map((a) => Math.max(0, boxes[s6 + a]! - Math.ceil((COVERAGE_CLOSING_MM + COVERAGE_CELL_MM) / sp[a]!)));
  const hi = [0, 1, 2].map((a) => Math.min(g.dims[a]! - 1, boxes[s6 + 3 + a]! + Math.ceil((COVERAGE_CLOSING_MM + COVERAGE_CELL_MM) / sp[a]!)));
  const cd = [0, 1, 2].map((a) => Math.ceil((hi[a]! - lo[a]! + 1) / cell[a]!)) as [number, number, number];
  const cells = cd[0] * cd[1] * cd[2];
  const sacrumCount = new Uint32Array(cells), labelledCount = new Uint32Array(cells), voxelCount = new Uint32Array(cells);
  const greySum = new Float64Array(cells);
  const lv = labels.voxels, cv = ct.voxels;
  let sacrumVoxels = 0, sx = 0;
  for (let k = lo[2]!; k <= hi[2]!; k++) {
    const ck = Math.floor((k - lo[2]!) / cell[2]!);
    for (let j = lo[1]!; j <= hi[1]!; j++) {
      const rowCell = cd[0] * (Math.floor((j - lo[1]!) / cell[1]!) + cd[1] * ck);
      const row = ni * (j + nj * k);
      for (let i = lo[0]!; i <= hi[0]!; i++) {
        const c = rowCell + Math.floor((i - lo[0]!) / cell[0]!);
        const l = lv[row + i]!;
        voxelCount[c]!++;
        greySum[c]! += cv[row + i]!;
        if (l === LABELS.sacrum) {
          sacrumCount[c]!++;
          sacrumVoxels++;
          sx += i;
        }
        if (l !== 0) labelledCount[c]!++;
      }
    }
  }
  const sacrumCells = new Uint8Array(cells);
  for (let c = 0; c < cells; c++) if (2 * sacrumCount[c]! >= voxelCount[c]!) sacrumCells[c] = 1;
  const cellSpacing: [number, number, number] = [sp[0] * cell[0]!, sp[1] * cell[1]!, sp[2] * cell[2]!];
  const closed = closeMm(sacrumCells, cd, cellSpacing, COVERAGE_CLOSING_MM);
  const floorGrey = thresholds.softTissuePeakGrey - 2 * thresholds.softTissueSigmaGrey;
  const margin = Math.hypot(...cellSpacing);
  const m = g.ijkToLps;
  const p: Vec3 = [0, 0, 0];
  // Left and right of the sacrum's centroid: ijk i along the patient's x (+ left in LPS) or against it.
  const centreI = sx / sacrumVoxels;
  const iPointsLeft = m[0]! > 0;
  let unlabelled = 0, left = 0, right = 0;
  for (let ck = 0, c = 0; ck < cd[2]; ck++) for (let cj = 0; cj < cd[1]; cj++) for (let ci = 0; ci < cd[0]; ci++, c++) {
    if (!closed[c] || sacrumCells[c] || 2 * labelledCount[c]! >= voxelCount[c]!) continue;
    if (greySum[c]! / voxelCount[c]! < floorGrey) continue;
    // The cell's centre (voxel index space), then LPS.
    const i = lo[0]! + (ci + 0.5) * cell[0]! - 0.5, j = lo[1]! + (cj + 0.5) * cell[1]! - 0.5, k = lo[2]! + (ck + 0.5) * cell[2]! - 0.5;
    p[0] = m[0]! * i + m[4]! * j + m[8]! * k + m[12]!;
    p[1] = m[1]! * i + m[5]! * j + m[9]! * k + m[13]!;
    p[2] = m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
    if (channelDistanceMm(p, structures) <= margin) continue;
    // Only the cell's unlabelled voxels count.
    const n = voxelCount[c]! - labelledCount[c]!;
    unlabelled += n;
    if ((i > centreI) === iPointsLeft) left += n;
    else right += n;
  }
  const voxelMl = (sp[0] * sp[1] * sp[2]) / 1000;
  const sacrumMl = sacrumVoxels * voxelMl;
  const unlabelledMl = unlabelled * voxelMl;
  const fraction = unlabelledMl / sacrumMl;
  return { sacrumMl, unlabelledMl, leftMl: left * voxelMl, rightMl: right * voxelMl, fraction, suspect: fraction >= SUSPECT_FRACTION };
}

/** What the trajectory report tells the room when the sacrum's labels looked incomplete at export; null when they did not. */
export function sacrumCoverageCaution(c: SacrumCoverage | null | undefined): string | null {
  if (!c || !c.suspect) return null;
  return `The sacrum's bone labels looked incomplete when this plan was checked: ${c.unlabelledMl.toFixed(0)} ml inside the sacrum's outline was not labelled bone (${Math.round(100 * c.fraction)} % of the sacrum; likely fatty marrow the bone threshold missed). `
    + 'Bone cover, cortex and purchase figures of screws through the sacrum may be too low, and sacral corridors may have been missed. Check the paths against the images.';
}

/** What the user is told when the sacrum's labels look incomplete; null when they do not. */
export function sacrumCoverageWarning(c: SacrumCoverage | null | undefined): string | null {
  if (!c || !c.suspect) return null;
  const ml = (v: number): string => (v >= 10 ? v.toFixed(0) : v.toFixed(1));
  const side = c.leftMl > 2 * c.rightMl ? ', mostly on the left' : c.rightMl > 2 * c.leftMl ? ', mostly on the right' : '';
  return `Sacrum labels look incomplete: ${ml(c.unlabelledMl)} ml inside the sacrum's outline is not labelled bone (${Math.round(100 * c.fraction)} % of the sacrum${side}), `
    + 'likely fatty marrow that the bone threshold missed, or bone destroyed by a lesion. The planner may then find no sacral corridor. '
    + 'Check the bone overlay over the sacral body and alae, and paint what is bone with Brush edits: Bone.';
}

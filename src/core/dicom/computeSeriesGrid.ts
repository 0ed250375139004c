import type { Vec3 } from '../geometry/vec3';
import type { DicomInstance, LoadIssue, SeriesGrid } from './types';

/**
 * Sorting and geometry rules for one series (all frames share orientation,
 * frame of reference and image size; the caller grouped them).
 *
 * - Slices are sorted by ImagePositionPatient projected on the slice normal
 *   (row x column cosines); the slice step comes from positions, never from
 *   SliceThickness (which may differ from the spacing, e.g. overlapping recons).
 * - Two frames at the same position: the one with the lower InstanceNumber is kept.
 * - Steps that are whole multiples of the usual step are missing slices;
 *   other deviations are uneven spacing. Either way the volume gets a regular
 *   grid at the usual step and the planes in between are interpolated
 *   linearly from their two neighbours, so millimetres stay exact; the
 *   interpolated planes are listed and reported.
 * - A gantry tilt shows as positions that drift in-plane from slice to slice:
 *   the k axis of the volume follows that drift (a sheared direction), so
 *   every voxel stays exactly where the scanner put it.
 * Same conventions as Cornerstone3D's sortImageIdsAndGetSpacing and
 * generateVolumePropsFromImageIds (spacing [PixelSpacing[1], PixelSpacing[0], step]).
 */
export function computeSeriesGrid(
  instances: readonly DicomInstance[],
  seriesKey: string,
): { grid: SeriesGrid | null; issues: LoadIssue[]; unusableReason: string | null } {
  const issues: LoadIssue[] = [];
  const first = instances[0]!;
  const f0 = first.frames[0]!;
  const o = f0.orientation;
  const row: Vec3 = [o[0]!, o[1]!, o[2]!];
  const col: Vec3 = [o[3]!, o[4]!, o[5]!];
  const n = unit(cross(row, col));

  type Entry = { inst: number; frame: number; d: number; pos: Vec3; instanceNumber: number; file: string };
  const entries: Entry[] = [];
  instances.forEach((instance, inst) => {
    for (const frame of instance.frames) {
      const p = frame.positionLps;
      entries.push({ inst, frame: frame.frameIndex, d: dot(p, n), pos: p, instanceNumber: instance.instanceNumber ?? inst, file: instance.fileName });
    }
  });
  entries.sort((a, b) => a.d - b.d || a.instanceNumber - b.instanceNumber);

  // Duplicates: same place twice.
  const kept: Entry[] = [];
  const dropped: Entry[] = [];
  for (const e of entries) {
    const last = kept[kept.length - 1];
    if (last && Math.abs(e.d - last.d) < 0.01 && distance(e.pos, last.pos) < 0.05) {
      const keepNew = e.instanceNumber < last.instanceNumber;
      if (keepNew) {
        dropped.push(last);
        kept[kept.length - 1] = e;
      } else dropped.push(e);
    } else kept.push(e);
  }
  if (dropped.length > 0) {
    issues.push({
      code: 'duplicate-slices',
      severity: 'warning',
      message: `${dropped.length} image(s) lie at the same position as another image of this series (a repeated acquisition or a copy); only one image per position was used. Check that the series is the one you meant.`,
      files: dropped.map((e) => e.file),
      seriesKey,
    });
  }
  if (kept.length < 2) {
    const localizer = first.imageType.includes('LOCALIZER');
    const reason = localizer
      ? 'This is a scout (localizer) image, not part of the planning volume.'
      : 'This series has a single image; a 3D volume needs at least two parallel slices.';
    // A scout is expected in every CT folder: info. A lone axial image is suspicious: error.
    issues.push({ code: 'single-slice', severity: localizer ? 'info' : 'error', message: reason, files: kept.map((e) => e.file), seriesKey });
    return { grid: null, issues, unusableReason: reason };
  }

  const steps: number[] = [];
  for (let s = 1; s < kept.length; s++) steps.push(kept[s]!.d - kept[s - 1]!.d);
  const dFirst = kept[0]!.d;
  const dLast = kept[kept.length - 1]!.d;
  // Grid step: the mean of the steps within 5 % of the median. The mean, not the median, so that
  // positions written with few decimals (0.625 mm as 0.62/0.63) cannot make the grid drift over
  // hundreds of slices; only near-median steps, so gaps and jumps do not bias it.
  const medianStep = median(steps);
  let sum = 0, used = 0;
  for (const st of steps) if (Math.abs(st - medianStep) <= 0.05 * medianStep) { sum += st; used++; }
  const step = sum / used;
  const count = Math.round((dLast - dFirst) / step) + 1;
  const tol = 0.01 * step + 0.005;

  // Irregular steps: missing slices (whole multiples) or uneven spacing.
  const gaps: { from: number; to: number; missing: number }[] = [];
  const uneven: { from: number; to: number; stepMm: number }[] = [];
  for (let s = 0; s < steps.length; s++) {
    const st = steps[s]!;
    if (Math.abs(st - step) <= tol) continue;
    const multiple = Math.round(st / step);
    if (multiple >= 2 && Math.abs(st - multiple * step) <= Math.max(tol, 0.1 * step)) gaps.push({ from: s, to: s + 1, missing: multiple - 1 });
    else uneven.push({ from: s, to: s + 1, stepMm: st });
  }
  const fmt = (v: number): string => (Math.round(v * 100) / 100).toString();
  if (gaps.length > 0) {
    const missing = gaps.reduce((sum, g) => sum + g.missing, 0);
    const where = gaps
      .slice(0, 3)
      .map((g) => `${g.missing} missing between ${kept[g.from]!.file} and ${kept[g.to]!.file} (a ${fmt(steps[g.from]!)} mm gap where the step is ${fmt(step)} mm)`)
      .join('; ');
    issues.push({
      code: 'missing-slices',
      severity: 'warning',
      message: `${missing} slice(s) are missing: ${where}${gaps.length > 3 ? '; ...' : ''}. The gap was filled by interpolating its two neighbours, so bone edges and lesion borders there are estimates: do not rely on that level for a screw path, or load the complete series.`,
      files: gaps.flatMap((g) => [kept[g.from]!.file, kept[g.to]!.file]),
      seriesKey,
    });
  }
  if (uneven.length > 0) {
    const range = uneven.map((u) => u.stepMm);
    issues.push({
      code: 'uneven-spacing',
      severity: 'warning',
      message: `Slice spacing is uneven: ${uneven.length} step(s) between ${fmt(Math.min(...range))} and ${fmt(Math.max(...range))} mm where the usual step is ${fmt(step)} mm. The volume was resampled to a regular ${fmt(step)} mm grid by interpolation; distances stay correct, but detail between the original slices is estimated.`,
      files: uneven.flatMap((u) => [kept[u.from]!.file, kept[u.to]!.file]),
      seriesKey,
    });
  }

  // In-plane drift per mm along the normal (gantry tilt), and how straight the positions are.
  const span = dLast - dFirst;
  const total = sub(kept[kept.length - 1]!.pos, kept[0]!.pos);
  const along = dot(total, n);
  const shear: Vec3 = [(total[0] - n[0] * along) / span, (total[1] - n[1] * along) / span, (total[2] - n[2] * along) / span];
  let worstResidual = 0;
  for (const e of kept) {
    const t = e.d - dFirst;
    const predicted: Vec3 = [kept[0]!.pos[0] + (n[0] + shear[0]) * t, kept[0]!.pos[1] + (n[1] + shear[1]) * t, kept[0]!.pos[2] + (n[2] + shear[2]) * t];
    worstResidual = Math.max(worstResidual, distance(predicted, e.pos));
  }
  if (worstResidual > 0.1) {
    issues.push({
      code: 'irregular-positions',
      severity: 'warning',
      message: `Slice positions do not lie on a straight line (up to ${fmt(worstResidual)} mm off). The volume places slices on the best straight axis; measurements may be off by that much. Check the series (it may be a mix of acquisitions).`,
      files: [],
      seriesKey,
    });
  }
  const shearLen = Math.hypot(shear[0], shear[1], shear[2]);
  const tiltDeg = (Math.atan(shearLen) * 180) / Math.PI;
  if (tiltDeg > 0.01) {
    issues.push({
      code: 'gantry-tilt',
      severity: 'info',
      message: `The series was acquired with a gantry tilt of ${fmt(tiltDeg)} degrees. The volume keeps the tilt as sheared geometry, so positions and distances in mm are exact; reformatted planes are not axial to the table, and the screw angles reported relative to the table account for this.`,
      files: [],
      seriesKey,
    });
  }

  const kAxis: Vec3 = [n[0] + shear[0], n[1] + shear[1], n[2] + shear[2]];
  const kLen = Math.hypot(kAxis[0], kAxis[1], kAxis[2]);
  const direction = [...row, ...col, kAxis[0] / kLen, kAxis[1] / kLen, kAxis[2] / kLen];

  // Planes of the regular output grid and their source frames.
  const planes: SeriesGrid['planes'] = [];
  let s = 0;
  for (let k = 0; k < count; k++) {
    const target = dFirst + k * step;
    while (s < kept.length - 2 && kept[s + 1]!.d <= target + 1e-6) s++;
    const a = kept[s]!, b = kept[Math.min(s + 1, kept.length - 1)]!;
    if (Math.abs(a.d - target) <= tol) planes.push({ a: s, b: s, w: 0 });
    else if (Math.abs(b.d - target) <= tol) planes.push({ a: s + 1, b: s + 1, w: 0 });
    else planes.push({ a: s, b: s + 1, w: Math.min(1, Math.max(0, (target - a.d) / (b.d - a.d))) });
  }

  const spacing = f0.pixelSpacingMm;
  return {
    grid: {
      frames: kept.map((e) => [e.inst, e.frame]),
      frameDistanceMm: kept.map((e) => e.d),
      planes,
      originLps: [kept[0]!.pos[0], kept[0]!.pos[1], kept[0]!.pos[2]],
      direction,
      spacingMm: [spacing[1], spacing[0], step * kLen],
      dims: [first.columns, first.rows, count],
    },
    issues,
    unusableReason: null,
  };
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
function dot(a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
function sub(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}
function unit(a: Vec3): Vec3 {
  const l = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
}
function distance(a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

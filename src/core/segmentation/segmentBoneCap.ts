import { fitSphere } from '../geometry/fitSphere';
import type { ComponentRuns } from './connectedComponents';
import { fillHoles } from './morphology';

type Dims = readonly [number, number, number];

/**
 * LPS centres (flat xyz) of the surface voxels of one component of a run labelling,
 * hole-filled through the field's cut first (a cortical shell cut open by the image's
 * first or last slice, or by the columns `cutColumn`, is closed by its cut face: only the
 * sides count as outside, and the cut columns are a wall), the
 * voxels on the cut slices `cutSlices` and in the columns `cutColumn` (crop i, j: next to the
 * edge of a reconstructed field of view, which cuts the bone laterally) left out (a cut face
 * is not the bone's surface).
 * `ijk` is the component's inclusive box on the crop grid [i0, j0, k0, i1, j1, k1].
 * `voxelsIjk()`: the hole-filled component's voxels (crop ijk, flat, raster order), listed on
 * request (most components tested are not caps: the CT table's two plates are tested too).
 */
export function surfaceOfRunComponent(
  runs: Pick<ComponentRuns, 'rowFirst' | 'runStart' | 'runEnd' | 'runId'>,
  dims: Dims,
  id: number,
  ijk: ArrayLike<number>,
  cropToLps: Float64Array,
  cutSlices: readonly number[],
  cutColumn?: (i: number, j: number) => boolean,
): { surfaceLps: Float64Array; voxelsIjk: () => number[] } {
  const nj = dims[1];
  const i0 = ijk[0]!, j0 = ijk[1]!, k0 = ijk[2]!, i1 = ijk[3]!, j1 = ijk[4]!, k1 = ijk[5]!;
  // One voxel of background around the box in i and j (the sides are the outside).
  const bi = i1 - i0 + 3, bj = j1 - j0 + 3, bk = k1 - k0 + 1;
  const bij = bi * bj;
  const local = new Uint8Array(bij * bk);
  for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) {
    const row = j + nj * k;
    for (let r = runs.rowFirst[row]!; r < runs.rowFirst[row + 1]!; r++) {
      if (runs.runId[r] !== id) continue;
      const base = 1 + bi * (j - j0 + 1 + bj * (k - k0));
      local.fill(1, base + runs.runStart[r]! - i0, base + runs.runEnd[r]! - i0);
    }
  }
  // The field's edge closes a cavity as the cut slice does: its columns are a wall while
  // holes are filled, and only the component's own voxels of them are kept.
  const wall = new Uint8Array(bij);
  let walls = 0;
  if (cutColumn) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++) if (cutColumn(i0 + i - 1, j0 + j - 1)) {
    wall[i + bi * j] = 1;
    walls++;
  }
  if (walls > 0) {
    const own = local.slice();
    for (let k = 0; k < bk; k++) for (let c = 0, t = bij * k; c < bij; c++, t++) if (wall[c]) local[t] = 1;
    fillHoles(local, [bi, bj, bk], 'sides');
    for (let k = 0; k < bk; k++) for (let c = 0, t = bij * k; c < bij; c++, t++) if (wall[c] && !own[t]) local[t] = 0;
  } else fillHoles(local, [bi, bj, bk], 'sides');
  // The points in a Float64Array grown by doubling (a plate of the CT table has hundreds of
  // thousands: pushing them onto a JS array cost more than finding them); the same doubles.
  let out = new Float64Array(3 * 1024);
  let len = 0;
  // A neighbour in i or j is always in `local` (its frame is background); in a cut column it
  // counts as bone: the field's edge is no surface either. Below the first and above the last
  // slice of the box there is no voxel of the component.
  const nb = (q: number, c: number) => local[q] === 1 || wall[c] === 1;
  for (let k = 0; k < bk; k++) {
    if (cutSlices.includes(k + k0)) continue;
    for (let j = 1; j < bj - 1; j++) for (let i = 1, c = 1 + bi * j, t = c + bij * k; i < bi - 1; i++, c++, t++) {
      if (local[t] !== 1 || wall[c] === 1) continue;
      if (nb(t - 1, c - 1) && nb(t + 1, c + 1) && nb(t - bi, c - bi) && nb(t + bi, c + bi) && k > 0 && local[t - bij] === 1 && k < bk - 1 && local[t + bij] === 1) continue;
      // transformPoint's sums in its order (the same bits), without a point array per voxel.
      const x = i0 + i - 1, y = j0 + j - 1, z = k0 + k, m = cropToLps;
      if (len + 3 > out.length) {
        const grown = new Float64Array(2 * out.length);
        grown.set(out);
        out = grown;
      }
      out[len] = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
      out[len + 1] = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
      out[len + 2] = m[2]! * x + m[6]! * y + m[10]! * z + m[14]!;
      len += 3;
    }
  }
  const voxelsIjk = (): number[] => {
    const v: number[] = [];
    for (let k = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0, t = bi * (j + bj * k); i < bi; i++, t++) if (local[t] === 1) v.push(i0 + i - 1, j0 + j - 1, k0 + k);
    return v;
  };
  return { surfaceLps: out.subarray(0, len), voxelsIjk };
}

/** The largest head radius {@link isFieldCutHeadSphere} accepts (mm). */
const HEAD_RADIUS_MAX_MM = 35;

/**
 * True only when {@link isFieldCutHeadSphere} of this component's {@link surfaceOfRunComponent}
 * (same arguments, no `cutColumn`) is surely false, from its runs alone (no hole filling, no
 * surface, no fit): the CT table's plates are rejected in a pass over their rows' runs.
 *
 * Why it is exact: in each row (j, k) of the box not on a cut slice, the first voxel a and the
 * last voxel b of the component are surface points of the hole-filled component (the voxels
 * before a and after b in the row reach the box's i frame, which is outside, so the filling
 * never sets them: a and b each have a neighbour outside in i). For any sphere (c, R) with
 * R <= 35 mm, |a - c| + |b - c| >= |a - b| = L, so the residuals d = |p - c| - R satisfy
 * d_a + d_b >= L - 2R >= L - 70 and d_a^2 + d_b^2 >= (L - 70)^2 / 2 when L > 70. The rows'
 * end points are distinct, so the fit's sum of squared residuals is at least
 * S = sum over rows of max(0, L - 70)^2 / 2, while an accepted fit has it at most
 * n rho^2 (rho = max(1, voxelMm / 2), n surface points <= the box's voxel count N). So
 * S > N rho^2 (here with a 1 % margin for rounding) means no accepted fit.
 */
export function surelyNotFieldCutHead(
  runs: Pick<ComponentRuns, 'rowFirst' | 'runStart' | 'runEnd' | 'runId'>,
  dims: Dims,
  id: number,
  ijk: ArrayLike<number>,
  cropToLps: Float64Array,
  cutSlices: readonly number[],
  voxelMm: number,
): boolean {
  const nj = dims[1];
  const i0 = ijk[0]!, j0 = ijk[1]!, k0 = ijk[2]!, i1 = ijk[3]!, j1 = ijk[4]!, k1 = ijk[5]!;
  const rho = Math.max(1, 0.5 * voxelMm);
  const bound = 1.01 * (i1 - i0 + 1) * (j1 - j0 + 1) * (k1 - k0 + 1) * rho * rho;
  // Length (mm) of one voxel step along i in LPS.
  const stepMm = Math.hypot(cropToLps[0]!, cropToLps[1]!, cropToLps[2]!);
  let s = 0;
  for (let k = k0; k <= k1; k++) {
    if (cutSlices.includes(k)) continue;
    for (let j = j0; j <= j1; j++) {
      const row = j + nj * k;
      let a = -1, b = -1;
      for (let r = runs.rowFirst[row]!; r < runs.rowFirst[row + 1]!; r++) {
        if (runs.runId[r] !== id) continue;
        if (a < 0) a = runs.runStart[r]!;
        b = runs.runEnd[r]! - 1;
      }
      if (a < 0) continue;
      const over = (b - a) * stepMm - 2 * HEAD_RADIUS_MAX_MM;
      if (over > 0) s += 0.5 * over * over;
    }
    if (s > bound) return true;
  }
  return s > bound;
}

/**
 * The top of a femoral head cut by the field's last slice: its surface above the cut is a
 * sphere of an adult head's radius (15-35 mm), fitted within a millimetre or half a voxel
 * (the piece is the hole-filled cortical shell, eroded by one voxel), centred below its top
 * (`maxLpsZ`: the piece's highest LPS z).
 */
export function isFieldCutHeadSphere(maxLpsZ: number, surface: ArrayLike<number>, voxelMm: number): boolean {
  const fit = surface.length >= 30 ? fitSphere(surface) : null;
  if (!fit) return false;
  return fit.radiusMm >= 15 && fit.radiusMm <= HEAD_RADIUS_MAX_MM && fit.rmsResidualMm <= Math.max(1, 0.5 * voxelMm) && fit.centerLps[2] < maxLpsZ;
}

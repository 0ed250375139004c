import type { Vec3 } from '../geometry/vec3';
import { transformPoint } from '../volume/VolumeGeometry';
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
 * `voxelsIjk`: the hole-filled component's voxels (crop ijk, flat).
 */
export function surfaceOfRunComponent(
  runs: ComponentRuns,
  dims: Dims,
  id: number,
  ijk: ArrayLike<number>,
  cropToLps: Float64Array,
  cutSlices: readonly number[],
  cutColumn?: (i: number, j: number) => boolean,
): { surfaceLps: number[]; voxelsIjk: number[] } {
  const nj = dims[1];
  const i0 = ijk[0]!, j0 = ijk[1]!, k0 = ijk[2]!, i1 = ijk[3]!, j1 = ijk[4]!, k1 = ijk[5]!;
  // One voxel of background around the box in i and j (the sides are the outside).
  const bi = i1 - i0 + 3, bj = j1 - j0 + 3, bk = k1 - k0 + 1;
  const local = new Uint8Array(bi * bj * bk);
  for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) {
    const row = j + nj * k;
    for (let r = runs.rowFirst[row]!; r < runs.rowFirst[row + 1]!; r++) {
      if (runs.runId[r] !== id) continue;
      const base = 1 + bi * (j - j0 + 1 + bj * (k - k0));
      for (let i = runs.runStart[r]!; i < runs.runEnd[r]!; i++) local[base + i - i0] = 1;
    }
  }
  // The field's edge closes a cavity as the cut slice does: its columns are a wall while
  // holes are filled, and only the component's own voxels of them are kept.
  const wall = new Uint8Array(bi * bj);
  if (cutColumn) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++) wall[i + bi * j] = cutColumn(i0 + i - 1, j0 + j - 1) ? 1 : 0;
  const own = local.slice();
  for (let t = 0; t < local.length; t++) if (wall[t % (bi * bj)]) local[t] = 1;
  fillHoles(local, [bi, bj, bk], 'sides');
  for (let t = 0; t < local.length; t++) if (wall[t % (bi * bj)] && !own[t]) local[t] = 0;
  const out: number[] = [];
  const voxelsIjk: number[] = [];
  const p: Vec3 = [0, 0, 0];
  const at = (i: number, j: number, k: number) => i >= 0 && j >= 0 && k >= 0 && i < bi && j < bj && k < bk && local[i + bi * (j + bj * k)] === 1;
  const nb = (i: number, j: number, k: number) => at(i, j, k) || (i >= 0 && j >= 0 && i < bi && j < bj && wall[i + bi * j] === 1);
  for (let k = 0; k < bk; k++) {
    const onCut = cutSlices.includes(k + k0);
    for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++) {
      if (!at(i, j, k)) continue;
      voxelsIjk.push(i0 + i - 1, j0 + j - 1, k0 + k);
      if (onCut || cutColumn?.(i0 + i - 1, j0 + j - 1)) continue;
      // A neighbour in a cut column counts as bone: the field's edge is no surface either.
      if (nb(i - 1, j, k) && nb(i + 1, j, k) && nb(i, j - 1, k) && nb(i, j + 1, k) && at(i, j, k - 1) && at(i, j, k + 1)) continue;
      transformPoint(p, cropToLps, [i0 + i - 1, j0 + j - 1, k0 + k]);
      out.push(p[0], p[1], p[2]);
    }
  }
  return { surfaceLps: out, voxelsIjk };
}

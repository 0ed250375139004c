import type { Vec3 } from '../geometry/vec3';
import type { VolumeGeometry } from '../volume/VolumeGeometry';

/**
 * Where a point lies in the planning series, for a reader at the scanner
 * console. Conventions (also printed on the report):
 * - `sliceNumber`: 1-based, in the planning series' slice order as loaded and
 *   displayed (slice 1 = the volume's k = 0), nearest slice.
 * - `row`, `column`: 1-based, nearest pixel; row 1 is the top row of the image
 *   as stored (it runs along the DICOM column cosines, IOP[3..5]), column 1 its
 *   left column (along the row cosines, IOP[0..2]). For a standard axial
 *   series, column 1 is on the patient's RIGHT and row 1 ANTERIOR.
 * - `instanceNumber`: the DICOM InstanceNumber of that slice when known
 *   (what the scanner console shows as the image number), else null.
 * - `tablePositionMm`: the nearest slice's position along the slice normal
 *   n = rowCosines x columnCosines: dot(ImagePositionPatient, n), mm. For an
 *   axial series this is the slice's LPS z (superior positive), the scanner's
 *   table/slice position.
 * - `offFromSliceMm`: signed distance of the point itself from that slice's
 *   plane along n, mm (how far rounding to the nearest slice moved it).
 * - `insideSeries`: the nearest voxel lies inside the grid.
 */
export type SeriesPoint = {
  lps: Vec3;
  sliceNumber: number;
  row: number;
  column: number;
  instanceNumber: number | null;
  tablePositionMm: number;
  offFromSliceMm: number;
  insideSeries: boolean;
};

/** Unit slice normal n = row cosines x column cosines (DICOM), LPS. */
export function sliceNormalLps(out: Vec3, geometry: VolumeGeometry): Vec3 {
  const d = geometry.direction;
  const ax = d[0]!, ay = d[1]!, az = d[2]!;
  const bx = d[3]!, by = d[4]!, bz = d[5]!;
  const nx = ay * bz - az * by, ny = az * bx - ax * bz, nz = ax * by - ay * bx;
  const len = Math.hypot(nx, ny, nz);
  out[0] = nx / len;
  out[1] = ny / len;
  out[2] = nz / len;
  return out;
}

/**
 * Locates an LPS point (mm) in the series. `instanceNumbers[k]`, when given,
 * is the InstanceNumber of the slice with index k. Allocates the result.
 */
export function computeSeriesPoint(geometry: VolumeGeometry, pointLps: Readonly<Vec3>, instanceNumbers?: readonly number[] | null): SeriesPoint {
  const inv = geometry.lpsToIjk;
  const x = pointLps[0], y = pointLps[1], z = pointLps[2];
  const i = inv[0]! * x + inv[4]! * y + inv[8]! * z + inv[12]!;
  const j = inv[1]! * x + inv[5]! * y + inv[9]! * z + inv[13]!;
  const k = inv[2]! * x + inv[6]! * y + inv[10]! * z + inv[14]!;
  const ir = Math.round(i), jr = Math.round(j), kr = Math.round(k);
  const [ni, nj, nk] = geometry.dims;
  const n: Vec3 = [0, 0, 0];
  sliceNormalLps(n, geometry);
  const m = geometry.ijkToLps;
  // ImagePositionPatient of slice kr = ijkToLps(0, 0, kr).
  const ippX = m[8]! * kr + m[12]!, ippY = m[9]! * kr + m[13]!, ippZ = m[10]! * kr + m[14]!;
  const tablePositionMm = ippX * n[0] + ippY * n[1] + ippZ * n[2];
  const offFromSliceMm = (x - ippX) * n[0] + (y - ippY) * n[1] + (z - ippZ) * n[2];
  const inside = ir >= 0 && jr >= 0 && kr >= 0 && ir < ni && jr < nj && kr < nk;
  const instance = instanceNumbers && kr >= 0 && kr < instanceNumbers.length ? instanceNumbers[kr]! : null;
  return {
    lps: [x, y, z],
    sliceNumber: kr + 1,
    row: jr + 1,
    column: ir + 1,
    instanceNumber: instance,
    tablePositionMm: tablePositionMm + 0,
    offFromSliceMm: offFromSliceMm + 0,
    insideSeries: inside,
  };
}

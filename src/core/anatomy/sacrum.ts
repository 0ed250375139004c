import type { Vec3 } from '../geometry/vec3';
import type { ForamenId, RootId } from '../shared/ids';
import { LABELS } from '../shared/ids';
import { allocEdtGrid, EDT_FAR, squaredDistanceInPlace } from '../fields/distanceTransform';
import { computeComponents } from '../segmentation/connectedComponents';
import { dilateMm, erodeMm, fillHoles } from '../segmentation/morphology';
import { sacralMirrorPlane } from '../segmentation/sacralMidline';
import type { Volume } from '../volume/Volume';
import type { ForamenModel, TubeModel } from './structures';
import { labelBoxes } from './labelBoxes';

/**
 * Sacral canal, anterior foramina S1-S4 and the S1, S2 and L5 roots, from the
 * bone segmentation alone (the roots are not visible on CT: they are proposed
 * from the canal and foramina, for the user to check and edit).
 *
 * The sacrum's hull is its closing with a 9 mm ball, hole-filled; the holes of
 * the sacrum are hull minus sacrum. Each channel's mouth is where those holes
 * meet the outside of the hull: anterior mouths lateral to the midline are the
 * anterior foramina, ordered from superior (S1) to inferior (S4) on each side.
 * The canal is the central part of the holes, its centreline traced slice by
 * slice. Assumes a supine patient with the series' axes near LPS (superior = +z,
 * anterior = -y), as for every pelvic CT.
 */

export type SacralStructures = {
  foramina: ForamenModel[];
  sacralCanal: TubeModel | null;
  roots: TubeModel[];
  notes: string[];
};

const LEVELS = ['S1', 'S2', 'S3', 'S4'] as const;

export function detectSacralStructures(labels: Volume<Uint8Array>, options: { hullRadiusMm?: number; boxes?: Int32Array } = {}): SacralStructures {
  const notes: string[] = [];
  const g = labels.geometry;
  const [gi, gj, gk] = g.dims;
  const sp = g.spacingMm;
  const m = g.ijkToLps;
  // Sacrum bounding box (labelBoxes: one pass for every label) + 10 mm.
  const boxes = options.boxes ?? labelBoxes(labels);
  const ob = 6 * LABELS.sacrum;
  let i0 = boxes[ob]!, j0 = boxes[ob + 1]!, k0 = boxes[ob + 2]!, i1 = boxes[ob + 3]!, j1 = boxes[ob + 4]!, k1 = boxes[ob + 5]!;
  if (i1 < 0) return { foramina: [], sacralCanal: null, roots: [], notes: ['no sacrum in the labels'] };
  const mi = Math.ceil(10 / sp[0]), mj = Math.ceil(10 / sp[1]), mk = Math.ceil(10 / sp[2]);
  i0 = Math.max(0, i0 - mi); j0 = Math.max(0, j0 - mj); k0 = Math.max(0, k0 - mk);
  i1 = Math.min(gi - 1, i1 + mi); j1 = Math.min(gj - 1, j1 + mj); k1 = Math.min(gk - 1, k1 + mk);
  const dims: [number, number, number] = [i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1];
  const S = sacrumMask(labels, [i0, j0, k0], dims);
  const r = options.hullRadiusMm ?? 9;
  const H = hullOf(S, dims, sp, r);
  // The midline (the sacrum's centroid) and the box of the holes (hull minus sacrum), in one
  // pass. Everything about the holes is then done on their box, a fraction of the sacrum's:
  // connected components number in raster order of first appearance, so on a box holding
  // every hole they come out the same as on the whole box.
  const { midX: centroidX, holeBox, centroidIjk } = midlineAndHoleBox(S, H, dims, [i0, j0, k0], m);
  // The midline: the sacrum's mirror plane, not its centroid (README, "25 Nov stop 21, helper D2").
  const line = sacrumMirrorLine(S, dims, sp);
  let midX = centroidX;
  if (line) {
    // The plane's LPS x at the foot of the perpendicular from the centroid (in the (i, j) plane).
    const d = line.normal[0] * centroidIjk[0] * sp[0] + line.normal[1] * centroidIjk[1] * sp[1] - line.offsetMm;
    midX = centroidX - (m[0]! * d * line.normal[0]) / sp[0] - (m[4]! * d * line.normal[1]) / sp[1];
  }
  const [hi0, hj0, hk0, hi1, hj1, hk1] = holeBox;
  const hdims: [number, number, number] = [hi1 - hi0 + 1, hj1 - hj0 + 1, hk1 - hk0 + 1];
  const [hni, hnj, hnk] = hdims;
  const hn = hni * hnj * hnk;
  const C = holesOn(H, S, dims, [hi0, hj0, hk0], hdims);

  // Near-surface layer of the holes (within 3 mm, at least 2.5 voxels, of the hull's outside),
  // and its deep part (at least 2 mm, 1.5 voxels): 0 not in the layer, 1 layer, 2 deep layer.
  const layerMm = Math.max(3, 2.5 * Math.max(sp[0], sp[1], sp[2]));
  const hMin = Math.min(sp[0], sp[1], sp[2]);
  const layerMax2 = layerMm * layerMm + 1e-4;
  const deepMin2 = Math.max(4, 2.25 * hMin * hMin) - 1e-4;
  const layer = holeDepthClasses(H, dims, C, [hi0, hj0, hk0], hdims, sp, layerMax2, deepMin2);
  const cc = computeComponents(layer, hdims);
  type Mouth = { centreLps: Vec3; normalLps: Vec3; axisLps: Vec3; areaMm2: number; voxels: number; channel: number };
  // Whole channels (all holes), to tell foramina (connected to the canal) from surface pits.
  const channels = computeComponents(C, hdims);
  // Each layer component's channel (that of its last voxel in raster order).
  const layerChannel = new Int32Array(cc.count + 1);
  const mouths: Mouth[] = [];
  const faceArea = (sp[0] * sp[1] + sp[1] * sp[2] + sp[0] * sp[2]) / 3;
  const acc = mouthSums(cc.labels, cc.count, channels.labels, layer, layerChannel, H, dims, [i0, j0, k0], [hi0, hj0, hk0], hdims, m);
  for (let c = 1; c <= cc.count; c++) {
    const o = 12 * c;
    if (acc[o + 3]! < 3 || acc[o + 7]! < 1) continue;
    const mouth: Vec3 = [acc[o]! / acc[o + 3]!, acc[o + 1]! / acc[o + 3]!, acc[o + 2]! / acc[o + 3]!];
    const deep: Vec3 = [acc[o + 4]! / acc[o + 7]!, acc[o + 5]! / acc[o + 7]!, acc[o + 6]! / acc[o + 7]!];
    const dx = mouth[0] - deep[0], dy = mouth[1] - deep[1], dz = mouth[2] - deep[2];
    const len = Math.hypot(dx, dy, dz) || 1;
    const normal: Vec3 = [dx / len, dy / len, dz / len];
    // The mouth voxels lie half a voxel inside the hull surface.
    const centre: Vec3 = [mouth[0] + 0.5 * hMin * normal[0], mouth[1] + 0.5 * hMin * normal[1], mouth[2] + 0.5 * hMin * normal[2]];
    mouths.push({ centreLps: centre, normalLps: normal, axisLps: normal, areaMm2: acc[o + 3]! * faceArea, voxels: acc[o + 3]!, channel: layerChannel[c]! });
  }

  // Canal: holes within 6 mm of the midline, largest component; centreline slice by slice.
  const band = line ? canalBandOnLine(C, hdims, [hi0, hj0, hk0], sp, line) : new Uint8Array(hn);
  const bc = computeComponents(band, hdims);
  let canalId = 0;
  for (let c = 1; c <= bc.count; c++) if (!canalId || bc.sizes[c]! > bc.sizes[canalId]!) canalId = c;
  let sacralCanal: TubeModel | null = null;
  const centreline: Vec3[] = [];
  if (canalId) {
    const radii: number[] = [];
    // Slices without a hole have no canal voxel: only the hole box's slices, bottom to top.
    const sums = new Float64Array(4);
    for (let k = 0; k < hnk; k++) {
      canalSliceSums(bc.labels, canalId, hdims, k, [hi0 + i0, hj0 + j0, hk0 + k0], m, sums);
      const cnt = sums[3]!;
      if (cnt === 0) continue;
      const c: Vec3 = [sums[0]! / cnt, sums[1]! / cnt, sums[2]! / cnt];
      // Full cross-section: holes of this slice within 15 mm of the band's centre.
      const area = canalSliceArea(C, hdims, k, [hi0 + i0, hj0 + j0, hk0 + k0], m, c);
      radii.push(Math.sqrt((area * sp[0] * sp[1]) / Math.PI));
      centreline.push(c);
    }
    // Keep a point every ~8 mm (from superior to inferior).
    centreline.sort((a, b) => b[2] - a[2]);
    const pts: Vec3[] = [];
    for (const c of centreline) if (pts.length === 0 || Math.abs(pts[pts.length - 1]![2] - c[2]) >= 8) pts.push(c);
    if (centreline.length > 0 && pts[pts.length - 1] !== centreline[centreline.length - 1]) pts.push(centreline[centreline.length - 1]!);
    radii.sort((a, b) => a - b);
    if (pts.length >= 2) sacralCanal = { id: 'sacralCanal', centerlineLps: pts, radiusMm: radii[radii.length >> 1]! };
  }
  if (!sacralCanal) notes.push('sacral canal not found');

  // The local anterior direction at each canal point (towards the vertebral bodies).
  const anteriorAt = sacralCanal
    ? anteriorDirections(S, dims, [i0, j0, k0], g, midX, centreline.length ? centreline : sacralCanal.centerlineLps)
    : [];
  const isAnteriorMouth = (mo: { centreLps: Vec3; normalLps: Vec3 }): boolean => {
    if (anteriorAt.length === 0) return mo.normalLps[1] < -0.15;
    let best = anteriorAt[0]!, bestD = Infinity;
    for (const e of anteriorAt) {
      const d = Math.abs(e.c[2] - mo.centreLps[2]) + 0.5 * Math.abs(e.c[1] - mo.centreLps[1]);
      if (d < bestD) { bestD = d; best = e; }
    }
    const v = [mo.centreLps[0] - best.c[0], mo.centreLps[1] - best.c[1], mo.centreLps[2] - best.c[2]];
    // Ignore the left-right offset: the side is what matters.
    return v[1]! * best.a[1] + v[2]! * best.a[2] > 0 && mo.normalLps[1] * best.a[1] + mo.normalLps[2] * best.a[2] > 0;
  };
  let canalChannel = 0;
  if (canalId) for (let h = 0; h < hn; h++) if (bc.labels[h] === canalId) { canalChannel = channels.labels[h]!; break; }
  // Anterior foramina: mouths facing anteriorly (-y), lateral to the midline, of channels that
  // reach the canal.
  const foramina: ForamenModel[] = [];
  for (const side of ['left', 'right'] as const) {
    const sign = side === 'left' ? 1 : -1;
    let cands = mouths.filter((mo) => {
      const dx = sign * (mo.centreLps[0] - midX);
      return (canalChannel === 0 || mo.channel === canalChannel) && isAnteriorMouth(mo) && dx > 6 && dx < 45 && mo.areaMm2 >= Math.PI * 1.5 * 1.5;
    });
    cands.sort((a, b) => b.centreLps[2] - a.centreLps[2]);
    while (cands.length > 4) {
      let smallest = 0;
      for (let q = 1; q < cands.length; q++) if (cands[q]!.areaMm2 < cands[smallest]!.areaMm2) smallest = q;
      cands = cands.filter((_, q) => q !== smallest);
    }
    if (cands.length < 4) notes.push(`${4 - cands.length} anterior foramina not found on the ${side}`);
    cands.forEach((mo, level) => {
      const id = `foramen${LEVELS[level]}${side === 'left' ? 'Left' : 'Right'}` as ForamenId;
      foramina.push({
        id,
        centerLps: mo.centreLps,
        axisLps: mo.axisLps,
        radiusMm: Math.max(1.5, Math.sqrt(mo.areaMm2 / Math.PI)),
        lengthMm: 15,
      });
    });
  }


  // Roots (proposals): S1 and S2 from the canal through their foramina and on anteriorly.
  const roots: TubeModel[] = [];
  const nearestCanalPoint = (z: number): Vec3 | null => {
    if (!sacralCanal) return null;
    let best: Vec3 | null = null;
    for (const c of sacralCanal.centerlineLps) if (!best || Math.abs(c[2] - z) < Math.abs(best[2] - z)) best = c;
    return best;
  };
  for (const f of foramina) {
    const level = f.id.slice(7, 9);
    if (level !== 'S1' && level !== 'S2') continue;
    const side = f.id.endsWith('Left') ? 'Left' : 'Right';
    const inner: Vec3 = [f.centerLps[0] - f.axisLps[0] * f.lengthMm, f.centerLps[1] - f.axisLps[1] * f.lengthMm, f.centerLps[2] - f.axisLps[2] * f.lengthMm];
    const outer: Vec3 = [f.centerLps[0] + f.axisLps[0] * 15, f.centerLps[1] + f.axisLps[1] * 15, f.centerLps[2] + f.axisLps[2] * 15 - 8];
    const pts: Vec3[] = [];
    const canalPoint = nearestCanalPoint(f.centerLps[2] + 8);
    if (canalPoint) pts.push([canalPoint[0] + Math.sign(f.centerLps[0] - midX) * 4, canalPoint[1], canalPoint[2]]);
    pts.push(inner, [...f.centerLps], outer);
    roots.push({ id: `root${level}${side}` as RootId, centerlineLps: pts, radiusMm: level === 'S1' ? 2.5 : 2 });
  }
  // L5 roots: from beside the top of the canal, over the anterior surface of the ala (3 mm in
  // front of the hull), down to the level of the S1 foramen.
  if (sacralCanal) {
    const top = sacralCanal.centerlineLps[0]!;
    for (const side of ['Left', 'Right'] as const) {
      const sign = side === 'Left' ? 1 : -1;
      const s1 = foramina.find((f) => f.id === `foramenS1${side}`);
      const path: Vec3[] = [[top[0] + sign * 20, top[1] - 2, top[2] + 4]];
      const zs = [top[2] - 2, s1 ? (top[2] + s1.centerLps[2]) / 2 : top[2] - 15, s1 ? s1.centerLps[2] - 5 : top[2] - 30];
      const xs = [midX + sign * 32, midX + sign * 36, s1 ? s1.centerLps[0] + sign * 12 : midX + sign * 40];
      for (let q = 0; q < 3; q++) {
        const y = anteriorSurfaceY(H, dims, [i0, j0, k0], m, xs[q]!, zs[q]!);
        if (y !== null) path.push([xs[q]!, y - 3, zs[q]!]);
      }
      if (path.length >= 3) roots.push({ id: `rootL5${side}`, centerlineLps: path, radiusMm: 2.5 });
      else notes.push(`L5 ${side.toLowerCase()} root: anterior surface of the ala not found`);
    }
  }
  return { foramina, sacralCanal, roots, notes };
}


/**
 * The local anterior direction at each canal point: towards the vertebral bodies, i.e. the
 * centroid of the sacrum (`S`, on the sacrum box at `origin`) within 25 mm of the point and
 * 12 mm of the midline. Robust to a steep sacral tilt, where the anterior surface faces
 * mostly downwards.
 */
function anteriorDirections(
  S: Uint8Array, dims: readonly [number, number, number], origin: readonly [number, number, number],
  g: Volume<Uint8Array>['geometry'], midX: number, points: readonly Vec3[],
): { c: Vec3; a: Vec3 }[] {
  const [ni, nj, nk] = dims;
  const [i0, j0, k0] = origin;
  const sp = g.spacingMm;
  const m = g.ijkToLps;
  const m0 = m[0]!, m1 = m[1]!, m2 = m[2]!, m4 = m[4]!, m5 = m[5]!, m6 = m[6]!, m8 = m[8]!, m9 = m[9]!, m10 = m[10]!;
  const m12 = m[12]!, m13 = m[13]!, m14 = m[14]!;
  const anteriorAt: { c: Vec3; a: Vec3 }[] = [];
  // The sacrum's voxels within 12 mm of the midline, row by row in voxel order, as LPS
  // triples: gathered once for all the canal points (each sums the same voxels in the same
  // order as a scan of its slices would). With each row's and slice's y and z range, a
  // point skips the rows and slices that are all beyond 25 mm in y or z (their every
  // voxel fails the distance test below, so the sums see the same terms in the same order).
  const rowStart = new Int32Array(nk * nj + 1);
  const rowY = new Float64Array(2 * nk * nj), sliceZ = new Float64Array(2 * nk);
  let bandLps = new Float64Array(3 * 4096);
  let nb = 0;
  // When x depends on i alone (m4 = m8 = 0: no rotation about the k or j axis), |x - midX| is
  // the same for every voxel of a column i (the zero terms do not change it): only the columns
  // within 12 mm are visited.
  let iFirst = 0, iLast = ni - 1;
  if (m4 === 0 && m8 === 0) {
    const near = (i: number): boolean => Math.abs(m0 * (i + i0) + m4 * j0 + m8 * k0 + m12 - midX) <= 12;
    while (iFirst < ni && !near(iFirst)) iFirst++;
    while (iLast >= iFirst && !near(iLast)) iLast--;
  }
  for (let k = 0; k < nk; k++) {
    const K = k + k0;
    let zLo = Infinity, zHi = -Infinity;
    for (let j = 0; j < nj; j++) {
      const J = j + j0;
      rowStart[k * nj + j] = nb;
      let yLo = Infinity, yHi = -Infinity;
      for (let i = iFirst, q = iFirst + ni * (j + nj * k); i <= iLast; i++, q++) {
        if (!S[q]) continue;
        const I = i + i0;
        const x = m0 * I + m4 * J + m8 * K + m12;
        if (Math.abs(x - midX) > 12) continue;
        const y = m1 * I + m5 * J + m9 * K + m13, z = m2 * I + m6 * J + m10 * K + m14;
        if (3 * nb + 3 > bandLps.length) {
          const grown = new Float64Array(2 * bandLps.length);
          grown.set(bandLps);
          bandLps = grown;
        }
        bandLps[3 * nb] = x; bandLps[3 * nb + 1] = y; bandLps[3 * nb + 2] = z;
        nb++;
        if (y < yLo) yLo = y;
        if (y > yHi) yHi = y;
        if (z < zLo) zLo = z;
        if (z > zHi) zHi = z;
      }
      rowY[2 * (k * nj + j)] = yLo; rowY[2 * (k * nj + j) + 1] = yHi;
    }
    sliceZ[2 * k] = zLo; sliceZ[2 * k + 1] = zHi;
  }
  rowStart[nk * nj] = nb;
  const dk = Math.ceil(25 / sp[2]);
  const sums = new Float64Array(4);
  for (const c of points) {
    const kc = Math.round(transformPointZ(g.lpsToIjk, c)) - k0;
    const kFirst = Math.max(0, kc - dk), kLast = Math.min(nk - 1, kc + dk);
    bandSumsNear(bandLps, rowStart, rowY, sliceZ, nj, kFirst, kLast, c, sums);
    const ax = sums[0]!, ay = sums[1]!, az = sums[2]!, cnt = sums[3]!;
    const len = Math.hypot(ax, ay, az);
    if (cnt > 0 && len > 0) anteriorAt.push({ c, a: [ax / len, ay / len, az / len] });
  }
  return anteriorAt;
}

/*
 * The loops over the hole box below are functions of their own: a hot loop in a small function
 * is optimised on its first call without recompiling the whole of detectSacralStructures (the
 * detection runs once per segmentation, cold, and an on-stack replacement of the large caller took
 * up to 44 ms to compile while the loop ran unoptimised). Same expressions, same order.
 */

/**
 * Per layer component c (1..count), in acc[12 c ..]: the LPS sums and count of its mouth voxels
 * (a 6-neighbour outside the hull `H`, on the sacrum box at `origin`), then of its deep voxels
 * (layer 2) that are not mouths; `layerChannel[c]` the channel of its last voxel in raster order.
 * The hole box is at `holeOrigin` (sacrum-box indices), `hdims`.
 */
function mouthSums(
  ccLabels: Int32Array, count: number, channelLabels: Int32Array, layer: Uint8Array, layerChannel: Int32Array, H: Uint8Array,
  dims: readonly [number, number, number], origin: readonly [number, number, number], holeOrigin: readonly [number, number, number],
  hdims: readonly [number, number, number], m: Float64Array,
): Float64Array {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  const [i0, j0, k0] = origin;
  const [hi0, hj0, hk0] = holeOrigin;
  const [hni, hnj, hnk] = hdims;
  const m0 = m[0]!, m1 = m[1]!, m2 = m[2]!, m4 = m[4]!, m5 = m[5]!, m6 = m[6]!, m8 = m[8]!, m9 = m[9]!, m10 = m[10]!;
  const m12 = m[12]!, m13 = m[13]!, m14 = m[14]!;
  const acc = new Float64Array(12 * (count + 1));
  for (let qk = 0, h = 0; qk < hnk; qk++) for (let qj = 0; qj < hnj; qj++) for (let qi = 0; qi < hni; qi++, h++) {
    const c = ccLabels[h]!;
    if (!c) continue;
    layerChannel[c] = channelLabels[h]!;
    const o = 12 * c;
    // Sacrum-box and grid indices of the voxel.
    const bi = qi + hi0, bj = qj + hj0, bk = qk + hk0;
    const I = bi + i0, J = bj + j0, K = bk + k0;
    const x = m0 * I + m4 * J + m8 * K + m12;
    const y = m1 * I + m5 * J + m9 * K + m13;
    const z = m2 * I + m6 * J + m10 * K + m14;
    // Mouth: a 6-neighbour outside the hull.
    const q = bi + ni * (bj + nj * bk);
    const isMouth =
      (bi > 0 && !H[q - 1]) || (bi < ni - 1 && !H[q + 1]) || (bj > 0 && !H[q - ni]) || (bj < nj - 1 && !H[q + ni]) ||
      (bk > 0 && !H[q - nij]) || (bk < nk - 1 && !H[q + nij]);
    if (isMouth) {
      acc[o]! += x; acc[o + 1]! += y; acc[o + 2]! += z; acc[o + 3]!++;
    } else if (layer[h] === 2) {
      acc[o + 4]! += x; acc[o + 5]! += y; acc[o + 6]! += z; acc[o + 7]!++;
    }
  }
  return acc;
}

/**
 * The sacrum's mirror line in the sacrum box's (i, j) plane, in mm = box index x spacing: the
 * points p with normal . p = offsetMm (`sacralMirrorPlane`, segmentation/sacralMidline.ts).
 * Fine grids are searched on every f-th voxel (f = round(3 mm / spacing), at least 1; the
 * search costs 13 angles x (90 mm / half a voxel) offsets over the sacrum's voxels, seconds at
 * 0.75 mm), then the offset refined on the whole mask along the found normal, half a voxel at a
 * time within one coarse voxel, nearest first, a later offset winning only when strictly better.
 * Null when the sacrum mask is empty.
 */
export function sacrumMirrorLine(S: Uint8Array, dims: readonly [number, number, number], sp: readonly [number, number, number]): { normal: [number, number]; offsetMm: number; angleDeg: number } | null {
  const [ni, nj, nk] = dims;
  const fi = Math.max(1, Math.round(3 / sp[0])), fj = Math.max(1, Math.round(3 / sp[1])), fk = Math.max(1, Math.round(3 / sp[2]));
  if (fi === 1 && fj === 1 && fk === 1) {
    const p = sacralMirrorPlane(S, dims, sp);
    return p && { normal: p.normal, offsetMm: p.offsetMm, angleDeg: p.angleDeg };
  }
  const cd: [number, number, number] = [Math.ceil(ni / fi), Math.ceil(nj / fj), Math.ceil(nk / fk)];
  const coarse = new Uint8Array(cd[0] * cd[1] * cd[2]);
  for (let k = 0, c = 0; k < cd[2]; k++) for (let j = 0; j < cd[1]; j++) for (let i = 0; i < cd[0]; i++, c++) coarse[c] = S[i * fi + ni * (j * fj + nj * k * fk)]!;
  // Coarse voxel (i, j) is fine voxel (fi i, fj j): the same mm.
  const p = sacralMirrorPlane(coarse, cd, [sp[0] * fi, sp[1] * fj, sp[2] * fk]);
  if (!p) return null;
  const [nx, ny] = p.normal;
  const step = sp[0] / 2;
  const shifts: number[] = [0];
  for (let q = 1; q * step <= sp[0] * fi + 1e-9; q++) shifts.push(q * step, -q * step);
  let bestO = p.offsetMm, bestScore = -1;
  for (const shift of shifts) {
    const o = p.offsetMm + shift;
    let score = 0;
    for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
      if (!S[t]) continue;
      const x = i * sp[0], y = j * sp[1];
      const d2 = 2 * (nx * x + ny * y - o);
      const mi = Math.round((x - d2 * nx) / sp[0]), mj = Math.round((y - d2 * ny) / sp[1]);
      if (mi < 0 || mj < 0 || mi >= ni || mj >= nj) continue;
      if (S[mi + ni * (mj + nj * k)]) score++;
    }
    if (score > bestScore) { bestScore = score; bestO = o; }
  }
  return { normal: p.normal, offsetMm: bestO, angleDeg: p.angleDeg };
}

/** The holes `C` (hole box `hdims` at `holeOrigin` in the sacrum box) within 6 mm of the mirror line (sacrum-box index mm). */
function canalBandOnLine(C: Uint8Array, hdims: readonly [number, number, number], holeOrigin: readonly [number, number, number], sp: readonly [number, number, number], line: { normal: [number, number]; offsetMm: number }): Uint8Array {
  const [hni, hnj, hnk] = hdims;
  const [nx, ny] = line.normal;
  const o = line.offsetMm;
  const band = new Uint8Array(hni * hnj * hnk);
  for (let k = 0, h = 0; k < hnk; k++) for (let j = 0; j < hnj; j++) {
    const y = (j + holeOrigin[1]) * sp[1];
    for (let i = 0; i < hni; i++, h++) if (C[h] && Math.abs(nx * (i + holeOrigin[0]) * sp[0] + ny * y - o) <= 6) band[h] = 1;
  }
  return band;
}

/** LPS sums and count (into `sums`) of the voxels of component `canalId` in slice `k` of the hole box. */
function canalSliceSums(labels: Int32Array, canalId: number, hdims: readonly [number, number, number], k: number, gridOrigin: readonly [number, number, number], m: Float64Array, sums: Float64Array): void {
  const [hni, hnj] = hdims;
  const [gi0, gj0, gk0] = gridOrigin;
  const m0 = m[0]!, m1 = m[1]!, m2 = m[2]!, m4 = m[4]!, m5 = m[5]!, m6 = m[6]!, m8 = m[8]!, m9 = m[9]!, m10 = m[10]!;
  const m12 = m[12]!, m13 = m[13]!, m14 = m[14]!;
  const K = k + gk0;
  let cx = 0, cy = 0, cz = 0, cnt = 0;
  for (let j = 0, h = k * hni * hnj; j < hnj; j++) for (let i = 0; i < hni; i++, h++) {
    if (labels[h] !== canalId) continue;
    const I = i + gi0, J = j + gj0;
    cx += m0 * I + m4 * J + m8 * K + m12;
    cy += m1 * I + m5 * J + m9 * K + m13;
    cz += m2 * I + m6 * J + m10 * K + m14;
    cnt++;
  }
  sums[0] = cx; sums[1] = cy; sums[2] = cz; sums[3] = cnt;
}

/** Holes of slice `k` of the hole box within 15 mm in x and 10 mm in y of `c`. */
function canalSliceArea(C: Uint8Array, hdims: readonly [number, number, number], k: number, gridOrigin: readonly [number, number, number], m: Float64Array, c: Readonly<Vec3>): number {
  const [hni, hnj] = hdims;
  const [gi0, gj0, gk0] = gridOrigin;
  const m0 = m[0]!, m1 = m[1]!, m4 = m[4]!, m5 = m[5]!, m8 = m[8]!, m9 = m[9]!;
  const m12 = m[12]!, m13 = m[13]!;
  const K = k + gk0;
  let area = 0;
  for (let j = 0, h = k * hni * hnj; j < hnj; j++) for (let i = 0; i < hni; i++, h++) {
    if (!C[h]) continue;
    const I = i + gi0, J = j + gj0;
    if (Math.abs(m0 * I + m4 * J + m8 * K + m12 - c[0]) <= 15 && Math.abs(m1 * I + m5 * J + m9 * K + m13 - c[1]) <= 10) area++;
  }
  return area;
}

/**
 * anteriorDirections' sums for one point `c`: the offsets from `c` of the gathered band voxels
 * (`bandLps`, rows `rowStart`) of slices kFirst..kLast within 25 mm of it, and their count, into `sums`.
 */
function bandSumsNear(bandLps: Float64Array, rowStart: Int32Array, rowY: Float64Array, sliceZ: Float64Array, nj: number, kFirst: number, kLast: number, c: Readonly<Vec3>, sums: Float64Array): void {
  const cx = c[0], cy = c[1], cz = c[2];
  let ax = 0, ay = 0, az = 0, cnt = 0;
  for (let k = kFirst; k <= kLast; k++) {
    if (rowStart[k * nj] === rowStart[(k + 1) * nj] || beyond25(sliceZ[2 * k]!, sliceZ[2 * k + 1]!, cz)) continue;
    for (let row = k * nj; row < (k + 1) * nj; row++) {
      const b0 = rowStart[row]!, b1 = rowStart[row + 1]!;
      if (b0 === b1 || beyond25(rowY[2 * row]!, rowY[2 * row + 1]!, cy)) continue;
      for (let b = b0; b < b1; b++) {
        const dx = bandLps[3 * b]! - cx, dy = bandLps[3 * b + 1]! - cy, dz = bandLps[3 * b + 2]! - cz;
        if (dx * dx + dy * dy + dz * dz > 625) continue;
        ax += dx; ay += dy; az += dz; cnt++;
      }
    }
  }
  sums[0] = ax; sums[1] = ay; sums[2] = az; sums[3] = cnt;
}

/** The k (slice) index of an LPS point. */
function transformPointZ(lpsToIjk: Float64Array, p: Readonly<Vec3>): number {
  return lpsToIjk[2]! * p[0] + lpsToIjk[6]! * p[1] + lpsToIjk[10]! * p[2] + lpsToIjk[14]!;
}

/** Most anterior (smallest y) LPS y of the hull at (x, z), scanning along y; null if the line misses it. */
function anteriorSurfaceY(H: Uint8Array, dims: readonly [number, number, number], origin: readonly number[], ijkToLps: Float64Array, x: number, z: number): number | null {
  const [ni, nj, nk] = dims;
  const m = ijkToLps;
  let best: number | null = null;
  for (let j = 0; j < nj; j++) {
    // Find i, k of (x, z) for this j by inverting the axis-aligned part (axes near LPS).
    const jj = j + origin[1]!;
    const i = Math.round((x - m[12]! - m[4]! * jj) / m[0]!) - origin[0]!;
    const k = Math.round((z - m[14]! - m[6]! * jj) / m[10]!) - origin[2]!;
    if (i < 0 || k < 0 || i >= ni || k >= nk) continue;
    if (!H[i + ni * (j + nj * k)]) continue;
    const y = m[1]! * (i + origin[0]!) + m[5]! * jj + m[9]! * (k + origin[2]!) + m[13]!;
    if (best === null || y < best) best = y;
  }
  return best;
}

/** The sacrum (and a lesion in it) as a 0/1 mask on the box at grid voxel `origin`. */
function sacrumMask(labels: Volume<Uint8Array>, origin: readonly [number, number, number], dims: readonly [number, number, number]): Uint8Array {
  const [gi, gj] = labels.geometry.dims;
  const v = labels.voxels;
  const [ni, nj, nk] = dims;
  const [i0, j0, k0] = origin;
  const S = new Uint8Array(ni * nj * nk);
  // Label values read once (an imported binding may be a getter per access under a module transform).
  const sacrumLabel = LABELS.sacrum, lesionLabel = LABELS.lesion;
  for (let k = 0, p = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    const row = i0 + gi * (j + j0 + gj * (k + k0));
    for (let i = 0; i < ni; i++, p++) {
      const l = v[row + i]!;
      S[p] = l === sacrumLabel || l === lesionLabel ? 1 : 0;
    }
  }
  return S;
}

/** The sacrum's hull: its closing with a ball of `radiusMm`, with the sacrum itself, hole-filled. */
function hullOf(S: Uint8Array, dims: readonly [number, number, number], sp: readonly [number, number, number], radiusMm: number): Uint8Array {
  const H = dilateMm(S, dims, sp, radiusMm);
  erodeMm(H, dims, sp, radiusMm, H);
  for (let q = 0; q < H.length; q++) H[q] = H[q]! | S[q]!;
  fillHoles(H, dims, 'all');
  return H;
}

/**
 * The sacrum's centroid x (LPS, summed in voxel order) and the inclusive box (in the sacrum
 * box's voxels) of its holes, the hull voxels outside it; a one-voxel box without any hole
 * when there is none.
 */
function midlineAndHoleBox(S: Uint8Array, H: Uint8Array, dims: readonly [number, number, number], origin: readonly [number, number, number], m: Float64Array): { midX: number; holeBox: [number, number, number, number, number, number]; centroidIjk: [number, number] } {
  const [ni, nj, nk] = dims;
  const [i0, j0, k0] = origin;
  const m0 = m[0]!, m4 = m[4]!, m8 = m[8]!, m12 = m[12]!;
  let sx = 0, sc = 0, si = 0, sj = 0;
  let hi0 = ni, hj0 = nj, hk0 = nk, hi1 = -1, hj1 = -1, hk1 = -1;
  for (let k = 0, q = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, q++) {
    if (S[q]) {
      sx += m0 * (i + i0) + m4 * (j + j0) + m8 * (k + k0) + m12;
      si += i;
      sj += j;
      sc++;
    } else if (H[q]) {
      if (i < hi0) hi0 = i;
      if (i > hi1) hi1 = i;
      if (j < hj0) hj0 = j;
      if (j > hj1) hj1 = j;
      if (k < hk0) hk0 = k;
      if (k > hk1) hk1 = k;
    }
  }
  const centroidIjk: [number, number] = [si / sc, sj / sc];
  if (hi1 < 0) return { midX: sx / sc, holeBox: [0, 0, 0, 0, 0, 0], centroidIjk };
  return { midX: sx / sc, holeBox: [hi0, hj0, hk0, hi1, hj1, hk1], centroidIjk };
}

/** The holes (hull and not sacrum) as a 0/1 mask on the hole box at `origin` of the sacrum box. */
function holesOn(H: Uint8Array, S: Uint8Array, dims: readonly [number, number, number], origin: readonly [number, number, number], hdims: readonly [number, number, number]): Uint8Array {
  const [ni, nj] = dims;
  const [hni, hnj, hnk] = hdims;
  const C = new Uint8Array(hni * hnj * hnk);
  for (let k = 0, h = 0; k < hnk; k++) for (let j = 0; j < hnj; j++) {
    const row = origin[0] + ni * (j + origin[1] + nj * (k + origin[2]));
    for (let i = 0; i < hni; i++, h++) C[h] = H[row + i] && !S[row + i] ? 1 : 0;
  }
  return C;
}

/**
 * Whether every value v in [lo, hi] is more than 25 mm from `c` as the distance test of the
 * anterior-direction sums computes it: d = v - c, then d * d (> 625), then added to other
 * squares (>= 0). Rounding is monotone, so d * d is at least that of the range's nearer end
 * and a sum of non-negative terms at least each term: the test fails for every voxel of the range.
 */
function beyond25(lo: number, hi: number, c: number): boolean {
  const below = hi - c, above = lo - c;
  return (above > 0 && above * above > 625) || (below < 0 && below * below > 625);
}

/**
 * For each hole voxel (`C` on the hole box at `origin` in the sacrum box): its squared
 * distance d2 (mm^2) to the nearest voxel of the box outside the hull `H`, as classes:
 * 0 when d2 > layerMax2 (not in the near-surface layer), 2 when deepMin2 <= d2 <= layerMax2
 * (the layer's deep part), else 1. Only the holes need it, and only up to layerMax2: the
 * offsets of the ball of that radius are probed nearest first, a few hundred bytes per hole
 * voxel instead of a distance transform of the whole box. The squared EDT the classes used to
 * be read from (Float32, exact up to a few float roundings) gives the same classes unless a
 * grid distance lies within a millionth of a threshold: then this falls back to that EDT.
 * Exported for its test (sacrum.holeDepth.test.ts).
 */
export function holeDepthClasses(
  H: Uint8Array, dims: readonly [number, number, number], C: Uint8Array, origin: readonly [number, number, number],
  hdims: readonly [number, number, number], sp: readonly [number, number, number], layerMax2: number, deepMin2: number,
): Uint8Array {
  const [ni, nj, nk] = dims;
  const [hni, hnj, hnk] = hdims;
  const nij = ni * nj;
  const out = new Uint8Array(hni * hnj * hnk);
  const ball = ballOffsets(sp, layerMax2, deepMin2);
  if (!ball) {
    const n = ni * nj * nk;
    const depth2 = allocEdtGrid(n);
    for (let q = 0; q < n; q++) depth2[q] = H[q] ? EDT_FAR : 0;
    squaredDistanceInPlace(depth2, dims, sp);
    for (let k = 0, h = 0; k < hnk; k++) for (let j = 0; j < hnj; j++) for (let i = 0; i < hni; i++, h++) {
      if (!C[h]) continue;
      const d2 = depth2[i + origin[0] + ni * (j + origin[1] + nj * (k + origin[2]))]!;
      out[h] = d2 <= layerMax2 ? (d2 >= deepMin2 ? 2 : 1) : 0;
    }
    return out;
  }
  const { ri, rj, rk } = ball;
  const all = offsetSet(ball, ni, nij, () => true);
  // A hole voxel right after one (along i) with no outside voxel in its ball only needs the
  // offsets of its ball that the previous ball did not cover (its +i cap): the rest, and the
  // previous voxel itself, were just seen to be hull. The nearest outside voxel, if any, is then
  // in the cap, and the cap is probed nearest first too.
  const inBall = new Set<string>();
  for (let o = 0; o < ball.count; o++) inBall.add(`${ball.di[o]},${ball.dj[o]},${ball.dk[o]}`);
  const cap = offsetSet(ball, ni, nij, (i, j, k) => !(i === -1 && j === 0 && k === 0) && !inBall.has(`${i + 1},${j},${k}`));
  for (let k = 0, h = 0; k < hnk; k++) for (let j = 0; j < hnj; j++) {
    let previousClear = false;
    for (let i = 0; i < hni; i++, h++) {
      if (!C[h]) {
        previousClear = false;
        continue;
      }
      const bi = i + origin[0], bj = j + origin[1], bk = k + origin[2];
      const interior = bi >= ri && bi < ni - ri && bj >= rj && bj < nj - rj && bk >= rk && bk < nk - rk;
      const c = nearestOutsideClass(H, dims, previousClear ? cap : all, bi, bj, bk, interior);
      out[h] = c;
      previousClear = c === 0;
    }
  }
  return out;
}

type OffsetSet = { delta: Int32Array; di: Int32Array; dj: Int32Array; dk: Int32Array; cls: Uint8Array; count: number };

/** The offsets of `ball` (keeping its nearest-first order) that `keep` accepts, with their flat index deltas. */
function offsetSet(ball: NonNullable<ReturnType<typeof ballOffsets>>, ni: number, nij: number, keep: (i: number, j: number, k: number) => boolean): OffsetSet {
  const picked: number[] = [];
  for (let o = 0; o < ball.count; o++) if (keep(ball.di[o]!, ball.dj[o]!, ball.dk[o]!)) picked.push(o);
  const count = picked.length;
  const set: OffsetSet = { delta: new Int32Array(count), di: new Int32Array(count), dj: new Int32Array(count), dk: new Int32Array(count), cls: new Uint8Array(count), count };
  picked.forEach((o, t) => {
    set.di[t] = ball.di[o]!; set.dj[t] = ball.dj[o]!; set.dk[t] = ball.dk[o]!; set.cls[t] = ball.cls[o]!;
    set.delta[t] = ball.di[o]! + ni * ball.dj[o]! + nij * ball.dk[o]!;
  });
  return set;
}

/** The class of the first offset of `set` (nearest first) at which sacrum-box voxel (bi, bj, bk) sees a voxel outside the hull; 0 if none. */
function nearestOutsideClass(H: Uint8Array, dims: readonly [number, number, number], set: OffsetSet, bi: number, bj: number, bk: number, interior: boolean): number {
  const [ni, nj, nk] = dims;
  const q = bi + ni * (bj + nj * bk);
  const { delta, cls, count } = set;
  if (interior) {
    for (let o = 0; o < count; o++) if (!H[q + delta[o]!]) return cls[o]!;
    return 0;
  }
  const { di, dj, dk } = set;
  for (let o = 0; o < count; o++) {
    const a = bi + di[o]!, b = bj + dj[o]!, e = bk + dk[o]!;
    if (a < 0 || a >= ni || b < 0 || b >= nj || e < 0 || e >= nk) continue;
    if (!H[q + delta[o]!]) return cls[o]!;
  }
  return 0;
}

/**
 * The voxel offsets (not the centre) within sqrt(layerMax2) mm, nearest first, each with its
 * class (1 nearer than sqrt(deepMin2), else 2); null when a grid distance lies within a
 * millionth of either threshold (where the EDT's Float32 rounding could decide otherwise).
 */
export function ballOffsets(sp: readonly [number, number, number], layerMax2: number, deepMin2: number) {
  const reach = Math.sqrt(layerMax2);
  const ri = Math.ceil(reach / sp[0]) + 1, rj = Math.ceil(reach / sp[1]) + 1, rk = Math.ceil(reach / sp[2]) + 1;
  const tolLayer = 1e-6 * Math.max(1, layerMax2), tolDeep = 1e-6 * Math.max(1, deepMin2);
  const found: { d2: number; i: number; j: number; k: number }[] = [];
  for (let k = -rk; k <= rk; k++) for (let j = -rj; j <= rj; j++) for (let i = -ri; i <= ri; i++) {
    const x = i * sp[0], y = j * sp[1], z = k * sp[2];
    const d2 = x * x + y * y + z * z;
    if (Math.abs(d2 - layerMax2) <= tolLayer || Math.abs(d2 - deepMin2) <= tolDeep) return null;
    if (d2 > 0 && d2 <= layerMax2) found.push({ d2, i, j, k });
  }
  found.sort((a, b) => a.d2 - b.d2);
  const count = found.length;
  const di = new Int32Array(count), dj = new Int32Array(count), dk = new Int32Array(count), cls = new Uint8Array(count);
  let mi = 0, mj = 0, mk = 0;
  found.forEach((f, o) => {
    di[o] = f.i; dj[o] = f.j; dk[o] = f.k;
    cls[o] = f.d2 >= deepMin2 ? 2 : 1;
    mi = Math.max(mi, Math.abs(f.i)); mj = Math.max(mj, Math.abs(f.j)); mk = Math.max(mk, Math.abs(f.k));
  });
  return { di, dj, dk, cls, count, ri: mi, rj: mj, rk: mk };
}

import type { Vec3 } from '../geometry/vec3';
import type { ForamenId, RootId } from '../shared/ids';
import { LABELS } from '../shared/ids';
import { allocEdtGrid, EDT_FAR, squaredDistanceInPlace } from '../fields/distanceTransform';
import { computeComponents } from '../segmentation/connectedComponents';
import { dilateMm, erodeMm, fillHoles } from '../segmentation/morphology';
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
  const v = labels.voxels;
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
  const [ni, nj, nk] = dims;
  const n = ni * nj * nk;
  const nij = ni * nj;
  const S = new Uint8Array(n);
  let p = 0;
  // Label values read once (an imported binding may be a getter per access under a module transform).
  const sacrumLabel = LABELS.sacrum, lesionLabel = LABELS.lesion;
  for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++, p++) {
    const l = v[i + gi * (j + gj * k)]!;
    S[p] = l === sacrumLabel || l === lesionLabel ? 1 : 0;
  }
  const lpsOf = (q: number, out: Vec3): Vec3 => {
    const i = (q % ni) + i0, j = (Math.floor(q / ni) % nj) + j0, k = Math.floor(q / nij) + k0;
    out[0] = m[0]! * i + m[4]! * j + m[8]! * k + m[12]!;
    out[1] = m[1]! * i + m[5]! * j + m[9]! * k + m[13]!;
    out[2] = m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
    return out;
  };
  const r = options.hullRadiusMm ?? 9;
  const H = dilateMm(S, dims, sp, r);
  erodeMm(H, dims, sp, r, H);
  for (let q = 0; q < n; q++) H[q] = H[q]! | S[q]!;
  fillHoles(H, dims, 'all');
  // Holes and their depth below the hull surface.
  const depth2 = allocEdtGrid(n);
  for (let q = 0; q < n; q++) depth2[q] = H[q] ? EDT_FAR : 0;
  squaredDistanceInPlace(depth2, dims, sp);
  const C = new Uint8Array(n);
  for (let q = 0; q < n; q++) C[q] = H[q] && !S[q] ? 1 : 0;
  // Midline: the sacrum's centroid.
  let sx = 0, sc = 0;
  const tmp: Vec3 = [0, 0, 0];
  for (let q = 0; q < n; q++) if (S[q]) { sx += lpsOf(q, tmp)[0]; sc++; }
  const midX = sx / sc;

  // Near-surface layer of the holes (within 3 mm, at least 2.5 voxels, of the hull's outside).
  const layer = new Uint8Array(n);
  const layerMm = Math.max(3, 2.5 * Math.max(sp[0], sp[1], sp[2]));
  for (let q = 0; q < n; q++) layer[q] = C[q] && depth2[q]! <= layerMm * layerMm + 1e-4 ? 1 : 0;
  const cc = computeComponents(layer, dims);
  type Mouth = { centreLps: Vec3; normalLps: Vec3; axisLps: Vec3; areaMm2: number; voxels: number; channel: number };
  // Whole channels (all holes), to tell foramina (connected to the canal) from surface pits.
  const channels = computeComponents(C, dims);
  const layerChannel = new Int32Array(cc.count + 1);
  for (let q = 0; q < n; q++) if (cc.labels[q]) layerChannel[cc.labels[q]!] = channels.labels[q]!;
  const mouths: Mouth[] = [];
  const hMin = Math.min(sp[0], sp[1], sp[2]);
  const faceArea = (sp[0] * sp[1] + sp[1] * sp[2] + sp[0] * sp[2]) / 3;
  const acc = new Float64Array(12 * (cc.count + 1));
  for (let q = 0; q < n; q++) {
    const c = cc.labels[q]!;
    if (!c) continue;
    const o = 12 * c;
    lpsOf(q, tmp);
    const d2 = depth2[q]!;
    // Mouth: a 6-neighbour outside the hull.
    const qi = q % ni, qj = Math.floor(q / ni) % nj, qk = Math.floor(q / nij);
    const isMouth =
      (qi > 0 && !H[q - 1]) || (qi < ni - 1 && !H[q + 1]) || (qj > 0 && !H[q - ni]) || (qj < nj - 1 && !H[q + ni]) ||
      (qk > 0 && !H[q - nij]) || (qk < nk - 1 && !H[q + nij]);
    if (isMouth) {
      acc[o]! += tmp[0]; acc[o + 1]! += tmp[1]; acc[o + 2]! += tmp[2]; acc[o + 3]!++;
    } else if (d2 >= Math.max(4, 2.25 * hMin * hMin) - 1e-4) {
      acc[o + 4]! += tmp[0]; acc[o + 5]! += tmp[1]; acc[o + 6]! += tmp[2]; acc[o + 7]!++;
    }
  }
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
  const band = new Uint8Array(n);
  for (let q = 0; q < n; q++) if (C[q] && Math.abs(lpsOf(q, tmp)[0] - midX) <= 6) band[q] = 1;
  const bc = computeComponents(band, dims);
  let canalId = 0;
  for (let c = 1; c <= bc.count; c++) if (!canalId || bc.sizes[c]! > bc.sizes[canalId]!) canalId = c;
  let sacralCanal: TubeModel | null = null;
  const centreline: Vec3[] = [];
  if (canalId) {
    const radii: number[] = [];
    for (let k = 0; k < nk; k++) {
      let cx = 0, cy = 0, cz = 0, cnt = 0;
      for (let q = k * nij; q < (k + 1) * nij; q++) {
        if (bc.labels[q] !== canalId) continue;
        lpsOf(q, tmp);
        cx += tmp[0]; cy += tmp[1]; cz += tmp[2]; cnt++;
      }
      if (cnt === 0) continue;
      const c: Vec3 = [cx / cnt, cy / cnt, cz / cnt];
      // Full cross-section: holes of this slice within 15 mm of the band's centre.
      let area = 0;
      for (let q = k * nij; q < (k + 1) * nij; q++) {
        if (!C[q]) continue;
        lpsOf(q, tmp);
        if (Math.abs(tmp[0] - c[0]) <= 15 && Math.abs(tmp[1] - c[1]) <= 10) area++;
      }
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

  // The local anterior direction at each canal point: towards the vertebral bodies, i.e. the
  // centroid of the sacrum within 25 mm of the point and 12 mm of the midline. Robust to a
  // steep sacral tilt, where the anterior surface faces mostly downwards.
  const anteriorAt: { c: Vec3; a: Vec3 }[] = [];
  if (sacralCanal) {
    // The sacrum's voxels within 12 mm of the midline, slice by slice in voxel order, as LPS
    // triples: gathered once for all the canal points (each sums the same voxels in the same
    // order as a scan of its slices would).
    const bandStart = new Int32Array(nk + 1);
    let bandLps = new Float64Array(3 * 4096);
    let nb = 0;
    for (let k = 0; k < nk; k++) {
      bandStart[k] = nb;
      for (let q = k * nij; q < (k + 1) * nij; q++) {
        if (!S[q]) continue;
        lpsOf(q, tmp);
        if (Math.abs(tmp[0] - midX) > 12) continue;
        if (3 * nb + 3 > bandLps.length) {
          const grown = new Float64Array(2 * bandLps.length);
          grown.set(bandLps);
          bandLps = grown;
        }
        bandLps[3 * nb] = tmp[0]; bandLps[3 * nb + 1] = tmp[1]; bandLps[3 * nb + 2] = tmp[2];
        nb++;
      }
    }
    bandStart[nk] = nb;
    for (const c of centreline.length ? centreline : sacralCanal.centerlineLps) {
      let ax = 0, ay = 0, az = 0, cnt = 0;
      const kc = Math.round(transformPointZ(g.lpsToIjk, c)) - k0;
      const dk = Math.ceil(25 / sp[2]);
      const kFirst = Math.max(0, kc - dk), kLast = Math.min(nk - 1, kc + dk);
      if (kFirst <= kLast) {
        for (let b = bandStart[kFirst]!, end = bandStart[kLast + 1]!; b < end; b++) {
          const dx = bandLps[3 * b]! - c[0], dy = bandLps[3 * b + 1]! - c[1], dz = bandLps[3 * b + 2]! - c[2];
          if (dx * dx + dy * dy + dz * dz > 625) continue;
          ax += dx; ay += dy; az += dz; cnt++;
        }
      }
      const len = Math.hypot(ax, ay, az);
      if (cnt > 0 && len > 0) anteriorAt.push({ c, a: [ax / len, ay / len, az / len] });
    }
  }
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
  if (canalId) for (let q = 0; q < n; q++) if (bc.labels[q] === canalId) { canalChannel = channels.labels[q]!; break; }
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

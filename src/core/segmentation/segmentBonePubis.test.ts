import { describe, expect, it } from 'vitest';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry, transformPoint } from '../volume/VolumeGeometry';
import { LABELS } from '../shared/ids';
import type { BoneThresholds } from './thresholds';
import { splitPubicSymphysis } from './segmentBonePubis';

/**
 * A pelvis's lower front on 3 mm voxels (partial volume by 3x3x3 supersampling): two pubic
 * bodies (marrow 200 in a 2 mm cortex of 700) either side of a symphysis cleft 4 mm wide
 * (fibrocartilage, grey 60) in the plane x = `cleftX`, each continued laterally by a superior
 * ramus to an acetabular block and ilium rising above (the hip bones' lateral extremes set the
 * midline estimate); a posterior midline block stands for the sacrum. The two hip labels are drawn as a split's
 * grow-back might leave them: the right hip (LPS -x) reaching over the cleft to `rightReachX`.
 * `cleftGrey` null: a symphysis fused into one body (no cleft, no cortex at the midline).
 * `rampFractureMm`: the right superior ramus broken that far from the cleft.
 */
function pubis(cleftX: number, rightReachX: number, cleftGrey: number | null = 60, offsetX = 0, rampFractureMm = 0) {
  const dims = [60, 40, 36] as const;
  const sp = 3;
  const g = createVolumeGeometry({ dims, spacingMm: [sp, sp, sp], originLps: [-90 + offsetX, -60, 0] });
  const cx = cleftX + offsetX;
  const bodyAt = (x: number, y: number, z: number): number => {
    // A body: 4-20 mm from the cleft, y in [-50, -30], z in [6, 36].
    const dx = Math.abs(x - cx);
    if (y < -50 || y > -30 || z < 6 || z > 36) return -1;
    if (dx > 20) return -1;
    // A fused symphysis (cleftGrey null): one body, no cortex at the midline.
    if (cleftGrey === null) return Math.min(20 - dx, y + 50, -30 - y, z - 6, 36 - z) < 2 ? 700 : 200;
    if (dx < 2) return cleftGrey;
    const edge = Math.min(dx - 2, 20 - dx, y + 50, -30 - y, z - 6, 36 - z);
    return edge < 2 ? 700 : 200;
  };
  const greyAt = (x: number, y: number, z: number): number => {
    const b = bodyAt(x, y, z);
    if (b >= 0) return b;
    // Rami: x beyond 20 mm from the cleft up to the acetabular blocks, a 9 mm square bar; the
    // right one broken `rampFractureMm` from the cleft (a 3 mm gap of -50, no cortex: fewer
    // points than a pubic body's face, a deeper dip).
    const dx = Math.abs(x - cx);
    if (dx >= 20 && dx < 75 && y > -44.5 && y < -35.5 && z > 16.5 && z < 25.5) return rampFractureMm > 0 && Math.abs(x - (cx - rampFractureMm)) < 1.5 ? -50 : 400;
    // Acetabular blocks and the ilia above and behind: 75-85 mm either side, y -50..40, up to
    // 100 mm (the hip bone's centroid lies above the pubis).
    if (dx >= 75 && dx < 85 && y > -50 && y < 40 && z > 3 && z < 100) return 400;
    // The sacrum: a posterior midline block.
    if (Math.abs(x - offsetX) < 25 && y > 15 && y < 40 && z > 20 && z < 55) return 400;
    return 40;
  };
  const n = dims[0] * dims[1] * dims[2];
  const grey = new Int16Array(n);
  const parts = new Uint8Array(n);
  const p: [number, number, number] = [0, 0, 0];
  for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
    let s = 0;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 3; c++) s += greyAt(-90 + offsetX + (i + (a - 1) / 3) * sp, -60 + (j + (b - 1) / 3) * sp, (k + (c - 1) / 3) * sp);
    grey[t] = Math.round(s / 27);
    if (grey[t]! < 100) continue;
    transformPoint(p, g.ijkToLps, [i, j, k]);
    parts[t] = p[1] > 15 && Math.abs(p[0] - offsetX) < 25 ? LABELS.sacrum : p[0] < rightReachX + offsetX ? LABELS.hipRight : LABELS.hipLeft;
  }
  const thresholds: BoneThresholds = { softTissuePeakGrey: 40, softTissueSigmaGrey: 20, boneGrey: 100, corticalGrey: 700, bodyGrey: -300 };
  return { dims, g, ct: createVolume('pubis', 'ct', g, grey), parts, thresholds, cx };
}

/** Hip voxels on the wrong side of x = cx (mm): right hip left of it, left hip right of it, anterior of y = 0. */
function wrongSide(parts: Uint8Array, dims: readonly [number, number, number], m: Float64Array, cx: number): number {
  const p: [number, number, number] = [0, 0, 0];
  let wrong = 0;
  for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
    transformPoint(p, m, [i, j, k]);
    if (p[1] > 0 || Math.abs(p[0] - cx) < 1.6) continue;
    if ((parts[t] === LABELS.hipRight && p[0] > cx) || (parts[t] === LABELS.hipLeft && p[0] < cx)) wrong++;
  }
  return wrong;
}

describe('pubic symphysis bridged on 3 mm voxels', () => {
  it('parts the hip bones at the cleft, not where the right hip reached (also off the midline of the field)', () => {
    // The last: a fracture of the right superior ramus 24 mm from the symphysis, inside the
    // searched band, a deeper gap than the symphysis's over fewer points than a body's face.
    for (const [cleftX, reach, offsetX, fracture] of [[4, 22, 0, 0], [-5, 15, 0, 0], [4, -14, 0, 0], [4, 22, 37, 0], [4, 22, 0, 24]] as const) {
      const { dims, g, ct, parts, thresholds, cx } = pubis(cleftX, reach, 60, offsetX, fracture);
      const before = wrongSide(parts, dims, g.ijkToLps, cx);
      expect(before).toBeGreaterThan(100);
      const sacrumBefore = parts.filter((l) => l === LABELS.sacrum).length;
      const cut = splitPubicSymphysis(parts, dims, [3, 3, 3], g.ijkToLps, ct, thresholds);
      const name = `cleft ${cleftX}, reach ${reach}, offset ${offsetX}`;
      expect(cut, name).not.toBeNull();
      // The plane's x at the bodies' centre (y -40, z 21) is the cleft's.
      const [nx, ny, nz] = cut!.normalLps, [px, py, pz] = cut!.pointLps;
      expect(Math.abs(px - (ny * (-40 - py) + nz * (21 - pz)) / nx - cx), name).toBeLessThan(2);
      expect(cut!.normalLps[0], name).toBeGreaterThan(Math.cos((12 * Math.PI) / 180));
      expect(wrongSide(parts, dims, g.ijkToLps, cx), name).toBe(0);
      // The sacrum and the lateral hip bone are untouched.
      expect(parts.filter((l) => l === LABELS.sacrum).length, name).toBe(sacrumBefore);
      expect(cut!.toLeft + cut!.toRight, name).toBe(before);
    }
  });

  it('leaves the labels alone when the bodies show no cleft, or when the hips do not touch', () => {
    // No cleft: the bodies fused into one.
    const fused = pubis(4, 22, null);
    const copy = fused.parts.slice();
    expect(splitPubicSymphysis(fused.parts, fused.dims, [3, 3, 3], fused.g.ijkToLps, fused.ct, fused.thresholds)).toBeNull();
    expect(fused.parts).toEqual(copy);
    // The hips apart (a gap of background between the labels): nothing to part.
    const apart = pubis(4, 22);
    const p: [number, number, number] = [0, 0, 0];
    for (let t = 0; t < apart.parts.length; t++) {
      const i = t % apart.dims[0], j = Math.floor(t / apart.dims[0]) % apart.dims[1], k = Math.floor(t / (apart.dims[0] * apart.dims[1]));
      transformPoint(p, apart.g.ijkToLps, [i, j, k]);
      if (Math.abs(p[0] - 22) < 4 && (apart.parts[t] === LABELS.hipLeft || apart.parts[t] === LABELS.hipRight)) apart.parts[t] = 0;
    }
    const copy2 = apart.parts.slice();
    expect(splitPubicSymphysis(apart.parts, apart.dims, [3, 3, 3], apart.g.ijkToLps, apart.ct, apart.thresholds)).toBeNull();
    expect(apart.parts).toEqual(copy2);
  });
});

import type { Volume } from '../volume/Volume';

/**
 * Bounding boxes of every label value of a label volume, in one pass: for label
 * `l`, entries 6 l .. 6 l + 5 are i0, j0, k0, i1, j1, k1 (inclusive voxel
 * indices); a label that is absent has i1 = -1 (and i0, j0, k0 = the dims).
 * Background voxels (0), most of a CT's grid, are skipped eight (or four) at a time, and
 * only the two ends of a row's run of one label are marked (the voxels in between have the
 * run's j and k and an i between its ends: they move no bound).
 * The structure detectors (sacrum, femoral heads) each used to scan the whole
 * grid for their own label: 65 M voxels a scan at full size.
 */
export function labelBoxes(labels: Volume<Uint8Array>): Int32Array {
  return labelBoxesOf(labels.voxels, labels.geometry.dims);
}

/** {@link labelBoxes} of a bare label grid `v` of `dims` (i fastest), e.g. a crop's part labels. */
export function labelBoxesOf(v: Uint8Array, dims: readonly [number, number, number]): Int32Array {
  const [ni, nj, nk] = dims;
  const b = new Int32Array(256 * 6);
  for (let l = 0; l < 256; l++) {
    b[6 * l] = ni;
    b[6 * l + 1] = nj;
    b[6 * l + 2] = nk;
    b[6 * l + 3] = -1;
    b[6 * l + 4] = -1;
    b[6 * l + 5] = -1;
  }
  // Eight voxels per Float64 read when every row starts on 8 bytes (a float is 0 when its bytes
  // are 0, or when only the top byte is 0x80: -0, told apart by Object.is), else four per
  // Uint32 word when rows start on 4 bytes.
  const eights = v.byteOffset % 8 === 0 && ni % 8 === 0 ? new Float64Array(v.buffer, v.byteOffset, v.length >> 3) : null;
  const words = !eights && v.byteOffset % 4 === 0 && ni % 4 === 0 ? new Uint32Array(v.buffer, v.byteOffset, v.length >> 2) : null;
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      const base = ni * (j + nj * k);
      const rowLast = base + ni - 1;
      if (eights) {
        for (let w = base >> 3, end = (base + ni) >> 3; w < end; w++) {
          const x = eights[w]!;
          if (x === 0 && Object.is(x, 0)) continue;
          const t0 = w << 3;
          for (let t = t0; t < t0 + 8; t++) {
            const l = v[t]!;
            if (l !== 0 && (t === base || t === rowLast || v[t - 1] !== l || v[t + 1] !== l)) mark(b, l, t - base, j, k);
          }
        }
      } else if (words) {
        for (let w = base >> 2, end = (base + ni) >> 2; w < end; w++) {
          if (words[w] === 0) continue;
          const t0 = w << 2;
          for (let t = t0; t < t0 + 4; t++) {
            const l = v[t]!;
            if (l !== 0 && (t === base || t === rowLast || v[t - 1] !== l || v[t + 1] !== l)) mark(b, l, t - base, j, k);
          }
        }
      } else {
        for (let i = 0, t = base; i < ni; i++, t++) {
          const l = v[t]!;
          if (l !== 0 && (t === base || t === rowLast || v[t - 1] !== l || v[t + 1] !== l)) mark(b, l, i, j, k);
        }
      }
    }
  }
  return b;
}

/** Widens label `l`'s box in `b` to hold voxel (i, j, k). A module function, not a closure per call. */
function mark(b: Int32Array, l: number, i: number, j: number, k: number): void {
  const o = 6 * l;
  if (i < b[o]!) b[o] = i;
  if (i > b[o + 3]!) b[o + 3] = i;
  if (j < b[o + 1]!) b[o + 1] = j;
  if (j > b[o + 4]!) b[o + 4] = j;
  if (k < b[o + 2]!) b[o + 2] = k;
  if (k > b[o + 5]!) b[o + 5] = k;
}

/**
 * Inclusive box (i0, j0, k0, i1, j1, k1) of the voxels of `v` (of `dims`) whose label `l` has
 * `lut[l]` set, or null when there is none: the union of the labels' boxes from
 * {@link labelBoxesOf}. When the background (0) is in the set, by a plain scan of every row.
 */
export function boxOfLabelSet(v: Uint8Array, dims: readonly [number, number, number], lut: Uint8Array): [number, number, number, number, number, number] | null {
  const [ni, nj, nk] = dims;
  let i0 = ni, j0 = nj, k0 = nk, i1 = -1, j1 = -1, k1 = -1;
  if (lut[0]) {
    for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
      let first = -1, last = -1;
      for (let i = 0; i < ni; i++, t++) {
        if (!lut[v[t]!]) continue;
        if (first < 0) first = i;
        last = i;
      }
      if (first < 0) continue;
      if (first < i0) i0 = first;
      if (last > i1) i1 = last;
      if (j < j0) j0 = j;
      if (j > j1) j1 = j;
      if (k < k0) k0 = k;
      if (k > k1) k1 = k;
    }
  } else {
    const b = labelBoxesOf(v, dims);
    for (let l = 1; l < 256; l++) {
      const o = 6 * l;
      if (!lut[l] || b[o + 3]! < 0) continue;
      if (b[o]! < i0) i0 = b[o]!;
      if (b[o + 1]! < j0) j0 = b[o + 1]!;
      if (b[o + 2]! < k0) k0 = b[o + 2]!;
      if (b[o + 3]! > i1) i1 = b[o + 3]!;
      if (b[o + 4]! > j1) j1 = b[o + 4]!;
      if (b[o + 5]! > k1) k1 = b[o + 5]!;
    }
  }
  return i1 < 0 ? null : [i0, j0, k0, i1, j1, k1];
}

/**
 * The squared EDT as it was before the zero-run collapse of `envelopeLine`
 * (distanceTransform.ts at 20f1375): every feature a vertex of the lower envelope.
 * Kept only as the reference of the bit-identity tests; never used by the app.
 */
const FAR = 1e30;
type Scratch = { vx: Float64Array; vf: Float64Array; vc: Float64Array; z: Float64Array; near: Int32Array };

function envelopeLine(a: Float32Array, o: number, s: number, n: number, h: number, sc: Scratch): void {
  const vx = sc.vx, vf = sc.vf, vc = sc.vc, z = sc.z;
  let k = -1;
  for (let q = 0, t = o; q < n; q++, t += s) {
    const fq = a[t]!;
    if (fq >= FAR) continue;
    const xq = q * h;
    const cq = fq + xq * xq;
    // Pop the vertices the new parabola hides: intersection (cq - c) / (2 (xq - x)) <= z[k],
    // compared without the division (xq > x).
    while (k > 0 && cq - vc[k]! <= 2 * (xq - vx[k]!) * z[k]!) k--;
    k++;
    vx[k] = xq;
    vf[k] = fq;
    vc[k] = cq;
    z[k] = k === 0 ? -Infinity : (cq - vc[k - 1]!) / (2 * (xq - vx[k - 1]!));
    z[k + 1] = Infinity;
  }
  if (k < 0) return;
  if (k === 0) {
    // One parabola: the distance to a single feature.
    const x0 = vx[0]!, f0 = vf[0]!;
    for (let q = 0, t = o; q < n; q++, t += s) {
      const dx = q * h - x0;
      a[t] = dx * dx + f0;
    }
    return;
  }
  let j = 0;
  let zNext = z[1]!;
  for (let q = 0, t = o; q < n; q++, t += s) {
    const x = q * h;
    while (zNext < x) zNext = z[++j + 1]!;
    const dx = x - vx[j]!;
    a[t] = dx * dx + vf[j]!;
  }
}

/**
 * First pass along i (contiguous rows) of rows `k0 <= k < k1`. Rows whose entries are
 * all 0 or FAR (every caller's seed) take a linear two-scan to the nearest feature;
 * any other row takes the general envelope.
 */
function edtPassI(sq: Float32Array, ni: number, nj: number, k0: number, k1: number, h: number, sc: Scratch): void {
  const near = sc.near;
  for (let k = k0; k < k1; k++) {
    for (let j = 0; j < nj; j++) {
      const base = ni * (j + nj * k);
      let any = false, general = false;
      for (let i = 0; i < ni; i++) {
        const x = sq[base + i]!;
        if (x === 0) any = true;
        else if (x < FAR) {
          general = true;
          break;
        }
      }
      if (general) {
        envelopeLine(sq, base, 1, ni, h, sc);
        continue;
      }
      if (!any) continue;
      // Forward: distance (in voxels) to the nearest feature at or before i.
      let last = -1;
      for (let i = 0; i < ni; i++) {
        if (sq[base + i] === 0) last = i;
        near[i] = last < 0 ? 0x3fffffff : i - last;
      }
      // Backward: against the nearest feature at or after i.
      let next = -1;
      for (let i = ni - 1; i >= 0; i--) {
        if (sq[base + i] === 0) next = i;
        let d = near[i]!;
        if (next >= 0 && next - i < d) d = next - i;
        const e = d * h;
        sq[base + i] = e * e;
      }
    }
  }
}

/**
 * Strided pass along an axis of `n` samples `stride` apart with spacing `h`: the lines
 * start at `lineBase(i0) + i` for i in [i0, i0 + count) (consecutive in memory), each
 * group of `outer` such bundles at `outerStep` apart. The bundle of up to BLOCK
 * lines is copied row by row into a small buffer (whole cache lines), transformed
 * there and copied back.
 */
const BLOCK = 32;

function edtPassStrided(sq: Float32Array, start: number, outerStep: number, outerCount: number, width: number, n: number, stride: number, h: number, sc: Scratch, buf: Float32Array): void {
  for (let o = 0; o < outerCount; o++) {
    const origin = start + outerStep * o;
    for (let i0 = 0; i0 < width; i0 += BLOCK) {
      const w = Math.min(BLOCK, width - i0);
      const base = origin + i0;
      for (let q = 0; q < n; q++) {
        const row = base + stride * q, to = q * BLOCK;
        for (let b = 0; b < w; b++) buf[to + b] = sq[row + b]!;
      }
      for (let b = 0; b < w; b++) envelopeLine(buf, b, BLOCK, n, h, sc);
      for (let q = 0; q < n; q++) {
        const row = base + stride * q, from = q * BLOCK;
        for (let b = 0; b < w; b++) sq[row + b] = buf[from + b]!;
      }
    }
  }
}


/** Squared EDT in place (0 at features, >= 1e30 elsewhere, or arbitrary non-negative seeds), one thread. */
export function referenceSquaredEdt(sq: Float32Array, dims: readonly [number, number, number], spacingMm: readonly [number, number, number]): void {
  const [ni, nj, nk] = dims;
  const longest = Math.max(ni, nj, nk);
  const sc: Scratch = { vx: new Float64Array(longest), vf: new Float64Array(longest), vc: new Float64Array(longest), z: new Float64Array(longest + 1), near: new Int32Array(longest) };
  const buf = new Float32Array(BLOCK * longest);
  edtPassI(sq, ni, nj, 0, nk, spacingMm[0], sc);
  if (nj > 1) for (let k = 0; k < nk; k++) edtPassStrided(sq, ni * nj * k, 0, 1, ni, nj, ni, spacingMm[1], sc, buf);
  if (nk > 1) edtPassStrided(sq, 0, ni, nj, ni, nk, ni * nj, spacingMm[2], sc, buf);
}

/**
 * Marching-cubes case table, derived at load time from the cube's topology
 * rather than typed in: for each of the 256 inside/outside patterns of the 8
 * corners, every face that the surface crosses contributes one segment (two
 * crossings) or two (four crossings: the "ambiguous" face), the segments are
 * chained into closed polygons, and each polygon is fanned into triangles.
 *
 * Why this is watertight: a face's segments depend only on the signs of that
 * face's four corners, so the two cubes sharing a face cut it identically (the
 * ambiguous face is always resolved the same way: inside corners JOINED, i.e.
 * each outside corner is cut off, which keeps thin diagonal bone connected).
 * Each segment is oriented from the face's outside (inside corner on the
 * segment's right when the face is seen from outside the cube), so the two
 * neighbours traverse a shared segment in opposite directions: a consistently
 * oriented closed surface, triangles counter-clockwise seen from outside the
 * solid (normals point from inside to outside).
 *
 * Corner c sits at (c & 1, (c >> 1) & 1, (c >> 2) & 1). Edge e joins
 * EDGE_CORNERS[e]; its axis is EDGE_AXIS[e].
 */

/** The 12 cube edges as corner pairs (lower corner first), grouped by axis: x (0-3), y (4-7), z (8-11). */
export const EDGE_CORNERS: ReadonlyArray<readonly [number, number]> = (() => {
  const edges: [number, number][] = [];
  for (let axis = 0; axis < 3; axis++) {
    const bit = 1 << axis;
    for (let c = 0; c < 8; c++) if ((c & bit) === 0) edges.push([c, c | bit]);
  }
  return edges;
})();

export const EDGE_AXIS: readonly number[] = EDGE_CORNERS.map(([a, b]) => Math.log2(b - a));

/** Triangles per case as flat triples of edge numbers. */
export const CASE_TRIANGLES: ReadonlyArray<Int8Array> = buildTable();

function cornerPos(c: number): [number, number, number] {
  return [c & 1, (c >> 1) & 1, (c >> 2) & 1];
}

function edgeMid(e: number): [number, number, number] {
  const [a, b] = EDGE_CORNERS[e]!;
  const pa = cornerPos(a), pb = cornerPos(b);
  return [(pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2, (pa[2] + pb[2]) / 2];
}

function edgeOf(a: number, b: number): number {
  const lo = Math.min(a, b), hi = Math.max(a, b);
  return EDGE_CORNERS.findIndex(([x, y]) => x === lo && y === hi);
}

function buildTable(): Int8Array[] {
  // Faces: axis a, side s; corners in cyclic order around the face.
  const faces: { normal: [number, number, number]; cycle: number[] }[] = [];
  for (let axis = 0; axis < 3; axis++) {
    const u = (axis + 1) % 3, v = (axis + 2) % 3;
    for (let side = 0; side < 2; side++) {
      const base = side << axis;
      const cycle = [base, base | (1 << u), base | (1 << u) | (1 << v), base | (1 << v)];
      const normal: [number, number, number] = [0, 0, 0];
      normal[axis] = side === 0 ? -1 : 1;
      faces.push({ normal, cycle });
    }
  }
  const table: Int8Array[] = [];
  for (let mask = 0; mask < 256; mask++) {
    const inside = (c: number): boolean => ((mask >> c) & 1) === 1;
    const next = new Int8Array(12).fill(-1);
    for (const face of faces) {
      const cyc = face.cycle;
      // Crossing edges in cyclic order; edge k joins cyc[k] and cyc[k+1].
      const crossings: number[] = [];
      for (let k = 0; k < 4; k++) if (inside(cyc[k]!) !== inside(cyc[(k + 1) % 4]!)) crossings.push(k);
      const pairs: [number, number][] = [];
      if (crossings.length === 2) {
        pairs.push([crossings[0]!, crossings[1]!]);
      } else if (crossings.length === 4) {
        // Cut off each outside corner: pair the two face edges that meet at it.
        for (let k = 0; k < 4; k++) {
          if (!inside(cyc[k]!)) pairs.push([(k + 3) % 4, k]);
        }
      }
      for (const [ka, kb] of pairs) {
        let ea = edgeOf(cyc[ka]!, cyc[(ka + 1) % 4]!);
        let eb = edgeOf(cyc[kb]!, cyc[(kb + 1) % 4]!);
        // Orient: with the face seen from outside the cube (normal f towards the
        // viewer), the inside corner of edge ea must lie to the right of ea -> eb.
        const pa = edgeMid(ea), pb = edgeMid(eb);
        const d = [pb[0] - pa[0], pb[1] - pa[1], pb[2] - pa[2]];
        const f = face.normal;
        const left = [f[1] * d[2] - f[2] * d[1], f[2] * d[0] - f[0] * d[2], f[0] * d[1] - f[1] * d[0]];
        const [c0, c1] = EDGE_CORNERS[ea]!;
        const cin = cornerPos(inside(c0) ? c0 : c1);
        const side = left[0]! * (cin[0] - pa[0]) + left[1]! * (cin[1] - pa[1]) + left[2]! * (cin[2] - pa[2]);
        if (side > 0) [ea, eb] = [eb, ea];
        next[ea] = eb;
      }
    }
    const tris: number[] = [];
    const used = new Uint8Array(12);
    for (let start = 0; start < 12; start++) {
      if (next[start] === -1 || used[start]) continue;
      const poly: number[] = [];
      for (let e = start; !used[e]; e = next[e]!) {
        used[e] = 1;
        poly.push(e);
      }
      tris.push(...triangulate(poly));
    }
    table.push(Int8Array.from(tris));
  }
  return table;
}

/** True when the two edges lie on one face of the cube. */
function shareFace(e1: number, e2: number): boolean {
  const corners = [...EDGE_CORNERS[e1]!, ...EDGE_CORNERS[e2]!];
  for (let axis = 0; axis < 3; axis++) {
    const bit = 1 << axis;
    if (corners.every((c) => (c & bit) === 0) || corners.every((c) => (c & bit) !== 0)) return true;
  }
  return false;
}

/**
 * Fans a polygon from the first root whose diagonals all cross the cube's
 * interior. A diagonal joining two edges of one face could also be drawn by
 * the neighbour sharing that face, giving an edge of four triangles; such
 * diagonals are avoided. Every polygon of the table has such a root (checked
 * at load: the table build throws otherwise).
 */
function triangulate(poly: number[]): number[] {
  const n = poly.length;
  for (let root = 0; root < n; root++) {
    let ok = true;
    for (let k = 2; k < n - 1 && ok; k++) ok = !shareFace(poly[root]!, poly[(root + k) % n]!);
    if (!ok) continue;
    const tris: number[] = [];
    for (let k = 1; k + 1 < n; k++) tris.push(poly[root]!, poly[(root + k) % n]!, poly[(root + k + 1) % n]!);
    return tris;
  }
  throw new Error(`marching cubes table: no interior fan for polygon ${poly.join(',')}`);
}

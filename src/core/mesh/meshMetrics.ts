/**
 * Measurements of an indexed triangle mesh (positions as xyz triples, in
 * whatever frame they are given: LPS mm for our surfaces). Used by the tests
 * and the bench to check what the surface extraction produces.
 */

/** Total triangle area (mm^2 for LPS positions). */
export function computeMeshArea(positions: ArrayLike<number>, indices: ArrayLike<number>): number {
  let area = 0;
  for (let t = 0; t < indices.length; t += 3) {
    const a = 3 * indices[t]!, b = 3 * indices[t + 1]!, c = 3 * indices[t + 2]!;
    const ux = positions[b]! - positions[a]!, uy = positions[b + 1]! - positions[a + 1]!, uz = positions[b + 2]! - positions[a + 2]!;
    const vx = positions[c]! - positions[a]!, vy = positions[c + 1]! - positions[a + 1]!, vz = positions[c + 2]! - positions[a + 2]!;
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    area += Math.sqrt(nx * nx + ny * ny + nz * nz) / 2;
  }
  return area;
}

/**
 * Signed enclosed volume by the divergence theorem (sum of signed tetrahedra
 * to the origin): positive when triangles are counter-clockwise seen from
 * outside (outward normals). Meaningful for closed meshes only.
 */
export function computeMeshVolume(positions: ArrayLike<number>, indices: ArrayLike<number>): number {
  let six = 0;
  for (let t = 0; t < indices.length; t += 3) {
    const a = 3 * indices[t]!, b = 3 * indices[t + 1]!, c = 3 * indices[t + 2]!;
    const ax = positions[a]!, ay = positions[a + 1]!, az = positions[a + 2]!;
    const bx = positions[b]!, by = positions[b + 1]!, bz = positions[b + 2]!;
    const cx = positions[c]!, cy = positions[c + 1]!, cz = positions[c + 2]!;
    six += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
  }
  return six / 6;
}

export type EdgeReport = {
  edges: number;
  /** Undirected edges used by a number of triangles other than two (holes, fins). */
  nonManifoldEdges: number;
  /** Directed edges used twice in the same direction (two faces with opposite orientation). */
  misorientedEdges: number;
};

/**
 * Checks that a mesh is closed and consistently oriented: every undirected
 * edge is shared by exactly two triangles that traverse it in opposite
 * directions. Both counts are 0 for a watertight, oriented surface.
 */
export function checkEdges(indices: ArrayLike<number>): EdgeReport {
  // Directed edge a->b keyed as a * 2^32 + b would overflow doubles' exact
  // range only past 2^21 vertices per side; use a string-free BigInt-free key.
  const directed = new Map<number, number>();
  const key = (a: number, b: number): number => a * 0x100000000 + b;
  let misoriented = 0;
  for (let t = 0; t < indices.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const a = indices[t + k]!, b = indices[t + ((k + 1) % 3)]!;
      const kk = key(a, b);
      const n = directed.get(kk) ?? 0;
      if (n > 0) misoriented++;
      directed.set(kk, n + 1);
    }
  }
  let edges = 0, nonManifold = 0;
  for (const [kk, n] of directed) {
    const a = Math.floor(kk / 0x100000000), b = kk % 0x100000000;
    const reverse = directed.get(key(b, a)) ?? 0;
    if (a < b || reverse === 0) {
      edges++;
      if (n + reverse !== 2) nonManifold++;
    }
  }
  return { edges, nonManifoldEdges: nonManifold, misorientedEdges: misoriented };
}

/** Centroid of the enclosed solid (signed tetrahedra to the origin); closed meshes only. */
export function computeMeshCentroid(positions: ArrayLike<number>, indices: ArrayLike<number>): [number, number, number] {
  let six = 0, x = 0, y = 0, z = 0;
  for (let t = 0; t < indices.length; t += 3) {
    const a = 3 * indices[t]!, b = 3 * indices[t + 1]!, c = 3 * indices[t + 2]!;
    const ax = positions[a]!, ay = positions[a + 1]!, az = positions[a + 2]!;
    const bx = positions[b]!, by = positions[b + 1]!, bz = positions[b + 2]!;
    const cx = positions[c]!, cy = positions[c + 1]!, cz = positions[c + 2]!;
    const v = ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
    six += v;
    x += v * (ax + bx + cx);
    y += v * (ay + by + cy);
    z += v * (az + bz + cz);
  }
  return [x / (4 * six), y / (4 * six), z / (4 * six)];
}

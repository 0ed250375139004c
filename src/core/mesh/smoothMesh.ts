/**
 * Taubin lambda|mu smoothing (G. Taubin, "A signal processing approach to fair
 * surface design", SIGGRAPH 1995): alternating a shrinking Laplacian step
 * (lambda > 0) and an inflating one (mu < -lambda) removes the voxel staircase
 * without the shrinkage of plain Laplacian smoothing. Umbrella operator with
 * uniform weights over the one-ring. Positions are updated in place
 * (xyz triples); the connectivity is untouched, so a closed mesh stays closed.
 */
export function smoothTaubin(positions: Float32Array, indices: Uint32Array, iterations: number, lambda = 0.5, mu = -0.53): void {
  if (iterations <= 0 || indices.length === 0) return;
  const nv = positions.length / 3;
  // One-ring adjacency as CSR: each triangle edge in both directions (an
  // interior edge is listed twice per vertex, once per adjacent triangle: the
  // uniform weights stay uniform).
  const degree = new Uint32Array(nv + 1);
  for (let t = 0; t < indices.length; t++) degree[indices[t]!]! += 2;
  const start = new Uint32Array(nv + 1);
  for (let v = 0; v < nv; v++) start[v + 1] = start[v]! + degree[v]!;
  const fill = start.slice(0, nv);
  const ring = new Uint32Array(start[nv]!);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t]!, b = indices[t + 1]!, c = indices[t + 2]!;
    ring[fill[a]!++] = b;
    ring[fill[a]!++] = c;
    ring[fill[b]!++] = c;
    ring[fill[b]!++] = a;
    ring[fill[c]!++] = a;
    ring[fill[c]!++] = b;
  }
  const delta = new Float32Array(positions.length);
  const step = (factor: number): void => {
    for (let v = 0; v < nv; v++) {
      const s = start[v]!, e = start[v + 1]!;
      if (e === s) continue;
      let x = 0, y = 0, z = 0;
      for (let r = s; r < e; r++) {
        const n = 3 * ring[r]!;
        x += positions[n]!;
        y += positions[n + 1]!;
        z += positions[n + 2]!;
      }
      const inv = 1 / (e - s);
      delta[3 * v] = x * inv - positions[3 * v]!;
      delta[3 * v + 1] = y * inv - positions[3 * v + 1]!;
      delta[3 * v + 2] = z * inv - positions[3 * v + 2]!;
    }
    for (let p = 0; p < positions.length; p++) positions[p]! += factor * delta[p]!;
  };
  for (let it = 0; it < iterations; it++) {
    step(lambda);
    step(mu);
  }
}

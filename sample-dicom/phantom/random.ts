/**
 * Deterministic randomness for the phantom. Everything is a pure function of
 * (seed, integer coordinates), never of evaluation order, so the same seed
 * gives the same bytes whatever the grid traversal or chunking.
 */

/** 32-bit integer hash of up to four integers (xxhash-like avalanche). */
export function hash4(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ b, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h ^ c, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h ^ d, 0x165667b1);
  h ^= h >>> 13;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1) from a hash. */
export function hashUnit(a: number, b: number, c: number, d: number): number {
  return hash4(a, b, c, d) / 4294967296;
}

/**
 * Approximately standard-normal value from one hash: the sum of its four bytes
 * (Irwin-Hall, bounded at +-3.45 sd), cheap enough for every voxel.
 */
export function hashGauss(a: number, b: number, c: number, d: number): number {
  const h = hash4(a, b, c, d);
  const s = (h & 255) + ((h >>> 8) & 255) + ((h >>> 16) & 255) + (h >>> 24);
  return (s - 510) / 147.8;
}

/** Small seeded generator for scene parameters (mulberry32). */
export function createRng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Smooth 3D value noise in [-1, 1] with feature size `cellMm`: trilinear
 * blend (smoothstep-weighted) of hashed lattice values. `salt` separates fields.
 */
export function valueNoise(x: number, y: number, z: number, cellMm: number, seed: number, salt: number): number {
  const fx = x / cellMm, fy = y / cellMm, fz = z / cellMm;
  const ix = Math.floor(fx), iy = Math.floor(fy), iz = Math.floor(fz);
  let tx = fx - ix, ty = fy - iy, tz = fz - iz;
  tx = tx * tx * (3 - 2 * tx);
  ty = ty * ty * (3 - 2 * ty);
  tz = tz * tz * (3 - 2 * tz);
  const s = seed ^ Math.imul(salt, 0x61c88647);
  const v000 = hashUnit(ix, iy, iz, s), v100 = hashUnit(ix + 1, iy, iz, s);
  const v010 = hashUnit(ix, iy + 1, iz, s), v110 = hashUnit(ix + 1, iy + 1, iz, s);
  const v001 = hashUnit(ix, iy, iz + 1, s), v101 = hashUnit(ix + 1, iy, iz + 1, s);
  const v011 = hashUnit(ix, iy + 1, iz + 1, s), v111 = hashUnit(ix + 1, iy + 1, iz + 1, s);
  const a = v000 + (v100 - v000) * tx, b = v010 + (v110 - v010) * tx;
  const c = v001 + (v101 - v001) * tx, d = v011 + (v111 - v011) * tx;
  const e = a + (b - a) * ty, f = c + (d - c) * ty;
  return (e + (f - e) * tz) * 2 - 1;
}

/**
 * The same field as `valueNoise(x, y, z, cellMm, seed, salt)`, with its lattice
 * precomputed over a box [minX, minY, minZ, maxX, maxY, maxZ] (mm): about ten
 * times cheaper per call, for fields sampled at every voxel. Outside the box it
 * falls back to `valueNoise`, so values never depend on the box.
 */
export function createNoiseField(box: readonly number[], cellMm: number, seed: number, salt: number): (x: number, y: number, z: number) => number {
  const s = seed ^ Math.imul(salt, 0x61c88647);
  const x0 = Math.floor(box[0]! / cellMm), y0 = Math.floor(box[1]! / cellMm), z0 = Math.floor(box[2]! / cellMm);
  const nx = Math.floor(box[3]! / cellMm) - x0 + 2, ny = Math.floor(box[4]! / cellMm) - y0 + 2, nz = Math.floor(box[5]! / cellMm) - z0 + 2;
  const lattice = new Float32Array(nx * ny * nz);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) lattice[i + nx * (j + ny * k)] = hashUnit(x0 + i, y0 + j, z0 + k, s);
  const nxy = nx * ny;
  return (x, y, z) => {
    const fx = x / cellMm, fy = y / cellMm, fz = z / cellMm;
    const ix = Math.floor(fx), iy = Math.floor(fy), iz = Math.floor(fz);
    const li = ix - x0, lj = iy - y0, lk = iz - z0;
    if (li < 0 || lj < 0 || lk < 0 || li >= nx - 1 || lj >= ny - 1 || lk >= nz - 1) return valueNoise(x, y, z, cellMm, seed, salt);
    let tx = fx - ix, ty = fy - iy, tz = fz - iz;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    tz = tz * tz * (3 - 2 * tz);
    const b = li + nx * lj + nxy * lk;
    const v000 = lattice[b]!, v100 = lattice[b + 1]!, v010 = lattice[b + nx]!, v110 = lattice[b + nx + 1]!;
    const v001 = lattice[b + nxy]!, v101 = lattice[b + nxy + 1]!, v011 = lattice[b + nxy + nx]!, v111 = lattice[b + nxy + nx + 1]!;
    const a = v000 + (v100 - v000) * tx, bb = v010 + (v110 - v010) * tx;
    const c = v001 + (v101 - v001) * tx, d = v011 + (v111 - v011) * tx;
    const e = a + (bb - a) * ty, f = c + (d - c) * ty;
    return (e + (f - e) * tz) * 2 - 1;
  };
}

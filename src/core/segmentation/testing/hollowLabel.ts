import type { Volume } from '../../volume/Volume';

/**
 * Test support: a copy of `labels` with `label`'s interior cleared: every voxel of it whose six
 * neighbours out to `depthVoxels` voxels (along each axis, both ways) all hold `label` becomes 0,
 * so a shell `depthVoxels` thick is kept (a part whose marrow the labels lost, its cortex kept).
 * Returns the new voxels and how many were cleared.
 */
export function hollowLabel(labels: Volume<Uint8Array>, label: number, depthVoxels: number): { voxels: Uint8Array; cleared: number } {
  const [ni, nj, nk] = labels.geometry.dims;
  const src = labels.voxels;
  const voxels = src.slice();
  let cleared = 0;
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    if (src[t] !== label) continue;
    let deep = true;
    for (let d = 1; d <= depthVoxels && deep; d++) {
      if (i - d < 0 || i + d >= ni || j - d < 0 || j + d >= nj || k - d < 0 || k + d >= nk) deep = false;
      else for (const o of [d, -d, d * ni, -d * ni, d * ni * nj, -d * ni * nj]) if (src[t + o] !== label) deep = false;
    }
    if (deep) {
      voxels[t] = 0;
      cleared++;
    }
  }
  return { voxels, cleared };
}

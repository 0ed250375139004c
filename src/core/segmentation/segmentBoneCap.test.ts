import { describe, expect, it } from 'vitest';
import { fitSphere } from '../geometry/fitSphere';
import { computeComponentRuns } from './connectedComponents';
import { surfaceOfRunComponent } from './segmentBoneCap';

/**
 * The top of a femoral head (radius 22 mm, 1 mm voxels) cut by the image's first slice and,
 * on one side, by the edge of a reconstructed field (everything at i >= 30 is outside it):
 * a hollow shell (cortex only, the marrow below the threshold), as a CBCT's noisy cap can be.
 */
function cap(): { mask: Uint8Array; dims: [number, number, number]; m: Float64Array; inside: number } {
  const dims: [number, number, number] = [48, 48, 16];
  const mask = new Uint8Array(48 * 48 * 16);
  const c = [24, 24, -8], r = 22;
  let inside = 0;
  for (let k = 0; k < 16; k++) for (let j = 0; j < 48; j++) for (let i = 0; i < 30; i++) {
    const d = Math.hypot(i - c[0]!, j - c[1]!, k - c[2]!);
    // The filled cap: the ball inside the field, on its last column (the edge) the shell only.
    if (d <= r && (i < 29 || d > r - 2)) inside++;
    if (d <= r && d > r - 2) mask[i + 48 * (j + 48 * k)] = 1;
  }
  const m = new Float64Array(16);
  m[0] = 1;
  m[5] = 1;
  m[10] = 1;
  m[15] = 1;
  return { mask, dims, m, inside };
}

describe('surfaceOfRunComponent', () => {
  it("gives the cap's spherical surface (hole-filled through the cut, without the cut faces) and its filled voxels", () => {
    const { mask, dims, m, inside } = cap();
    const runs = computeComponentRuns(mask, dims);
    expect(runs.count).toBe(1);
    const box = runs.boxes.subarray(6, 12);
    const edge = (i: number) => i >= 29;
    const { surfaceLps, voxelsIjk } = surfaceOfRunComponent(runs, dims, 1, box, m, [0], (i) => edge(i));
    const voxels = voxelsIjk();
    // The hollow shell is filled through the cut slice and the field's edge.
    expect(voxels.length / 3).toBe(inside);
    const fit = fitSphere(surfaceLps)!;
    expect(fit.radiusMm).toBeGreaterThan(21);
    expect(fit.radiusMm).toBeLessThan(23);
    expect(fit.rmsResidualMm).toBeLessThan(1);
    expect(fit.centerLps[2]).toBeLessThan(0);
    // Without the field's edge the marrow, open through it, is not filled (the shell's inner
    // surface joins the outer one) and the fit is worse.
    const withFace = surfaceOfRunComponent(runs, dims, 1, box, m, [0]);
    expect(fitSphere(withFace.surfaceLps)!.rmsResidualMm).toBeGreaterThan(2 * fit.rmsResidualMm);
    expect(withFace.voxelsIjk().length / 3).toBeLessThan(inside / 2);
  });
});

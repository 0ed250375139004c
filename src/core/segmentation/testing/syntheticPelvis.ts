import { LABELS } from '../../shared/ids';
import { createVolume, type Volume } from '../../volume/Volume';
import { createVolumeGeometry } from '../../volume/VolumeGeometry';

/**
 * A crude, fast synthetic pelvis for unit tests (the phantom generator in
 * sample-dicom/ is the real ground truth): a body ellipse of soft tissue with
 * fat, a sacrum (block) with a canal, two hip bones (slab + ischium) separated from it by
 * 3 mm SI gaps, two femurs (head sphere + shaft) separated from the hip bones by
 * a 3 mm joint space, hollow cortex (~1000 HU) around trabecular bone (~250 HU),
 * a CT table plate, a small calcification, and optional lytic lesion and noise.
 * Grey values are HU * slope + intercept, so a "CBCT" can be mimicked.
 */
export type SyntheticPelvisOptions = {
  spacingMm?: [number, number, number];
  noiseSigma?: number;
  slope?: number;
  intercept?: number;
  /** Lytic lesion sphere in the left hip bone (centre in LPS mm, radius mm), HU 30. */
  lesion?: { centerLps: [number, number, number]; radiusMm: number; huValue?: number };
  seed?: number;
};

export type SyntheticPelvis = { ct: Volume<Int16Array>; labels: Volume<Uint8Array> };

export function makeSyntheticPelvis(options: SyntheticPelvisOptions = {}): SyntheticPelvis {
  const spacing = options.spacingMm ?? [2, 2, 2];
  const extent = [300, 220, 200];
  const dims: [number, number, number] = [Math.round(extent[0]! / spacing[0]), Math.round(extent[1]! / spacing[1]), Math.round(extent[2]! / spacing[2])];
  const origin: [number, number, number] = [-150, -110, 0];
  const geometry = createVolumeGeometry({ dims, spacingMm: spacing, originLps: origin });
  const n = dims[0] * dims[1] * dims[2];
  const hu = new Float32Array(n);
  const lab = new Uint8Array(n);
  const slope = options.slope ?? 1, intercept = options.intercept ?? 0;
  const sigma = options.noiseSigma ?? 0;
  let s = options.seed ?? 12345;
  const gauss = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const u = (s + 1) / 0x80000001;
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const v = s / 0x7fffffff;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  // Signed "inside depth" functions (mm, positive inside) for each part.
  const boxDepth = (x: number, y: number, z: number, c: number[], h: number[]) =>
    Math.min(h[0]! - Math.abs(x - c[0]!), h[1]! - Math.abs(y - c[1]!), h[2]! - Math.abs(z - c[2]!));
  const parts: { label: number; depth: (x: number, y: number, z: number) => number }[] = [
    {
      label: LABELS.sacrum,
      depth: (x, y, z) => Math.min(boxDepth(x, y, z, [0, 30, 110], [35, 22, 45]), Math.hypot(x, y - 40) - 7),
    },
    { label: LABELS.hipLeft, depth: (x, y, z) => Math.max(boxDepth(x, y, z, [70, 20, 110], [31.5, 30, 50]), boxDepth(x, y, z, [47, 20, 40], [7, 15, 25])) },
    { label: LABELS.hipRight, depth: (x, y, z) => Math.max(boxDepth(x, y, z, [-70, 20, 110], [31.5, 30, 50]), boxDepth(x, y, z, [-47, 20, 40], [7, 15, 25])) },
    {
      label: LABELS.femurLeft,
      depth: (x, y, z) => Math.max(20 - Math.hypot(x - 80, y - 10, z - 36), Math.min(11 - Math.hypot(x - 95, y - 10), 36 - z)),
    },
    {
      label: LABELS.femurRight,
      depth: (x, y, z) => Math.max(20 - Math.hypot(x + 80, y - 10, z - 36), Math.min(11 - Math.hypot(x + 95, y - 10), 36 - z)),
    },
  ];
  let t = 0;
  for (let k = 0; k < dims[2]; k++) {
    const z = origin[2] + k * spacing[2];
    for (let j = 0; j < dims[1]; j++) {
      const y = origin[1] + j * spacing[1];
      for (let i = 0; i < dims[0]; i++, t++) {
        const x = origin[0] + i * spacing[0];
        const body = (x / 140) ** 2 + (y / 95) ** 2;
        let v = body < 1 ? (body > 0.8 ? -100 : 40) : -1000;
        // Table: a plate behind the patient.
        if (y > 100 && y < 106 && Math.abs(x) < 140) v = 600;
        // A calcification.
        if (Math.hypot(x - 20, y + 40, z - 150) < 2.5) v = 700;
        for (const p of parts) {
          const d = p.depth(x, y, z);
          if (d >= 0) {
            // Femoral shafts hold fatty marrow (must be filled); elsewhere trabecular bone.
            v = d < 2 ? 1000 : (p.label === LABELS.femurLeft || p.label === LABELS.femurRight) && z < 16 ? -50 : 250;
            lab[t] = p.label;
          }
        }
        if (options.lesion) {
          const c = options.lesion.centerLps;
          if (Math.hypot(x - c[0], y - c[1], z - c[2]) <= options.lesion.radiusMm && lab[t] !== 0) {
            v = options.lesion.huValue ?? 30;
            lab[t] = LABELS.lesion;
          }
        }
        hu[t] = v;
      }
    }
  }
  const grey = new Int16Array(n);
  for (let q = 0; q < n; q++) grey[q] = Math.round((hu[q]! + sigma * gauss()) * slope + intercept);
  return { ct: createVolume('synthetic-ct', slope === 1 && intercept === 0 ? 'ct' : 'cbct', geometry, grey), labels: createVolume('synthetic-labels', 'label', geometry, lab) };
}

/** Dice of (a == la) vs (b == lb) over two label arrays; `la`/`lb` may be lists. */
export function dice(a: Uint8Array, la: number | readonly number[], b: Uint8Array, lb: number | readonly number[]): number {
  const sa = new Uint8Array(256), sb = new Uint8Array(256);
  for (const v of typeof la === 'number' ? [la] : la) sa[v] = 1;
  for (const v of typeof lb === 'number' ? [lb] : lb) sb[v] = 1;
  let inter = 0, na = 0, nb = 0;
  for (let t = 0; t < a.length; t++) {
    const x = sa[a[t]!]!, y = sb[b[t]!]!;
    na += x;
    nb += y;
    if (x && y) inter++;
  }
  return na + nb === 0 ? 1 : (2 * inter) / (na + nb);
}

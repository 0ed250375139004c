/**
 * The phantom's anatomy as signed-distance shapes in LPS mm (patient supine,
 * left = +x, posterior = +y, superior = +z), plus the truth features that CT
 * cannot show (nerve roots) and the corridor definitions measured later.
 *
 * Dimensions are adult averages from the literature (DESIGN.md section 1):
 * femoral head radius 24 mm, neck-shaft angle 130 deg with 12 deg of
 * anteversion, superior pubic ramus about 10 mm at its narrowest, S1 corridor
 * about 13 mm in the normal sacrum, transsacral S1 length about 150 mm.
 * Nothing here depends on the voxel grid: the same case and seed give the
 * same anatomy at every size.
 */
import type { Vec3 } from '../../src/core/geometry/vec3';
import { add, normalize, scale, scaleAndAdd, sub } from '../../src/core/geometry/vec3';
import type { CorridorId, ForamenId, RootId, Side } from '../../src/core/shared/ids';
import { LABELS, type LabelValue } from '../../src/core/shared/ids';
import type { PhantomCaseId } from '../truth';
import { valueNoise } from './random';
import { createSacralFrame, fromSacral, profile, toSacral, type SacralFrame } from './sacralFrame';
import {
  boxExpand, capsule, clipHalfSpace, ellipseDistance, ellipsoid, ellipsoidDistance, projectToLevel, roundCone, shape, smax,
  sphere, subtract, union, type Box, type Sdf, type Shape,
} from './sdf';

// Local bindings: module-namespace access to imports costs a getter call per voxel under some loaders.
const ellipseDistanceFast = ellipseDistance;
const ellipsoidDistanceFast = ellipsoidDistance;
const smaxFast = smax;
const toSacralFast = toSacral;
const valueNoiseFast = valueNoise;

export type Cavity = { label: LabelValue; shape: Shape; hu: number };

export type SacrumModel = {
  /** Bone envelope before the canal and foramina are carved out (used for the joint and for cavity labels). */
  hull: Shape;
  canal: Shape;
  /** Anterior and posterior foramen tubes, labelled per foramen. */
  foramina: Cavity[];
};

export type HipModel = { side: Side; label: LabelValue; raw: Shape; socket: Shape };
export type FemurModel = { side: Side; label: LabelValue; shape: Shape; medulla: Shape };

export type LesionHost = 'sacrum' | 'hipLeft' | 'hipRight' | 'femurLeft' | 'femurRight';

export type LesionModel = { shape: Shape; centreLps: Vec3; host: LesionHost; hostLabel: LabelValue };

export type CorridorDefinition = {
  id: CorridorId;
  side?: Side;
  /** Segment that a screw in this corridor must span inside bone (brute-force range). */
  startLps: Vec3;
  endLps: Vec3;
  /** Half-size of the cross-section searched around the reference axis, mm. */
  searchHalfMm: number;
  /** Labels a screw may cross (bone of the parts involved, lesion, SI joint). */
  allowedLabels: number[];
};

export type RootModel = { id: RootId; centerlineLps: Vec3[]; radiusMm: number };
export type ForamenModel = { id: ForamenId; centerLps: Vec3; radiusMm: number; axisLps: Vec3 };

export type PhantomAnatomy = {
  caseId: PhantomCaseId;
  frame: SacralFrame;
  sacrum: SacrumModel;
  l5: Shape;
  disc: Shape;
  hips: HipModel[];
  femurs: FemurModel[];
  /** SI joint gap in mm between sacrum and ilium. */
  siGapMm: number;
  lesion: LesionModel | null;
  roots: RootModel[];
  foramina: ForamenModel[];
  canalCenterlineLps: Vec3[];
  canalHalfWidthsMm: number[];
  canalHalfDepthsMm: number[];
  femoralHeads: { side: Side; centerLps: Vec3; radiusMm: number }[];
  corridors: CorridorDefinition[];
  /** Every bone shape together (for placing roots on bone surfaces). */
  boneSdf: Sdf;
  notes: string[];
};

/** Label used only during generation for the SI joint gap (allowed for transsacral corridors), cleared before output. */
export const JOINT_LABEL = 255;

const SIDES: readonly { side: Side; sign: 1 | -1 }[] = [
  { side: 'left', sign: 1 },
  { side: 'right', sign: -1 },
];

const FORAMEN_LABEL: Record<ForamenId, LabelValue> = {
  foramenS1Left: LABELS.foramenS1Left, foramenS1Right: LABELS.foramenS1Right,
  foramenS2Left: LABELS.foramenS2Left, foramenS2Right: LABELS.foramenS2Right,
  foramenS3Left: LABELS.foramenS3Left, foramenS3Right: LABELS.foramenS3Right,
  foramenS4Left: LABELS.foramenS4Left, foramenS4Right: LABELS.foramenS4Right,
};

/**
 * Builds the anatomy of one case. Deterministic in (caseId, seed); the seed
 * only perturbs the lesion's outline (and the soft-tissue details, elsewhere).
 */
export function buildAnatomy(caseId: PhantomCaseId, seed: number): PhantomAnatomy {
  const dysmorphic = caseId === 'dysmorphic';
  const notes: string[] = [];
  const frame = createSacralFrame([0, 5, 0], 40, 140);

  // ---- Sacrum: a curved tapering plate (alae and lateral masses), the S1 body, the dorsal arch.
  const width = profile([[0, 104], [20, 102], [45, 84], [70, 52], [90, 34], [106, 22]]);
  const front = profile([[0, 17], [40, 14], [106, 7]]);
  const back = profile([[0, 22], [40, 18], [106, 7]]);
  const canalHalfWidth = profile([[-80, 11], [0, 14], [40, 10], [80, 6], [104, 3.5]]);
  const canalHalfDepth = profile([[-80, 8], [0, 6.5], [40, 5], [80, 3.5], [104, 2.5]]);
  const canalCentreV = profile([[-80, -25], [0, -23], [40, -18], [106, -6]]);
  const sacralLength = 106;
  const jointSlope = 0.25; // the sacrum is wider anteriorly: half-width grows 0.25 mm per mm toward anterior
  const jointNorm = Math.sqrt(1 + jointSlope * jointSlope);
  const halfWidthAt = (v: number, s: number) => width(s) / 2 + jointSlope * v;

  // Foramina S1..S4: arc position, radius, lateral position of the anterior opening.
  const foramenS = dysmorphic ? [13, 39.5, 66, 88] : [18, 42, 68, 88];
  const foramenR = dysmorphic ? [7.0, 4.6, 3.6, 2.8] : [5.6, 4.6, 3.6, 2.8];
  const foramenX = [27, 25, 22, 18];
  // Dysmorphic sacrum: steep alar slope (anterior-superior corner of the ala cut at 50 deg).
  const alarCutTan = Math.tan((50 * Math.PI) / 180);

  const local: Vec3 = [0, 0, 0];
  const plateSdf: Sdf = (x, y, z) => {
    toSacralFast(local, frame, x, y, z);
    const u = local[0], v = local[1], s = local[2];
    const dSide = (Math.abs(u) - halfWidthAt(v, s)) / jointNorm;
    const dFront = v - front(s);
    const dBack = -back(s) - v;
    const dTop = -s;
    const dBottom = s - sacralLength;
    let d = smaxFast(smaxFast(dSide, dFront, 4), smaxFast(dBack, smaxFast(dTop, dBottom, 2), 4), 4);
    if (dysmorphic && Math.abs(u) > 24) {
      const dCut = (alarCutTan * (v - 4) - s) / Math.sqrt(1 + alarCutTan * alarCutTan);
      d = smaxFast(d, dCut, 3);
    }
    return d;
  };
  const sacrumBox = boxOfSacral(frame, -60, 60, -45, 25, -10, sacralLength + 2);
  const plate = shape(plateSdf, sacrumBox);

  const s1BodySdf: Sdf = (x, y, z) => {
    toSacralFast(local, frame, x, y, z);
    const dEll = ellipseDistanceFast(local[0], local[1] - 1.5, 24, 18.5);
    const dCaps = Math.max(-6 - local[2], local[2] - 26);
    return smaxFast(dEll, dCaps, 3);
  };
  const s1Body = shape(s1BodySdf, boxOfSacral(frame, -25, 25, -18, 21, -7, 27));

  const archSdf: Sdf = (x, y, z) => {
    toSacralFast(local, frame, x, y, z);
    const s = local[2];
    const dEll = ellipseDistanceFast(local[0], local[1] - canalCentreV(s), canalHalfWidth(s) + 8, canalHalfDepth(s) + 7);
    return smaxFast(dEll, Math.max(-2 - s, s - 100), 3);
  };
  const arch = shape(archSdf, boxOfSacral(frame, -24, 24, -45, -5, -3, 101));

  // Superior articular processes of S1 (facets for L5).
  const facets = SIDES.map(({ sign }) => capsule(fromSacral(frame, sign * 18, -27, 0), fromSacral(frame, sign * 19, -29, -13), 6));
  const sacralHull = union([plate, s1Body, arch, ...facets], 5);

  const canalSdf: Sdf = (x, y, z) => {
    toSacralFast(local, frame, x, y, z);
    const s = local[2];
    const dEll = ellipseDistanceFast(local[0], local[1] - canalCentreV(s), canalHalfWidth(s), canalHalfDepth(s));
    return Math.max(dEll, s - 104);
  };
  const canal = shape(canalSdf, boxOfSacral(frame, -15, 15, -34, -2, -80, 105));

  const foramina: Cavity[] = [];
  const foramenModels: ForamenModel[] = [];
  const levelNames = ['S1', 'S2', 'S3', 'S4'] as const;
  const foramenTubes: { id: ForamenId; inner: Vec3; outer: Vec3; r: number; sign: number; level: number }[] = [];
  for (let level = 0; level < 4; level++) {
    for (const { side, sign } of SIDES) {
      const id = `foramen${levelNames[level]}${side === 'left' ? 'Left' : 'Right'}` as ForamenId;
      const s = foramenS[level]!, r = foramenR[level]!;
      const inner = fromSacral(frame, sign * (canalHalfWidth(s) - 1.5), canalCentreV(s), s);
      const outer = fromSacral(frame, sign * foramenX[level]!, front(s) + 8, s + 2);
      const posteriorOuter = fromSacral(frame, sign * (foramenX[level]! - 8), -back(s) - 12, s - 1);
      const tube = union([capsule(inner, outer, r), capsule(inner, posteriorOuter, r * 0.75)]);
      foramina.push({ label: FORAMEN_LABEL[id], shape: tube, hu: -40 });
      foramenTubes.push({ id, inner, outer, r, sign, level });
    }
  }
  const sacrumSolid = subtract(sacralHull, [canal, ...foramina.map((f) => f.shape)]);

  // Anterior opening of each foramen: where its axis leaves the sacral hull.
  for (const t of foramenTubes) {
    const axis = normalize([0, 0, 0], sub([0, 0, 0], t.outer, t.inner));
    const centre = bisectSurface(sacralHull.sdf, t.inner, t.outer);
    foramenModels.push({ id: t.id, centerLps: centre, radiusMm: t.r, axisLps: axis });
  }

  // ---- L5 and the L5/S1 disc (straight frame above the sacrum, s < 0).
  const l5Body: Sdf = (x, y, z) => {
    toSacralFast(local, frame, x, y, z);
    return smaxFast(ellipseDistanceFast(local[0], local[1] - 1, 25, 17.5), Math.max(-44 - local[2], local[2] + 15), 3);
  };
  const l5Parts: Shape[] = [shape(l5Body, boxOfSacral(frame, -26, 26, -17, 19, -45, -14))];
  for (const { sign } of SIDES) {
    l5Parts.push(capsule(fromSacral(frame, sign * 14, -13, -31), fromSacral(frame, sign * 16, -29, -31), 5)); // pedicle
    l5Parts.push(capsule(fromSacral(frame, sign * 16, -31, -30), fromSacral(frame, 0, -40, -27), 4.5)); // lamina
    l5Parts.push(capsule(fromSacral(frame, sign * 17, -24, -32), fromSacral(frame, sign * 46, -19, -27), 6)); // transverse process
    l5Parts.push(capsule(fromSacral(frame, sign * 18, -32, -26), fromSacral(frame, sign * 18, -32, -16), 5)); // inferior articular process
  }
  l5Parts.push(capsule(fromSacral(frame, 0, -40, -27), fromSacral(frame, 0, -60, -20), 5)); // spinous process
  const l5 = subtract(union(l5Parts, 4), [canal]);
  const disc: Shape = shape((x, y, z) => {
    toSacralFast(local, frame, x, y, z);
    return Math.max(ellipseDistanceFast(local[0], local[1] - 1, 24.5, 17), Math.max(-15 - local[2], local[2] + 6));
  }, boxOfSacral(frame, -26, 26, -17, 19, -16, -5));

  // ---- Hips (ilium, ischium, pubis) and proximal femurs.
  const headRadius = 24;
  // Posterior ilium thickness lateral to the SI joint: thick at S1 (tuberosity), thinner at S2.
  const iliacThickness = profile([[-20, 28], [10, 24], [30, 19], [60, 14]]);
  const hips: HipModel[] = [];
  const femurs: FemurModel[] = [];
  const heads: { side: Side; centerLps: Vec3; radiusMm: number }[] = [];
  const sideGeometry = new Map<Side, { head: Vec3; neckDir: Vec3; aiis: Vec3; psis: Vec3; pubis: Vec3; columnTarget: Vec3 }>();
  for (const { side, sign } of SIDES) {
    const head: Vec3 = [sign * 80, -40, -95];
    heads.push({ side, centerLps: head, radiusMm: headRadius });
    const at = (dx: number, dy: number, dz: number): Vec3 => [head[0] + sign * dx, head[1] + dy, head[2] + dz];

    // Posterior ilium: a thick block lateral to the SI joint, parallel to it, behind to the PSIS.
    const blockSdf: Sdf = (x, y, z) => {
      toSacralFast(local, frame, x, y, z);
      const u = sign * local[0], v = local[1], s = local[2];
      const hw = halfWidthAt(v, s);
      const dIn = (hw - 8 - u) / jointNorm;
      const dOut = (u - hw - iliacThickness(s)) / jointNorm;
      const dLat = smaxFast(dIn, dOut, 4);
      const dAp = Math.max(v - 14, -50 - v);
      const dS = Math.max(-16 - s, s - 62);
      return smaxFast(smaxFast(dLat, dAp, 8), dS, 8);
    };
    const block = shape(blockSdf, sign > 0 ? boxOfSacral(frame, 8, 100, -52, 16, -18, 64) : boxOfSacral(frame, -100, -8, -52, 16, -18, 64));

    const psis = fromSacral(frame, sign * (halfWidthAt(-40, -6) + 16), -40, -6);
    const aiis = at(8, -30, 32);
    // Sciatic buttress: from the anterior SI joint down to the acetabular roof.
    const buttress = roundCone(fromSacral(frame, sign * (halfWidthAt(5, 32) + 12), 4, 32), at(-5, 5, 30), 14, 16);
    const supraAcetabular = capsule(aiis, psis, 8);
    const acetabularMass = clipHalfSpace(ellipsoid(at(-6, 2, 4), [30, 34, 36]), head, acetabularOpening(sign), 4);
    // Iliac wing: a 7 mm curved plate (posterolateral arc of an elliptic cylinder flaring upward).
    const wingSdf: Sdf = (x, y, z) => {
      const rx = 88 + 0.2 * (z + 50), ry = 65 + 0.08 * (z + 50);
      let d = Math.abs(ellipseDistanceFast(x - sign * 35, y + 40, rx, ry)) - 3.5;
      const crest = 42 - 0.003 * y * y;
      d = smaxFast(d, z - crest, 6);
      d = Math.max(d, -70 - z, 45 - sign * x, -84 - y);
      return d;
    };
    const wing = shape(wingSdf, sign > 0 ? [40, -90, -72, 150, 40, 46] : [-150, -90, -72, -40, 40, 46]);
    const tuberosity = at(-14, 30, -58);
    const ischium = roundCone(at(-8, 22, -18), tuberosity, 13, 11);
    const tuberosityShape = ellipsoid(tuberosity, [14, 14, 17]);
    // Superior ramus along the anterior-column line (pubic body -> above the acetabulum), narrowest 10.4 mm.
    const pubis: Vec3 = [sign * 16, -88, -112];
    const columnTarget = at(-12, 0, 30);
    const ramusMid = add([0, 0, 0], pubis, scale([0, 0, 0], sub([0, 0, 0], columnTarget, pubis), 0.45));
    const ramusUpper = add([0, 0, 0], pubis, scale([0, 0, 0], sub([0, 0, 0], columnTarget, pubis), 0.78));
    const ramus1 = roundCone(add([0, 0, 0], pubis, [sign * 4, 4, 4]), ramusMid, 9, 5.2);
    const ramus2 = roundCone(ramusMid, ramusUpper, 5.2, 13);
    const ramusToAcetabulum = roundCone(ramusMid, at(-16, -22, -2), 5.2, 10);
    const pubicBody = clipHalfSpace(ellipsoid(pubis, [14, 11, 20]), [sign * 2, 0, 0], [-sign, 0, 0]);
    const inferiorRamus = roundCone(add([0, 0, 0], pubis, [sign * 3, 4, -14]), add([0, 0, 0], tuberosity, [sign * 4, -6, -6]), 7, 9);
    const raw = union([block, buttress, supraAcetabular, acetabularMass, wing, ischium, tuberosityShape, ramus1, ramus2, ramusToAcetabulum, pubicBody, inferiorRamus], 6);
    const socket = sphere(head, headRadius + 2.5);
    hips.push({ side, label: side === 'left' ? LABELS.hipLeft : LABELS.hipRight, raw: subtract(raw, [socket]), socket });

    // Femur: neck-shaft angle 130 deg, anteversion 12 deg (head anterior to the shaft).
    const nsa = (40 * Math.PI) / 180, av = (12 * Math.PI) / 180;
    const neckDir: Vec3 = [sign * Math.cos(nsa) * Math.cos(av), Math.cos(nsa) * Math.sin(av), -Math.sin(nsa)];
    const shaftTop = scaleAndAdd([0, 0, 0], head, neckDir, 58);
    const sx = shaftTop[0], sy = shaftTop[1];
    const femurParts: Shape[] = [
      sphere(head, headRadius),
      roundCone(scaleAndAdd([0, 0, 0], head, neckDir, 12), scaleAndAdd([0, 0, 0], head, neckDir, 36), 15.5, 17),
      ellipsoid([sx, sy + 2, shaftTop[2] + 8], [20, 22, 26]),
      ellipsoid([sx + sign * 6, -24, -112], [15, 19, 22]),
      ellipsoid([sx - sign * 17, -18, -158], [8, 9, 10]),
      roundCone([sx, sy, -125], [sx, sy, -185], 20, 14.5),
      capsule([sx, sy, -185], [sx, sy, -420], 14.5),
    ];
    const medulla = capsule([sx, sy, -192], [sx, sy, -420], 8.5);
    femurs.push({ side, label: side === 'left' ? LABELS.femurLeft : LABELS.femurRight, shape: union(femurParts, 8), medulla });
    sideGeometry.set(side, { head, neckDir, aiis, psis, pubis, columnTarget });
  }

  // ---- Lesion.
  let lesion: LesionModel | null = null;
  const lesionAt = (centre: Vec3, radii: Vec3, host: LesionHost, hostLabel: LabelValue) => {
    const amp = 2.2;
    const sdf: Sdf = (x, y, z) =>
      ellipsoidDistanceFast(x - centre[0], y - centre[1], z - centre[2], radii[0], radii[1], radii[2]) +
      amp * valueNoiseFast(x, y, z, 6, seed, 101) + 0.5 * amp * valueNoiseFast(x, y, z, 2.8, seed, 102);
    const box: Box = boxExpand([centre[0] - radii[0], centre[1] - radii[1], centre[2] - radii[2], centre[0] + radii[0], centre[1] + radii[1], centre[2] + radii[2]], amp * 1.6);
    lesion = { shape: shape(sdf, box), centreLps: centre, host, hostLabel };
  };
  const left = sideGeometry.get('left')!, right = sideGeometry.get('right')!;
  switch (caseId) {
    case 'sacralAla':
    case 'sacralAlaCbct':
      // Left ala, lateral to and above the S1 foramen; an S1 iliosacral screw bridges it.
      lesionAt(fromSacral(frame, 40, 0, 8), [9.5, 11, 9.5], 'sacrum', LABELS.sacrum);
      notes.push('lytic lesion in the left sacral ala lateral to the S1 foramen; bridged by an S1 iliosacral or transsacral screw');
      break;
    case 'dysmorphic':
      lesionAt(fromSacral(frame, 38, 0, 32), [9, 10, 9], 'sacrum', LABELS.sacrum);
      notes.push('dysmorphic sacrum: S1 foramina high and wide, steep alar slope, so the S1 corridor cannot take a 7.3 mm screw; S2 corridor normal');
      notes.push('lytic lesion in the left lateral mass between the S1 and S2 foramina; bridged by an S2 screw');
      break;
    case 'supraAcetabular': {
      const c = add([0, 0, 0], right.aiis, scale([0, 0, 0], sub([0, 0, 0], right.psis, right.aiis), 0.24));
      lesionAt(c, [11, 11, 11], 'hipRight', LABELS.hipRight);
      notes.push('lytic lesion in the right iliac bone above the acetabulum, on the supra-acetabular (LC-II) corridor');
      break;
    }
    case 'femoralNeck':
      lesionAt(scaleAndAdd([0, 0, 0], left.head, left.neckDir, 28), [9, 9, 9], 'femurLeft', LABELS.femurLeft);
      notes.push('lytic lesion in the left femoral neck');
      break;
  }

  // ---- Bone SDF of everything (to lay roots on bone surfaces).
  const allBone = union([sacrumSolid, l5, ...hips.map((h) => h.raw), ...femurs.map((f) => f.shape)]);

  // ---- Sacral canal centreline (truth).
  const canalCenterlineLps: Vec3[] = [];
  const canalHalfWidthsMm: number[] = [];
  const canalHalfDepthsMm: number[] = [];
  for (let s = -20; s <= 100; s += 5) {
    canalCenterlineLps.push(fromSacral(frame, 0, canalCentreV(s), s));
    canalHalfWidthsMm.push(canalHalfWidth(s));
    canalHalfDepthsMm.push(canalHalfDepth(s));
  }

  // ---- Nerve roots (truth only).
  const roots: RootModel[] = [];
  for (const { side, sign } of SIDES) {
    const sfx = side === 'left' ? 'Left' : 'Right';
    for (const level of [0, 1]) {
      const t = foramenTubes.find((f) => f.id === `foramenS${level + 1}${sfx}`)!;
      const opening = foramenModels.find((f) => f.id === t.id)!.centerLps;
      const s = foramenS[level]!;
      const r = level === 0 ? 3.5 : 3.0;
      const inCanal = fromSacral(frame, sign * Math.max(canalHalfWidth(s - 10) - r - 1, 2), canalCentreV(s - 10), s - 10);
      const axis = foramenModels.find((f) => f.id === t.id)!.axisLps;
      const out1 = scaleAndAdd([0, 0, 0], opening, axis, 12);
      // Into the pelvis toward the greater sciatic notch (lateral, inferior, slightly posterior).
      const out2 = add([0, 0, 0], out1, [sign * 14, 6, -22]);
      roots.push({ id: `rootS${level + 1}${sfx}` as RootId, centerlineLps: [inCanal, t.inner, opening, out1, out2], radiusMm: r });
    }
    // L5: out of the L5/S1 foramen, over the ala close to the bone, down its anterior surface.
    const r = 3.5;
    const clearance = r + 0.6;
    const foramenExit = fromSacral(frame, sign * 24, -20, -11);
    const guide: Vec3[] = [
      fromSacral(frame, sign * 30, -10, -4),
      fromSacral(frame, sign * 33, 2, -4),
      fromSacral(frame, sign * 35, 12, -4),
      fromSacral(frame, sign * 37, front(4) + 4, 4),
      fromSacral(frame, sign * 39, front(14) + 4, 14),
      fromSacral(frame, sign * 41, front(26) + 4, 26),
    ];
    const onBone = guide.map((p) => projectToLevel(allBone.sdf, p, clearance));
    const last = onBone[onBone.length - 1]!;
    roots.push({
      id: `rootL5${sfx}` as RootId,
      centerlineLps: [foramenExit, ...onBone, add([0, 0, 0], last, [sign * 10, -4, -20])],
      radiusMm: r,
    });
  }

  // ---- Corridors to measure (the widths come from a brute-force search on the label grid).
  const sacralAllowed = [LABELS.sacrum, LABELS.hipLeft, LABELS.hipRight, LABELS.lesion, JOINT_LABEL];
  const s1Level = (foramenS[0]! - foramenR[0]!) / 2;
  const s2Level = (foramenS[0]! + foramenR[0]! + foramenS[1]! - foramenR[1]!) / 2;
  const corridors: CorridorDefinition[] = [];
  const across = (s: number, v: number, uFrom: number, uTo: number): [Vec3, Vec3] => [fromSacral(frame, uFrom, v, s), fromSacral(frame, uTo, v, s)];
  const reach = (s: number, v: number) => halfWidthAt(v, s) + 18;
  {
    const [a, b] = across(s1Level, 2, -reach(s1Level, 2), reach(s1Level, 2));
    corridors.push({ id: 'transsacralS1', startLps: a, endLps: b, searchHalfMm: 18, allowedLabels: sacralAllowed });
    const [c, d] = across(s2Level, 0, -reach(s2Level, 0), reach(s2Level, 0));
    corridors.push({ id: 'transsacralS2', startLps: c, endLps: d, searchHalfMm: 18, allowedLabels: sacralAllowed });
  }
  for (const { side, sign } of SIDES) {
    const [a, b] = across(s1Level, 2, sign * reach(s1Level, 2), -sign * 5);
    corridors.push({ id: 'iliosacralS1', side, startLps: a, endLps: b, searchHalfMm: 18, allowedLabels: sacralAllowed });
    const [c, d] = across(s2Level, 0, sign * reach(s2Level, 0), -sign * 5);
    corridors.push({ id: 'iliosacralS2', side, startLps: c, endLps: d, searchHalfMm: 18, allowedLabels: sacralAllowed });
    const g = sideGeometry.get(side)!;
    const hipLabel = side === 'left' ? LABELS.hipLeft : LABELS.hipRight;
    const femurLabel = side === 'left' ? LABELS.femurLeft : LABELS.femurRight;
    const saDir = normalize([0, 0, 0], sub([0, 0, 0], g.psis, g.aiis));
    corridors.push({
      id: 'supraAcetabular', side,
      startLps: scaleAndAdd([0, 0, 0], g.aiis, saDir, 4), endLps: scaleAndAdd([0, 0, 0], g.psis, saDir, -6),
      searchHalfMm: 16, allowedLabels: [hipLabel, LABELS.lesion],
    });
    const acDir = normalize([0, 0, 0], sub([0, 0, 0], g.columnTarget, g.pubis));
    corridors.push({
      id: 'anteriorColumnRetrograde', side,
      startLps: scaleAndAdd([0, 0, 0], g.pubis, acDir, 6), endLps: g.columnTarget,
      searchHalfMm: 14, allowedLabels: [hipLabel, LABELS.lesion],
    });
    corridors.push({
      id: 'femoralNeck', side,
      startLps: scaleAndAdd([0, 0, 0], g.head, g.neckDir, 68), endLps: scaleAndAdd([0, 0, 0], g.head, g.neckDir, -headRadius + 8),
      searchHalfMm: 24, allowedLabels: [femurLabel, LABELS.lesion],
    });
  }

  return {
    caseId, frame,
    sacrum: { hull: sacralHull, canal, foramina },
    l5, disc, hips, femurs, siGapMm: 3,
    lesion, roots, foramina: foramenModels,
    canalCenterlineLps, canalHalfWidthsMm, canalHalfDepthsMm,
    femoralHeads: heads, corridors, boneSdf: allBone.sdf, notes,
  };
}

/** Unit normal of the acetabular opening: 45 deg inclination, 20 deg anteversion. */
function acetabularOpening(sign: number): Vec3 {
  const inc = (45 * Math.PI) / 180, av = (20 * Math.PI) / 180;
  return normalize([0, 0, 0], [sign * Math.sin(inc) * Math.cos(av), -Math.sin(inc) * Math.sin(av), -Math.cos(inc)]);
}

/** Axis-aligned LPS box around a block of sacral coordinates (samples its corners and edges). */
function boxOfSacral(frame: SacralFrame, u0: number, u1: number, v0: number, v1: number, s0: number, s1: number): Box {
  const b: Box = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
  for (let i = 0; i <= 8; i++) {
    const s = s0 + ((s1 - s0) * i) / 8;
    for (const v of [v0, v1]) {
      for (const u of [u0, u1]) {
        const p = fromSacral(frame, u, v, s);
        for (let a = 0; a < 3; a++) {
          b[a] = Math.min(b[a]!, p[a]!);
          b[a + 3] = Math.max(b[a + 3]!, p[a]!);
        }
      }
    }
  }
  return boxExpand(b, 1);
}

/** Point where the segment inside -> outside crosses the zero level of sdf (bisection). */
function bisectSurface(sdf: Sdf, insideLps: Vec3, outsideLps: Vec3): Vec3 {
  // March from inside until outside, then bisect.
  const dir = sub([0, 0, 0], outsideLps, insideLps);
  let lo = 0, hi = 1;
  const p: Vec3 = [0, 0, 0];
  const at = (t: number) => scaleAndAdd(p, insideLps, dir, t);
  // The inner end sits in the canal (outside the hull); find the first inside point first.
  let t0 = 0;
  for (let t = 0; t <= 1; t += 0.01) {
    at(t);
    if (sdf(p[0], p[1], p[2]) < 0) { t0 = t; break; }
  }
  lo = t0;
  for (let t = t0; t <= 1; t += 0.01) {
    at(t);
    if (sdf(p[0], p[1], p[2]) >= 0) { hi = t; break; }
    lo = t;
  }
  for (let it = 0; it < 40; it++) {
    const mid = (lo + hi) / 2;
    at(mid);
    if (sdf(p[0], p[1], p[2]) < 0) lo = mid; else hi = mid;
  }
  return scaleAndAdd([0, 0, 0], insideLps, dir, (lo + hi) / 2);
}


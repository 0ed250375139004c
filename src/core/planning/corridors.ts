import type { CorridorId, Side, StructureId } from '../shared/ids';
import { LABELS } from '../shared/ids';

/**
 * Corridor templates (DESIGN 1 table). Each template gives, for a side:
 * - the ideal axis direction entry -> tip in the pelvis's ANATOMICAL frame
 *   (left, posterior, superior), written for the LEFT side; the right side
 *   mirrors the left component;
 * - a search cone half-angle around it;
 * - which bone the screw must enter and end in (label values), and how many
 *   joint gaps (sacroiliac) the path may cross;
 * - its length range, its tip rule and its limiting structures (named in the
 *   explanation when the corridor is unavailable).
 * Literature figures behind the defaults are in DESIGN 1.
 */
export type TipRule =
  /** Tip inside bone with the screw radius covered. */
  | 'inBone'
  /** Femoral neck: tip 5-10 mm (settings) below the subchondral bone of the head. */
  | 'subchondral';

export type CorridorTemplate = {
  id: CorridorId;
  label: string;
  /** Ideal direction (left, posterior, superior) for the left side; not necessarily unit. */
  axisForLeft: readonly [number, number, number];
  coneHalfAngleDeg: number;
  /** Bone labels the entry may be in, for the left side. */
  entryLabelsLeft: readonly number[];
  /** Bone labels the tip may end in, for the left side. */
  tipLabelsLeft: readonly number[];
  /** How many bone-to-bone joint gaps the path may cross. */
  jointCrossings: number;
  lengthRangeMm: readonly [number, number];
  tipRule: TipRule;
  /** How many parallel screws the corridor takes (femoral neck: up to 3). */
  parallelScrews: number;
  /** Limit on how far past the mid-sagittal plane the tip may go, mm (iliosacral); null = none. */
  tipBeyondMidlineMaxMm: number | null;
  /** Limiting structures for the left side (mirrored for the right). */
  limitingLeft: readonly StructureId[];
  /** Bone labels on the path, for the left side: a lesion elsewhere cannot be bridged by this corridor. */
  pathLabelsLeft: readonly number[];
  /** Smallest screw diameter worth proposing in this corridor, mm. */
  minDiameterMm: number;
  /** Sacral level the screw must pass through (at the mid-sagittal plane), from the foramina; null = any. */
  sacralLevel: 'S1' | 'S2' | null;
};

const L = LABELS;

export const CORRIDOR_TEMPLATES: Readonly<Record<CorridorId, CorridorTemplate>> = {
  iliosacralS1: {
    id: 'iliosacralS1', label: 'iliosacral S1', axisForLeft: [-1, 0, 0], coneHalfAngleDeg: 18,
    entryLabelsLeft: [L.hipLeft], tipLabelsLeft: [L.sacrum], jointCrossings: 1, lengthRangeMm: [60, 120],
    tipRule: 'inBone', parallelScrews: 1, tipBeyondMidlineMaxMm: 15,
    limitingLeft: ['foramenS1Left', 'rootS1Left', 'rootL5Left', 'sacralCanal'],
    pathLabelsLeft: [L.hipLeft, L.sacrum], minDiameterMm: 6.5, sacralLevel: 'S1',
  },
  iliosacralS2: {
    id: 'iliosacralS2', label: 'iliosacral S2', axisForLeft: [-1, 0, 0], coneHalfAngleDeg: 18,
    entryLabelsLeft: [L.hipLeft], tipLabelsLeft: [L.sacrum], jointCrossings: 1, lengthRangeMm: [60, 120],
    tipRule: 'inBone', parallelScrews: 1, tipBeyondMidlineMaxMm: 15,
    limitingLeft: ['foramenS2Left', 'foramenS1Left', 'rootS2Left', 'rootS1Left', 'sacralCanal'],
    pathLabelsLeft: [L.hipLeft, L.sacrum], minDiameterMm: 6.5, sacralLevel: 'S2',
  },
  transsacralS1: {
    id: 'transsacralS1', label: 'transsacral S1', axisForLeft: [-1, 0, 0], coneHalfAngleDeg: 10,
    entryLabelsLeft: [L.hipLeft], tipLabelsLeft: [L.hipRight], jointCrossings: 2, lengthRangeMm: [110, 180],
    tipRule: 'inBone', parallelScrews: 1, tipBeyondMidlineMaxMm: null,
    limitingLeft: ['foramenS1Left', 'foramenS1Right', 'rootS1Left', 'rootS1Right', 'rootL5Left', 'rootL5Right', 'sacralCanal'],
    pathLabelsLeft: [L.hipLeft, L.sacrum, L.hipRight], minDiameterMm: 6.5, sacralLevel: 'S1',
  },
  transsacralS2: {
    id: 'transsacralS2', label: 'transsacral S2', axisForLeft: [-1, 0, 0], coneHalfAngleDeg: 10,
    entryLabelsLeft: [L.hipLeft], tipLabelsLeft: [L.hipRight], jointCrossings: 2, lengthRangeMm: [110, 180],
    tipRule: 'inBone', parallelScrews: 1, tipBeyondMidlineMaxMm: null,
    limitingLeft: ['foramenS2Left', 'foramenS2Right', 'foramenS1Left', 'foramenS1Right', 'rootS2Left', 'rootS2Right', 'sacralCanal'],
    pathLabelsLeft: [L.hipLeft, L.sacrum, L.hipRight], minDiameterMm: 6.5, sacralLevel: 'S2',
  },
  supraAcetabular: {
    // LC-II: anterior inferior iliac spine towards the posterior superior iliac spine.
    id: 'supraAcetabular', label: 'supra-acetabular (LC-II)', axisForLeft: [-0.25, 0.85, 0.45], coneHalfAngleDeg: 28,
    entryLabelsLeft: [L.hipLeft], tipLabelsLeft: [L.hipLeft], jointCrossings: 0, lengthRangeMm: [60, 140],
    tipRule: 'inBone', parallelScrews: 1, tipBeyondMidlineMaxMm: null,
    limitingLeft: ['jointLeft'],
    pathLabelsLeft: [L.hipLeft], minDiameterMm: 6.5, sacralLevel: null,
  },
  anteriorColumnAntegrade: {
    // Above the acetabulum down the superior pubic ramus towards the symphysis.
    id: 'anteriorColumnAntegrade', label: 'anterior column (antegrade)', axisForLeft: [-0.45, -0.65, -0.6], coneHalfAngleDeg: 25,
    entryLabelsLeft: [L.hipLeft], tipLabelsLeft: [L.hipLeft], jointCrossings: 0, lengthRangeMm: [60, 130],
    tipRule: 'inBone', parallelScrews: 1, tipBeyondMidlineMaxMm: null,
    limitingLeft: ['jointLeft'],
    pathLabelsLeft: [L.hipLeft], minDiameterMm: 4.5, sacralLevel: null,
  },
  anteriorColumnRetrograde: {
    id: 'anteriorColumnRetrograde', label: 'anterior column (retrograde)', axisForLeft: [0.45, 0.65, 0.6], coneHalfAngleDeg: 25,
    entryLabelsLeft: [L.hipLeft], tipLabelsLeft: [L.hipLeft], jointCrossings: 0, lengthRangeMm: [60, 130],
    tipRule: 'inBone', parallelScrews: 1, tipBeyondMidlineMaxMm: null,
    limitingLeft: ['jointLeft'],
    pathLabelsLeft: [L.hipLeft], minDiameterMm: 4.5, sacralLevel: null,
  },
  iliacWing: {
    // From the anterior iliac crest between the two tables towards the posterior ilium.
    id: 'iliacWing', label: 'iliac crest / wing', axisForLeft: [-0.15, 0.9, -0.35], coneHalfAngleDeg: 28,
    entryLabelsLeft: [L.hipLeft], tipLabelsLeft: [L.hipLeft], jointCrossings: 0, lengthRangeMm: [50, 130],
    tipRule: 'inBone', parallelScrews: 1, tipBeyondMidlineMaxMm: null,
    limitingLeft: ['jointLeft'],
    pathLabelsLeft: [L.hipLeft], minDiameterMm: 6.5, sacralLevel: null,
  },
  femoralNeck: {
    // Lateral femoral cortex below the greater trochanter, up the neck into the head
    // (neck-shaft angle ~130 deg, anteversion ~15 deg).
    id: 'femoralNeck', label: 'femoral neck', axisForLeft: [-0.74, -0.2, 0.64], coneHalfAngleDeg: 25,
    entryLabelsLeft: [L.femurLeft], tipLabelsLeft: [L.femurLeft], jointCrossings: 0, lengthRangeMm: [60, 130],
    tipRule: 'subchondral', parallelScrews: 3, tipBeyondMidlineMaxMm: null,
    limitingLeft: ['jointLeft'],
    pathLabelsLeft: [L.femurLeft], minDiameterMm: 6.5, sacralLevel: null,
  },
};

export const CORRIDOR_IDS = Object.keys(CORRIDOR_TEMPLATES) as CorridorId[];

/** A template resolved for one side: labels, structures and direction mirrored as needed. */
export type ResolvedCorridor = {
  template: CorridorTemplate;
  side: Side;
  /** Ideal direction (left, posterior, superior) in the anatomical frame, unit. */
  axisFrame: [number, number, number];
  entryLabels: readonly number[];
  tipLabels: readonly number[];
  pathLabels: readonly number[];
  limiting: readonly StructureId[];
  /** The structure that is the joint for this side (tip rule / clearance). */
  jointId: StructureId;
};

const MIRROR_LABEL: Record<number, number> = {
  [L.hipLeft]: L.hipRight, [L.hipRight]: L.hipLeft, [L.femurLeft]: L.femurRight, [L.femurRight]: L.femurLeft,
};

function mirrorStructure(id: StructureId): StructureId {
  if (id.endsWith('Left')) return (id.slice(0, -4) + 'Right') as StructureId;
  if (id.endsWith('Right')) return (id.slice(0, -5) + 'Left') as StructureId;
  return id;
}

export function resolveCorridor(id: CorridorId, side: Side): ResolvedCorridor {
  const t = CORRIDOR_TEMPLATES[id];
  const m = side === 'left' ? 1 : -1;
  const [l, p, s] = t.axisForLeft;
  const n = Math.hypot(l, p, s);
  const mirrorLabels = (xs: readonly number[]) => (side === 'left' ? xs : xs.map((x) => MIRROR_LABEL[x] ?? x));
  return {
    template: t,
    side,
    axisFrame: [(m * l) / n, p / n, s / n],
    entryLabels: mirrorLabels(t.entryLabelsLeft),
    tipLabels: mirrorLabels(t.tipLabelsLeft),
    pathLabels: mirrorLabels(t.pathLabelsLeft),
    limiting: side === 'left' ? t.limitingLeft : t.limitingLeft.map(mirrorStructure),
    jointId: side === 'left' ? 'jointLeft' : 'jointRight',
  };
}

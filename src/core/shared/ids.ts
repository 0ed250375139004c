/**
 * Identifiers shared across modules, as string literal unions (they survive
 * structured clone and JSON), and the label values used in label volumes.
 *
 * Left and right are the PATIENT's: left = +x in LPS.
 */
export type Side = 'left' | 'right';

export type BonePartId = 'sacrum' | 'hipLeft' | 'hipRight' | 'femurLeft' | 'femurRight' | 'l5';

export type ForamenId =
  | 'foramenS1Left' | 'foramenS1Right'
  | 'foramenS2Left' | 'foramenS2Right'
  | 'foramenS3Left' | 'foramenS3Right'
  | 'foramenS4Left' | 'foramenS4Right';

export type RootId = 'rootL5Left' | 'rootL5Right' | 'rootS1Left' | 'rootS1Right' | 'rootS2Left' | 'rootS2Right';

export type StructureId = ForamenId | RootId | 'sacralCanal' | 'jointLeft' | 'jointRight';

export type CorridorId =
  | 'iliosacralS1'
  | 'iliosacralS2'
  | 'transsacralS1'
  | 'transsacralS2'
  | 'supraAcetabular'
  | 'anteriorColumnAntegrade'
  | 'anteriorColumnRetrograde'
  | 'iliacWing'
  | 'femoralNeck';

/**
 * Label values of the label volumes written by the phantom generator and by
 * our segmentation. 0 is background. Roots are tubes given as centrelines
 * (they are not visible on CT), but may be rasterised with these labels.
 */
export const LABELS = {
  background: 0,
  sacrum: 1,
  hipLeft: 2,
  hipRight: 3,
  femurLeft: 4,
  femurRight: 5,
  l5: 6,
  lesion: 7,
  sacralCanal: 8,
  foramenS1Left: 9,
  foramenS1Right: 10,
  foramenS2Left: 11,
  foramenS2Right: 12,
  foramenS3Left: 13,
  foramenS3Right: 14,
  foramenS4Left: 15,
  foramenS4Right: 16,
  rootL5Left: 17,
  rootL5Right: 18,
  rootS1Left: 19,
  rootS1Right: 20,
  rootS2Left: 21,
  rootS2Right: 22,
} as const;

export type LabelName = keyof typeof LABELS;
export type LabelValue = (typeof LABELS)[LabelName];

export const BONE_LABELS: readonly LabelValue[] = [LABELS.sacrum, LABELS.hipLeft, LABELS.hipRight, LABELS.femurLeft, LABELS.femurRight, LABELS.l5];

export const FORAMEN_IDS: readonly ForamenId[] = [
  'foramenS1Left', 'foramenS1Right', 'foramenS2Left', 'foramenS2Right',
  'foramenS3Left', 'foramenS3Right', 'foramenS4Left', 'foramenS4Right',
];

export const ROOT_IDS: readonly RootId[] = ['rootL5Left', 'rootL5Right', 'rootS1Left', 'rootS1Right', 'rootS2Left', 'rootS2Right'];

/**
 * Every critical structure the planner can model, in the order the review and the report list them.
 * One missing from a plan's models was not found (or was marked absent): clearance to it is not checked.
 */
export const STRUCTURE_IDS: readonly StructureId[] = [...FORAMEN_IDS, 'sacralCanal', ...ROOT_IDS, 'jointLeft', 'jointRight'];

/** A structure's name as the report, the plan panel and the planner's messages print it: "S1 foramen, left". */
const STRUCTURE_LABELS: Record<StructureId, string> = {
  foramenS1Left: 'S1 foramen, left',
  foramenS1Right: 'S1 foramen, right',
  foramenS2Left: 'S2 foramen, left',
  foramenS2Right: 'S2 foramen, right',
  foramenS3Left: 'S3 foramen, left',
  foramenS3Right: 'S3 foramen, right',
  foramenS4Left: 'S4 foramen, left',
  foramenS4Right: 'S4 foramen, right',
  rootL5Left: 'L5 root, left',
  rootL5Right: 'L5 root, right',
  rootS1Left: 'S1 root, left',
  rootS1Right: 'S1 root, right',
  rootS2Left: 'S2 root, left',
  rootS2Right: 'S2 root, right',
  sacralCanal: 'Sacral canal',
  jointLeft: 'Hip joint, left',
  jointRight: 'Hip joint, right',
};

export function structureLabel(id: StructureId): string {
  return STRUCTURE_LABELS[id];
}

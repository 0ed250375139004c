/**
 * Review of the critical structures before planning: each expected structure
 * (foramina S1-S4 both sides, sacral canal, L5/S1/S2 roots, hip joints) is
 * found (automatic), confirmed, or marked absent by the user; a structure
 * neither found nor marked absent is "not found": the planner has no model
 * of it, so clearance to it cannot be checked.
 *
 * Pure data: the rows come from the session's CriticalStructures and the
 * review decisions; `toStructureStates` gives the plan file's
 * structureReview (core/report/planSchema.ts structureStateSchema).
 */
import { listStructureIds, type CriticalStructures } from '../../core/anatomy/structures';
import { fusedHeadNotePrefix } from '../../core/segmentation/segmentBoneJoints';
import type { StructureState } from '../../core/report/planSchema';
import { FORAMEN_IDS, LABELS, ROOT_IDS, type StructureId } from '../../core/shared/ids';

export const REVIEWED_STRUCTURES: readonly StructureId[] = [...FORAMEN_IDS, 'sacralCanal', ...ROOT_IDS, 'jointLeft', 'jointRight'];

export type StructureGroup = 'foramina' | 'canal' | 'roots' | 'joints';

/** 'edited': the user changed the model (radius, centre, added or redrawn it): reviewed like a confirmation. */
export type ReviewDecision = 'confirmed' | 'absent' | 'edited';

export type StructureRow = {
  id: StructureId;
  name: string;
  group: StructureGroup;
  found: boolean;
  /** 'found' (automatic, unreviewed), 'notFound', 'confirmed', 'edited' (changed by the user), 'absent' (the user says it is not there). */
  state: 'found' | 'notFound' | 'confirmed' | 'edited' | 'absent';
  /** One line for the row, in plain words. */
  detail: string;
  /**
   * Found, but by a method known to miss here: left out of "Confirm all found", so the user looks at
   * this one on the images and confirms (or edits) it on its own.
   */
  checkEach: boolean;
};

export function structureName(id: StructureId): string {
  const side = id.endsWith('Left') ? 'left' : id.endsWith('Right') ? 'right' : '';
  if (id.startsWith('foramen')) return `${id.slice(7, 9)} foramen ${side}`;
  if (id.startsWith('root')) return `${id.slice(4, 6)} root ${side}`;
  if (id === 'sacralCanal') return 'Sacral canal';
  return `Hip joint ${side}`;
}

export function structureGroup(id: StructureId): StructureGroup {
  if (id.startsWith('foramen')) return 'foramina';
  if (id.startsWith('root')) return 'roots';
  if (id === 'sacralCanal') return 'canal';
  return 'joints';
}

/**
 * `boneNotes`: the bone segmentation's notes (PlanningSession status.bone.notes). A hip joint whose femur
 * the segmentation carved out of the hip bone with a sphere (coarse CT, no joint space: see
 * {@link fusedHeadNotePrefix}) is fitted to that sphere's cut and can be a centimetre off the head: its
 * row says so and is left out of "Confirm all found" (`checkEach`).
 */
export function structureRows(structures: CriticalStructures | null, decisions: ReadonlyMap<StructureId, ReviewDecision>, boneNotes: readonly string[] = []): StructureRow[] {
  const found = new Set(structures ? listStructureIds(structures) : []);
  return REVIEWED_STRUCTURES.map((id) => {
    const isFound = found.has(id);
    const decision = decisions.get(id);
    const state: StructureRow['state'] = decision === 'absent' ? 'absent' : decision === 'confirmed' && isFound ? 'confirmed' : decision === 'edited' && isFound ? 'edited' : isFound ? 'found' : 'notFound';
    const onCarvedFemur = isFound && (id === 'jointLeft' || id === 'jointRight') && boneNotes.some((n) => n.startsWith(fusedHeadNotePrefix(id === 'jointLeft' ? 'left' : 'right')));
    const detail = {
      found: onCarvedFemur
        ? 'found on a femur the segmentation cut out of the hip bone with a sphere (no joint space visible at this voxel size): it can be a centimetre off the head; check it on the images and drag its centre onto the head'
        : id.startsWith('root') ? 'proposed (roots are not visible on CT): check it' : 'found: check it',
      notFound: `not found: ${whyNotFound(id, structures)}clearance to it cannot be checked`,
      confirmed: 'confirmed',
      edited: 'edited by the user',
      absent: 'marked absent: not checked',
    }[state];
    return { id, name: structureName(id), group: structureGroup(id), found: isFound, state, detail, checkEach: state === 'found' && onCarvedFemur };
  });
}

/**
 * What the detection said of a hip joint it did not propose ("the sphere fitted to the left
 * femur has a radius of 6 mm, ...; add the left hip joint by hand"), ending in "; ", or "".
 */
function whyNotFound(id: StructureId, structures: CriticalStructures | null): string {
  if (id !== 'jointLeft' && id !== 'jointRight') return '';
  const prefix = `${id === 'jointLeft' ? 'left' : 'right'} femoral head not found: `;
  const note = structures?.notes.find((n) => n.startsWith(prefix));
  return note ? `${note.slice(prefix.length)}; ` : '';
}

/** Every expected structure is confirmed or marked absent. */
export function reviewComplete(rows: readonly StructureRow[]): boolean {
  return rows.every((r) => r.state === 'confirmed' || r.state === 'edited' || r.state === 'absent');
}

/** The plan file's structureReview entries for these rows. */
export function toStructureStates(rows: readonly StructureRow[], reviewedBy: string | null): StructureState[] {
  return rows
    .filter((r) => r.state !== 'notFound')
    .map((r) => ({
      id: r.id,
      status: r.state === 'found' ? 'automatic' : r.state === 'confirmed' ? 'confirmed' : r.state === 'edited' ? 'edited' : 'absent',
      reviewedBy: r.state === 'found' ? null : reviewedBy,
      labelValue: r.id === 'jointLeft' || r.id === 'jointRight' ? null : LABELS[r.id],
      volumeMl: null,
    }));
}

/** Decisions read back from a plan file's structureReview (restored autosave, imported plan). */
export function decisionsFromStates(states: readonly StructureState[]): Map<StructureId, ReviewDecision> {
  const out = new Map<StructureId, ReviewDecision>();
  for (const s of states) {
    if (!(REVIEWED_STRUCTURES as readonly string[]).includes(s.id)) continue;
    if (s.status === 'confirmed') out.set(s.id as StructureId, 'confirmed');
    else if (s.status === 'edited') out.set(s.id as StructureId, 'edited');
    else if (s.status === 'absent') out.set(s.id as StructureId, 'absent');
  }
  return out;
}

/** The models without `id` (the user marked a detected structure absent). */
export function withoutStructure(structures: CriticalStructures, id: StructureId): CriticalStructures {
  return {
    foramina: structures.foramina.filter((f) => f.id !== id),
    sacralCanal: id === 'sacralCanal' ? null : structures.sacralCanal,
    roots: structures.roots.filter((r) => r.id !== id),
    joints: structures.joints.filter((j) => j.id !== id),
    notes: [...structures.notes, `${structureName(id)} marked absent by the user`],
  };
}

/** `structures` with the model of `id` taken back from `source` (undo of "absent"); unchanged when `source` has none. */
export function withStructureFrom(structures: CriticalStructures, source: CriticalStructures, id: StructureId): CriticalStructures {
  const without = withoutStructure(structures, id);
  const notes = structures.notes.filter((n) => n !== `${structureName(id)} marked absent by the user`);
  const f = source.foramina.find((x) => x.id === id);
  const r = source.roots.find((x) => x.id === id);
  const j = source.joints.find((x) => x.id === id);
  return {
    foramina: f ? [...without.foramina, f] : without.foramina,
    sacralCanal: id === 'sacralCanal' ? source.sacralCanal : structures.sacralCanal,
    roots: r ? [...without.roots, r] : without.roots,
    joints: j ? [...without.joints, j] : without.joints,
    notes,
  };
}

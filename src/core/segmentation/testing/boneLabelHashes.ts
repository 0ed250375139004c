import { createHash } from 'node:crypto';
import type { BoneSegmentation } from '../segmentBone';

/**
 * Fingerprints of segmentBone's output, kept so that a speed-up (or any change) that alters
 * the labels cannot pass silently: sha256 (first 16 hex digits) of the label volume's bytes,
 * and of the label bytes followed by the JSON of `{ parts, notes }` (part volumes, centroids
 * to the last bit, and the notes). Recorded on 24 Nov 2026 (02:13 UTC) with the code of commit
 * 9c228fe, before the run-based components, the box-restricted passes and the crop narrowed to
 * the kept bone, which reproduce them. The returned `box` is not in them: it is the narrowed
 * crop now (the kept bone plus a voxel in i and j; before, it included the CT table).
 * Change a figure here only with a commit that says which labels changed and why.
 */
export const BONE_LABEL_HASHES = {
  'sacralAla small': { labels: '90ed804d48bc89f7', summary: '3aba543abe29067e' },
  'sacralAla medium': { labels: 'c7ca0b968c298cf7', summary: 'd37ffb2a66cf0bbc' },
  'sacralAla full': { labels: 'b67ff9d3faec3505', summary: 'f3640d776dcd4055' },
  'dysmorphic small': { labels: '87e9739afdf68080', summary: '29fc9458757836a2' },
  // Changed deliberately (24 Nov, 05:30 UTC): the right femoral-head cap inside the field (1,885
  // voxels, under the 2 mL component minimum) is now labelled femur (truth: right femur); nothing else moved.
  'sacralAlaCbct small': { labels: 'e53bb23edd160c24', summary: '0c7b8ba9b591f105' },
  'fracsegnet-002': { labels: 'eace18bae4b70365', summary: 'c8c781e886750801' },
} as const;

export function boneLabelHashes(seg: BoneSegmentation): { labels: string; summary: string } {
  const labels = createHash('sha256').update(seg.labels.voxels).digest('hex').slice(0, 16);
  const summary = createHash('sha256').update(seg.labels.voxels).update(JSON.stringify({ parts: seg.parts, notes: seg.notes })).digest('hex').slice(0, 16);
  return { labels, summary };
}

import { createHash } from 'node:crypto';
import type { BoneSegmentation } from '../segmentBone';

/**
 * Fingerprints of segmentBone's output, kept so that a speed-up (or any change) that alters
 * the labels cannot pass silently: sha256 (first 16 hex digits) of the label volume's bytes,
 * and of the label bytes followed by the JSON of `{ parts, notes, box }` (volumes, centroids
 * and notes too). Recorded on 24 Nov 2026 (02:13 UTC) with the code of commit 9c228fe, before
 * the run-based components and box-restricted passes (commit 8a8203c), which reproduce them.
 * Change a figure here only with a commit that says which labels changed and why.
 */
export const BONE_LABEL_HASHES = {
  'sacralAla small': { labels: '90ed804d48bc89f7', all: '0932de5f4c22c163' },
  'sacralAla medium': { labels: 'c7ca0b968c298cf7', all: '4dceb7f63f93df21' },
  'sacralAla full': { labels: 'b67ff9d3faec3505', all: '4940ea788e89a8da' },
  'dysmorphic small': { labels: '87e9739afdf68080', all: '91ef92b9056cc327' },
  'sacralAlaCbct small': { labels: 'af56df494a1cfd7f', all: 'a13dd079f026cdd1' },
  'fracsegnet-002': { labels: 'eace18bae4b70365', all: '380e17fe32db55c3' },
} as const;

export function boneLabelHashes(seg: BoneSegmentation): { labels: string; all: string } {
  const labels = createHash('sha256').update(seg.labels.voxels).digest('hex').slice(0, 16);
  const all = createHash('sha256').update(seg.labels.voxels).update(JSON.stringify({ parts: seg.parts, notes: seg.notes, box: seg.box })).digest('hex').slice(0, 16);
  return { labels, all };
}

/**
 * Critical-structure models (core/anatomy/structures.ts) as the scene's tubes:
 * roots and the sacral canal along their centrelines, each foramen as a short
 * cylinder along its channel (from `lengthMm` behind the anterior opening to
 * the opening), each hip joint as its fitted sphere. LPS mm throughout.
 */
import type { CriticalStructures } from '../../core/anatomy/structures';
import type { Vec3 } from '../../core/geometry/vec3';
import type { StructureTube } from '../../scene/ScenePort';

export function structureTubes(s: CriticalStructures | null): StructureTube[] {
  if (!s) return [];
  const tubes: StructureTube[] = [];
  for (const f of s.foramina) {
    const back: Vec3 = [f.centerLps[0] - f.axisLps[0] * f.lengthMm, f.centerLps[1] - f.axisLps[1] * f.lengthMm, f.centerLps[2] - f.axisLps[2] * f.lengthMm];
    tubes.push({ id: f.id, kind: 'foramen', centerlineLps: [back, [...f.centerLps]], radiusMm: f.radiusMm });
  }
  if (s.sacralCanal) tubes.push({ id: 'sacralCanal', kind: 'canal', centerlineLps: s.sacralCanal.centerlineLps.map((p) => [...p] as Vec3), radiusMm: s.sacralCanal.radiusMm });
  for (const r of s.roots) tubes.push({ id: r.id, kind: 'root', centerlineLps: r.centerlineLps.map((p) => [...p] as Vec3), radiusMm: r.radiusMm });
  for (const j of s.joints) tubes.push({ id: j.id, kind: 'joint', centerlineLps: [[...j.centerLps]], radiusMm: j.radiusMm });
  return tubes;
}

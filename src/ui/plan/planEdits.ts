/**
 * The plan's edits as pure functions PlanContent -> PlanContent (wrapped in
 * PlanEdit with a label for the undo history). No DOM; tested in node.
 *
 * Rules that matter clinically:
 * - Moving a screw (an end, the body, a nudge, another diameter or length)
 *   drops that screw's overrides and its skin entry: an override was accepted
 *   for one position and one figure, and does not carry over to another.
 * - A dragged end follows the pointer exactly; `snapLengthToCatalog` then
 *   moves that end along the axis to the nearest length the screw's catalog
 *   spec offers (the controller does it when the drag ends, in the same undo
 *   step), so a planned screw is always a screw that exists.
 */
import type { Vec3 } from '../../core/geometry/vec3';
import type { CriticalStructures } from '../../core/anatomy/structures';
import type { PlanSettings, ScrewCatalog } from '../../core/planning/types';
import type { PlanContent, PlanOverride, PlanScrew } from '../../core/report/planSchema';
import type { PlanEdit } from './PlanStore';
import { screwLabel } from './screwLabels';

const sub = (a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a: Readonly<Vec3>, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const norm = (a: Readonly<Vec3>): number => Math.hypot(a[0], a[1], a[2]);

/** Smallest screw length an edit may produce, mm (an end dragged onto the other). */
export const MIN_SCREW_LENGTH_MM = 5;

function mapScrew(plan: PlanContent, screwId: string, f: (s: PlanScrew) => PlanScrew): PlanContent {
  const i = plan.screws.findIndex((s) => s.id === screwId);
  if (i < 0) return plan;
  const next = f(plan.screws[i]!);
  if (next === plan.screws[i]) return plan;
  const screws = plan.screws.slice();
  screws[i] = next;
  return { ...plan, screws, overrides: plan.overrides.filter((o) => o.screwId !== screwId) };
}

/** A screw's axis set to these ends; the length follows (at least MIN_SCREW_LENGTH_MM). */
export function withAxis(s: PlanScrew, entryLps: Readonly<Vec3>, tipLps: Readonly<Vec3>): PlanScrew {
  const lengthMm = norm(sub(tipLps, entryLps));
  if (!(lengthMm >= MIN_SCREW_LENGTH_MM) || ![...entryLps, ...tipLps].every(Number.isFinite)) return s;
  return { ...s, entryLps: [entryLps[0], entryLps[1], entryLps[2]], tipLps: [tipLps[0], tipLps[1], tipLps[2]], lengthMm, skinEntryLps: null };
}

export function setScrewAxis(screwId: string, entryLps: Readonly<Vec3>, tipLps: Readonly<Vec3>, label: string): PlanEdit {
  return { label, update: (plan) => mapScrew(plan, screwId, (s) => withAxis(s, entryLps, tipLps)) };
}

/** Moves one end of a screw to a point (the other end stays). */
export function moveScrewEnd(screwId: string, end: 'entry' | 'tip', pointLps: Readonly<Vec3>, label: string): PlanEdit {
  return {
    label,
    update: (plan) => mapScrew(plan, screwId, (s) => (end === 'entry' ? withAxis(s, pointLps, s.tipLps) : withAxis(s, s.entryLps, pointLps))),
  };
}

/** Nearest length of the catalog spec `catalogId` (ties: the shorter), or null when the screw has no spec. */
export function nearestCatalogLengthMm(catalog: ScrewCatalog, catalogId: string, lengthMm: number): number | null {
  const spec = catalog.screws.find((c) => c.id === catalogId);
  if (!spec || spec.lengthsMm.length === 0) return null;
  let best = spec.lengthsMm[0]!;
  for (const l of spec.lengthsMm) if (Math.abs(l - lengthMm) < Math.abs(best - lengthMm) - 1e-9) best = l;
  return best;
}

/** Moves `end` along the axis so the length is the nearest catalog length (no change without a spec). */
export function snapLengthToCatalog(screwId: string, end: 'entry' | 'tip', label: string): PlanEdit {
  return {
    label,
    update: (plan) =>
      mapScrew(plan, screwId, (s) => {
        const target = nearestCatalogLengthMm(plan.catalog, s.catalogId, s.lengthMm);
        if (target === null || Math.abs(target - s.lengthMm) < 1e-6) return s;
        const dir = scale(sub(s.tipLps, s.entryLps), 1 / s.lengthMm);
        const moved = end === 'tip' ? withAxis(s, s.entryLps, add(s.entryLps, scale(dir, target))) : withAxis(s, sub(s.tipLps, scale(dir, target)), s.tipLps);
        // The catalog figure exactly (the ends are within rounding of it).
        return moved === s ? s : { ...moved, lengthMm: target };
      }),
  };
}

/** Another catalog spec and length: the entry stays, the tip moves along the axis. */
export function setScrewSpec(screwId: string, catalogId: string, lengthMm: number, label: string): PlanEdit {
  return {
    label,
    update: (plan) =>
      mapScrew(plan, screwId, (s) => {
        const spec = plan.catalog.screws.find((c) => c.id === catalogId);
        if (!spec || !(lengthMm >= MIN_SCREW_LENGTH_MM)) return s;
        if (spec.id === s.catalogId && spec.diameterMm === s.diameterMm && lengthMm === s.lengthMm) return s;
        const dir = scale(sub(s.tipLps, s.entryLps), 1 / norm(sub(s.tipLps, s.entryLps)));
        return { ...withAxis(s, s.entryLps, add(s.entryLps, scale(dir, lengthMm))), catalogId: spec.id, diameterMm: spec.diameterMm, lengthMm };
      }),
  };
}

/** Translates the whole screw by `deltaLps` mm. */
export function translateScrew(screwId: string, deltaLps: Readonly<Vec3>, label: string): PlanEdit {
  return { label, update: (plan) => mapScrew(plan, screwId, (s) => withAxis(s, add(s.entryLps, deltaLps), add(s.tipLps, deltaLps))) };
}

/**
 * Turns the screw about its entry point by `angleDeg` around `axisLps`
 * (Rodrigues' rotation); length and entry are kept.
 */
export function rotateScrewAboutEntry(screwId: string, axisLps: Readonly<Vec3>, angleDeg: number, label: string): PlanEdit {
  return {
    label,
    update: (plan) =>
      mapScrew(plan, screwId, (s) => {
        const k = scale(axisLps, 1 / norm(axisLps));
        const v = sub(s.tipLps, s.entryLps);
        const a = (angleDeg * Math.PI) / 180;
        const c = Math.cos(a), sn = Math.sin(a);
        const kxv: Vec3 = [k[1] * v[2] - k[2] * v[1], k[2] * v[0] - k[0] * v[2], k[0] * v[1] - k[1] * v[0]];
        const kv = k[0] * v[0] + k[1] * v[1] + k[2] * v[2];
        const r: Vec3 = [
          v[0] * c + kxv[0] * sn + k[0] * kv * (1 - c),
          v[1] * c + kxv[1] * sn + k[1] * kv * (1 - c),
          v[2] * c + kxv[2] * sn + k[2] * kv * (1 - c),
        ];
        // Keep the stored length exact (rotation is length-preserving up to rounding).
        return { ...withAxis(s, s.entryLps, add(s.entryLps, r)), lengthMm: s.lengthMm };
      }),
  };
}

export function removeScrew(screwId: string, label: string): PlanEdit {
  return {
    label,
    update: (plan) =>
      plan.screws.some((s) => s.id === screwId)
        ? { ...plan, screws: plan.screws.filter((s) => s.id !== screwId), overrides: plan.overrides.filter((o) => o.screwId !== screwId) }
        : plan,
  };
}

/**
 * Puts screws into the plan (from the planner's proposal): `replace` drops the
 * screws already there. Ids are made unique; the structures the screws were
 * planned against are recorded with them.
 */
export function addScrews(screws: readonly PlanScrew[], options: { replace: boolean; structures: CriticalStructures | null; label: string }): PlanEdit {
  return {
    label: options.label,
    update: (plan) => {
      const kept = options.replace ? [] : plan.screws.slice();
      const ids = new Set(kept.map((s) => s.id));
      for (const s of screws) {
        let id = s.id;
        for (let n = 2; ids.has(id); n++) id = `${s.id}-${n}`;
        ids.add(id);
        kept.push({ ...s, id, entryLps: [...s.entryLps] as Vec3, tipLps: [...s.tipLps] as Vec3, skinEntryLps: s.skinEntryLps ? ([...s.skinEntryLps] as Vec3) : null });
      }
      const keptIds = new Set(kept.map((s) => s.id));
      return {
        ...plan,
        screws: kept,
        overrides: plan.overrides.filter((o) => keptIds.has(o.screwId)),
        structures: options.structures ? (JSON.parse(JSON.stringify(options.structures)) as CriticalStructures) : plan.structures,
      };
    },
  };
}

/** Sets the skin entry of a screw (computed from the CT); not a geometry change, keeps overrides. */
export function setSkinEntry(screwId: string, skinEntryLps: Readonly<Vec3> | null): PlanEdit {
  return {
    label: 'Skin entry',
    update: (plan) => {
      const i = plan.screws.findIndex((s) => s.id === screwId);
      if (i < 0) return plan;
      const s = plan.screws[i]!;
      const same = s.skinEntryLps === skinEntryLps || (s.skinEntryLps && skinEntryLps && s.skinEntryLps.every((v, k) => v === skinEntryLps[k]));
      if (same) return plan;
      const screws = plan.screws.slice();
      screws[i] = { ...s, skinEntryLps: skinEntryLps ? [skinEntryLps[0], skinEntryLps[1], skinEntryLps[2]] : null };
      return { ...plan, screws };
    },
  };
}

/** Adds (or replaces) the override of one failed check. */
export function setOverride(override: PlanOverride, label: string): PlanEdit {
  return {
    label,
    update: (plan) => ({
      ...plan,
      overrides: [
        ...plan.overrides.filter((o) => !(o.screwId === override.screwId && o.rule === override.rule && (o.structureId ?? null) === (override.structureId ?? null))),
        { ...override },
      ],
    }),
  };
}

export function removeOverride(screwId: string, rule: string, structureId: string | null, label: string): PlanEdit {
  return {
    label,
    update: (plan) => {
      const overrides = plan.overrides.filter((o) => !(o.screwId === screwId && o.rule === rule && (o.structureId ?? null) === structureId));
      return overrides.length === plan.overrides.length ? plan : { ...plan, overrides };
    },
  };
}

export function setSettings(patch: Partial<PlanSettings>, label: string): PlanEdit {
  return {
    label,
    update: (plan) => {
      const changed = Object.entries(patch).some(([k, v]) => plan.settings[k] !== v);
      return changed ? { ...plan, settings: { ...plan.settings, ...patch } } : plan;
    },
  };
}

export function setCatalog(catalog: ScrewCatalog, label: string): PlanEdit {
  return { label, update: (plan) => ({ ...plan, catalog: JSON.parse(JSON.stringify(catalog)) as ScrewCatalog }) };
}

/** "Move IS S1 L tip" etc. */
export function editLabel(plan: PlanContent | null, screwId: string, what: string): string {
  const s = plan?.screws.find((x) => x.id === screwId);
  return `${what} ${s ? screwLabel(s, plan!.screws) : screwId}`;
}

/** A plan with no screws for a series: default catalog and settings, no structures reviewed yet. */
export function emptyPlanContent(series: PlanContent['series'], catalog: ScrewCatalog, settings: PlanSettings): PlanContent {
  return {
    series: JSON.parse(JSON.stringify(series)) as PlanContent['series'],
    catalog: JSON.parse(JSON.stringify(catalog)) as ScrewCatalog,
    settings: { ...settings },
    structures: { foramina: [], sacralCanal: null, roots: [], joints: [], notes: [] },
    structureReview: [],
    screws: [],
    overrides: [],
  };
}

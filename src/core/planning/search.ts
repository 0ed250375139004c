import type { FieldSet } from '../fields/FieldSet';
import type { PlannerGrid } from '../collision/plannerGrid';
import { GRID_CHANNELS, marchGridIjk as importedMarchGridIjk, sampleGridLps as importedSampleGridLps } from '../collision/plannerGrid';

// Hot-path copies of imported bindings (module namespace reads are getters under some loaders: tsx, vite-node).
const marchGridIjk = importedMarchGridIjk;
const sampleGridLps = importedSampleGridLps;
const CH = 3;
const SACRUM = 1, L5 = 6;
import { frameDirectionToLps, lpsToFramePoint } from '../geometry/patientFrames';
import type { Vec3 } from '../geometry/vec3';
import type { CorridorId, ForamenId, Side } from '../shared/ids';
import type { AnatomySummary } from './anatomySummary';
import type { CancelToken } from './cancel';
import { PlannerError } from '../shared/errors';
import { evaluateScrew, lesionSizeMm, passesExceptModelling, requiredLesionSpanMm, type EvaluationContext } from './checks/index';
import { labelName } from './checks/result';
import { resolveCorridor, type ResolvedCorridor } from './corridors';
import type { CorridorOutcome, PlanSettings, RankedScrew, Screw, ScrewCatalog, ScrewEvaluation, ScrewSpec } from './types';

/**
 * Trajectory search for one corridor and one lesion.
 *
 * 1. Directions: a Fibonacci spiral over the corridor's cone around its ideal
 *    axis (anatomical frame), about `coneStepDeg` apart.
 * 2. Lines: for each direction, the lesion's points are binned on a grid of
 *    `lineSpacingMm` in the plane across the direction; each occupied cell gives
 *    one candidate line through the lesion (through the mean of its points).
 * 3. Each line is scored by {@link scoreLine}: one march of the interleaved
 *    planner grid (bone envelope, lesion, nearest critical structure) finds the
 *    bone entry and the far cortex (crossing permitted sacroiliac joint gaps),
 *    sizes the screw from the catalog (widest diameter that keeps cortex and
 *    structure margins, longest length that keeps the tip in the right bone),
 *    and measures purchase on both sides of the lesion. Allocation-free.
 * 4. The best lines are refined by a small pattern search (direction and offset),
 *    then re-checked with every clinical rule at full resolution
 *    ({@link evaluateScrew}); distinct passing screws are proposed, best first.
 * 5. When nothing passes, the outcome says why, with the widest screw the
 *    corridor takes ("no iliosacral S1 (left) corridor: widest 6.8 mm ...").
 */
export type SearchOptions = {
  coneStepDeg: number;
  lineSpacingMm: number;
  /** Axis sampling step of the coarse search, mm. */
  sampleStepMm: number;
  /** Candidates kept for refinement and fine checks. */
  keepTop: number;
  /** Distinct screws proposed per corridor. */
  maxProposals: number;
  /** Poll the cancel token every this many candidates. */
  pollEvery: number;
};

export const DEFAULT_SEARCH_OPTIONS: Readonly<SearchOptions> = Object.freeze({
  coneStepDeg: 3.5,
  lineSpacingMm: 2.5,
  sampleStepMm: 1,
  keepTop: 24,
  maxProposals: 3,
  pollEvery: 256,
});

export type SearchContext = {
  fields: FieldSet;
  grid: PlannerGrid;
  summary: AnatomySummary;
  settings: PlanSettings;
  catalog: ScrewCatalog;
  evaluation: EvaluationContext;
  options: SearchOptions;
  cancel: CancelToken;
  /** Called with the number of candidates scored since the last call. */
  onProgress?: (scored: number) => void;
  scratch: SearchScratch;
};

/** Reasons a line is rejected, in the order the kernel tests them (later = got further). */
export const enum Reject {
  None = 0,
  StartOutside = 1,
  NoEntry = 2,
  WrongEntryBone = 3,
  WrongLevel = 4,
  TooShort = 5,
  WrongTipBone = 6,
  NoLesion = 7,
  Narrow = 8,
  Purchase = 9,
  LesionSpan = 10,
  SkinPath = 11,
}

const REJECT_TEXT: Record<number, string> = {
  [Reject.StartOutside]: 'the lesion is outside bone along these lines',
  [Reject.NoEntry]: 'no bone entry within the corridor length',
  [Reject.WrongEntryBone]: 'lines through the lesion do not enter through the expected bone',
  [Reject.WrongLevel]: 'lines through the lesion miss the sacral level',
  [Reject.TooShort]: 'the bone path is shorter than the corridor needs',
  [Reject.WrongTipBone]: 'lines through the lesion do not end in the expected bone',
  [Reject.NoLesion]: 'the screw would not reach the lesion',
  [Reject.Narrow]: 'too narrow for the smallest screw with its margins',
  [Reject.Purchase]: 'not enough healthy bone on both sides of the lesion',
  [Reject.LesionSpan]: 'the lines that hold on both sides only graze the lesion (lesion span too short)',
  [Reject.SkinPath]: 'the way in from the skin crosses another bone',
};

const REJECT_NAMES = ['accepted', 'startOutside', 'noEntry', 'wrongEntryBone', 'wrongLevel', 'tooShort', 'wrongTipBone', 'noLesion', 'narrow', 'purchase', 'lesionSpan', 'skinPath'];

/** Result of {@link scoreLine} (reused object). */
export type LineScore = {
  reject: Reject;
  score: number;
  /** Bone entry parameter along the line from its anchor point, mm (negative = behind). */
  tEntryMm: number;
  lengthMm: number;
  /** Index of the chosen screw spec in the catalog, -1 when none fits. */
  specIndex: number;
  /** Widest diameter (mm) the line takes in bone alone, and with the structure margins and tolerances. */
  widestInBoneMm: number;
  widestWithMarginsMm: number;
  purchaseNearMm: number;
  purchaseFarMm: number;
  lesionSpanMm: number;
  /**
   * A near miss's shortfall, mm, set when the line is rejected at the last
   * stages only (width, purchase, lesion span: right bones, right level,
   * through the lesion): how much wider (smallest screw with its margins,
   * diameter), how much more healthy bone, or how much more lesion span it
   * would need. The refinement also starts from the smallest ones.
   */
  deficitMm: number;
};

export function createLineScore(): LineScore {
  return { reject: Reject.None, score: -Infinity, tEntryMm: 0, lengthMm: 0, specIndex: -1, widestInBoneMm: 0, widestWithMarginsMm: 0, purchaseNearMm: 0, purchaseFarMm: 0, lesionSpanMm: 0, deficitMm: 0 };
}

/** Preallocated buffers of the search (one per engine). */
export type SearchScratch = {
  back: Float64Array;
  fwd: Float64Array;
  prof: Float64Array;
  sample: Float64Array;
  cellSum: Float64Array;
  cellCount: Int32Array;
  top: Float64Array;
  /** The near-miss table (same rows as `top`, score = -deficit). */
  near: Float64Array;
  capacity: number;
};

const MAX_PATH_MM = 400;
/** Row layout of the top-K table: score, scan sequence, c(3), d(3). */
const TOP_ROW = 8;
/** Slots of the per-reject counters (Reject codes and room to spare). */
const REJECT_SLOTS = 16;
/** Near misses kept per corridor scan (smallest deficit first): the refinement's seeds when no line passed. */
export const NEAR_MISSES = 8;

export function createSearchScratch(sampleStepMm: number, keepTop: number, lineCells = 4096): SearchScratch {
  const capacity = Math.ceil(MAX_PATH_MM / sampleStepMm) + 4;
  return {
    back: new Float64Array(capacity * GRID_CHANNELS),
    fwd: new Float64Array(capacity * GRID_CHANNELS),
    prof: new Float64Array(2 * capacity * GRID_CHANNELS),
    sample: new Float64Array(GRID_CHANNELS),
    cellSum: new Float64Array(lineCells * 3),
    cellCount: new Int32Array(lineCells),
    top: new Float64Array(keepTop * TOP_ROW),
    near: new Float64Array(NEAR_MISSES * TOP_ROW),
    capacity,
  };
}

/** Screw specs usable in a corridor, widest first (indices into the catalog). */
function specsFor(catalog: ScrewCatalog, rc: ResolvedCorridor): number[] {
  return catalog.screws
    .map((s, i) => [s, i] as const)
    .filter(([s]) => s.diameterMm >= rc.template.minDiameterMm - 1e-9)
    .sort((a, b) => b[0].diameterMm - a[0].diameterMm)
    .map(([, i]) => i);
}

function labelAt(fields: FieldSet, x: number, y: number, z: number): number {
  const g = fields.labels.geometry;
  const m = g.lpsToIjk;
  const i = Math.round(m[0]! * x + m[4]! * y + m[8]! * z + m[12]!);
  const j = Math.round(m[1]! * x + m[5]! * y + m[9]! * z + m[13]!);
  const k = Math.round(m[2]! * x + m[6]! * y + m[10]! * z + m[14]!);
  const [ni, nj, nk] = g.dims;
  if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) return 0;
  return fields.labels.voxels[i + ni * (j + nj * k)]!;
}

/** Per-corridor constants the kernel reads (computed once per corridor and side). */
export type LinePlan = {
  rc: ResolvedCorridor;
  specs: number[];
  /** Mid-sagittal plane: frame origin and left axis; level band along superior (mm from origin). */
  levelMinMm: number;
  levelMaxMm: number;
  requireLesion: boolean;
  /** Fixed screw spec (parallel screws), or -1. */
  forceSpec: number;
  /** Axis length the line must run inside the lesion (checks/lesionSpan.ts requirement), mm; applies when requireLesion. */
  minLesionSpanMm: number;
};

/** What a corridor's constants and its early verdict depend on (the pool decides ruled-out corridors without a worker). */
export type CorridorBasis = Pick<SearchContext, 'summary' | 'settings' | 'catalog'>;

export function createLinePlan(ctx: CorridorBasis, corridorId: CorridorId, side: Side): LinePlan {
  const rc = resolveCorridor(corridorId, side);
  let levelMinMm = -Infinity, levelMaxMm = Infinity;
  const c = ctx.summary.foramenCentroidsLps;
  const frame = ctx.summary.frame;
  const sOf = (a: ForamenId, b: ForamenId): number | null => {
    const pa = c[a], pb = c[b];
    if (!pa && !pb) return null;
    const q: Vec3 = [0, 0, 0];
    const sa = pa ? lpsToFramePoint(q, frame, pa)[2] : null;
    const sb = pb ? lpsToFramePoint(q, frame, pb)[2] : null;
    return sa !== null && sb !== null ? (sa + sb) / 2 : (sa ?? sb);
  };
  const s1 = sOf('foramenS1Left', 'foramenS1Right');
  const s2 = sOf('foramenS2Left', 'foramenS2Right');
  if (rc.template.sacralLevel === 'S1' && s1 !== null) levelMinMm = s1;
  if (rc.template.sacralLevel === 'S2' && s1 !== null) {
    levelMaxMm = s1;
    if (s2 !== null) levelMinMm = s2;
  }
  const minLesionSpanMm = requiredLesionSpanMm(ctx.settings, lesionSizeMm(ctx.summary.lesionVolumeMm3));
  return { rc, specs: specsFor(ctx.catalog, rc), levelMinMm, levelMaxMm, requireLesion: true, forceSpec: -1, minLesionSpanMm };
}

// Score weights: clearance and cortex cover dominate; then diameter, purchase, span, length; deviation from the ideal axis costs.
const W_CLEAR = 1.0, W_COVER = 0.8, W_DIAM = 1.0, W_PURCHASE = 0.1, W_SPAN = 0.05, W_LEN = 0.02, W_ANGLE = 0.15;
/** Per mm of lesion span short of the requirement (a candidate the refinement may still move into the lesion). */
const W_SPAN_SHORT = 1.0;

/**
 * Scores one candidate line: anchor point c (in LPS, expected inside the
 * lesion) and unit direction d (entry -> tip). The hot kernel of the planner:
 * no allocation. Writes `out` and returns its reject code (0 = acceptable).
 */
export function scoreLine(ctx: SearchContext, lp: LinePlan, c: Readonly<Vec3>, d: Readonly<Vec3>, idealDir: Readonly<Vec3>, out: LineScore): Reject {
  const { grid, settings, evaluation, scratch } = ctx;
  const rc = lp.rc;
  const tpl = rc.template;
  const h = ctx.options.sampleStepMm;
  const C = CH;
  const sm = scratch.sample;
  out.reject = Reject.None;
  out.score = -Infinity;
  out.specIndex = -1;
  out.widestInBoneMm = 0;
  out.widestWithMarginsMm = 0;

  sampleGridLps(grid, c[0], c[1], c[2], sm);
  if (!(sm[0]! > 0)) return (out.reject = Reject.StartOutside);

  const maxLen = tpl.lengthRangeMm[1] + settings.maxJointGapMm + 10;
  const maxSamples = Math.min(scratch.capacity, Math.ceil(maxLen / h) + 2);
  const gapSamples = Math.floor(settings.maxJointGapMm / h) + 1;
  let gapBudget = tpl.jointCrossings;

  // March backward (towards the entry) first; the forward march (towards the tip) waits until the cheap tests on the
  // entry side passed (a line through the wrong bone or level never needs it: same rejects, about half the samples).
  const nb = march(ctx, c, d, -1, maxSamples, gapSamples, scratch.back);
  // Linear profile: index q, t(q) = (q - (nb - 1)) * h.
  const P = scratch.prof;
  for (let q = 0; q < nb; q++) {
    const src = (nb - 1 - q) * C;
    P[q * C] = scratch.back[src]!; P[q * C + 1] = scratch.back[src + 1]!; P[q * C + 2] = scratch.back[src + 2]!;
  }
  const q0 = nb - 1;

  // Entry: walk back from the anchor; short outside runs between two different bones are joints.
  let qe = q0;
  for (;;) {
    let q = qe;
    while (q > 0 && P[(q - 1) * C]! > 0) q--;
    if (q === 0) return (out.reject = Reject.NoEntry);
    // P[q-1] is outside: how long is the outside run?
    let r = q - 1;
    while (r > 0 && !(P[(r - 1) * C]! > 0) && q - r < gapSamples) r--;
    const reentered = r > 0 && P[(r - 1) * C]! > 0 && q - r <= gapSamples;
    if (reentered && gapBudget > 0 && isJoint(ctx, c, d, tOfQ(q0, h, q), tOfQ(q0, h, r - 1))) {
      gapBudget--;
      qe = r - 1;
      continue;
    }
    qe = q;
    break;
  }
  // Sub-sample zero crossings of the bone envelope.
  const ce = P[qe * C]!, cb = P[(qe - 1) * C]!;
  const tEntry = tOfQ(q0, h, qe) - (h * ce) / (ce - cb);

  // Entry bone.
  const ex = c[0] + d[0] * (tEntry + 2), ey = c[1] + d[1] * (tEntry + 2), ez = c[2] + d[2] * (tEntry + 2);
  const entryLabel = labelAt(ctx.fields, ex, ey, ez);
  if (!rc.entryLabels.includes(entryLabel)) return (out.reject = Reject.WrongEntryBone);

  // Sacral level at the mid-sagittal plane.
  const frame = ctx.summary.frame;
  const L = frame.leftLps, S = frame.superiorLps, O = frame.originLps;
  const dl = d[0] * L[0] + d[1] * L[1] + d[2] * L[2];
  const cl = (c[0] - O[0]) * L[0] + (c[1] - O[1]) * L[1] + (c[2] - O[2]) * L[2];
  if (lp.levelMinMm > -Infinity || lp.levelMaxMm < Infinity) {
    if (Math.abs(dl) < 0.2) return (out.reject = Reject.WrongLevel);
    const tm = -cl / dl;
    const sLevel = (c[0] + d[0] * tm - O[0]) * S[0] + (c[1] + d[1] * tm - O[1]) * S[1] + (c[2] + d[2] * tm - O[2]) * S[2];
    if (sLevel <= lp.levelMinMm || sLevel >= lp.levelMaxMm) return (out.reject = Reject.WrongLevel);
  }

  // The screw spans at most maxLen: the forward march need not go further than that past the backward stop... but the
  // backward stop may lie beyond the entry (joint look-ahead), so keep a margin of the gap look-ahead and 10 mm.
  const nf = march(ctx, c, d, 1, Math.min(maxSamples, Math.max(gapSamples + 2, maxSamples - nb + gapSamples + Math.ceil(10 / h) + 2)), gapSamples, scratch.fwd);
  const n = nb + nf - 1;
  for (let q = 1; q < nf; q++) {
    const dst = (nb - 1 + q) * C, src = q * C;
    P[dst] = scratch.fwd[src]!; P[dst + 1] = scratch.fwd[src + 1]!; P[dst + 2] = scratch.fwd[src + 2]!;
  }
  // Far end: walk forward likewise.
  let qf = q0;
  for (;;) {
    let q = qf;
    while (q < n - 1 && P[(q + 1) * C]! > 0) q++;
    if (q >= n - 1) break; // still inside at the search limit: the length cap decides
    let r = q + 1;
    while (r < n - 1 && !(P[(r + 1) * C]! > 0) && r - q < gapSamples) r++;
    const reentered = r < n - 1 && P[(r + 1) * C]! > 0 && r - q <= gapSamples;
    if (reentered && gapBudget > 0 && isJoint(ctx, c, d, tOfQ(q0, h, q), tOfQ(q0, h, r + 1))) {
      gapBudget--;
      qf = r + 1;
      continue;
    }
    qf = q;
    break;
  }
  let tFar = tOfQ(q0, h, qf);
  if (qf < n - 1) {
    const cf = P[qf * C]!, ca = P[(qf + 1) * C]!;
    tFar += (h * cf) / (cf - ca);
  }

  // Length: room to the far cortex, the midline limit, the corridor's range.
  // The tip ball needs the widest screw's radius of bone around it (tip rule): keep the tip that far short of the far
  // cortex (it used to stop 1 mm short, so the 5 mm length steps left the tip 1-6 mm deep and a line fitted or not by chance).
  const rWidest = ctx.catalog.screws[lp.forceSpec >= 0 ? lp.forceSpec : lp.specs[0]!]!.diameterMm / 2;
  let room = tFar - tEntry - Math.max(1, rWidest + evaluation.tolerances.boneMm);
  if (tpl.tipBeyondMidlineMaxMm !== null && Math.abs(dl) > 1e-6) {
    // Left coordinate along the line: cl + dl * t; the tip may pass the midline by at most X towards the far side.
    const sign = rc.side === 'left' ? 1 : -1;
    const tLimit = (-sign * tpl.tipBeyondMidlineMaxMm - cl) / dl;
    if (tLimit > tEntry) room = Math.min(room, tLimit - tEntry);
  }
  let shift = 0;
  let length: number;
  let tipDepthTarget = 0;
  const spec0 = ctx.catalog.screws[lp.forceSpec >= 0 ? lp.forceSpec : lp.specs[lp.specs.length - 1]!]!;
  if (tpl.tipRule === 'subchondral') {
    // Tip between min and max below the subchondral bone: aim at the middle of the window above the tolerance.
    tipDepthTarget = (settings.femoralNeckTipMinMm + evaluation.tolerances.boneMm + settings.femoralNeckTipMaxMm) / 2;
    const want = tFar - tipDepthTarget - tEntry;
    const l = nearestLength(spec0, want);
    if (l === null || l < tpl.lengthRangeMm[0] || l > tpl.lengthRangeMm[1]) return (out.reject = Reject.TooShort);
    shift = want - l;
    if (shift > 2.5) shift = 2.5;
    if (shift < -2.5) shift = -2.5;
    length = l;
  } else {
    const l = longestWithin(spec0, tpl.lengthRangeMm[0], Math.min(room, tpl.lengthRangeMm[1]));
    if (l === null) return (out.reject = Reject.TooShort);
    length = l;
  }
  const tHead = tEntry + shift;
  const tTip = tHead + length;

  // Tip bone.
  const tipLabel = labelAt(ctx.fields, c[0] + d[0] * (tTip - 1.5), c[1] + d[1] * (tTip - 1.5), c[2] + d[2] * (tTip - 1.5));
  if (!rc.tipLabels.includes(tipLabel)) return (out.reject = Reject.WrongTipBone);

  // Walk the screw's span: lesion, purchase, cortex cover, critical distance.
  const qa = Math.max(0, Math.ceil(tHead / h + q0)), qb = Math.min(n - 1, Math.floor(tTip / h + q0));
  const entryZoneEnd = tEntry + settings.entryZoneMm + 1.5 * rWidest;
  // The corridor's width is measured across it: not where the far cortex (the end of a transsacral or supra-acetabular
  // path) is nearer than the sides. The exit zone mirrors the entry zone; the screw's own fit still counts every sample.
  const exitZoneStart = qf < n - 1 ? tFar - settings.entryZoneMm - 1.5 * rWidest : Infinity;
  let first = -1, last = -1, inLesion = 0;
  let minCover = Infinity, minCrit = Infinity, minCoverAcross = Infinity;
  for (let q = qa; q <= qb; q++) {
    const o = q * C;
    const cont = P[o]!, les = P[o + 1]!, crit = P[o + 2]!;
    if (crit < minCrit) minCrit = crit;
    if (les < 0) {
      if (first < 0) first = q;
      last = q;
      inLesion++;
    }
    const tq = tOfQ(q0, h, q);
    if (tq < entryZoneEnd) continue;
    if (cont < minCover) minCover = cont;
    if (tq <= exitZoneStart && cont < minCoverAcross) minCoverAcross = cont;
  }
  if (minCoverAcross === Infinity) minCoverAcross = minCover;
  // The tip ball must be covered too.
  sampleGridLps(grid, c[0] + d[0] * tTip, c[1] + d[1] * tTip, c[2] + d[2] * tTip, sm);
  if (tpl.tipRule !== 'subchondral' && sm[0]! < minCover) minCover = sm[0]!;
  if (sm[2]! < minCrit) minCrit = sm[2]!;

  const tol = evaluation.tolerances;
  const rBone = minCover - tol.boneMm;
  const rCrit = minCrit - settings.safetyMarginMm - tol.structureMm; // voxel-made structures carry their extra tolerance in the grid
  const rMax = Math.min(rBone, rCrit);
  out.widestInBoneMm = 2 * Math.max(0, minCoverAcross);
  out.widestWithMarginsMm = 2 * Math.max(0, Math.min(minCoverAcross - tol.boneMm, rCrit));
  out.tEntryMm = tHead;
  out.lengthMm = length;

  if (first < 0) {
    if (lp.requireLesion) return (out.reject = Reject.NoLesion);
  }
  // Widest catalog diameter that fits.
  let specIndex = -1;
  if (lp.forceSpec >= 0) {
    if (ctx.catalog.screws[lp.forceSpec]!.diameterMm / 2 <= rMax) specIndex = lp.forceSpec;
  } else {
    for (const si of lp.specs) {
      if (ctx.catalog.screws[si]!.diameterMm / 2 <= rMax) {
        specIndex = si;
        break;
      }
    }
  }
  if (specIndex < 0) {
    // Diameter short: the narrowest screw the line could take (the forced one, else the corridor's smallest) vs what it has.
    const smallest = lp.forceSpec >= 0 ? lp.forceSpec : lp.specs[lp.specs.length - 1]!;
    out.deficitMm = ctx.catalog.screws[smallest]!.diameterMm - 2 * rMax;
    return (out.reject = Reject.Narrow);
  }
  out.specIndex = specIndex;

  let near = 0, far = 0;
  if (first >= 0) {
    for (let q = qa; q < first; q++) if (P[q * C]! > 0 && P[q * C + 1]! > 0) near++;
    for (let q = last + 1; q <= qb; q++) if (P[q * C]! > 0 && P[q * C + 1]! > 0) far++;
  }
  out.purchaseNearMm = near * h;
  out.purchaseFarMm = far * h;
  out.lesionSpanMm = inLesion * h;
  const minPurchase = Math.min(out.purchaseNearMm, out.purchaseFarMm);
  if (lp.requireLesion && minPurchase - tol.boneMm - h < settings.purchaseMm) {
    out.deficitMm = settings.purchaseMm - (minPurchase - tol.boneMm - h);
    return (out.reject = Reject.Purchase);
  }
  // Through the lesion, not along its edge. A line that only clips it (under half the requirement) is rejected; one
  // nearer stays a candidate with a penalty per mm short, so the refinement can move it into the lesion; the fine
  // check measures the span at full resolution and decides.
  const spanShortMm = lp.requireLesion ? lp.minLesionSpanMm - (out.lesionSpanMm - tol.boneMm - h) : 0;
  if (spanShortMm > 0.5 * lp.minLesionSpanMm) {
    out.deficitMm = spanShortMm - 0.5 * lp.minLesionSpanMm;
    return (out.reject = Reject.LesionSpan);
  }

  const diam = ctx.catalog.screws[specIndex]!.diameterMm;
  // Way in from the skin: the backward extension stays off any OTHER bone part (the fine check looks around the cylinder).
  {
    // Sphere tracing: the bone envelope's depth is a distance (1-Lipschitz), so no bone lies within -depth of a point.
    for (let t = tEntry - (settings.entryZoneMm + 0.75 * diam); t > tEntry - MAX_PATH_MM;) {
      const x = c[0] + d[0] * t, y = c[1] + d[1] * t, z = c[2] + d[2] * t;
      sampleGridLps(grid, x, y, z, sm);
      const depth = sm[0]!;
      if (depth <= -999) break; // left the grid
      if (depth > 0) {
        const lab = labelAt(ctx.fields, x, y, z);
        if (lab !== entryLabel && lab >= SACRUM && lab <= L5) return (out.reject = Reject.SkinPath);
      }
      t -= depth < -3 ? -depth - 1 : 2;
    }
  }
  const cosA = d[0] * idealDir[0] + d[1] * idealDir[1] + d[2] * idealDir[2];
  const angleDeg = (Math.acos(cosA > 1 ? 1 : cosA < -1 ? -1 : cosA) * 180) / Math.PI;
  const clear = rCrit - diam / 2, cover = rBone - diam / 2;
  out.score =
    W_CLEAR * (clear < 6 ? clear : 6) + W_COVER * (cover < 4 ? cover : 4) + W_DIAM * diam +
    W_PURCHASE * Math.min(minPurchase - settings.purchaseMm, 20) + W_SPAN * out.lesionSpanMm + W_LEN * length - W_ANGLE * angleDeg -
    W_SPAN_SHORT * (spanShortMm > 0 ? spanShortMm : 0);
  return Reject.None;
}

function tOfQ(q0: number, h: number, q: number): number {
  return (q - q0) * h;
}

/** Is the outside run between t0 and t1 (along c + t d) a joint: bone parts differ on its two sides? */
function isJoint(ctx: SearchContext, c: Readonly<Vec3>, d: Readonly<Vec3>, tInsideA: number, tInsideB: number): boolean {
  const la = boneOnly(labelAt(ctx.fields, c[0] + d[0] * tInsideA, c[1] + d[1] * tInsideA, c[2] + d[2] * tInsideA));
  const lb = boneOnly(labelAt(ctx.fields, c[0] + d[0] * tInsideB, c[1] + d[1] * tInsideB, c[2] + d[2] * tInsideB));
  return la !== 0 && lb !== 0 && la !== lb;
}

function boneOnly(label: number): number {
  return label >= SACRUM && label <= L5 ? label : 0;
}

/**
 * Samples the grid from c along sign * d every h mm into buf (3 channels per
 * sample), stopping after an outside run longer than `gapSamples` or at
 * `maxSamples`. Returns the number of samples.
 */
function march(ctx: SearchContext, c: Readonly<Vec3>, d: Readonly<Vec3>, sign: 1 | -1, maxSamples: number, gapSamples: number, buf: Float64Array): number {
  const h = ctx.options.sampleStepMm * sign;
  const grid = ctx.grid;
  // Walk in voxel-index space: the anchor and the per-step increment are transformed once.
  const m = grid.geometry.lpsToIjk;
  const ci = m[0]! * c[0] + m[4]! * c[1] + m[8]! * c[2] + m[12]!;
  const cj = m[1]! * c[0] + m[5]! * c[1] + m[9]! * c[2] + m[13]!;
  const ck = m[2]! * c[0] + m[6]! * c[1] + m[10]! * c[2] + m[14]!;
  const di = (m[0]! * d[0] + m[4]! * d[1] + m[8]! * d[2]) * h;
  const dj = (m[1]! * d[0] + m[5]! * d[1] + m[9]! * d[2]) * h;
  const dk = (m[2]! * d[0] + m[6]! * d[1] + m[10]! * d[2]) * h;
  return marchGridIjk(grid, ci, cj, ck, di, dj, dk, maxSamples, gapSamples, buf);
}

function longestWithin(spec: ScrewSpec, minMm: number, maxMm: number): number | null {
  for (let i = spec.lengthsMm.length - 1; i >= 0; i--) {
    const l = spec.lengthsMm[i]!;
    if (l <= maxMm + 1e-9) return l >= minMm - 1e-9 ? l : null;
  }
  return null;
}

function nearestLength(spec: ScrewSpec, wantMm: number): number | null {
  let best: number | null = null;
  for (const l of spec.lengthsMm) if (best === null || Math.abs(l - wantMm) < Math.abs(best - wantMm)) best = l;
  return best;
}

/** Unit vectors u, v across d (any orthonormal pair). */
function basisAcross(d: Readonly<Vec3>, u: Vec3, v: Vec3): void {
  const a: Vec3 = Math.abs(d[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  u[0] = a[1] * d[2] - a[2] * d[1];
  u[1] = a[2] * d[0] - a[0] * d[2];
  u[2] = a[0] * d[1] - a[1] * d[0];
  const n = Math.hypot(u[0], u[1], u[2]);
  u[0] /= n; u[1] /= n; u[2] /= n;
  v[0] = d[1] * u[2] - d[2] * u[1];
  v[1] = d[2] * u[0] - d[0] * u[2];
  v[2] = d[0] * u[1] - d[1] * u[0];
}

/**
 * Candidate top-K table: keeps the best `keep` rows (score, seq, c, d) by a
 * total order, score descending then scan sequence ascending (a tie goes to
 * the line scanned first). With a total order the K best of a scan split into
 * shares, merged ({@link mergeScans}), are exactly the K best of the whole scan.
 */
class TopK {
  count = 0;
  constructor(readonly rows: Float64Array, readonly keep: number) {}
  /** Index of the worst row kept: lowest score, then latest in the scan. */
  worstIndex(): number {
    const r = this.rows;
    let wi = 0;
    for (let i = 1; i < this.count; i++) {
      const o = i * TOP_ROW, w = wi * TOP_ROW;
      if (r[o]! < r[w]! || (r[o]! === r[w]! && r[o + 1]! > r[w + 1]!)) wi = i;
    }
    return wi;
  }
  offer(score: number, seq: number, c: Readonly<Vec3>, d: Readonly<Vec3>): void {
    if (this.keep <= 0) return;
    let i: number;
    if (this.count < this.keep) i = this.count++;
    else {
      i = this.worstIndex();
      const w = i * TOP_ROW;
      if (!(score > this.rows[w]! || (score === this.rows[w]! && seq < this.rows[w + 1]!))) return;
    }
    const o = i * TOP_ROW;
    this.rows[o] = score;
    this.rows[o + 1] = seq;
    this.rows[o + 2] = c[0]; this.rows[o + 3] = c[1]; this.rows[o + 4] = c[2];
    this.rows[o + 5] = d[0]; this.rows[o + 6] = d[1]; this.rows[o + 7] = d[2];
  }
  /** The rows kept, best first, as plain numbers (TOP_ROW per row). */
  sortedRows(): number[] {
    const rows: number[][] = [];
    for (let i = 0; i < this.count; i++) rows.push(Array.from(this.rows.subarray(i * TOP_ROW, (i + 1) * TOP_ROW)));
    return rows.sort(compareTopRows).flat();
  }
}

/** Best first: score descending, then scan sequence ascending. */
function compareTopRows(a: readonly number[], b: readonly number[]): number {
  return b[0]! - a[0]! || a[1]! - b[1]!;
}

/** Fibonacci-spiral directions within a cone of half-angle alpha around d0 (d0 first). */
export function coneDirections(d0: Readonly<Vec3>, halfAngleDeg: number, stepDeg: number): Vec3[] {
  const alpha = (halfAngleDeg * Math.PI) / 180;
  const n = Math.max(1, Math.ceil((Math.PI * halfAngleDeg * halfAngleDeg) / (stepDeg * stepDeg)));
  const u: Vec3 = [0, 0, 0], v: Vec3 = [0, 0, 0];
  basisAcross(d0, u, v);
  const out: Vec3[] = [[d0[0], d0[1], d0[2]]];
  const golden = Math.PI * (3 - Math.sqrt(5));
  const cosA = Math.cos(alpha);
  for (let i = 0; i < n; i++) {
    const ct = 1 - (1 - cosA) * ((i + 0.5) / n);
    const st = Math.sqrt(Math.max(0, 1 - ct * ct));
    const phi = i * golden;
    const cp = Math.cos(phi), sp = Math.sin(phi);
    out.push([d0[0] * ct + (u[0] * cp + v[0] * sp) * st, d0[1] * ct + (u[1] * cp + v[1] * sp) * st, d0[2] * ct + (u[2] * cp + v[2] * sp) * st]);
  }
  return out;
}

/** Which directions of a corridor's cone a scan covers: those whose index modulo `count` is `index`. */
export type ScanShare = { index: number; count: number };

export const WHOLE_SCAN: Readonly<ScanShare> = Object.freeze({ index: 0, count: 1 });

/**
 * The coarse scan of one corridor (or of one share of its directions), as
 * plain data: what {@link finishCorridor} needs to go on exactly as if it had
 * scanned every direction itself. Shares of one scan merge with {@link mergeScans}.
 */
export type CorridorScan = {
  corridorId: CorridorId;
  side: Side;
  /** The corridor's outcome when it is ruled out before any line is scored (no lesion, lesion off its path, ...). */
  early: CorridorOutcome | null;
  /** Lines scored. */
  scored: number;
  /** Lines per reject code (index = {@link Reject}). */
  rejects: number[];
  /** Widest diameters over the lines that reached the width test, mm. */
  widestInBoneMm: number;
  widestWithMarginsMm: number;
  /** The best acceptable lines, best first: rows of score, scan sequence, anchor c (3), direction d (3). */
  top: number[];
  /**
   * The best near misses ({@link NEAR_MISSES}; rejected for width, purchase or lesion span only), smallest deficit
   * first: rows as `top` with score = -deficit (mm). The refinement's seeds when no line passed.
   */
  near: number[];
};

/** Counts scored lines (per reject code, widest width) and polls the cancel token every `pollEvery` lines. */
class Tally {
  reported: number;
  constructor(
    readonly ctx: SearchContext,
    readonly res: LineScore,
    readonly rejects: Int32Array,
    public scored: number,
    public widestInBone: number,
    public widestWithMargins: number,
  ) {
    this.reported = scored;
  }
  /** After each scoreLine into `res`. */
  track(): void {
    const res = this.res;
    this.scored++;
    if (res.widestInBoneMm > this.widestInBone && res.reject >= Reject.NoLesion) this.widestInBone = res.widestInBoneMm;
    if (res.widestWithMarginsMm > this.widestWithMargins && res.reject >= Reject.NoLesion) this.widestWithMargins = res.widestWithMarginsMm;
    this.rejects[res.reject]!++;
    if (this.scored % this.ctx.options.pollEvery === 0) {
      this.ctx.cancel.throwIfCancelled();
      this.flush();
    }
  }
  /** Reports the lines scored since the last report. */
  flush(): void {
    const n = this.scored - this.reported;
    this.reported = this.scored;
    if (n > 0) this.ctx.onProgress?.(n);
  }
}

type PreparedCorridor = { lp: LinePlan; label: string; base: CorridorOutcome; idealDir: Vec3; early: CorridorOutcome | null };

/** Corridor constants and the reasons that rule a corridor out before any line (cheap; every share repeats it). */
function prepareCorridor(ctx: CorridorBasis, corridorId: CorridorId, side: Side): PreparedCorridor {
  const lp = createLinePlan(ctx, corridorId, side);
  const rc = lp.rc;
  const tpl = rc.template;
  const unlevelled = tpl.sacralLevel !== null && lp.levelMinMm === -Infinity && lp.levelMaxMm === Infinity;
  const label = `${tpl.label} (${side})${unlevelled ? ' [sacral level not constrained: no S1 foramen labelled or modelled]' : ''}`;
  const base: CorridorOutcome = { corridorId, side, available: false, screws: [], reason: '', widestInBoneMm: 0, widestWithMarginsMm: 0, candidatesScored: 0, parallelSet: [], rejectCounts: {} };
  const summary = ctx.summary;
  const idealDir: Vec3 = frameDirectionToLps([0, 0, 0], summary.frame, rc.axisFrame[0], rc.axisFrame[1], rc.axisFrame[2]);
  const out = (reason: string): PreparedCorridor => ({ lp, label, base, idealDir, early: { ...base, reason } });
  if (!summary.lesionCentroidLps || summary.lesionPointsLps.length === 0) return out(`no ${label} screw: no lesion segmented`);
  if (summary.lesionHostLabel !== 0 && !rc.pathLabels.includes(summary.lesionHostLabel)) {
    return out(`no ${label} screw: the lesion is in the ${labelName(summary.lesionHostLabel)}, off this corridor's path (${rc.pathLabels.map(labelName).join(', ')})`);
  }
  if (lp.specs.length === 0) return out(`no ${label} screw: the catalog has no screw of ${tpl.minDiameterMm} mm or more`);
  if (tpl.tipBeyondMidlineMaxMm !== null) {
    // Iliosacral: the tip stops near the midline, so the lesion must lie on the entry side of it.
    const f = summary.frame;
    const c = summary.lesionCentroidLps;
    const l = (c[0] - f.originLps[0]) * f.leftLps[0] + (c[1] - f.originLps[1]) * f.leftLps[1] + (c[2] - f.originLps[2]) * f.leftLps[2];
    const towardsEntry = side === 'left' ? l : -l;
    if (towardsEntry + summary.lesionRadiusMm < -tpl.tipBeyondMidlineMaxMm) {
      return out(`no ${label} screw: the lesion lies on the other side of the midline (an iliosacral screw ends near the midline)`);
    }
  }
  return { lp, label, base, idealDir, early: null };
}

/**
 * The outcome of a corridor ruled out before any line is scored (no lesion,
 * the lesion off its path or beyond the midline, no catalog screw wide
 * enough), or null when it must be searched. Exactly the outcome
 * {@link searchCorridor} returns for it.
 */
export function corridorRuledOut(basis: CorridorBasis, corridorId: CorridorId, side: Side): CorridorOutcome | null {
  return prepareCorridor(basis, corridorId, side).early;
}

/**
 * Searches one corridor on one side for screws bridging the lesion. Returns
 * an explained outcome (never throws for clinical reasons; throws
 * `worker/stale` when cancelled). The same as {@link finishCorridor} after
 * {@link scanCorridor} over every direction: the worker pool runs the two
 * steps apart, the scan split across its workers.
 */
export function searchCorridor(ctx: SearchContext, corridorId: CorridorId, side: Side): CorridorOutcome {
  return finishCorridor(ctx, [scanCorridor(ctx, corridorId, side, WHOLE_SCAN)]);
}

/**
 * The coarse scan: candidate lines through the lesion for the directions of
 * `share` (every direction by default), each scored by {@link scoreLine}; keeps
 * the best `keepTop` by score (ties: first scanned), counts the rejects.
 */
export function scanCorridor(ctx: SearchContext, corridorId: CorridorId, side: Side, share: Readonly<ScanShare> = WHOLE_SCAN): CorridorScan {
  if (!(Number.isInteger(share.count) && share.count >= 1 && Number.isInteger(share.index) && share.index >= 0 && share.index < share.count)) {
    throw new PlannerError('planning/bad-input', `scan share ${share.index} of ${share.count} is not a share`);
  }
  const { lp, idealDir, early } = prepareCorridor(ctx, corridorId, side);
  const scan: CorridorScan = { corridorId, side, early, scored: 0, rejects: new Array<number>(REJECT_SLOTS).fill(0), widestInBoneMm: 0, widestWithMarginsMm: 0, top: [], near: [] };
  if (early) return scan;
  const summary = ctx.summary;
  const tpl = lp.rc.template;
  const dirs = coneDirections(idealDir, tpl.coneHalfAngleDeg, ctx.options.coneStepDeg);
  const top = new TopK(ctx.scratch.top, ctx.options.keepTop);
  const near = new TopK(ctx.scratch.near, NEAR_MISSES);
  const res = createLineScore();
  const tally = new Tally(ctx, res, new Int32Array(REJECT_SLOTS), 0, 0, 0);
  const u: Vec3 = [0, 0, 0], v: Vec3 = [0, 0, 0];
  const cpt: Vec3 = [0, 0, 0];
  const pts = summary.lesionPointsLps;
  const np = pts.length / 3;
  const cen = summary.lesionCentroidLps!;
  const spacing = ctx.options.lineSpacingMm;
  const half = Math.ceil(summary.lesionRadiusMm / spacing) + 1;
  let side1 = 2 * half + 1;
  let cellSpacing = spacing;
  if (side1 * side1 > ctx.scratch.cellCount.length) {
    // Very large lesion: coarsen the line grid to fit the preallocated cells.
    const maxSide = Math.floor(Math.sqrt(ctx.scratch.cellCount.length));
    cellSpacing = (2 * summary.lesionRadiusMm + 2 * spacing) / (maxSide - 1);
    side1 = maxSide;
  }
  const halfCells = (side1 - 1) / 2;
  const cells = side1 * side1;
  const cellSum = ctx.scratch.cellSum, cellCount = ctx.scratch.cellCount;

  for (let di = share.index; di < dirs.length; di += share.count) {
    const d = dirs[di]!;
    basisAcross(d, u, v);
    cellSum.fill(0, 0, cells * 3);
    cellCount.fill(0, 0, cells);
    for (let p = 0; p < np; p++) {
      const x = pts[p * 3]! - cen[0], y = pts[p * 3 + 1]! - cen[1], z = pts[p * 3 + 2]! - cen[2];
      const a = Math.round((x * u[0] + y * u[1] + z * u[2]) / cellSpacing) + halfCells;
      const b = Math.round((x * v[0] + y * v[1] + z * v[2]) / cellSpacing) + halfCells;
      if (a < 0 || b < 0 || a >= side1 || b >= side1) continue;
      const cell = a + side1 * b;
      cellSum[cell * 3] += pts[p * 3]!;
      cellSum[cell * 3 + 1] += pts[p * 3 + 1]!;
      cellSum[cell * 3 + 2] += pts[p * 3 + 2]!;
      cellCount[cell]!++;
    }
    for (let cell = 0; cell < cells; cell++) {
      const k = cellCount[cell]!;
      if (k === 0) continue;
      cpt[0] = cellSum[cell * 3]! / k; cpt[1] = cellSum[cell * 3 + 1]! / k; cpt[2] = cellSum[cell * 3 + 2]! / k;
      const rj = scoreLine(ctx, lp, cpt, d, idealDir, res);
      if (rj === Reject.None) top.offer(res.score, di * cells + cell, cpt, d);
      else if (rj >= Reject.Narrow && rj <= Reject.LesionSpan && Number.isFinite(res.deficitMm)) near.offer(-res.deficitMm, di * cells + cell, cpt, d);
      tally.track();
    }
  }
  tally.flush();
  scan.scored = tally.scored;
  scan.rejects = Array.from(tally.rejects);
  scan.widestInBoneMm = tally.widestInBone;
  scan.widestWithMarginsMm = tally.widestWithMargins;
  scan.top = top.sortedRows();
  scan.near = near.sortedRows();
  return scan;
}

/**
 * Merges the shares of one corridor's scan: counts add, widths take the
 * largest, the best lines are the `keepTop` best of all shares by the scan's
 * own order (score, then scan sequence). Exactly the whole scan's result,
 * whatever the split (tested). A share that ruled the corridor out rules it out.
 */
export function mergeScans(scans: readonly CorridorScan[], keepTop: number): CorridorScan {
  const first = scans[0];
  if (!first) throw new PlannerError('planning/bad-input', 'no scan to merge');
  for (const s of scans) {
    if (s.corridorId !== first.corridorId || s.side !== first.side) throw new PlannerError('planning/bad-input', `scans of ${first.corridorId}/${first.side} and ${s.corridorId}/${s.side} cannot be merged`);
  }
  const early = scans.find((s) => s.early !== null);
  if (early) return early;
  if (scans.length === 1) return first;
  const rejects = new Array<number>(REJECT_SLOTS).fill(0);
  const rows: number[][] = [];
  const nearRows: number[][] = [];
  let scored = 0, widestInBoneMm = 0, widestWithMarginsMm = 0;
  for (const s of scans) {
    scored += s.scored;
    for (let r = 0; r < REJECT_SLOTS; r++) rejects[r]! += s.rejects[r] ?? 0;
    if (s.widestInBoneMm > widestInBoneMm) widestInBoneMm = s.widestInBoneMm;
    if (s.widestWithMarginsMm > widestWithMarginsMm) widestWithMarginsMm = s.widestWithMarginsMm;
    for (let o = 0; o + TOP_ROW <= s.top.length; o += TOP_ROW) rows.push(s.top.slice(o, o + TOP_ROW));
    for (let o = 0; o + TOP_ROW <= s.near.length; o += TOP_ROW) nearRows.push(s.near.slice(o, o + TOP_ROW));
  }
  rows.sort(compareTopRows);
  nearRows.sort(compareTopRows);
  return {
    corridorId: first.corridorId, side: first.side, early: null, scored, rejects, widestInBoneMm, widestWithMarginsMm,
    top: rows.slice(0, Math.max(0, keepTop)).flat(), near: nearRows.slice(0, NEAR_MISSES).flat(),
  };
}

/** Seeds refined by pattern search (the best lines of the scan); the other kept lines go to the fine checks as they are. */
export const REFINED_SEEDS = 8;

/** The fine check of one refined line, done where it was refined (the pool's refine shares): plain data. */
export type FineCheck = {
  /** scoreLine's verdict on the refined line at full resolution (0: accepted; the screw is then checked with every rule). */
  reject: number;
  /** The screw and its evaluation when accepted (id of proposal 1: renumbered where it is proposed). */
  screw: Screw | null;
  evaluation: ScrewEvaluation | null;
};

/** One refined seed: its index among the scan's best lines, the refined line and score, and its fine check when done. */
export type RefinedSeed = { seed: number; score: number; c: Vec3; d: Vec3; fine: FineCheck | null };

/**
 * The refinement of a share of one corridor's seeds (seed index modulo the
 * share count), as plain data: the refined lines, the lines scored on the way
 * (counts per reject, widest widths) and, when asked, each refined line's fine
 * check. {@link finishCorridor} given every share goes on exactly as if it had
 * refined the seeds itself.
 */
export type CorridorRefinement = {
  corridorId: CorridorId;
  side: Side;
  share: ScanShare;
  seeds: RefinedSeed[];
  scored: number;
  rejects: number[];
  widestInBoneMm: number;
  widestWithMarginsMm: number;
};

/** A refinement seed or result: score of an accepted line (-Infinity for a near miss not yet accepted) and its deficit. */
type Seed = { score: number; deficitMm: number; c: Vec3; d: Vec3 };

function rowsOf(r: readonly number[], near: boolean): Seed[] {
  const seeds: Seed[] = [];
  for (let o = 0; o + TOP_ROW <= r.length; o += TOP_ROW) {
    seeds.push({ score: near ? -Infinity : r[o]!, deficitMm: near ? -r[o]! : 0, c: [r[o + 2]!, r[o + 3]!, r[o + 4]!], d: [r[o + 5]!, r[o + 6]!, r[o + 7]!] });
  }
  return seeds;
}

/**
 * The seeds of the refinement, in order (index = seed number): the best {@link REFINED_SEEDS} passing lines, the
 * others go to the fine checks unrefined. When NO line passed the coarse search, the near misses with the smallest
 * deficit instead, so a slightly moved line that fits is still tried (full-size S2: planner.sacralFull.test.ts).
 * Only then: near misses in the slots a few passing lines leave free displaced the medium phantom's 7 mm S2 screw
 * by a better-scored 7.3 mm one closer to the S1 screw, and the plan lost its S2 screw to the spacing rule.
 */
function seedsOf(scan: CorridorScan): { refine: Seed[]; rest: Seed[] } {
  const passing = rowsOf(scan.top, false);
  if (passing.length === 0) return { refine: rowsOf(scan.near, true).slice(0, REFINED_SEEDS), rest: [] };
  return { refine: passing.slice(0, REFINED_SEEDS), rest: passing.slice(REFINED_SEEDS) };
}

/** How many seeds the refinement has (passing lines and near misses; the pool splits these). */
export function refinedSeedCount(scan: CorridorScan): number {
  return seedsOf(scan).refine.length;
}

/**
 * Pattern search on direction and offset from one seed; every line scored is tracked. From a passing line: moves
 * that raise the score. From a near miss: moves that shrink its deficit or make it pass, then as above. A near miss
 * that never passes comes back with score -Infinity.
 */
function refineSeed(ctx: SearchContext, lp: LinePlan, idealDir: Readonly<Vec3>, seed: Seed, res: LineScore, track: () => void): Seed {
  const tpl = lp.rc.template;
  const u: Vec3 = [0, 0, 0], v: Vec3 = [0, 0, 0];
  const tryD: Vec3 = [0, 0, 0], tryC: Vec3 = [0, 0, 0];
  let best = seed;
  let angle = ((ctx.options.coneStepDeg / 2) * Math.PI) / 180;
  let offset = ctx.options.lineSpacingMm / 2;
  for (let level = 0; level < 3; level++) {
    let improved = true;
    while (improved) {
      improved = false;
      basisAcross(best.d, u, v);
      for (let m = 0; m < 8; m++) {
        const axis = m & 1 ? v : u;
        const sgn = m & 2 ? -1 : 1;
        if (m < 4) {
          const ca = Math.cos(angle), sa = Math.sin(angle) * sgn;
          tryD[0] = best.d[0] * ca + axis[0] * sa; tryD[1] = best.d[1] * ca + axis[1] * sa; tryD[2] = best.d[2] * ca + axis[2] * sa;
          const cosCone = tryD[0] * idealDir[0] + tryD[1] * idealDir[1] + tryD[2] * idealDir[2];
          if (cosCone < Math.cos((tpl.coneHalfAngleDeg * Math.PI) / 180)) continue;
          tryC[0] = best.c[0]; tryC[1] = best.c[1]; tryC[2] = best.c[2];
        } else {
          tryD[0] = best.d[0]; tryD[1] = best.d[1]; tryD[2] = best.d[2];
          tryC[0] = best.c[0] + axis[0] * offset * sgn; tryC[1] = best.c[1] + axis[1] * offset * sgn; tryC[2] = best.c[2] + axis[2] * offset * sgn;
        }
        const rj = scoreLine(ctx, lp, tryC, tryD, idealDir, res);
        track();
        if (rj === Reject.None ? res.score > best.score + 1e-6 : best.score === -Infinity && rj >= Reject.Narrow && rj <= Reject.LesionSpan && res.deficitMm < best.deficitMm - 1e-6) {
          best = { score: rj === Reject.None ? res.score : -Infinity, deficitMm: rj === Reject.None ? 0 : res.deficitMm, c: [tryC[0], tryC[1], tryC[2]], d: [tryD[0], tryD[1], tryD[2]] };
          improved = true;
        }
      }
    }
    angle /= 2;
    offset /= 2;
  }
  return best;
}

/** The fine check of one line: scoreLine at full resolution, then every rule on its screw (numbered as proposal `index`). */
function fineCheck(ctx: SearchContext, lp: LinePlan, idealDir: Readonly<Vec3>, corridorId: CorridorId, side: Side, c: Readonly<Vec3>, d: Readonly<Vec3>, res: LineScore, index: number): FineCheck {
  const reject = scoreLine(ctx, lp, c, d, idealDir, res);
  if (reject !== Reject.None) return { reject, screw: null, evaluation: null };
  const screw = screwFromLine(ctx, corridorId, side, c, d, res, index);
  return { reject, screw, evaluation: evaluateScrew(ctx.evaluation, screw, []) };
}

/**
 * Refines a share of the corridor's seeds (the scan's best lines, seed index
 * modulo `share.count`) and, with `fine`, fine-checks each refined line (the
 * pool does this on its otherwise idle workers: the fine checks are about half
 * of a corridor's finish). Plain data for {@link finishCorridor}.
 */
export function refineCorridor(ctx: SearchContext, scans: readonly CorridorScan[], share: Readonly<ScanShare>, fine: boolean): CorridorRefinement {
  if (!(Number.isInteger(share.count) && share.count >= 1 && Number.isInteger(share.index) && share.index >= 0 && share.index < share.count)) {
    throw new PlannerError('planning/bad-input', `refinement share ${share.index} of ${share.count} is not a share`);
  }
  const scan = mergeScans(scans, ctx.options.keepTop);
  const { corridorId, side } = scan;
  const out: CorridorRefinement = { corridorId, side, share: { index: share.index, count: share.count }, seeds: [], scored: 0, rejects: new Array<number>(REJECT_SLOTS).fill(0), widestInBoneMm: 0, widestWithMarginsMm: 0 };
  if (scan.early) return out;
  const { lp, idealDir, early } = prepareCorridor(ctx, corridorId, side);
  if (early) return out;
  const res = createLineScore();
  const tally = new Tally(ctx, res, new Int32Array(REJECT_SLOTS), 0, 0, 0);
  const seeds = seedsOf(scan).refine;
  /** Identical refined lines (seeds often converge) share one fine check. */
  const checked = new Map<string, FineCheck>();
  for (let i = share.index; i < seeds.length; i += share.count) {
    const best = refineSeed(ctx, lp, idealDir, seeds[i]!, res, () => tally.track());
    let check: FineCheck | null = null;
    if (fine && best.score !== -Infinity) {
      const key = `${best.c.join(',')}/${best.d.join(',')}`;
      check = checked.get(key) ?? fineCheck(ctx, lp, idealDir, corridorId, side, best.c, best.d, res, 0);
      checked.set(key, check);
    }
    out.seeds.push({ seed: i, score: best.score, c: best.c, d: best.d, fine: check });
  }
  tally.flush();
  out.scored = tally.scored;
  out.rejects = Array.from(tally.rejects);
  out.widestInBoneMm = tally.widestInBone;
  out.widestWithMarginsMm = tally.widestWithMargins;
  return out;
}

/**
 * Everything after the coarse scan: refinement of the best lines (pattern
 * search on direction and offset), fine checks at full resolution with every
 * rule, the distinct proposals; for a sacral corridor without one, its own
 * width; for the femoral neck, the parallel set; the explanation. `scans`: the
 * corridor's scan, whole or in shares (merged here). `refinements`: the seeds
 * refined elsewhere, in shares covering every refined seed once (the pool's
 * workers; {@link refineCorridor}); refined here when absent. Same outcome
 * either way (tested).
 */
export function finishCorridor(ctx: SearchContext, scans: readonly CorridorScan[], refinements?: readonly CorridorRefinement[]): CorridorOutcome {
  const scan = mergeScans(scans, ctx.options.keepTop);
  if (scan.early) return scan.early;
  const { corridorId, side } = scan;
  const { lp, label, base, idealDir, early } = prepareCorridor(ctx, corridorId, side);
  if (early) return early;
  const tpl = lp.rc.template;
  const res = createLineScore();
  const rejects = Int32Array.from(scan.rejects);
  const tally = new Tally(ctx, res, rejects, scan.scored, scan.widestInBoneMm, scan.widestWithMarginsMm);
  const track = (): void => tally.track();

  // Refinement: pattern search on direction and offset around the best lines.
  const seeds = seedsOf(scan);
  const nRefined = seeds.refine.length;
  const refined: (Seed & { fine: FineCheck | null })[] = [];
  if (refinements && refinements.length > 0) {
    const bySeed: (RefinedSeed | undefined)[] = new Array(nRefined);
    for (const r of refinements) {
      if (r.corridorId !== corridorId || r.side !== side) throw new PlannerError('planning/bad-input', `refinement of ${r.corridorId}/${r.side} given for ${corridorId}/${side}`);
      for (const s of r.seeds) {
        if (!(s.seed >= 0 && s.seed < nRefined) || bySeed[s.seed]) throw new PlannerError('planning/bad-input', `refined seed ${s.seed} out of range or given twice`);
        bySeed[s.seed] = s;
      }
      // The lines scored elsewhere count here exactly as if scored here (sums and maxima: order-free).
      tally.scored += r.scored;
      tally.reported += r.scored; // reported by the worker that scored them
      for (let k = 0; k < REJECT_SLOTS; k++) rejects[k]! += r.rejects[k] ?? 0;
      if (r.widestInBoneMm > tally.widestInBone) tally.widestInBone = r.widestInBoneMm;
      if (r.widestWithMarginsMm > tally.widestWithMargins) tally.widestWithMargins = r.widestWithMarginsMm;
    }
    for (let i = 0; i < nRefined; i++) {
      const s = bySeed[i];
      if (!s) throw new PlannerError('planning/bad-input', `refined seed ${i} of ${corridorId}/${side} missing`);
      if (s.score !== -Infinity) refined.push({ score: s.score, deficitMm: 0, c: s.c, d: s.d, fine: s.fine });
    }
  } else {
    for (const seed of seeds.refine) {
      const best = refineSeed(ctx, lp, idealDir, seed, res, track);
      if (best.score !== -Infinity) refined.push({ ...best, fine: null }); // a near miss that never passed: nothing to check
    }
  }
  for (const s of seeds.rest) refined.push({ ...s, fine: null });
  refined.sort((a, b) => b.score - a.score);

  // Fine checks at full resolution; keep distinct passing screws.
  const proposals: RankedScrew[] = [];
  let fineFailure = '';
  for (const cand of refined) {
    if (proposals.length >= ctx.options.maxProposals) break;
    const check = cand.fine ?? fineCheck(ctx, lp, idealDir, corridorId, side, cand.c, cand.d, res, proposals.length);
    if (check.reject !== Reject.None || !check.screw || !check.evaluation) continue;
    // A fine check done elsewhere numbered its screw as proposal 1: the number is its place here.
    const id = screwId(corridorId, side, proposals.length);
    const screw = check.screw.id === id ? check.screw : { ...check.screw, id };
    const evaluation = check.evaluation.screwId === id ? check.evaluation : { ...check.evaluation, screwId: id };
    // A screw whose only failures are limiting structures without a model (structuresModelled) is still proposed:
    // the corridor may well be there and the user must see it, shown as failed until the structure is added or the
    // check overridden. Every other rule decides as before (on fully modelled CTs nothing changes).
    if (!passesExceptModelling(evaluation.checks)) {
      if (!fineFailure) fineFailure = evaluation.checks.find((x) => !x.ok && x.rule !== 'structuresModelled')?.detail ?? '';
      continue;
    }
    const distinct = proposals.every((p) => angleBetweenDeg(p.screw, screw) > 3 || entryDistance(p.screw, screw) > 4);
    if (!distinct) continue;
    proposals.push({ screw, score: cand.score, evaluation, angleFromIdealDeg: angleDeg(cand.d, idealDir) });
  }
  const rejectCounts: Record<string, number> = {};
  for (let r = 0; r < REJECT_NAMES.length; r++) if (rejects[r]! > 0) rejectCounts[REJECT_NAMES[r]!] = rejects[r]!;
  if (fineFailure) rejectCounts.fineCheck = (rejectCounts.fineCheck ?? 0) + 1;
  const outcome: CorridorOutcome = { ...base, widestInBoneMm: tally.widestInBone, widestWithMarginsMm: tally.widestWithMargins, candidatesScored: tally.scored, rejectCounts };
  let probe: { widestInBoneMm: number; widestWithMarginsMm: number } | null = null;
  if (proposals.length === 0 && tpl.sacralLevel !== null) {
    // The corridor's own width, whatever the lesion: lines across the sacral body at this level.
    const before = rejects.slice();
    const w = measureCorridorWidth(ctx, lp, idealDir, () => track());
    rejects.set(before); // the reasons are about lines through the lesion; the probe only measures the corridor
    if (w.widestInBoneMm > 0) {
      outcome.widestInBoneMm = w.widestInBoneMm;
      outcome.widestWithMarginsMm = w.widestWithMarginsMm;
      probe = w;
    }
    outcome.candidatesScored = tally.scored;
  }
  if (proposals.length > 0) {
    const best = proposals[0]!;
    const parallelSet = tpl.parallelScrews > 1 ? findParallelSet(ctx, lp, best, idealDir, () => track()) : [];
    outcome.candidatesScored = tally.scored;
    tally.flush();
    return {
      ...outcome,
      available: true,
      screws: proposals,
      parallelSet,
      reason: `${label}: ${best.screw.diameterMm} x ${best.screw.lengthMm} mm, purchase ${best.evaluation.purchaseNearMm.toFixed(0)}/${best.evaluation.purchaseFarMm.toFixed(0)} mm, closest structure ${best.evaluation.minClearanceStructure ?? 'none'} at ${fmt(best.evaluation.minClearanceMm)}${unchecked(ctx, lp.rc)}`,
    };
  }
  tally.flush();
  return { ...outcome, reason: explain(ctx, lp, label, rejects, tally.widestInBone, tally.widestWithMargins, fineFailure, probe) };
}

/** Names the corridor's limiting structures that have no field (so no clearance was checked against them). */
function unchecked(ctx: SearchContext, rc: ResolvedCorridor): string {
  const missing = rc.limiting.filter((id) => !ctx.fields.structures[id]);
  return missing.length > 0 ? `; NOT checked (no model): ${missing.join(', ')}` : '';
}

function fmt(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(1)} mm` : 'n/a';
}

function explain(
  ctx: SearchContext, lp: LinePlan, label: string, rejects: Int32Array, widestInBone: number, widestWithMargins: number, fineFailure: string,
  probe: { widestInBoneMm: number; widestWithMarginsMm: number } | null,
): string {
  const smallest = Math.min(...lp.specs.map((i) => ctx.catalog.screws[i]!.diameterMm));
  const m = ctx.settings.safetyMarginMm;
  const need = `${smallest} + 2 x ${m} mm`;
  // The furthest stage a line through the lesion reached is the most telling reason.
  let stage = 0;
  for (let r = 1; r < rejects.length; r++) if (rejects[r]! > 0) stage = r;
  // The corridor's own width, measured apart from the lesion (sacral corridors without a proposal).
  const itself = probe ? ` (the corridor itself, at its level, is ${probe.widestInBoneMm.toFixed(1)} mm wide in bone, ${probe.widestWithMarginsMm.toFixed(1)} mm with margins)` : '';
  if (rejects[Reject.None]! > 0 && fineFailure) {
    // Lines that passed the search but not the fine checks: the corridor's width is still the telling figure.
    const width = probe && probe.widestWithMarginsMm < smallest ? `no ${label} corridor: widest ${probe.widestInBoneMm.toFixed(1)} mm in bone (${probe.widestWithMarginsMm.toFixed(1)} mm with margins) for ${need}; ` : '';
    return `${width}no ${label} screw passes every check: ${fineFailure}${width ? '' : itself}`;
  }
  const text = (REJECT_TEXT[stage] ?? 'no candidate line') + (stage === Reject.LesionSpan ? ` (needs ${lp.minLesionSpanMm.toFixed(1)} mm)` : '');
  if (probe) {
    // The corridor's own width, measured apart from the lesion.
    if (probe.widestWithMarginsMm < smallest) {
      return `no ${label} corridor: widest ${probe.widestInBoneMm.toFixed(1)} mm in bone (${probe.widestWithMarginsMm.toFixed(1)} mm with margins) for ${need}`;
    }
    const through = widestInBone > 0 ? `; lines through the lesion: widest ${widestInBone.toFixed(1)} mm in bone (${widestWithMargins.toFixed(1)} mm with margins) for ${need}` : '';
    return `no ${label} screw through the lesion: ${text}${through}${itself}`;
  }
  if (stage >= Reject.NoLesion && stage <= Reject.Narrow && widestInBone > 0) {
    return `no ${label} corridor through the lesion: widest ${widestInBone.toFixed(1)} mm in bone (${widestWithMargins.toFixed(1)} mm with margins) for ${need}`;
  }
  const width = widestInBone > 0 ? `; widest ${widestInBone.toFixed(1)} mm in bone for ${need}` : '';
  return `no ${label} screw: ${text}${width}`;
}

function angleDeg(a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  const c = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  return (Math.acos(Math.max(-1, Math.min(1, c))) * 180) / Math.PI;
}

function screwDir(s: Screw): Vec3 {
  const l = s.lengthMm || 1;
  return [(s.tipLps[0] - s.entryLps[0]) / l, (s.tipLps[1] - s.entryLps[1]) / l, (s.tipLps[2] - s.entryLps[2]) / l];
}

function angleBetweenDeg(a: Screw, b: Screw): number {
  return angleDeg(screwDir(a), screwDir(b));
}

function entryDistance(a: Screw, b: Screw): number {
  return Math.hypot(a.entryLps[0] - b.entryLps[0], a.entryLps[1] - b.entryLps[1], a.entryLps[2] - b.entryLps[2]);
}

/** The id of a corridor's proposal `index` (0-based). */
function screwId(corridorId: CorridorId, side: Side, index: number): string {
  return `${corridorId}-${side}-${index + 1}`;
}

/** Builds the plain-data screw for a scored line (res from scoreLine on the same line). */
export function screwFromLine(ctx: SearchContext, corridorId: CorridorId, side: Side, c: Readonly<Vec3>, d: Readonly<Vec3>, res: LineScore, index: number): Screw {
  const spec = ctx.catalog.screws[res.specIndex]!;
  const e: Vec3 = [c[0] + d[0] * res.tEntryMm, c[1] + d[1] * res.tEntryMm, c[2] + d[2] * res.tEntryMm];
  const t: Vec3 = [e[0] + d[0] * res.lengthMm, e[1] + d[1] * res.lengthMm, e[2] + d[2] * res.lengthMm];
  return { id: screwId(corridorId, side, index), corridorId, side, entryLps: e, tipLps: t, diameterMm: spec.diameterMm, lengthMm: res.lengthMm, catalogId: spec.id };
}

/**
 * Parallel screws for corridors that take several (femoral neck): an inverted
 * triangle (one inferior, two superior screws) across the best screw's axis,
 * as wide as the bone allows with every margin kept and the screws at least
 * `screwSpacingMm` apart; two screws when no triangle fits. Each screw is
 * re-checked with every rule, against the others of the set.
 */
function findParallelSet(ctx: SearchContext, lp: LinePlan, best: RankedScrew, idealDir: Readonly<Vec3>, onScored: () => void): RankedScrew[] {
  const s = best.screw;
  const d = screwDir(s);
  const mid: Vec3 = [(s.entryLps[0] + s.tipLps[0]) / 2, (s.entryLps[1] + s.tipLps[1]) / 2, (s.entryLps[2] + s.tipLps[2]) / 2];
  const S = ctx.summary.frame.superiorLps;
  const k = S[0] * d[0] + S[1] * d[1] + S[2] * d[2];
  const up: Vec3 = [S[0] - k * d[0], S[1] - k * d[1], S[2] - k * d[2]];
  const un = Math.hypot(up[0], up[1], up[2]) || 1;
  up[0] /= un; up[1] /= un; up[2] /= un;
  const across: Vec3 = [d[1] * up[2] - d[2] * up[1], d[2] * up[0] - d[0] * up[2], d[0] * up[1] - d[1] * up[0]];
  const specIndex = ctx.catalog.screws.findIndex((x) => x.id === s.catalogId);
  const lpSet: LinePlan = { ...lp, requireLesion: false, forceSpec: specIndex };
  const res = createLineScore();
  const minSide = s.diameterMm + ctx.settings.screwSpacingMm + 0.2;
  const layouts: { count: number; pos: (a: number) => [number, number][] }[] = [
    // Inverted triangle with circumradius a: offsets (along up, along across).
    { count: 3, pos: (a) => [[-a, 0], [a / 2, (a * Math.sqrt(3)) / 2], [a / 2, (-a * Math.sqrt(3)) / 2]] },
    { count: 2, pos: (a) => [[-a, 0], [a, 0]] },
  ];
  for (const layout of layouts) {
    const aMin = layout.count === 3 ? minSide / Math.sqrt(3) : minSide / 2;
    for (let a = aMin + 6; a >= aMin - 1e-9; a -= 0.5) {
      for (let ou = -3; ou <= 3; ou += 1.5) {
        for (let ov = -3; ov <= 3; ov += 1.5) {
          const set: RankedScrew[] = [];
          let fail = false;
          for (const [pu, pv] of layout.pos(a)) {
            const c: Vec3 = [
              mid[0] + up[0] * (pu + ou) + across[0] * (pv + ov),
              mid[1] + up[1] * (pu + ou) + across[1] * (pv + ov),
              mid[2] + up[2] * (pu + ou) + across[2] * (pv + ov),
            ];
            const rj = scoreLine(ctx, lpSet, c, d, idealDir, res);
            onScored();
            if (rj !== Reject.None) { fail = true; break; }
            const screw = screwFromLine(ctx, s.corridorId, s.side ?? 'left', c, d, res, set.length);
            screw.id = `${s.corridorId}-${s.side ?? 'left'}-p${set.length + 1}`;
            set.push({ screw, score: res.score, evaluation: evaluateScrew(ctx.evaluation, screw, []), angleFromIdealDeg: angleDeg(d, idealDir) });
          }
          if (fail) continue;
          const screws = set.map((x) => x.screw);
          let bridging = false;
          for (const item of set) {
            item.evaluation = evaluateScrew(ctx.evaluation, item.screw, screws);
            // Purchase and lesion span are about the lesion: a screw of the set may miss it; one must bridge it.
            let holds = true;
            for (const c of item.evaluation.checks) {
              if (c.rule === 'purchase' || c.rule === 'lesionSpan') { if (!c.ok) holds = false; }
              else if (!c.ok && c.rule !== 'structuresModelled') fail = true; // shown as failed, not a reason to drop the set
            }
            if (holds) bridging = true;
          }
          if (!fail && bridging) return set;
        }
      }
    }
  }
  return [];
}

/**
 * Width of a sacral corridor itself (independent of the lesion): the widest
 * straight cylinder, in bone alone and with the structure margins, over lines
 * in the corridor's cone that pass through the sacral body at the corridor's
 * level, enter and end in the right bones. Lines cross the plane through the
 * body's anchor (centroid of the midline body points at that level) on a 2 mm
 * grid; the widest is then refined by pattern search. Used to explain an
 * unavailable corridor ("widest 6.8 mm ...").
 */
export function measureCorridorWidth(ctx: SearchContext, lp: LinePlan, idealDir: Readonly<Vec3>, onScored: () => void): { widestInBoneMm: number; widestWithMarginsMm: number } {
  const pts = ctx.summary.sacralBodyPointsFrame;
  let n = 0;
  let al = 0, ap = 0, as = 0;
  for (let i = 0; i < pts.length; i += 3) {
    const s = pts[i + 2]!;
    if (s <= lp.levelMinMm || s >= lp.levelMaxMm) continue;
    al += pts[i]!; ap += pts[i + 1]!; as += pts[i + 2]!;
    n++;
  }
  if (n === 0) return { widestInBoneMm: 0, widestWithMarginsMm: 0 };
  const anchor = frameDirectionToLps([0, 0, 0], ctx.summary.frame, al / n, ap / n, as / n);
  const O = ctx.summary.frame.originLps;
  anchor[0] += O[0]; anchor[1] += O[1]; anchor[2] += O[2];
  const lpW: LinePlan = { ...lp, requireLesion: false };
  const res = createLineScore();
  const u: Vec3 = [0, 0, 0], v: Vec3 = [0, 0, 0];
  const c: Vec3 = [0, 0, 0];
  let best = { w: 0, wm: 0, c: [0, 0, 0] as Vec3, d: [0, 0, 0] as Vec3 };
  const evaluate = (cc: Readonly<Vec3>, d: Readonly<Vec3>): number => {
    const rj = scoreLine(ctx, lpW, cc, d, idealDir, res);
    onScored();
    return rj === Reject.None || rj >= Reject.NoLesion ? res.widestInBoneMm : -1;
  };
  const tpl = lp.rc.template;
  for (const d of coneDirections(idealDir, tpl.coneHalfAngleDeg, 4)) {
    basisAcross(d, u, v);
    for (let a = -18; a <= 18; a += 3) {
      for (let b = -18; b <= 18; b += 3) {
        c[0] = anchor[0] + u[0] * a + v[0] * b; c[1] = anchor[1] + u[1] * a + v[1] * b; c[2] = anchor[2] + u[2] * a + v[2] * b;
        const w = evaluate(c, d);
        if (w > best.w) best = { w, wm: res.widestWithMarginsMm, c: [c[0], c[1], c[2]], d: [d[0], d[1], d[2]] };
      }
    }
  }
  if (best.w <= 0) return { widestInBoneMm: 0, widestWithMarginsMm: 0 };
  // Pattern search on offset and direction.
  let offset = 1.5, angle = (2 * Math.PI) / 180;
  const cosCone = Math.cos((tpl.coneHalfAngleDeg * Math.PI) / 180);
  const tc: Vec3 = [0, 0, 0], td: Vec3 = [0, 0, 0];
  for (let level = 0; level < 5; level++) {
    let improved = true;
    while (improved) {
      improved = false;
      basisAcross(best.d, u, v);
      for (let m = 0; m < 8; m++) {
        const axis = m & 1 ? v : u;
        const sgn = m & 2 ? -1 : 1;
        tc[0] = best.c[0]; tc[1] = best.c[1]; tc[2] = best.c[2];
        td[0] = best.d[0]; td[1] = best.d[1]; td[2] = best.d[2];
        if (m < 4) {
          const ca = Math.cos(angle), sa = Math.sin(angle) * sgn;
          td[0] = best.d[0] * ca + axis[0] * sa; td[1] = best.d[1] * ca + axis[1] * sa; td[2] = best.d[2] * ca + axis[2] * sa;
          if (td[0] * idealDir[0] + td[1] * idealDir[1] + td[2] * idealDir[2] < cosCone) continue;
        } else {
          tc[0] += axis[0] * offset * sgn; tc[1] += axis[1] * offset * sgn; tc[2] += axis[2] * offset * sgn;
        }
        const w = evaluate(tc, td);
        if (w > best.w + 1e-6) {
          best = { w, wm: res.widestWithMarginsMm, c: [tc[0], tc[1], tc[2]], d: [td[0], td[1], td[2]] };
          improved = true;
        }
      }
    }
    offset /= 2;
    angle /= 2;
  }
  return { widestInBoneMm: best.w, widestWithMarginsMm: best.wm };
}

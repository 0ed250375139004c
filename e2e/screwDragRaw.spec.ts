/**
 * Low-latency screw drags (issue #6, "pointer move -> updated status"): where the browser has
 * `pointerrawupdate` (Chromium, secure contexts) the screw overlay applies each input when it
 * arrives instead of when its frame-aligned `pointermove` is dispatched at the next frame; the
 * `pointermove` then finds its position applied and does nothing, and still applies whatever
 * the raw updates did not (raw updates closer than 8 ms are thinned out). Checked here with the
 * real mouse on the sacralAla-medium sample, a screw along the TRUTH left S1 corridor set on the
 * viewer's plan port (as e2e/screwOverlay.spec.ts does):
 *
 * - paced moves (each after its pointermove and two frames): nearly all are applied by their raw
 *   update, before their pointermove is dispatched, and no input is applied twice;
 * - a burst of moves with no wait, then the release: the last move and the drag's end are where
 *   the mouse was, to the same point a browser without raw updates gives;
 * - the same path in a page where the app's raw listener is never registered (a browser without
 *   the event): every move comes from pointermove and the drag ends at the very same point.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openApp, waitForAnatomy } from './support/app';
import { waitHandleDrawnAt } from './support/screwDrag';

type Vec3 = [number, number, number];
type Corridor = { id: string; side?: string; axisStartLps: Vec3; axisEndLps: Vec3 };
const truth = JSON.parse(readFileSync(resolve(import.meta.dirname ?? '.', '../sample-dicom/out/sacralAla-medium/truth.json'), 'utf8')) as { corridors: Corridor[] };
const corridor = truth.corridors.find((c) => c.id === 'iliosacralS1' && c.side === 'left')!;
const d = corridor.axisEndLps.map((v, i) => v - corridor.axisStartLps[i]!) as Vec3;
const n = Math.hypot(...d);
const entryLps: Vec3 = corridor.axisStartLps.map((v, i) => v + (d[i]! / n) * 5) as Vec3;
const tipLps: Vec3 = [...corridor.axisEndLps];
const SCREW = { id: 's1l', label: 'S1 L', entryLps, tipLps, diameterMm: 7.3, status: 'ok', skinEntryLps: null };

/**
 * Init script: records the plan port's drag events, each tagged with the raw update it was applied
 * in (the app's pointerrawupdate listeners are wrapped as they are added) or null, and every
 * pointermove's dispatch (a capture listener on window, ahead of the app's). With `noRaw` the app's
 * raw listener is never registered: a browser without the event.
 */
const PROBE = (noRaw: boolean): string => `(() => {
  const rec = { drags: [], moves: [], inRaw: null };
  window.__dragProbe = rec;
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const wrapped = new WeakMap();
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (type !== 'pointerrawupdate' || typeof listener !== 'function') return add.call(this, type, listener, options);
    if (${noRaw}) return undefined;
    let w = wrapped.get(listener);
    if (!w) {
      w = function (e) { rec.inRaw = e.timeStamp; try { return listener.call(this, e); } finally { rec.inRaw = null; } };
      wrapped.set(listener, w);
    }
    return add.call(this, type, w, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    return remove.call(this, type, (type === 'pointerrawupdate' && wrapped.get(listener)) || listener, options);
  };
  window.addEventListener('pointermove', (e) => rec.moves.push({ t: e.timeStamp, x: e.clientX, y: e.clientY }), true);
})();`;

type DragRecord = { phase: 'move' | 'end'; pointLps: Vec3; rawT: number | null };
type Probe = { drags: DragRecord[]; moves: Array<{ t: number; x: number; y: number }> };
const probe = (page: Page): Promise<Probe> => page.evaluate(() => (window as unknown as { __dragProbe: Probe }).__dragProbe);

async function openWithScrew(page: Page, noRaw: boolean): Promise<{ x: number; y: number }> {
  await page.setViewportSize({ width: 1600, height: 900 });
  await page.addInitScript({ content: PROBE(noRaw) });
  const state = await openApp(page, '?no3d=1');
  expect(state['state']).toBe('ready');
  await waitForAnatomy(page, 'axial');
  await page.evaluate((p) => (window as unknown as { __planner: { plan: { setCrosshair(p: Vec3): void } } }).__planner.plan.setCrosshair(p), tipLps);
  await page.evaluate((s) => {
    const w = window as unknown as { __planner: { viewer: { plan: { setScrews(s: unknown[], id: string | null): void; onDrag(l: (e: { phase: 'move' | 'end'; pointLps: Vec3 }) => void): void } } }; __dragProbe: Probe & { inRaw: number | null } };
    w.__planner.viewer.plan.onDrag((e) => w.__dragProbe.drags.push({ phase: e.phase, pointLps: [...e.pointLps] as Vec3, rawT: w.__dragProbe.inRaw }));
    w.__planner.viewer.plan.setScrews([s], 's1l');
  }, SCREW);
  const at = await page.evaluate((p) => (window as unknown as { __planner: { viewer: { lpsToPage(v: string, p: Vec3): { x: number; y: number } | null } } }).__planner.viewer.lpsToPage('axial', p), tipLps);
  if (!at) throw new Error('the tip is not on the axial view');
  await waitHandleDrawnAt(page, 'axial', 's1l', 'tip', at);
  return at;
}

/** The same path in both pages: press on the tip, past the drag threshold, 12 paced moves, a burst of 8, release. */
async function dragPath(page: Page, start: { x: number; y: number }): Promise<{ pacedFrom: number; pacedTo: number; release: { x: number; y: number } }> {
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + 6, start.y);
  await expect.poll(async () => (await probe(page)).drags.length, { message: 'the press on the tip handle started a drag' }).toBeGreaterThan(0);
  const pacedFrom = (await probe(page)).drags.length;
  for (let i = 1; i <= 12; i++) {
    const x = start.x + 6 + 2 * i;
    const y = start.y + 1.5 * i;
    const seen = (await probe(page)).moves.length;
    await page.mouse.move(x, y);
    // Paced by the page, not by time: this input's pointermove dispatched, then two animation frames.
    await page.waitForFunction((k) => (window as unknown as { __dragProbe: Probe }).__dragProbe.moves.length > k, seen);
    await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  }
  const pacedTo = (await probe(page)).drags.length;
  // The burst: eight inputs sent without waiting for each other, so their raw updates come closer than the
  // overlay's 8 ms and most are thinned out; their pointermoves (coalesced by the browser) must apply the rest.
  const burst = Array.from({ length: 8 }, (_, k) => ({ x: start.x + 33 + 3 * k, y: start.y + 16 - 2 * k }));
  await Promise.all(burst.map((p) => page.mouse.move(p.x, p.y)));
  const last = burst.at(-1)!;
  await page.mouse.up();
  await expect.poll(async () => (await probe(page)).drags.at(-1)?.phase, { message: 'the drag ended' }).toBe('end');
  return { pacedFrom, pacedTo, release: last };
}

const same = (a: Vec3, b: Vec3): boolean => a.every((v, k) => Math.abs(v - b[k]!) < 1e-9);

test('screw drags take raw pointer updates as they arrive and end where the mouse is released, as without them', async ({ page }) => {
  const start = await openWithScrew(page, false);
  const path = await dragPath(page, start);
  const got = await probe(page);
  const moves = got.drags.filter((x) => x.phase === 'move');
  const paced = got.drags.slice(path.pacedFrom, path.pacedTo);
  const viaRaw = paced.filter((x) => x.rawT !== null).length;
  console.log(`paced moves applied by their raw update: ${viaRaw} of ${paced.length}; in all ${moves.filter((x) => x.rawT !== null).length} of ${moves.length} moves`);
  // Each paced input applied once (no second application by its pointermove) ...
  expect(paced).toHaveLength(12);
  // ... and nearly all by the raw update (the browser may not send raw updates for the first input after the listener is added).
  expect(viaRaw).toBeGreaterThanOrEqual(10);
  // A raw-applied input is applied before its own pointermove is dispatched: that pointermove finds nothing to do.
  for (let k = 1; k < moves.length; k++) expect(same(moves[k]!.pointLps, moves[k - 1]!.pointLps), `move ${k} repeats move ${k - 1}`).toBe(false);
  const burstMoves = got.drags.slice(path.pacedTo).filter((x) => x.phase === 'move');
  console.log(`burst: ${burstMoves.length} moves applied, ${burstMoves.filter((x) => x.rawT === null).length} of them by a pointermove`);
  const end = got.drags.at(-1)!;
  // The burst: the last move and the end are at the release point, whatever the thinning left out.
  expect(same(moves.at(-1)!.pointLps, end.pointLps)).toBe(true);
  const endPage = await page.evaluate((p) => (window as unknown as { __planner: { viewer: { lpsToPage(v: string, p: Vec3): { x: number; y: number } | null } } }).__planner.viewer.lpsToPage('axial', p), end.pointLps);
  expect(Math.hypot(endPage!.x - path.release.x, endPage!.y - path.release.y), 'the drag ends under the pointer (px)').toBeLessThan(0.5);

  // The same path where the app gets no raw updates: the drag ends at exactly the same point.
  const plain = await page.context().newPage();
  try {
    const start2 = await openWithScrew(plain, true);
    expect(Math.hypot(start2.x - start.x, start2.y - start.y)).toBeLessThan(1e-6);
    await dragPath(plain, start2);
    const got2 = await probe(plain);
    expect(got2.drags.filter((x) => x.rawT !== null)).toHaveLength(0);
    expect(got2.drags.slice(path.pacedFrom, path.pacedTo)).toHaveLength(12);
    const end2 = got2.drags.at(-1)!;
    expect(end2.phase).toBe('end');
    expect(same(end2.pointLps, end.pointLps), `end ${end2.pointLps.join(',')} without raw updates, ${end.pointLps.join(',')} with them`).toBe(true);
  } finally {
    await plain.close();
  }
});

/**
 * Contract of PlanOverlayPort on the fake viewer (the Cornerstone side is
 * asserted in e2e/screwOverlay.spec.ts): what was drawn, selection and drag
 * events, the trajectory state and its depth.
 */
import { describe, expect, it } from 'vitest';
import type { ScrewDragEvent, ScrewOverlay, TrajectoryState } from './PlanOverlayPort';
import { createFakeViewer } from './createFakeViewer';

const screw = (id: string, over: Partial<ScrewOverlay> = {}): ScrewOverlay => ({
  id,
  label: id,
  entryLps: [74.9, 13.9, -6.4],
  tipLps: [-5.0, 9.7, -2.2],
  diameterMm: 7.3,
  status: 'ok',
  skinEntryLps: [140, 17.3, -9.8],
  ...over,
});

describe('PlanOverlayPort contract: fake viewer', () => {
  it('keeps the screws it was given as its own copy and reports selection and drags to every listener until unsubscribed', () => {
    const v = createFakeViewer();
    const s = screw('a');
    v.plan.setScrews([s], 'a');
    s.entryLps[0] = 0;
    expect(v.plan.drawnScrews()[0]!.entryLps[0]).toBe(74.9);
    expect(v.plan.selectedId()).toBe('a');
    const picked: Array<string | null> = [];
    const drags: ScrewDragEvent[] = [];
    const offSelect = v.plan.onSelect((id) => picked.push(id));
    v.plan.onDrag((e) => drags.push(e));
    v.plan.simulateSelect('a');
    v.plan.simulateSelect(null);
    offSelect();
    v.plan.simulateSelect('a');
    expect(picked).toEqual(['a', null]);
    const e: ScrewDragEvent = { screwId: 'a', handle: 'tip', pointLps: [1, 2, 3], deltaLps: [1, 0, 0], phase: 'end' };
    v.plan.simulateDrag(e);
    expect(drags).toEqual([e]);
    v.dispose();
  });

  it('shows no trajectory until one is set, then one at the bone entry; the depth is clamped to the path', () => {
    const v = createFakeViewer();
    const states: Array<TrajectoryState | null> = [];
    v.plan.onTrajectoryChange((s) => states.push(s));
    expect(v.plan.getTrajectoryState()).toBeNull();
    expect(v.plan.getTrajectoryCameras()).toBeNull();
    v.plan.setScrews([screw('a'), screw('b', { skinEntryLps: null })], 'a');
    v.plan.setTrajectory('a');
    const s = v.plan.getTrajectoryState()!;
    expect(s.screwId).toBe('a');
    expect(s.fromSkin).toBe(true);
    expect(s.bullseyeDepthMm).toBeCloseTo(s.boneEntryDepthMm, 9);
    expect(s.pathLengthMm).toBeGreaterThan(s.boneEntryDepthMm);
    v.plan.setBullseyeDepthMm(1e4);
    expect(v.plan.getTrajectoryState()!.bullseyeDepthMm).toBeCloseTo(s.pathLengthMm, 9);
    v.plan.setBullseyeDepthMm(-3);
    expect(v.plan.getTrajectoryState()!.bullseyeDepthMm).toBe(0);
    expect(v.plan.getTrajectoryCameras()!.bullseye.focalPointLps).toEqual([140, 17.3, -9.8]);
    // Another screw starts at its own bone entry (depth 0 without a skin entry).
    v.plan.setTrajectory('b');
    expect(v.plan.getTrajectoryState()).toMatchObject({ screwId: 'b', fromSkin: false, bullseyeDepthMm: 0 });
    v.plan.setTrajectory(null);
    expect(v.plan.getTrajectoryState()).toBeNull();
    expect(states.at(-1)).toBeNull();
    expect(states.length).toBeGreaterThanOrEqual(5);
    v.dispose();
  });

  it('the trajectory follows the screw when it moves and disappears with it', () => {
    const v = createFakeViewer();
    v.plan.setScrews([screw('a')], 'a');
    v.plan.setTrajectory('a');
    const before = v.plan.getTrajectoryCameras()!;
    v.plan.setScrews([screw('a', { tipLps: [-5, 9.7, 10] })], 'a');
    const after = v.plan.getTrajectoryCameras()!;
    expect(after.inlineA.viewPlaneNormalLps).not.toEqual(before.inlineA.viewPlaneNormalLps);
    v.plan.setScrews([], null);
    expect(v.plan.getTrajectoryState()).toBeNull();
    expect(v.plan.lpsToClient('axial', [0, 0, 0])).toBeNull();
    v.dispose();
  });
});

/**
 * Under the trajectory views: the bull's-eye depth slider, from the skin
 * entry (0) to the tip, with the bone entry marked and buttons to jump to
 * the bone entry and the tip. Reads and drives the viewer's PlanOverlayPort;
 * hidden while no trajectory is shown. During a screw drag the trajectory
 * views follow only when the pointer rests and at the release
 * (viewer/trajectoryViews.ts), and the live path has no skin entry yet: the
 * readout says so instead of giving depths that match neither the views nor
 * the moving screw, and the depth control waits for the release.
 */
import type { PlanOverlayPort, TrajectoryState } from '../../viewer/PlanOverlayPort';
import { h } from '../dom';

export type TrajectoryControls = { element: HTMLElement; dispose(): void };

/** The plan's screw drag (ui/plan PlanController): null when no screw is being dragged. */
export type TrajectoryDragSignal = { draggingScrewId(): string | null; onDragChange(listener: (screwId: string | null) => void): () => void };

export function createTrajectoryControls(host: HTMLElement, plan: PlanOverlayPort, drag?: TrajectoryDragSignal): TrajectoryControls {
  const slider = h('input', {
    class: 'depth-slider',
    attrs: { type: 'range', min: '0', max: '100', step: '0.5', 'data-testid': 'bullseye-depth', 'aria-label': "Bull's-eye depth along the path, mm" },
  });
  const readout = h('span', { class: 'depth-readout', attrs: { 'data-testid': 'bullseye-depth-text', 'aria-live': 'polite' } });
  const marks = h('datalist', { attrs: { id: `depth-marks-${Math.random().toString(36).slice(2, 8)}` } });
  slider.setAttribute('list', marks.id);
  const toBone = h('button', { class: 'btn btn-small', text: 'Bone entry', attrs: { type: 'button', 'data-action': 'depth-bone' }, title: "Bull's-eye at the bone entry" });
  const toTip = h('button', { class: 'btn btn-small', text: 'Tip', attrs: { type: 'button', 'data-action': 'depth-tip' }, title: "Bull's-eye at the screw tip" });
  const element = h(
    'div',
    { class: 'trajectory-depth', attrs: { 'data-panel': 'trajectory-depth', hidden: '' } },
    h('label', { class: 'depth-label', text: "Bull's-eye depth" }),
    slider,
    marks,
    h('div', { class: 'depth-row' }, readout, toBone, toTip),
  );
  host.append(element);

  // The bone-entry mark is made once and its value patched: a drag changes the trajectory on every pointer
  // event, and rebuilding the datalist (or rewriting unchanged texts) restyles and repaints the strip each time.
  const boneMark = h('option', { attrs: { value: '0', label: 'bone' } });
  marks.append(boneMark);
  const setValue = (node: { value: string }, v: string): void => {
    if (node.value !== v) node.value = v;
  };
  let sliderWritten = '';
  let sliderMaxWritten = '';
  let state: TrajectoryState | null = null;
  let dragging = drag?.draggingScrewId() != null;
  function show(s: TrajectoryState | null): void {
    state = s;
    if (element.hidden !== (s === null)) element.hidden = s === null;
    if (!s) return;
    if (slider.disabled !== dragging) slider.disabled = dragging;
    if (dragging) {
      // As short as the depth text: the readout's box is two lines high whatever it says (styles.css), so the
      // strip's layout does not move when a drag starts (that resized every Cornerstone viewport and ray cast
      // the hidden 3D volume again: a 4 s stall at a drag's first move on a software rasteriser).
      const text = 'Screw moving: the views follow when you pause';
      if (readout.textContent !== text) readout.textContent = text;
      if (!toBone.disabled) toBone.disabled = true;
      if (!toTip.disabled) toTip.disabled = true;
      return;
    }
    if (toTip.disabled) toTip.disabled = false;
    const max = String(Math.round(s.pathLengthMm * 2) / 2);
    if (slider.max !== max) slider.max = max;
    // While the user drags the slider, do not fight the thumb.
    // (Compared with what was written last: a range input reads back its value rounded to the step.)
    const depth = String(s.bullseyeDepthMm);
    if (document.activeElement !== slider && (depth !== sliderWritten || slider.max !== sliderMaxWritten)) {
      slider.value = depth;
      sliderWritten = depth;
      sliderMaxWritten = slider.max;
    }
    setValue(boneMark, String(s.boneEntryDepthMm));
    const origin = s.fromSkin ? 'skin' : 'bone entry';
    const where = s.fromSkin && s.bullseyeDepthMm < s.boneEntryDepthMm - 0.25 ? 'before the bone' : s.bullseyeDepthMm >= s.pathLengthMm - 0.25 ? 'at the tip' : 'in the screw';
    const text = `${s.bullseyeDepthMm.toFixed(0)} mm from ${origin} (${where}; tip at ${s.pathLengthMm.toFixed(0)} mm)`;
    if (readout.textContent !== text) readout.textContent = text;
    if (toBone.disabled !== !s.fromSkin) toBone.disabled = !s.fromSkin;
  }
  const onInput = (): void => plan.setBullseyeDepthMm(Number(slider.value));
  slider.addEventListener('input', onInput);
  const onBone = (): void => {
    if (state) plan.setBullseyeDepthMm(state.boneEntryDepthMm);
  };
  const onTip = (): void => {
    if (state) plan.setBullseyeDepthMm(state.pathLengthMm);
  };
  toBone.addEventListener('click', onBone);
  toTip.addEventListener('click', onTip);
  const unsubscribe = plan.onTrajectoryChange(show);
  const unsubscribeDrag = drag?.onDragChange((id) => {
    if ((id !== null) === dragging) return;
    dragging = id !== null;
    show(plan.getTrajectoryState());
  });
  show(plan.getTrajectoryState());
  return {
    element,
    dispose() {
      unsubscribe();
      unsubscribeDrag?.();
      slider.removeEventListener('input', onInput);
      toBone.removeEventListener('click', onBone);
      toTip.removeEventListener('click', onTip);
      element.remove();
    },
  };
}

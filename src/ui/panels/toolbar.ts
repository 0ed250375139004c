/**
 * The top bar: open files or a folder, the primary mouse tool, window
 * presets and view reset. Buttons carry data-action for tests and shortcuts.
 */
import type { PrimaryTool, WindowPresetId } from '../../viewer/ViewerPort';
import { h } from '../dom';

export type ToolbarHandlers = {
  openFiles(files: File[]): void;
  setTool(tool: PrimaryTool): void;
  applyPreset(preset: WindowPresetId): void;
  resetViews(): void;
};

export type Toolbar = {
  element: HTMLElement;
  setActiveTool(tool: PrimaryTool): void;
  setVolumeOpen(open: boolean): void;
  dispose(): void;
};

const TOOLS: ReadonlyArray<{ tool: PrimaryTool; label: string; key: string; hint: string }> = [
  { tool: 'crosshair', label: 'Crosshair', key: 'c', hint: 'Click or drag to move the linked crosshair (C)' },
  { tool: 'windowLevel', label: 'W/L', key: 'w', hint: 'Drag: horizontal = width, vertical = level (W)' },
  { tool: 'length', label: 'Length', key: 'l', hint: 'Measure a distance in mm (L)' },
  { tool: 'angle', label: 'Angle', key: 'a', hint: 'Measure an angle in degrees (A)' },
];

/** Label tools (their brush size, undo and the results are in the segmentation panel). */
const LABEL_TOOLS: ReadonlyArray<{ tool: PrimaryTool; label: string; key: string; hint: string }> = [
  { tool: 'lesionSeed', label: 'Lesion', key: 'g', hint: 'Click inside the lytic lesion to grow it (G)' },
  { tool: 'brush', label: 'Brush', key: 'b', hint: 'Drag to add to the lesion; sphere size in the segmentation panel (B)' },
  { tool: 'eraser', label: 'Eraser', key: 'e', hint: 'Drag to remove from the lesion; sphere size in the segmentation panel (E)' },
];

const PRESETS: ReadonlyArray<{ preset: WindowPresetId; label: string; key: string; hint: string }> = [
  { preset: 'bone', label: 'Bone', key: '1', hint: 'CT bone window, W 1800 / L 400 HU (1)' },
  { preset: 'softTissue', label: 'Soft tissue', key: '2', hint: 'CT soft-tissue window, W 400 / L 40 HU (2)' },
  { preset: 'cbctAuto', label: 'CBCT auto', key: '3', hint: 'Bone window from this image\'s histogram, for cone-beam CT without HU (3)' },
];

export function createToolbar(handlers: ToolbarHandlers): Toolbar {
  const filesInput = h('input', { attrs: { type: 'file', multiple: '', 'data-testid': 'open-files-input', hidden: '' } });
  const folderInput = h('input', { attrs: { type: 'file', webkitdirectory: '', multiple: '', 'data-testid': 'open-folder-input', hidden: '' } });
  const onPicked = (input: HTMLInputElement) => (): void => {
    const files = Array.from(input.files ?? []);
    input.value = '';
    if (files.length > 0) handlers.openFiles(files);
  };
  filesInput.addEventListener('change', onPicked(filesInput));
  folderInput.addEventListener('change', onPicked(folderInput));

  const openFolder = h('button', { class: 'btn', text: 'Open folder…', attrs: { 'data-action': 'open-folder' }, title: 'Open a folder of DICOM files (or drop it on the page)' });
  const openFiles = h('button', { class: 'btn', text: 'Open files…', attrs: { 'data-action': 'open-files' }, title: 'Open DICOM files (or drop them on the page)' });
  openFolder.addEventListener('click', () => folderInput.click());
  openFiles.addEventListener('click', () => filesInput.click());

  const toolButtons = [...TOOLS, ...LABEL_TOOLS].map((t) => {
    const b = h('button', { class: 'btn tool', text: t.label, title: t.hint, attrs: { 'data-tool': t.tool, 'aria-pressed': 'false' } });
    b.addEventListener('click', () => handlers.setTool(t.tool));
    return b;
  });
  const presetButtons = PRESETS.map((p) => {
    const b = h('button', { class: 'btn', text: p.label, title: p.hint, attrs: { 'data-preset': p.preset } });
    b.addEventListener('click', () => handlers.applyPreset(p.preset));
    return b;
  });
  const reset = h('button', { class: 'btn', text: 'Reset views', title: 'Whole volume, centred (R)', attrs: { 'data-action': 'reset-views' } });
  reset.addEventListener('click', () => handlers.resetViews());

  const element = h(
    'div',
    { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Viewer tools' } },
    h('div', { class: 'group' }, openFolder, openFiles, filesInput, folderInput),
    h('div', { class: 'group', attrs: { 'aria-label': 'Mouse tool' } }, ...toolButtons.slice(0, TOOLS.length)),
    h('div', { class: 'group', attrs: { 'aria-label': 'Lesion tools' } }, ...toolButtons.slice(TOOLS.length)),
    h('div', { class: 'group', attrs: { 'aria-label': 'Window presets' } }, ...presetButtons),
    h('div', { class: 'group' }, reset),
  );

  const onKey = (evt: KeyboardEvent): void => {
    if (evt.ctrlKey || evt.metaKey || evt.altKey) return;
    const target = evt.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
    const key = evt.key.toLowerCase();
    const tool = [...TOOLS, ...LABEL_TOOLS].find((t) => t.key === key);
    if (tool) return handlers.setTool(tool.tool);
    const preset = PRESETS.find((p) => p.key === key);
    if (preset) return handlers.applyPreset(preset.preset);
    if (key === 'r') handlers.resetViews();
  };
  window.addEventListener('keydown', onKey);

  const setVolumeOpen = (open: boolean): void => {
    for (const b of [...toolButtons, ...presetButtons, reset]) b.disabled = !open;
  };
  setVolumeOpen(false);

  return {
    element,
    setActiveTool(tool) {
      for (const b of toolButtons) b.setAttribute('aria-pressed', String(b.dataset['tool'] === tool));
    },
    setVolumeOpen,
    dispose() {
      window.removeEventListener('keydown', onKey);
      element.remove();
    },
  };
}

/**
 * Label files in the segmentation panel: "Export SEG" (DICOM SEG of bone, lesion
 * and the rasterised structure models on the CT grid, referencing the CT),
 * "Export NRRD" (the label volume) and "Import SEG/NRRD" (a file picker; a file
 * for another grid or series is refused with a message and nothing changes;
 * otherwise the session's labels are replaced and the fields rebuilt).
 * File logic: core/segmentation/labelFiles.ts.
 */
import { exportLabelsNrrd, exportLabelsSeg, importLabelFile } from '../../core/segmentation/labelFiles';
import { browserDownload, h } from '../dom';
import type { PlanningSession } from '../session/PlanningSession';

export type LabelFileControls = { element: HTMLElement; render(): void };

export type LabelFileControlsDeps = {
  session: PlanningSession;
  /** After a successful import (the label undo history restarts). */
  onImported(): void;
  download?: (fileName: string, bytes: Uint8Array, mimeType: string) => void;
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/^\[[^\]]+\]\s*/, '');

export function createLabelFileControls(deps: LabelFileControlsDeps): LabelFileControls {
  const { session } = deps;
  const download = deps.download ?? browserDownload;
  const exportSeg = h('button', { class: 'btn btn-small', text: 'Export SEG', title: 'DICOM SEG of bone, lesion and the structure models, on the CT grid (for 3D Slicer, OHIF, PACS)', attrs: { 'data-action': 'labels-export-seg' } });
  const exportNrrd = h('button', { class: 'btn btn-small', text: 'Export NRRD', title: 'The label volume as NRRD (3D Slicer)', attrs: { 'data-action': 'labels-export-nrrd' } });
  const importButton = h('button', { class: 'btn btn-small', text: 'Import SEG/NRRD…', title: 'Replace bone and lesion with a DICOM SEG or NRRD made on this series', attrs: { 'data-action': 'labels-import' } });
  const input = h('input', { attrs: { type: 'file', accept: '.dcm,.seg,.nrrd,application/dicom', hidden: '', 'data-testid': 'labels-import-file' } });
  const message = h('div', { class: 'seg-message', attrs: { 'data-testid': 'labels-file-message', role: 'status' } });
  const element = h('div', { class: 'seg-files' }, h('div', { class: 'seg-row' }, exportSeg, exportNrrd, importButton, input), message);
  let busy = false;

  const say = (text: string, kind: 'info' | 'error'): void => {
    message.textContent = text;
    message.dataset['kind'] = kind;
  };
  const baseName = (): string => {
    const id = session.getSeriesIdentity();
    const desc = (id?.description ?? id?.reference?.patientId ?? 'labels').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40);
    return desc || 'labels';
  };

  exportSeg.addEventListener('click', () => {
    const labels = session.getLabels();
    if (!labels) return;
    try {
      const id = session.getSeriesIdentity();
      const bytes = exportLabelsSeg(labels, session.getStatus().structures, id);
      download(`${baseName()}-seg.dcm`, bytes, 'application/dicom');
      say(`DICOM SEG written (${(bytes.length / 1024).toFixed(0)} kB)${id ? '' : ': this series has no DICOM identity, the file references no CT'}.`, 'info');
    } catch (error) {
      say(`Export failed: ${messageOf(error)}`, 'error');
    }
  });
  exportNrrd.addEventListener('click', () => {
    const labels = session.getLabels();
    if (!labels) return;
    try {
      const bytes = exportLabelsNrrd(labels);
      download(`${baseName()}-labels.nrrd`, bytes, 'application/octet-stream');
      say(`NRRD written (${(bytes.length / 1024).toFixed(0)} kB).`, 'info');
    } catch (error) {
      say(`Export failed: ${messageOf(error)}`, 'error');
    }
  });
  importButton.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    void (async () => {
      const current = session.getLabels();
      if (!current) return say('Nothing to import into: wait for the bone segmentation to finish.', 'error');
      busy = true;
      controls.render();
      try {
        const bytes = new Uint8Array(await file.arrayBuffer());
        const res = importLabelFile(bytes, file.name, current, session.getStatus().seriesUid);
        await session.importLabels(res.labels, file.name);
        deps.onImported();
        say([`Imported ${file.name}.`, ...res.notes].join(' '), 'info');
      } catch (error) {
        say(`Not imported: ${messageOf(error)}`, 'error');
      } finally {
        busy = false;
        controls.render();
      }
    })();
  });

  const controls: LabelFileControls = {
    element,
    render() {
      const s = session.getStatus();
      const ready = (s.phase === 'fields' || s.phase === 'ready') && session.getLabels() !== null;
      for (const b of [exportSeg, exportNrrd, importButton]) b.disabled = !ready || busy;
      element.dataset['busy'] = busy ? '1' : '0';
    },
  };
  controls.render();
  return controls;
}

/**
 * Files from a drop or a picker, to NamedFile[] (name + bytes). Folders are
 * walked recursively (drag-and-drop entries, or <input webkitdirectory>).
 * Reading the bytes is I/O, not parsing: parsing happens in the worker.
 */
import type { LoadProgress, NamedFile } from './DicomSource';

/** Names of files we skip without comment (OS clutter that is never DICOM). */
const IGNORED = /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini|__MACOSX\/.*)$/i;

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, out: File[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push(new File([file], `${prefix}${file.name}`, { type: file.type }));
    return;
  }
  if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns batches (100 in Chromium) until an empty one.
    for (;;) {
      const batch = await readEntries(reader);
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, `${prefix}${entry.name}/`, out);
    }
  }
}

/** All files of a drop, folders included. */
export async function filesFromDataTransfer(transfer: DataTransfer): Promise<File[]> {
  const items = Array.from(transfer.items ?? []);
  const entries = items.map((item) => (item.kind === 'file' ? item.webkitGetAsEntry?.() ?? null : null));
  if (entries.length > 0 && entries.every((e) => e !== null)) {
    const out: File[] = [];
    for (const entry of entries) await walk(entry!, '', out);
    return out.filter((f) => !IGNORED.test(f.name));
  }
  return Array.from(transfer.files).filter((f) => !IGNORED.test(f.name));
}

/** Reads the files' bytes, reporting progress per file. */
export async function readFiles(files: readonly File[], onProgress: (p: LoadProgress) => void): Promise<NamedFile[]> {
  const out: NamedFile[] = [];
  const total = files.length;
  onProgress({ phase: 'reading', done: 0, total });
  for (let n = 0; n < total; n++) {
    const file = files[n]!;
    const name = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
    if (IGNORED.test(name)) continue;
    out.push({ name, bytes: await file.arrayBuffer() });
    if (n % 8 === 7 || n === total - 1) onProgress({ phase: 'reading', done: n + 1, total });
  }
  return out;
}

/**
 * Fetches the bundled sample: `<base>manifest.json`, then the files it lists.
 * Accepted manifest shapes: `{ files: string[] }`, `{ files: { path }[] }`
 * or `{ dicom: string[] }`, paths relative to the manifest.
 */
export async function fetchManifestFiles(manifestUrl: string, onProgress: (p: LoadProgress) => void, fetcher: typeof fetch = fetch): Promise<NamedFile[]> {
  const response = await fetcher(manifestUrl);
  if (!response.ok) throw new Error(`The bundled sample is missing (${manifestUrl}: HTTP ${response.status}). Run \`npm run sample\`.`);
  const manifest = (await response.json()) as Record<string, unknown>;
  const list = (manifest['files'] ?? manifest['dicom'] ?? manifest['dicomFiles']) as unknown;
  if (!Array.isArray(list)) throw new Error(`${manifestUrl} lists no files`);
  const paths = list
    .map((item: unknown) => (typeof item === 'string' ? item : typeof item === 'object' && item && 'path' in item ? String((item as { path: unknown }).path) : ''))
    .filter((p) => p.length > 0 && /\.dcm$|^dicom\/|\/dicom\//i.test(p));
  const base = new URL(manifestUrl, globalThis.location?.href ?? 'http://localhost/');
  const out: NamedFile[] = new Array(paths.length);
  let done = 0;
  onProgress({ phase: 'reading', done: 0, total: paths.length });
  // A few requests in flight: the dev server is local, the files are small.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const n = next++;
      const url = new URL(paths[n]!, base).toString();
      const r = await fetcher(url);
      if (!r.ok) throw new Error(`sample file ${paths[n]}: HTTP ${r.status}`);
      out[n] = { name: paths[n]!, bytes: await r.arrayBuffer() };
      done++;
      if (done % 8 === 0 || done === paths.length) onProgress({ phase: 'reading', done, total: paths.length });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

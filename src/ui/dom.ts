/** Tiny DOM helpers (no framework): element creation with class, attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; text?: string; attrs?: Record<string, string>; title?: string } = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text !== undefined) el.textContent = props.text;
  if (props.title) el.title = props.title;
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

/** Saves bytes as a file through the browser's download (an object URL on a hidden link). */
export function browserDownload(fileName: string, bytes: Uint8Array, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeType }));
  const a = h('a', { attrs: { href: url, download: fileName, hidden: '' } });
  document.body.append(a);
  a.click();
  a.remove();
  // Chromium starts the download from the click; keep the URL a moment for slower browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * The on-screen 2D canvas of a Cornerstone viewport, created by us before
 * Cornerstone enables the element, so that we choose its 2D context.
 *
 * Cornerstone renders every viewport with WebGL into one off-screen canvas
 * and copies the viewport's part into a 2D canvas in the element
 * (`_copyToOnscreenCanvas`: `canvas.getContext('2d').drawImage(...)`). It
 * creates that canvas with `getOrCreateCanvas`, which reuses an existing
 * `div.viewport-element > canvas.cornerstone-canvas`; the first `getContext`
 * call on a canvas fixes its attributes, and Cornerstone asks for none.
 *
 * Why (issue #6, bench/README "Live check"): a default 2D canvas is
 * GPU-accelerated, and so is one that `drawImage` of a WebGL canvas has
 * touched (even when asked `willReadFrequently`). Chromium composites such a
 * canvas as its own layer, and then every DOM layer painted over it that
 * overlaps it (our SVG crosshair, screw and handle layers, Cornerstone's SVG
 * layer, the corner texts) becomes a composited layer of its own; each frame
 * of the page then blends all of them again. On a software GPU (SwiftShader)
 * that made one frame of the editing screen cost 3x a frame of the same page
 * with plain images (probe: six 500 x 400 canvases under three SVG layers
 * each, 65-117 ms per frame against 22-24 ms), and Chromium aligns each
 * pointer event to that frame.
 *
 * So the canvas is kept in memory (`willReadFrequently`) and Cornerstone's
 * copy of a render into it (`drawImage(offscreen WebGL canvas, sx, sy, w, h,
 * dx, dy, w, h)`) is done by reading the WebGL pixels back (`readPixels`,
 * rows flipped: WebGL's origin is the bottom-left) and `putImageData`: the
 * canvas stays a CPU bitmap, painted with the page like an image, and is not
 * touched between renders. Same pixels: the render is opaque (black
 * background), so `drawImage`'s source-over equals a copy. Any other draw
 * (scaled, another source) goes through the context's own `drawImage`.

 * Mirrors the element structure and styles of Cornerstone's
 * `createViewportElement` / `createCanvas` (@cornerstonejs/core 5.14,
 * RenderingEngine/helpers/getOrCreateCanvas.js).
 */

const VIEWPORT_ELEMENT_CLASS = 'viewport-element';
const CANVAS_CLASS = 'cornerstone-canvas';

/** How the viewport canvases are kept; 'accelerated' is the browser's default (kept for A/B measurement). */
export type ViewportCanvasMode = 'memory' | 'accelerated';

/**
 * Creates (or finds) the viewport element and canvas Cornerstone will use in
 * `element`, with the 2D context `mode` asks for. Call before
 * `setViewports` / `enableElement` on that element. Returns the canvas.
 * A canvas whose context was already created keeps it (the browser allows
 * one context per canvas).
 */
export function prepareViewportCanvas(element: HTMLElement, mode: ViewportCanvasMode = 'memory'): HTMLCanvasElement {
  let inner = element.querySelector<HTMLDivElement>(`div.${VIEWPORT_ELEMENT_CLASS}`);
  if (!inner) {
    inner = document.createElement('div');
    inner.style.position = 'relative';
    inner.style.width = '100%';
    inner.style.height = '100%';
    inner.style.overflow = 'hidden';
    inner.classList.add(VIEWPORT_ELEMENT_CLASS);
    element.appendChild(inner);
  }
  let canvas = inner.querySelector<HTMLCanvasElement>(`canvas.${CANVAS_CLASS}`);
  if (!canvas) {
    canvas = document.createElement('canvas');
    canvas.style.position = 'absolute';
    canvas.style.width = '100%';
    canvas.style.height = '100%';
    canvas.style.imageRendering = 'pixelated';
    canvas.classList.add(CANVAS_CLASS);
    inner.appendChild(canvas);
    const rect = inner.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const width = Math.ceil(rect.width * dpr);
    const height = Math.ceil(rect.height * dpr);
    if (width > 0 && height > 0) {
      canvas.width = width;
      canvas.height = height;
      canvas.style.aspectRatio = `${width} / ${height}`;
    }
    const context = canvas.getContext('2d', mode === 'memory' ? { willReadFrequently: true } : {});
    if (context && mode === 'memory') copyWebglByReadback(context);
  }
  return canvas;
}

type DrawImageArgs = Parameters<CanvasRenderingContext2D['drawImage']>;

/** Replaces `context.drawImage` (this instance only) for unscaled copies out of a WebGL canvas (see the header). */
function copyWebglByReadback(context: CanvasRenderingContext2D): void {
  const original = context.drawImage.bind(context) as (...args: DrawImageArgs) => void;
  let rows: Uint8Array | null = null;
  let image: ImageData | null = null;
  const drawImage = (...args: DrawImageArgs): void => {
    if (args.length === 9 && args[0] instanceof HTMLCanvasElement && copied(args[0], args.slice(1) as number[])) return;
    original(...args);
  };
  function copied(source: HTMLCanvasElement, [sx, sy, sw, sh, dx, dy, dw, dh]: number[]): boolean {
    if (sw !== dw || sh !== dh || !Number.isInteger(sx) || !Number.isInteger(sy) || !Number.isInteger(sw) || !Number.isInteger(sh) || sw! < 1 || sh! < 1) return false;
    if (sx! < 0 || sy! < 0 || sx! + sw! > source.width || sy! + sh! > source.height) return false;
    // The source already has its WebGL context (Cornerstone's off-screen render window): getContext returns it.
    const gl = source.getContext('webgl2');
    if (!gl) return false;
    if (gl.getParameter(gl.PIXEL_PACK_BUFFER_BINDING) !== null) return false;
    const readFramebuffer = gl.getParameter(gl.READ_FRAMEBUFFER_BINDING) as WebGLFramebuffer | null;
    const packAlignment = gl.getParameter(gl.PACK_ALIGNMENT) as number;
    const width = sw!, height = sh!;
    const size = width * height * 4;
    if (!rows || rows.length !== size) rows = new Uint8Array(size);
    try {
      gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null);
      gl.pixelStorei(gl.PACK_ALIGNMENT, 4);
      gl.readPixels(sx!, source.height - sy! - height, width, height, gl.RGBA, gl.UNSIGNED_BYTE, rows);
    } finally {
      gl.bindFramebuffer(gl.READ_FRAMEBUFFER, readFramebuffer);
      gl.pixelStorei(gl.PACK_ALIGNMENT, packAlignment);
    }
    if (gl.getError() !== gl.NO_ERROR) return false;
    if (!image || image.width !== width || image.height !== height) image = context.createImageData(width, height);
    const stride = width * 4;
    for (let y = 0; y < height; y++) image.data.set(rows.subarray((height - 1 - y) * stride, (height - y) * stride), y * stride);
    context.putImageData(image, dx!, dy!);
    return true;
  }
  context.drawImage = drawImage as CanvasRenderingContext2D['drawImage'];
}

let rendererIsSoftware: boolean | null = null;

/**
 * Whether the browser's WebGL runs on a software rasteriser (SwiftShader,
 * llvmpipe, Mesa softpipe, Microsoft Basic Render Driver). Asked once, with a
 * throw-away context; a browser that hides the renderer counts as hardware.
 */
export function webglRendererIsSoftware(): boolean {
  if (rendererIsSoftware !== null) return rendererIsSoftware;
  rendererIsSoftware = false;
  try {
    const probe = document.createElement('canvas');
    const gl = probe.getContext('webgl2') ?? probe.getContext('webgl');
    if (gl) {
      const info = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
      rendererIsSoftware = /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer);
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch {
    rendererIsSoftware = false;
  }
  return rendererIsSoftware;
}

/**
 * The mode for this page: `?canvas2d=memory` or `?canvas2d=accelerated`
 * (A/B measurement) when given; otherwise 'memory' on a software WebGL
 * rasteriser only. The gain was measured on SwiftShader (every composited
 * layer is blended on the CPU); on a GPU, compositing is cheap and the
 * read-back would stall the GPU pipeline once per render, so the browser's
 * default is kept there.
 */
export function viewportCanvasModeFromUrl(): ViewportCanvasMode {
  const asked = new URLSearchParams(globalThis.location?.search ?? '').get('canvas2d');
  if (asked === 'accelerated' || asked === 'memory') return asked;
  return webglRendererIsSoftware() ? 'memory' : 'accelerated';
}

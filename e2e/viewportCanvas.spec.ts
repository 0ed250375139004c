/**
 * src/viewer/viewportCanvas.ts: the viewport canvases are CPU bitmaps, and
 * Cornerstone's copy of a render out of its WebGL canvas is done by a
 * readback (readPixels + putImageData) instead of drawImage. The picture on
 * screen must not change: the copy must equal the browser's own drawImage of
 * the same WebGL canvas, pixel for pixel (rows in the right order, the right
 * sub-rectangle), and a draw it does not handle must fall through unchanged.
 * Runs in the real browser (WebGL2 on SwiftShader), on the app's page with
 * the module loaded from the dev server.
 */
import { expect, test } from '@playwright/test';

test('the readback copy out of a WebGL canvas equals drawImage, pixel for pixel', async ({ page }) => {
  await page.goto('/?sample=none');
  await page.locator('#app[data-state="idle"]').waitFor({ state: 'attached' });
  const result = await page.evaluate(async () => {
    const modulePath = '/src/viewer/viewportCanvas.ts';
    const { prepareViewportCanvas } = (await import(/* @vite-ignore */ modulePath)) as typeof import('../src/viewer/viewportCanvas');
    // An opaque WebGL picture with different colours in every corner and a band (an upside-down copy or a shifted
    // rectangle cannot match), like Cornerstone's off-screen render window (WebGL2, black background).
    const source = document.createElement('canvas');
    source.width = 300;
    source.height = 200;
    const gl = source.getContext('webgl2')!;
    gl.clearColor(0, 0, 0, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.enable(gl.SCISSOR_TEST);
    const rects: [number, number, number, number, [number, number, number]][] = [
      [0, 0, 60, 40, [1, 0, 0]],
      [240, 0, 60, 40, [0, 1, 0]],
      [0, 160, 60, 40, [0, 0, 1]],
      [240, 160, 60, 40, [1, 1, 0]],
      [20, 90, 260, 7, [0.5, 0.25, 0.75]],
      [133, 20, 3, 170, [0.2, 0.9, 0.6]],
    ];
    for (const [x, y, w, h, c] of rects) {
      gl.scissor(x, y, w, h);
      gl.clearColor(c[0], c[1], c[2], 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
    }
    gl.disable(gl.SCISSOR_TEST);
    let readPixelsCalls = 0;
    const readPixels = gl.readPixels.bind(gl) as (...a: unknown[]) => void;
    (gl as unknown as { readPixels: (...a: unknown[]) => void }).readPixels = (...a: unknown[]) => {
      readPixelsCalls++;
      readPixels(...a);
    };

    const host = document.createElement('div');
    host.style.cssText = 'position:fixed;left:0;top:0;width:250px;height:170px';
    document.body.append(host);
    const canvas = prepareViewportCanvas(host);
    canvas.width = 250;
    canvas.height = 170;
    const reference = document.createElement('canvas');
    reference.width = 250;
    reference.height = 170;
    const refContext = reference.getContext('2d')!;
    const context = canvas.getContext('2d')!;
    // Cornerstone's call: the viewport's rectangle at the bottom of the render window (sourceY = height - dHeight).
    const args = [source, 10, 200 - 170 - 4, 250, 170, 0, 0, 250, 170] as const;
    context.drawImage(...args);
    refContext.drawImage(...args);
    const copied = context.getImageData(0, 0, 250, 170).data;
    const expected = refContext.getImageData(0, 0, 250, 170).data;
    let differing = 0;
    for (let i = 0; i < copied.length; i++) if (copied[i] !== expected[i]) differing++;
    const readbacks = readPixelsCalls;
    // A scaled draw is not a copy: the context's own drawImage.
    context.drawImage(source, 0, 0, 300, 200, 0, 0, 125, 85);
    refContext.drawImage(source, 0, 0, 300, 200, 0, 0, 125, 85);
    const scaled = context.getImageData(0, 0, 125, 85).data;
    const scaledExpected = refContext.getImageData(0, 0, 125, 85).data;
    let scaledDiffering = 0;
    for (let i = 0; i < scaled.length; i++) if (scaled[i] !== scaledExpected[i]) scaledDiffering++;
    const distinct = new Set<number>();
    for (let i = 0; i < expected.length; i += 4) distinct.add((expected[i]! << 16) | (expected[i + 1]! << 8) | expected[i + 2]!);
    host.remove();
    return { differing, readbacks, readbacksAfterScaled: readPixelsCalls, scaledDiffering, distinctColours: distinct.size, willReadFrequently: context.getContextAttributes().willReadFrequently };
  });
  expect(result.willReadFrequently).toBe(true);
  expect(result.distinctColours).toBeGreaterThanOrEqual(6);
  expect(result.readbacks).toBe(1);
  expect(result.differing).toBe(0);
  expect(result.readbacksAfterScaled).toBe(1);
  expect(result.scaledDiffering).toBe(0);
});

test('the CPU-bitmap canvases are chosen on a software WebGL rasteriser only, and the URL can force either path', async ({ page }) => {
  const modeOf = async (query: string): Promise<{ software: boolean; mode: string; renderer: string }> => {
    await page.goto(`/?sample=none${query}`);
    await page.locator('#app[data-state="idle"]').waitFor({ state: 'attached' });
    return page.evaluate(async () => {
      const modulePath = '/src/viewer/viewportCanvas.ts';
      const m = (await import(/* @vite-ignore */ modulePath)) as typeof import('../src/viewer/viewportCanvas');
      const gl = document.createElement('canvas').getContext('webgl2')!;
      const info = gl.getExtension('WEBGL_debug_renderer_info');
      return { software: m.webglRendererIsSoftware(), mode: m.viewportCanvasModeFromUrl(), renderer: String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) };
    });
  };
  const auto = await modeOf('');
  // This browser (headless Chromium, e2e flags) renders WebGL with SwiftShader.
  expect(auto.renderer).toMatch(/SwiftShader/i);
  expect(auto.software).toBe(true);
  expect(auto.mode).toBe('memory');
  expect((await modeOf('&canvas2d=accelerated')).mode).toBe('accelerated');
  expect((await modeOf('&canvas2d=memory')).mode).toBe('memory');
});

import { createReadStream, existsSync, statSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineConfig, type Plugin } from 'vite';
import { viteCommonjs } from '@originjs/vite-plugin-commonjs';

const rootDir = dirname(fileURLToPath(import.meta.url));
/** The phantom generator writes here (sample-dicom/generate.ts); served at /sample/. */
const sampleDir = resolve(rootDir, 'sample-dicom/out');
const SAMPLE_PREFIX = '/sample/';
/** The sample src/main.ts opens at start. */
const DEFAULT_SAMPLE = 'sacralAla-medium';

/**
 * Cross-origin isolation, so the app can share voxel buffers with workers as
 * SharedArrayBuffer. `VITE_NO_COI=1` serves without it: the e2e suite runs one
 * project that way to keep the ArrayBuffer-transfer fallback green.
 */
const isolationHeaders: Record<string, string> =
  process.env['VITE_NO_COI'] === '1'
    ? {}
    : { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

const port = Number(process.env['VITE_PORT'] ?? 5173);

/**
 * The PACS the app's default DICOMweb URL (`/dicom-web` on its own origin)
 * reaches: requests stay same-origin (no CORS, allowed by the CSP's
 * connect-src 'self'). Orthanc's DICOMweb plugin serves /dicom-web.
 */
const pacsProxy = { '/dicom-web': { target: process.env['PACS_URL'] ?? 'http://127.0.0.1:8042', changeOrigin: false } };

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.dcm': 'application/dicom',
  '.nrrd': 'application/octet-stream',
  '.txt': 'text/plain',
};

/**
 * Serves sample-dicom/out/** at /sample/** in dev and preview, and copies it
 * into the build. Paths are confined to the sample folder.
 */
function sampleDicomPlugin(): Plugin {
  const middleware = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const url = req.url ?? '';
    if (!url.startsWith(SAMPLE_PREFIX)) return next();
    const relative = decodeURIComponent(url.slice(SAMPLE_PREFIX.length).split('?')[0] ?? '');
    const file = normalize(join(sampleDir, relative));
    if (!file.startsWith(sampleDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain');
      res.end(`not found: ${url} (run \`npm run sample\` to generate the bundled sample)`);
      return;
    }
    const ext = file.slice(file.lastIndexOf('.'));
    res.statusCode = 200;
    res.setHeader('Content-Type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(statSync(file).size));
    res.setHeader('Cache-Control', 'no-cache');
    // Same-origin resource under COEP require-corp.
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    createReadStream(file).pipe(res);
  };
  let outDir = resolve(rootDir, 'dist');
  return {
    name: 'planner-sample-dicom',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
    async closeBundle() {
      // Only the sample the app opens by default (the whole out/ folder holds hundreds of MB of
      // test cases); `vite preview` serves every case from sample-dicom/out through the middleware.
      const bundled = join(sampleDir, DEFAULT_SAMPLE);
      if (existsSync(bundled)) await cp(bundled, join(outDir, 'sample', DEFAULT_SAMPLE), { recursive: true });
    },
  };
}

export default defineConfig({
  // Separate dependency caches let two dev servers (e2e with and without
  // isolation) pre-bundle at the same time without clobbering each other.
  ...(process.env['VITE_CACHE_DIR'] ? { cacheDir: process.env['VITE_CACHE_DIR'] } : {}),
  plugins: [viteCommonjs(), sampleDicomPlugin()],
  resolve: {
    // vtk.js (inside Cornerstone) imports node's `events`; without the npm
    // package the bundle fails with "Class extends value undefined".
    alias: { events: 'events/events.js' },
  },
  optimizeDeps: {
    // The loader starts its decode worker from a relative URL that pre-bundling breaks.
    exclude: ['@cornerstonejs/dicom-image-loader'],
    include: [
      'dicom-parser',
      '@cornerstonejs/metadata',
      '@cornerstonejs/utils',
      'comlink',
      'pako',
      '@cornerstonejs/dicom-image-loader > @cornerstonejs/codec-charls/decodewasmjs',
      '@cornerstonejs/dicom-image-loader > @cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
      '@cornerstonejs/dicom-image-loader > @cornerstonejs/codec-openjpeg/decodewasmjs',
      '@cornerstonejs/dicom-image-loader > @cornerstonejs/codec-openjph/wasmjs',
      '@cornerstonejs/dicom-image-loader > @cornerstonejs/jpeg-lossless-decoder-js',
    ],
  },
  worker: {
    format: 'es',
    plugins: () => [viteCommonjs()],
  },
  server: {
    host: '127.0.0.1',
    port,
    strictPort: true,
    headers: isolationHeaders,
    proxy: pacsProxy,
    // e2e (VITE_E2E=1): no hot reload, so another engineer saving a file does
    // not reload the page under a running test.
    ...(process.env['VITE_E2E'] === '1' ? { hmr: false, watch: null } : {}),
  },
  preview: {
    host: '127.0.0.1',
    port: port + 1,
    strictPort: true,
    headers: isolationHeaders,
    proxy: pacsProxy,
  },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4000,
  },
});

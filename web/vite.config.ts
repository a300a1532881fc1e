import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';

/** The repository root: the live check's worker imports the ONNX models from its `models/`. */
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

// The built client is served by `facelens serve` at `/` and may also be
// deployed to a bucket under any prefix, so asset paths stay relative.
export default defineConfig({
  base: './',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline module-preload polyfill: the server's CSP forbids inline scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  // The live check's worker (src/live/worker.ts) is an ES module worker.
  worker: { format: 'es' },
  // onnxruntime-web finds its .wasm through import.meta.url: keep it out of dev pre-bundling.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  server: {
    proxy: { '/api': process.env.FACELENS_API ?? 'http://127.0.0.1:3000' },
    // Dev server: serve the models from ../models as well as web/.
    fs: { allow: [repoRoot] },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
  },
});

import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

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
  server: {
    proxy: { '/api': process.env.FACELENS_API ?? 'http://127.0.0.1:3000' },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
  },
});

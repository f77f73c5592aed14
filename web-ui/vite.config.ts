// Builds the admin UI into dist/ as static files that sbcd serves under `/`
// (the API is under /api/v1 on the same origin, so no CORS and the session
// cookie is SameSite=Strict). `npm run dev` proxies /api to a running sbcd:
// EDGESBC_API=https://127.0.0.1:8443 npm run dev
import { defineConfig } from 'vitest/config';

const api = process.env.EDGESBC_API ?? 'https://127.0.0.1:8443';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small bundle: no chunk splitting worth having at this size.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': { target: api, changeOrigin: true, secure: false } },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
  },
});

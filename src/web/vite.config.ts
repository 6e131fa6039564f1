import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The server serves dist/dashboard under /dashboard/ with a strict CSP, so the build must emit
// only external scripts and stylesheets (Vite does) and every URL must carry the /dashboard/ base.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    // `vite --config src/web/vite.config.ts` during development: forward API calls to a running Signet.
    proxy: {
      '/api/v2': process.env.SIGNET_DEV_TARGET ?? 'http://localhost:3000',
      '/dashboard/api': process.env.SIGNET_DEV_TARGET ?? 'http://localhost:3000',
    },
  },
});

import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The dashboard: served by the server at /admin/ (apps/server/src/http/static-admin.ts), the API
// on the same origin. A separate bundle from the phone app (vite.config.ts, /app/).
export default defineConfig({
  root,
  base: '/admin/',
  // public/ holds the phone app's manifest, icons and service worker: not the dashboard's.
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: 'dist-admin',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: fileURLToPath(new URL('admin.html', import.meta.url)),
    },
  },
  server: { proxy: { '/v1': { target: 'http://127.0.0.1:8480', ws: true } } },
});

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the server at /app/ (apps/server/src/http/static.ts); the API is on the same origin.
export default defineConfig({
  base: '/app/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { proxy: { '/v1': { target: 'http://127.0.0.1:8480', ws: true } } },
});

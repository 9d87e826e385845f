/**
 * Builds the web app (src/web) into dist/web, where the server serves it.
 * In development `npx vite` proxies /api to a server on port 3000.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const fromRoot = (path: string) =>
  fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: fromRoot('./src/web'),
  plugins: [react()],
  build: {
    outDir: fromRoot('./dist/web'),
    emptyOutDir: true,
  },
  server: {
    proxy: {
      // A regex, because the plain prefix '/api' also catches '/api.ts'.
      // The server refuses state changes from other origins; the dev
      // server's pages are the same app, so they speak as its origin.
      '^/api/': {
        target: 'http://127.0.0.1:3000',
        headers: { origin: 'http://127.0.0.1:3000' },
      },
    },
  },
});

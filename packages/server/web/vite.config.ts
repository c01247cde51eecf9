import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The UI is built into web/dist and served by the Seshat server from the same origin, so the
 * session cookie and the server's CSP (script-src 'self') apply unchanged: the build emits only
 * external module scripts, never inline ones.
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The modulepreload polyfill would be fine under CSP too, but every browser we target has it natively.
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev:web` proxies the API to a server started with `npm start` (same origin for the cookie).
    proxy: { '/api': process.env.SESHAT_DEV_API ?? 'http://127.0.0.1:3000' },
  },
});

/**
 * Vite build of the status board: `web/` → `dist/web/` (`index.html`, hashed files under
 * `assets/`), which the server serves at `GET /`. Nothing is fetched at run time but our own API,
 * so no CDN and no external URLs. `npm run dev:web` serves it with hot reload and proxies
 * `/graphql` (HTTP and WebSocket) to a server on 127.0.0.1:4000.
 */
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2020',
    sourcemap: false,
  },
  server: {
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } },
  },
});

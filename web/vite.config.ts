import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The web app: sources in web/, built into dist/web/ (served by the Fastify app).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // Only VITE_-prefixed variables could ever reach the bundle; the app uses none.
  envPrefix: 'VITE_',
  build: {
    outDir: fileURLToPath(new URL('../dist/public', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    assetsInlineLimit: 0,
  },
  worker: { format: 'es' },
  // Components are TSX compiled for Preact (web/tsconfig.json says the same to the type check).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});

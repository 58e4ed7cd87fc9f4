// Builds the web client: `npm run build` writes client/web/dist, which the
// gateway serves at `/` (GraphQL is on the same origin at /graphql).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // One small app: keep the chunk warning for real surprises only.
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npx vite --config client/web/vite.config.ts` during development, next to a running gateway.
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } },
  },
});

import { defineConfig } from 'vite';

// The browser demo: `npm run build:web` writes static files to dist-web/ (relative paths, so they
// can be hosted anywhere); `npm run demo` builds and serves them on 127.0.0.1.
export default defineConfig({
  root: 'web',
  base: './',
  build: { outDir: '../dist-web', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000 },
  preview: { host: '127.0.0.1', port: 5173, strictPort: false },
});

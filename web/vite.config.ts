import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The browser demo: `npm run build:web` writes static files to dist-web/ (relative paths, so they
// can be hosted anywhere); `npm run demo` builds and serves them on 127.0.0.1. Two pages: the
// reinforcement-learning demo (index.html) and the hard-attention example (attention.html).
export default defineConfig({
  root: 'web',
  base: './',
  build: {
    outDir: '../dist-web', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000,
    rollupOptions: { input: { main: fileURLToPath(new URL('index.html', import.meta.url)), attention: fileURLToPath(new URL('attention.html', import.meta.url)) } },
  },
  preview: { host: '127.0.0.1', port: 5173, strictPort: false },
});

import { defineConfig } from 'vite';

// Builds the library's browser entry (src/browser.ts: the API over a GPUDevice from the page)
// into dist/browser.js, an ES module with the WGSL inlined and no Node imports. Runs after
// vite.node.config.ts (it keeps dist/).
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: false,
    minify: false,
    lib: { entry: 'src/browser.ts', formats: ['es'], fileName: () => 'browser.js' },
  },
});

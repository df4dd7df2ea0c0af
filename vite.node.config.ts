import { defineConfig } from 'vite';

// Builds the Node entry points (benchmarks, later the CLI) into dist/. Vite handles the WGSL
// `?raw` imports the same way as in the browser bundle and in vitest; npm packages such as
// `webgpu` stay external and are loaded from node_modules at run time.
export default defineConfig({
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'dist',
    emptyOutDir: true,
    minify: false,
    rollupOptions: {
      input: {
        cli: 'src/cli/index.ts',
      },
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
});

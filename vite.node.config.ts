import { defineConfig } from 'vite';

// Builds the CLI (train, eval, bench) into dist/cli.js and the library's Node entry into
// dist/index.js. Vite handles the WGSL `?raw` imports the
// same way as in the browser bundle and in vitest. Every npm package is bundled except `webgpu`
// (a native addon): a GPU server without a package registry then needs only dist/ and the
// `webgpu` package that ../shared/gpu/make-kit.sh packs.
export default defineConfig({
  ssr: { noExternal: true, external: ['webgpu', 'tsx'] },
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'dist',
    emptyOutDir: true,
    minify: false,
    rollupOptions: {
      input: {
        cli: 'src/cli/index.ts',
        index: 'src/index.ts',
      },
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
});

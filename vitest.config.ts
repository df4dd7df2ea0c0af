import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Vitest 5 prints failures with Map.groupBy, which Node 20 lacks (it arrived in Node 21): without
// this, a failing test crashes the reporter instead of showing its message.
if (typeof (Map as unknown as { groupBy?: unknown }).groupBy !== 'function') {
  Object.defineProperty(Map, 'groupBy', {
    value<K, V>(items: Iterable<V>, key: (item: V, index: number) => K): Map<K, V[]> {
      const groups = new Map<K, V[]>();
      let i = 0;
      for (const item of items) {
        const k = key(item, i++);
        const group = groups.get(k);
        if (group) group.push(item);
        else groups.set(k, [item]);
      }
      return groups;
    },
  });
}

// WebGPU tests run on whatever adapter Dawn finds (lavapipe on a machine without a GPU).
// Files run one at a time: lavapipe already uses every core, and two devices fighting for two
// cores only make each test slower and its timing less predictable.
export default defineConfig({
  // The examples import the package by name; in the repository's tests that is the source.
  resolve: {
    alias: [
      { find: /^pathwise$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^pathwise\/browser$/, replacement: fileURLToPath(new URL('./src/browser.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  },
});

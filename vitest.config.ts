import { defineConfig } from 'vitest/config'

// Three layers, as the folders of tests/: unit (no browser, no process, seconds), cli (the real
// command and the disk, no browser) and browser. `npm test` runs all; `npm run test:unit` the first.
export default defineConfig({
  test: {
    testTimeout: 240_000,
    hookTimeout: 240_000,
    // Browser suites each launch Chromium; two at a time suit a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 10_000, isolate: false } },
      { extends: true, test: { name: 'cli', include: ['tests/cli/**/*.test.ts'] } },
      { extends: true, test: { name: 'browser', include: ['tests/browser/**/*.test.ts'] } },
    ],
  },
})

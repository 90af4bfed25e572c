import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    // Browser suites each launch Chromium; two at a time suit a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
  },
})

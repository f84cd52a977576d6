import { defineConfig } from 'vitest/config'

/** Browser tests: Debian's Chromium driven by playwright-core against the dev app. */
export default defineConfig({
  test: {
    environment: 'node',
    fileParallelism: false,
    globalSetup: ['./test/browser/globalSetup.ts'],
    hookTimeout: 300_000,
    include: ['test/browser/**/*.test.ts'],
    // Next.js compiles each route on its first visit.
    testTimeout: 300_000,
  },
})

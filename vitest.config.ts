import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    environment: 'node',
    // One embedded database server for the whole run; each test file uses its own database.
    exclude: ['test/browser/**', 'test/chaos/**', 'test/consumer/**', 'node_modules/**'],
    globalSetup: ['./test/globalSetup.ts'],
    hookTimeout: 60_000,
    include: ['test/**/*.test.ts'],
    // Files boot Payload each; two cores, so run two at a time.
    maxWorkers: 2,
    testTimeout: 60_000,
  },
})

import { defineConfig } from 'vitest/config'

/** npm run test:chaos: fault injection (CHAOS_SCALE=full for the full sizes). */
export default defineConfig({
  test: {
    environment: 'node',
    globalSetup: ['./test/globalSetup.ts'],
    hookTimeout: 120_000,
    include: ['test/chaos/**/*.test.ts'],
    // One file at a time: the faults are timed, and two cores are few.
    maxWorkers: 1,
    testTimeout: 900_000,
  },
})

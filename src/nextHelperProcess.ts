/**
 * Whether this is one of Next.js's short-lived helper processes (`next build`'s page workers, the
 * dev server's render workers). They evaluate the Payload config too, but come and go: nothing
 * long-lived (a campaign job, a dev server) may start in them.
 */
export const isNextHelperProcess = () =>
  process.env.IS_NEXT_WORKER === 'true' ||
  process.env.NEXT_PHASE === 'phase-production-build' ||
  /[\\/]jest-worker[\\/]processChild\.js$/.test(process.argv[1] ?? '')

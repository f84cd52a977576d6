/** Resolves when `promise` settles or after `ms`, whichever comes first (a stop that hangs). */
export const atMost = (ms: number, promise: Promise<unknown>): Promise<unknown> =>
  Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())])

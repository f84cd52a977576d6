import type { Payload } from 'payload'

const transientNames = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongooseServerSelectionError',
  'MongoPoolClearedError',
  'MongoServerSelectionError',
])

const transientLabels = ['ResetPool', 'RetryableWriteError', 'TransientTransactionError']

/** Socket errors, and Postgres's connection exceptions (class 08) and server shutdowns (57P0x). */
const transientCodes = /^(?:ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|08\d{3}|57P0[123])$/

/** node-postgres reports a dropped connection with a plain Error. */
const transientMessages = /^Connection terminated|^Client has encountered a connection error/

/** An error after which the same call may succeed: the connection broke or no server answered. */
export const isTransientDatabaseError = (error: unknown): boolean => {
  if (!(error instanceof Error)) {
    return false
  }
  const wrapper = error as {
    cause?: unknown
    code?: unknown
    errorResponse?: unknown
    hasErrorLabel?: (label: string) => boolean
  }
  if (
    transientNames.has(error.name) ||
    transientCodes.test(String(wrapper.code ?? '')) ||
    transientMessages.test(error.message)
  ) {
    return true
  }
  if (transientLabels.some((label) => wrapper.hasErrorLabel?.(label) === true)) {
    return true
  }
  // A bulk write that lost its connection wraps the network error.
  return [wrapper.cause, wrapper.errorResponse].some(
    (inner) => inner !== error && isTransientDatabaseError(inner),
  )
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export type RetryTransient = <T>(call: () => Promise<T>, onRetry?: () => void) => Promise<T>

/**
 * Retries a database call while the database is unreachable, for up to `giveUpAfterMs`, so a
 * dropped connection pauses the work instead of failing it. Callers retry only calls that are
 * safe to repeat, since a write that failed this way may have been applied.
 */
export const createRetryTransient =
  (logger: Payload['logger'], giveUpAfterMs: number): RetryTransient =>
  async (call, onRetry) => {
    const giveUpAt = Date.now() + giveUpAfterMs
    for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 2000)) {
      try {
        return await call()
      } catch (error) {
        if (!isTransientDatabaseError(error) || Date.now() + delayMs > giveUpAt) {
          throw error
        }
        logger.warn(
          { err: error },
          `whatsapp-campaigns: database unreachable, retrying in ${delayMs} ms`,
        )
        onRetry?.()
        await sleep(delayMs)
      }
    }
  }

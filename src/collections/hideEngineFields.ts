import type { CollectionAfterReadHook } from 'payload'

/**
 * The engine writes a few bookkeeping fields straight to the database (claims, idempotency
 * ids); they are not in the schema, so Payload would return them as they are. This drops them.
 */
export const hideEngineFields =
  (...names: string[]): CollectionAfterReadHook =>
  ({ doc }) => {
    for (const name of names) {
      delete (doc as Record<string, unknown>)[name]
    }
    return doc
  }

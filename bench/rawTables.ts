/**
 * The bench seeds data beneath Payload, in bulk writes straight to the database: it measures
 * reading documents, not creating them.
 */
import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'

import { postgresTable as quotedTable } from '../src/store/index.js'

export { column } from '../src/store/index.js'

export const onPostgres = (payload: Payload) => payload.db.name === 'postgres'

/** A collection's table, schema-qualified and quoted, with the adapter's pool to write it. */
export const postgresTable = (payload: Payload, slug: string) => {
  const adapter = payload.db as unknown as PostgresAdapter
  return { pool: adapter.pool, table: quotedTable(adapter, slug) }
}

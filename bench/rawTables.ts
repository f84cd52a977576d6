/**
 * The bench seeds data beneath Payload, in bulk writes straight to the database: it measures
 * reading documents, not creating them.
 */
import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'

export const onPostgres = (payload: Payload) => payload.db.name === 'postgres'

/** A field's column on Postgres: deliveredCount -> delivered_count. */
export const column = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** A collection's table, schema-qualified and quoted, with the adapter's pool to write it. */
export const postgresTable = (payload: Payload, slug: string) => {
  const adapter = payload.db as unknown as PostgresAdapter
  const name = adapter.tableNameMap.get(column(slug).replace(/-/g, '_'))
  if (!name) {
    throw new Error(`No Postgres table for the collection "${slug}".`)
  }
  return { pool: adapter.pool, table: `"${adapter.schemaName ?? 'public'}"."${name}"` }
}

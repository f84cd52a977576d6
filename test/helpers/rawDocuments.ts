import type { MongooseAdapter } from '@payloadcms/db-mongodb'
import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'

import { postgresTable } from '../../src/store/index.js'

const camel = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** A collection's documents as stored, bypassing Payload (field names in camelCase). */
export const rawDocuments = async (payload: Payload, slug: string) => {
  if (payload.db.name === 'postgres') {
    const adapter = payload.db as unknown as PostgresAdapter
    const { rows } = await adapter.pool.query<Record<string, unknown>>(
      `SELECT * FROM ${postgresTable(adapter, slug)}`,
    )
    return rows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([column, value]) => [camel(column), value])),
    )
  }
  const adapter = payload.db as unknown as MongooseAdapter
  return adapter.connection.db!.collection(slug).find({}).toArray()
}

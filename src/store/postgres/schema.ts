import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Pool } from 'pg'

import type { ResolvedOptions } from '../../options.js'
import type { RecipientFields } from '../recipientChanges.js'

import { inTransaction } from './transaction.js'

/** The plugin's own tables live in a schema of their own, out of reach of Payload's schema push. */
export const engineSchema = 'whatsapp_campaigns_engine'

export const scheduleTable = `"${engineSchema}"."send_schedule"`

export const createScheduleTable = `CREATE TABLE IF NOT EXISTS ${scheduleTable} (key text PRIMARY KEY, next double precision NOT NULL)`

export const leaseTable = `"${engineSchema}"."leases"`

export const createLeaseTable = `CREATE TABLE IF NOT EXISTS ${leaseTable} (name text PRIMARY KEY, holder text NOT NULL, until timestamptz NOT NULL)`
export const limitSlotsTable = `"${engineSchema}"."messaging_limit_slots"`

/** Each business portfolio's messaging-limit slots (see campaignStore's reserveRecipients). */
export const createLimitSlotsTable = [
  `CREATE TABLE IF NOT EXISTS ${limitSlotsTable} (key text NOT NULL, slot integer NOT NULL, phone text, at timestamptz NOT NULL, op text, PRIMARY KEY (key, slot))`,
  `CREATE INDEX IF NOT EXISTS messaging_limit_slots_phone ON ${limitSlotsTable} (key, phone)`,
]

/** A field's column: deliveredCount -> delivered_count. */
export const column = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** A collection's table on Payload's Postgres adapter, schema-qualified and quoted. */
export const postgresTable = (adapter: PostgresAdapter, slug: string) => {
  const name = adapter.tableNameMap.get(column(slug).replace(/-/g, '_'))
  if (!name) {
    throw new Error(`whatsapp-campaigns: collection "${slug}" is not registered`)
  }
  return `"${adapter.schemaName ?? 'public'}"."${name}"`
}

/** The tables the store writes. */
export const storeTables = (adapter: PostgresAdapter, slugs: ResolvedOptions['slugs']) => ({
  campaigns: postgresTable(adapter, slugs.campaigns),
  events: postgresTable(adapter, slugs.webhookEvents),
  recipients: postgresTable(adapter, slugs.recipients),
})

/** SQL types of the recipient fields the engine writes, for arrays of them (unnest). */
export const recipientFieldTypes: Record<Exclude<keyof RecipientFields, 'status'>, string> = {
  deliveredAt: 'timestamptz',
  errorCode: 'numeric',
  errorMessage: 'text',
  failedAt: 'timestamptz',
  messageId: 'text',
  readAt: 'timestamptz',
  retryable: 'boolean',
  retryNotBefore: 'timestamptz',
  sentAt: 'timestamptz',
}

/**
 * Creates the plugin's own schema, then runs `statements` (idempotent). Several processes and
 * workers do this at once on boot; concurrent `CREATE ... IF NOT EXISTS` still races in Postgres's
 * catalog ("type already exists"), so the DDL runs under one transaction-scoped advisory lock.
 */
export const ensureEngineSchema = (pool: Pool, statements: string[] = []) =>
  inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [engineSchema])
    for (const statement of [`CREATE SCHEMA IF NOT EXISTS "${engineSchema}"`, ...statements]) {
      await client.query(statement)
    }
  })

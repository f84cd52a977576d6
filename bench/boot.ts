import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { DefaultDocumentIDType, Payload } from 'payload'
import type { Pool } from 'pg'

import { getPayload } from 'payload'

import type { NamedAudience } from '../src/index.js'

import { createConfig } from '../dev/createConfig.js'
import { isPostgresUri } from '../dev/database/adapter.js'
import { demoAccountData } from '../dev/demoAccount.js'
import { demoTemplates } from '../dev/simulator/index.js'
import { stopCampaignQueue } from '../src/index.js'
import { templateDocument } from '../src/meta/templateDocument.js'
import { startRestServer } from '../test/helpers/restServer.js'
import { startBenchDatabase } from './database.js'

export type BenchApp = {
  /** A string on MongoDB, a number on Postgres. */
  accountId: DefaultDocumentIDType
  close: () => Promise<void>
  /** Which database the figures come from. */
  database: string
  payload: Payload
  restUrl: string
  templateId: DefaultDocumentIDType
}

/**
 * Payload's destroy leaves the Postgres adapter's pool open, and the client its connect checked
 * out is never released, so pool.end() would never resolve: this waits only for the idle clients
 * to close, leaving that one for the database drop to cut.
 */
const endPool = async (pool: Pool) => {
  const idle = pool.idleCount
  let closed = 0
  const idleClosed = new Promise<void>((resolve) => {
    pool.on('remove', () => {
      if (++closed === idle) {
        resolve()
      }
    })
  })
  void pool.end()
  if (idle > 0) {
    await idleClosed
  }
}

/** Payload with the plugin (inline queue, command monitoring on); REST served over HTTP. */
export const bootBench = async (args: {
  audiences: Record<string, NamedAudience>
  graphApiUrl: string
}): Promise<BenchApp> => {
  const database = await startBenchDatabase()
  const postgres = isPostgresUri(database.uri)
  if (postgres) {
    // The database is new: its schema must be pushed whatever this process pushed before.
    process.env.PAYLOAD_FORCE_DRIZZLE_PUSH = 'true'
  }
  const config = createConfig({
    // Postgres queries are counted on pg's Client instead (see measure.ts).
    connectOptions: postgres ? undefined : { monitorCommands: true },
    databaseUri: database.uri,
    pluginOptions: { audiences: args.audiences, graphApiUrl: args.graphApiUrl, queue: false },
  })
  const payload = await getPayload({ config, key: 'bench' })
  const rest = await startRestServer(config, 'bench')
  const account = await payload.create({
    collection: 'whatsapp-accounts',
    data: demoAccountData('Bench number'),
  })
  const orderUpdate = demoTemplates.find((t) => t.name === 'order_update')
  if (!orderUpdate) {
    throw new Error('The simulator has no order_update template.')
  }
  const template = await payload.create({
    collection: 'whatsapp-templates',
    data: templateDocument(orderUpdate, account.id),
  })
  return {
    accountId: account.id,
    close: async () => {
      await rest.close()
      await stopCampaignQueue(payload)
      await payload.destroy()
      if (postgres) {
        await endPool((payload.db as unknown as PostgresAdapter).pool)
      }
      await database.stop()
    },
    database: database.label,
    payload,
    restUrl: rest.url,
    templateId: template.id,
  }
}

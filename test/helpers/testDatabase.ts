import { inject } from 'vitest'

import { isPostgresUri } from '../../dev/database/adapter.js'
import { onPostgresServer } from '../../dev/database/postgresServer.js'

/** The run's database server (see test/globalSetup.ts), without a database name. */
export const databaseServerUri = () => inject('databaseServerUri')

export const usesPostgres = () => isPostgresUri(databaseServerUri())

/** A database of its own for this name, on the run's server (created by prepareDatabase). */
export const testDatabaseUri = (name: string) =>
  `${databaseServerUri()}/test_${name}_${Date.now()}`.toLowerCase()

const databaseName = (uri: string) => new URL(uri).pathname.slice(1)

/** MongoDB creates databases on first write; Postgres needs them created first (once). */
export const prepareDatabase = async (uri: string) => {
  if (!isPostgresUri(uri)) {
    return
  }
  const name = databaseName(uri)
  await onPostgresServer(uri, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string } & Error) => {
        // Another app of the same test created it first.
        if (error.code !== '42P04' && error.code !== '23505') {
          throw error
        }
      })
    }
  })
}

export const dropPostgresDatabase = (uri: string) =>
  onPostgresServer(uri, (client) =>
    client.query(`DROP DATABASE IF EXISTS "${databaseName(uri)}" WITH (FORCE)`),
  )

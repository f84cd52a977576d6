import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'

import { isPostgresUri } from '../dev/database/adapter.js'
import { onPostgresServer } from '../dev/database/postgresServer.js'
import { onPostgres } from './rawTables.js'

export type BenchDatabase = {
  label: string
  /** The embedded server's process, when the bench runs one. */
  pid?: number
  stop: () => Promise<void>
  /** The bench's own database, fresh for this run. */
  uri: string
}

/** The server DATABASE_URI or MONGODB_URI names, without a database name; none for the embedded one. */
export const givenServer = () => {
  const variable = process.env.DATABASE_URI ? 'DATABASE_URI' : 'MONGODB_URI'
  const uri = process.env[variable]?.replace(/\/+$/, '')
  return uri ? { uri, variable } : undefined
}

/**
 * After payload.destroy(): Payload's Postgres adapter leaves its pool open, with a client that
 * is never released; the pool is ended without waiting, and the database's drop cuts the rest.
 */
export const abandonPool = (payload: Payload) => {
  if (onPostgres(payload)) {
    const { pool } = payload.db as unknown as PostgresAdapter
    pool.on('error', () => undefined)
    void pool.end()
  }
}

const databaseName = () => `bench_${Date.now()}`

/** Postgres needs the database created before Payload connects; stop() drops it. */
const startPostgresDatabase = async (server: string, variable: string): Promise<BenchDatabase> => {
  const name = databaseName()
  const version = await onPostgresServer(server, async (client) => {
    await client.query(`CREATE DATABASE "${name}"`)
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version')
    // "15.20 (Debian 15.20-0+deb12u1)" -> "15.20"
    return rows[0].server_version.split(' ')[0]
  })
  return {
    label: `PostgreSQL ${version} (${variable})`,
    stop: async () => {
      await onPostgresServer(server, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      )
    },
    uri: `${server}/${name}`,
  }
}

/**
 * The server DATABASE_URI or MONGODB_URI names (Postgres or MongoDB); otherwise the embedded
 * server in a child process, so that the engine's CPU time is measured apart from the database's.
 */
export const startBenchDatabase = async (): Promise<BenchDatabase> => {
  const given = givenServer()
  if (given && isPostgresUri(given.uri)) {
    return startPostgresDatabase(given.uri, given.variable)
  }
  if (given) {
    return {
      label: `MongoDB (${given.variable})`,
      stop: () => Promise.resolve(),
      uri: `${given.uri}/${databaseName()}`,
    }
  }
  // Node itself (not npx), so that stopping it stops the server.
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_DB_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_DB_PROFILE}`]
        : []),
      '--import',
      'tsx',
      'dev/database/cli.ts',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const [uri] = (await once(createInterface({ input: child.stdout }), 'line')) as [string]
  return {
    label:
      'embedded CongoDB in a child process (scans whole collections, narrowed by plain equalities; no indexes)',
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM')
      if (child.exitCode === null) {
        await once(child, 'exit')
      }
    },
    uri: `${uri}/${databaseName()}`,
  }
}

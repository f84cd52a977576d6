import type { DatabaseAdapterObj } from 'payload'

import { mongooseAdapter } from '@payloadcms/db-mongodb'
import { postgresAdapter } from '@payloadcms/db-postgres'

/** Whether a database URI names PostgreSQL (else MongoDB). */
export const isPostgresUri = (uri: string) => /^postgres(?:ql)?:\/\//.test(uri)

/** Payload's adapter for the database the URI names: Postgres or MongoDB. */
export const databaseAdapter = (
  uri: string,
  /** Extra MongoClient options, e.g. monitorCommands for the benchmark. */
  mongoConnectOptions: Record<string, unknown> = {},
): DatabaseAdapterObj =>
  isPostgresUri(uri)
    ? // The schema is pushed at boot outside production (Payload's default), as in its templates.
      postgresAdapter({ pool: { connectionString: uri } })
    : mongooseAdapter({
        // Polling, not streaming, server monitoring: the embedded server cannot answer exhaust
        // hellos, and a dev reload's reconnect would fail with "Server ended moreToCome".
        connectOptions: { serverMonitoringMode: 'poll', ...mongoConnectOptions },
        ensureIndexes: true,
        url: uri,
      })

import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload, SanitizedConfig } from 'payload'

import { getPayload } from 'payload'

import type { CreateConfigArgs } from '../../dev/createConfig.js'

import { createConfig } from '../../dev/createConfig.js'
import { isPostgresUri } from '../../dev/database/adapter.js'
import { stopCampaignQueue } from '../../src/index.js'
import { type RestServer, startRestServer } from './restServer.js'
import { dropPostgresDatabase, prepareDatabase, testDatabaseUri } from './testDatabase.js'

export { testDatabaseUri } from './testDatabase.js'

export type TestApp = {
  /** Calls the REST API over HTTP, as the user with this token when given. */
  api: (
    method: string,
    path: string,
    options?: { body?: unknown; token?: string },
  ) => Promise<{ body: Record<string, unknown>; status: number }>
  close: () => Promise<void>
  config: Promise<SanitizedConfig>
  /** Creates a user and returns a JWT for it (REST login). */
  login: (email?: string, role?: 'admin' | 'editor' | 'viewer') => Promise<string>
  payload: Payload
  rest: RestServer
}

/** How many apps this process has open on each database. */
const appsOn = new Map<string, number>()

/** Boots Payload headless on a database of its own (or `databaseUri`), with its REST API served over HTTP. */
export const bootPayload = async (
  name: string,
  args: { databaseUri?: string } & Omit<CreateConfigArgs, 'databaseUri'> = {},
): Promise<TestApp> => {
  const databaseUri = args.databaseUri ?? testDatabaseUri(name)
  await prepareDatabase(databaseUri)
  // Payload pushes its schema once per process, skipping it when the schema is unchanged; every
  // test database here is new and needs it.
  process.env.PAYLOAD_FORCE_DRIZZLE_PUSH = 'true'
  appsOn.set(databaseUri, (appsOn.get(databaseUri) ?? 0) + 1)
  const config = createConfig({ ...args, databaseUri })
  const payload = await getPayload({ config, key: name })
  const rest = await startRestServer(config, name)

  const api: TestApp['api'] = async (method, path, options = {}) => {
    const response = await fetch(`${rest.url}/api${path}`, {
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `JWT ${options.token}` } : {}),
      },
      method,
    })
    const text = await response.text()
    return {
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      status: response.status,
    }
  }

  const login: TestApp['login'] = async (email = 'editor@example.com', role = 'editor') => {
    const password = 'test-password-1'
    const existing = await payload.find({
      collection: 'users',
      where: { email: { equals: email } },
    })
    if (existing.totalDocs === 0) {
      await payload.create({ collection: 'users', data: { email, password, role } })
    }
    const { body, status } = await api('POST', '/users/login', { body: { email, password } })
    if (status !== 200 || typeof body.token !== 'string') {
      throw new Error(`login failed: ${status} ${JSON.stringify(body)}`)
    }
    return body.token
  }

  return {
    api,
    close: async () => {
      await rest.close()
      // On Postgres the queue has a pool of its own, which Payload's destroy does not close.
      await stopCampaignQueue(payload)
      // The last app on a database drops it; the others' connections would be cut.
      const left = (appsOn.get(databaseUri) ?? 1) - 1
      appsOn.set(databaseUri, left)
      if (isPostgresUri(databaseUri)) {
        // Payload's destroy leaves the Postgres adapter's pool open; its idle connections are
        // closed here, and any still out are cut by the drop, which is expected.
        const { pool } = payload.db as unknown as PostgresAdapter
        pool.on('error', () => undefined)
        await payload.destroy()
        void pool.end()
        if (left === 0) {
          await dropPostgresDatabase(databaseUri)
        }
      } else if (left > 0) {
        await payload.destroy()
      } else {
        await payload.db.connection.dropDatabase().catch(() => undefined)
        await payload.destroy()
      }
    },
    config,
    login,
    payload,
    rest,
  }
}

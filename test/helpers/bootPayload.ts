import type { Payload, SanitizedConfig } from 'payload'

import { getPayload } from 'payload'
import { inject } from 'vitest'

import type { CreateConfigArgs } from '../../dev/createConfig.js'

import { createConfig } from '../../dev/createConfig.js'
import { type RestServer, startRestServer } from './restServer.js'

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

/** A database of its own for this name, on the run's server. */
export const testDatabaseUri = (name: string) =>
  `${inject('mongoServerUri')}/test_${name}_${Date.now()}`

/** Boots Payload headless on a database of its own, with its REST API served over HTTP. */
export const bootPayload = async (
  name: string,
  args: { databaseUri?: string } & Omit<CreateConfigArgs, 'databaseUri'> = {},
): Promise<TestApp> => {
  const databaseUri = args.databaseUri ?? testDatabaseUri(name)
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
      await payload.db.connection.dropDatabase().catch(() => undefined)
      await payload.destroy()
    },
    config,
    login,
    payload,
    rest,
  }
}

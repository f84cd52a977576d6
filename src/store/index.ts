import type { Payload } from 'payload'

import type { CampaignStore } from './types.js'

import { getPluginOptions } from '../pluginContext.js'
import { createMongoStore } from './mongoStore.js'
import { createPostgresStore } from './postgresStore.js'

export type * from './types.js'

const stores = new WeakMap<Payload, CampaignStore>()

const creators: Record<string, typeof createMongoStore> = {
  mongoose: createMongoStore,
  postgres: createPostgresStore,
}

/** The store for this Payload instance's database adapter. */
export const getStore = (payload: Payload): CampaignStore => {
  let store = stores.get(payload)
  if (!store) {
    const create = creators[payload.db.name]
    if (!create) {
      throw new Error(
        `whatsapp-campaigns: the "${payload.db.name}" database adapter is not supported; use @payloadcms/db-mongodb or @payloadcms/db-postgres`,
      )
    }
    store = create(payload, getPluginOptions(payload))
    stores.set(payload, store)
  }
  return store
}

import type { Payload } from 'payload'

import type { CampaignStore } from './types.js'

import { getPluginOptions } from '../pluginContext.js'
import { createMongoStore } from './mongoStore.js'

export type * from './types.js'

const stores = new WeakMap<Payload, CampaignStore>()

/** The store for this Payload instance's database adapter. */
export const getStore = (payload: Payload): CampaignStore => {
  let store = stores.get(payload)
  if (!store) {
    if (payload.db.name !== 'mongoose') {
      throw new Error(
        `whatsapp-campaigns: the "${payload.db.name}" database adapter is not supported yet; use @payloadcms/db-mongodb`,
      )
    }
    store = createMongoStore(payload, getPluginOptions(payload))
    stores.set(payload, store)
  }
  return store
}

import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'
import type { StorePrimitives } from './primitives.js'
import type { CampaignStore } from './types.js'

import { getPluginOptions } from '../pluginContext.js'
import { createCampaignStore } from './campaignStore.js'
import { createMongoPrimitives } from './mongo/primitives.js'
import { createPostgresPrimitives } from './postgres/primitives.js'
import { createRetryTransient } from './transientErrors.js'

export { createCampaignStore } from './campaignStore.js'
export { column, engineSchema, ensureEngineSchema, postgresTable } from './postgres/schema.js'
export type { StorePrimitives, UnitPrimitives } from './primitives.js'
export { pricingOf } from './recipientChanges.js'
export { createRetryTransient, isTransientDatabaseError } from './transientErrors.js'
export type * from './types.js'

const stores = new WeakMap<Payload, CampaignStore>()

const primitivesFor: Record<
  string,
  (payload: Payload, options: ResolvedOptions) => StorePrimitives
> = {
  mongoose: createMongoPrimitives,
  postgres: createPostgresPrimitives,
}

/** The database primitives for this Payload instance's adapter. */
export const storePrimitives = (payload: Payload): StorePrimitives => {
  const create = primitivesFor[payload.db.name]
  if (!create) {
    throw new Error(
      `whatsapp-campaigns: the "${payload.db.name}" database adapter is not supported; use @payloadcms/db-mongodb or @payloadcms/db-postgres`,
    )
  }
  return create(payload, getPluginOptions(payload))
}

/** The store for this Payload instance's database adapter. */
export const getStore = (payload: Payload): CampaignStore => {
  let store = stores.get(payload)
  if (!store) {
    const options = getPluginOptions(payload)
    store = createCampaignStore(
      storePrimitives(payload),
      createRetryTransient(payload.logger, options.databaseRetryMs),
    )
    stores.set(payload, store)
  }
  return store
}

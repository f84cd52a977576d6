import type { Config } from 'payload'

import type { WhatsAppCampaignsPluginOptions } from './options.js'

import { pluginCollections } from './collections/index.js'
import { resolveOptions } from './options.js'

export type {
  CollectionOverride,
  FieldsOverride,
  NamedAudience,
  WhatsAppCampaignsPluginOptions,
} from './options.js'
export { defaultSlugs } from './options.js'

export const whatsappCampaignsPlugin =
  (pluginOptions: WhatsAppCampaignsPluginOptions = {}) =>
  (config: Config): Config => {
    const options = resolveOptions(pluginOptions, config.admin?.user ?? 'users')

    // The collections are added even when disabled, so the database schema stays consistent.
    const collections = [...(config.collections ?? []), ...pluginCollections(options)]
    if (!options.enabled) {
      return { ...config, collections }
    }

    return {
      ...config,
      collections,
      custom: { ...config.custom, whatsappCampaigns: options },
    }
  }

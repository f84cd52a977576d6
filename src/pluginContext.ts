import type { Payload, SanitizedConfig } from 'payload'

import type { ResolvedOptions } from './options.js'

/** The plugin's resolved options, which the plugin keeps on the Payload config it extends. */
export const getPluginOptions = (from: Payload | SanitizedConfig): ResolvedOptions => {
  const config = 'config' in from ? from.config : from
  const options = (config.custom as { whatsappCampaigns?: ResolvedOptions } | undefined)
    ?.whatsappCampaigns
  if (!options) {
    throw new Error(
      'whatsapp-campaigns: the plugin is not installed (or is disabled) in this config',
    )
  }
  return options
}

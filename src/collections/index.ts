import type { CollectionConfig } from 'payload'

import type { CollectionKey, ResolvedOptions } from '../options.js'

import { accountsCollection } from './accounts.js'
import { audienceFilesCollection } from './audienceFiles.js'
import { campaignsCollection } from './campaigns.js'
import { contactsCollection } from './contacts.js'
import { recipientsCollection } from './recipients.js'
import { templatesCollection } from './templates.js'
import { webhookEventsCollection } from './webhookEvents.js'
import { withOverrides } from './withOverrides.js'

const builders: Record<CollectionKey, (options: ResolvedOptions) => CollectionConfig> = {
  accounts: accountsCollection,
  audienceFiles: audienceFilesCollection,
  campaigns: campaignsCollection,
  contacts: contactsCollection,
  recipients: recipientsCollection,
  templates: templatesCollection,
  webhookEvents: webhookEventsCollection,
}

export const pluginCollections = (options: ResolvedOptions): CollectionConfig[] =>
  (Object.keys(builders) as CollectionKey[]).map((key) =>
    withOverrides(builders[key](options), options.collections[key]),
  )

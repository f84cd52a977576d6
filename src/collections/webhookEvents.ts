import type { CollectionConfig } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { adminGroup } from './adminGroup.js'
import { engineFields } from './engineFields.js'

/**
 * Every webhook event received, as the endpoint logged it before answering: the applier applies
 * them in batches (applied: true). A status event for a message id not recorded yet waits here
 * (waiting: true) until the send result lands.
 */
export const webhookEventsCollection = (options: ResolvedOptions): CollectionConfig => ({
  slug: options.slugs.webhookEvents,
  access: {
    create: () => false,
    delete: options.access.update,
    read: options.access.read,
    update: () => false,
  },
  admin: {
    defaultColumns: ['kind', 'status', 'messageId', 'applied', 'receivedAt'],
    group: adminGroup,
  },
  defaultSort: '-receivedAt',
  fields: [
    {
      name: 'kind',
      type: 'select',
      index: true,
      options: ['status', 'message', 'reply', 'template', 'other'],
      required: true,
    },
    { name: 'phoneNumberId', type: 'text', index: true },
    { name: 'messageId', type: 'text', index: true },
    { name: 'status', type: 'text' },
    { name: 'timestamp', type: 'date' },
    { name: 'errorCode', type: 'number' },
    { name: 'errorMessage', type: 'text' },
    { name: 'applied', type: 'checkbox', defaultValue: false, index: true },
    { name: 'waiting', type: 'checkbox', defaultValue: false, index: true },
    { name: 'receivedAt', type: 'date', index: true },
    { name: 'payload', type: 'json' },
    // The applier batch that last took the event (MongoDB: a batch cut short is finished by it).
    ...engineFields([{ name: 'applyOp', type: 'text' }]),
  ],
  labels: { plural: 'Webhook events', singular: 'Webhook event' },
})

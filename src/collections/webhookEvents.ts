import type { CollectionConfig } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { adminGroup } from './adminGroup.js'

/**
 * Every webhook event received, for debugging and replay. A status event for a message id
 * not recorded yet waits here (applied: false) until the send result lands.
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
      options: ['status', 'message', 'template', 'other'],
      required: true,
    },
    { name: 'phoneNumberId', type: 'text', index: true },
    { name: 'messageId', type: 'text', index: true },
    { name: 'status', type: 'text' },
    { name: 'timestamp', type: 'date' },
    { name: 'errorCode', type: 'number' },
    { name: 'errorMessage', type: 'text' },
    { name: 'applied', type: 'checkbox', defaultValue: false, index: true },
    { name: 'receivedAt', type: 'date', index: true },
    { name: 'payload', type: 'json' },
  ],
  labels: { plural: 'Webhook events', singular: 'Webhook event' },
})
